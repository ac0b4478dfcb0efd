package normalize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCodeLine(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		// Scripts, styles and markup a scraper kept.
		{`var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-2570029-1']); _gaq.push(['_trackPageview']);`, true},
		{`var regStatus = "";`, true},
		{`var site="s10brewcrewball"`, true},
		{`showForm();`, true},
		{`DM_tag();`, true},
		{`BBC.adverts.write("mpu",true);`, true},
		{`jQuery("#tabber_widget-2-content ul").idTabs();`, true},
		{`new CBSPostCarousel('cbsPostCarousel');`, true},
		{`google_ad_channel='news';`, true},
		{`self.name = "Parent_Window"`, true},
		{`InSkinParams['myPageSkin'] = { 'srv_SectionID' : '124281', 'srv_Keywords' : 'homepage , news and more words here to pass twenty words easily' };`, true},
		{`new TWTR.Widget({ version: 2, type: 'profile', rpp: 4, interval: 6000, width: 300, height: 300, theme: { shell: { background: '#b8b8b8' } } }).render();`, true},
		{`( function() { var container = document.getElementById( 'facebook-like-container' ); } )();`, true},
		{`/* <![CDATA[ */ var thickboxL10n = {"next":"Next >","prev":"< Prev"}; /* ]]> */`, true},
		{`<!-- OAS_AD('x10'); //-->`, true},
		{`img#wpstats{display:none}`, true},
		{`@import url(http://i.i.com.com/cnwk.1d/css/ne05/news_powerplay.css);`, true},
		{`<img src="http://b.scorecardresearch.com/b?c1=2&c2=6035669" />`, true},
		{`<a href="http://www.quantcast.com/p-x" target="_blank"><img src="http://pixel.quantserve.com/pixel/p-x.gif" alt="Quantcast"/></a>`, true},
		// Text, though it has signs code uses.
		{"Comments (26)", false},
		{"Betsy (Omaha, NE)", false},
		{"Beginnings (1975)", false},
		{"Exercise (at least 30 mins daily)", false},
		{"Engaged (7 minutes; Connie Yowell)", false},
		{"// posted by Nate Johnson @ 12:30 AM 23 comments", false},
		{"Be alert to the fact that some American university names are not the place of publication. Thus Yale = New Haven; Harvard = Cambridge, Mass.; Cornell = Ithaca, NY.", false},
		{"{1} GENTLEMEN,--I am not given to speaking on politics; I do not recollect having ever previously given a political lecture, and my attention has always been directed towards the education of my people.", false},
		{"Everyone knows that you can tell a kid's birth order by the size of the diaper bag: full suitcase = firstborn; knapsack = secondborn.", false},
		{"Note that the <CR> serves another purpose.", false},
		{"A = (1.5)·(2).", false},
		{"E = [10,45°] ·[[1/20],15°].", false},
		{`You may use these HTML tags and attributes: <a href="" title=""> <abbr title=""> <b> <blockquote cite=""> <cite> <code>`, false},
		{"The score was 2-1 (after extra time) and the fans <3 it.", false},
		{"Le président a dit : « Nous y arriverons ». (AFP)", false},
	}
	for _, tc := range tests {
		if got := codeLine(tc.line); got != tc.want {
			t.Errorf("codeLine(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestScriptsInScrapedText normalizes a page as a scraper that keeps
// every text node leaves it: the script after the headline starts in
// lowercase, as a wrapped line would, and stays out of the headline.
func TestScriptsInScrapedText(t *testing.T) {
	text := `var _gaq = _gaq || []; _gaq.push(['_setAccount', 'UA-1']); _gaq.push(['_trackPageview']);
Home News Sport
Storm closes schools across the coast
vb.loadImage("#image-1", "storm.jpg");
<img src="http://pixel.example.com/p.gif" width="1" height="1" alt="" />
High winds brought down power lines across the coast overnight, leaving more than 40,000 homes and businesses without electricity on Thursday morning, the regional grid operator said.
jQuery('#ad_container_1').HyperionAd({"height":250,"width":300,"mode":"iframe"});
Crews have been working since dawn to clear fallen trees from the main roads, and the operator said it expected to restore supply to most homes by Friday evening.
.share-bar{display:none;margin:0}
Schools in the three districts will stay closed until Monday, the education authority said in a statement on its website.
`
	a := normalizeOK(t, Input{Name: "raw.txt", Data: []byte(text)})
	if a.Title != "Storm closes schools across the coast" {
		t.Errorf("title %q", a.Title)
	}
	if len(a.Body) != 3 {
		t.Fatalf("body %q, want the three paragraphs", a.Body)
	}
	for _, p := range a.Body {
		if codeLine(p) || strings.ContainsAny(p, "{};") {
			t.Errorf("code in the body: %q", p)
		}
	}
}

// TestCodeLineOnGold measures what codeLine costs on article text: the
// share of the development corpora's gold words on lines it flags (code
// samples of programming pages), under 0.01% as the README says.
func TestCodeLineOnGold(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpora/*/gold/*.txt")
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("../shared/corpora is required when CI=true")
		}
		t.Skip("../shared/corpora not available")
	}
	flagged, total := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			n := countWords(l)
			total += n
			if codeLine(cleanLine(l)) {
				flagged += n
			}
		}
	}
	share := float64(flagged) / float64(total)
	t.Logf("%d of %d gold words (%.4f%%) on lines codeLine flags, %d pages", flagged, total, 100*share, len(files))
	if share >= 0.0001 {
		t.Errorf("codeLine flags %.4f%% of the gold words, want under 0.01%%", 100*share)
	}
}
