package normalize

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// lineAt returns the index of the block whose text is t.
func lineAt(t *testing.T, bs []*block, text string) int {
	t.Helper()
	for i, b := range bs {
		if b.text == text {
			return i
		}
	}
	t.Fatalf("no line %q", text)
	return -1
}

func TestGluedHeadline(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		line  string
		want  bool
	}{
		{[]string{"AccueilNews - InfosDiplomatieLa Russie va fermer son ambassade", "La Russie va fermer son ambassade"},
			"AccueilNews - InfosDiplomatieLa Russie va fermer son ambassade", true},
		// Glued after a space or a colon, the line is the headline with a kicker.
		{[]string{"Diplomatie : La Russie va fermer son ambassade", "La Russie va fermer son ambassade"},
			"Diplomatie : La Russie va fermer son ambassade", false},
		{[]string{"La Russie va fermer son ambassade", "Le Kremlin a annoncé mardi la fermeture de son ambassade."},
			"La Russie va fermer son ambassade", false},
	} {
		bs := textBlocks(strings.Join(tc.lines, "\n"), time.Now())
		if got := gluedHeadline(bs, lineAt(t, bs, tc.line)); got != tc.want {
			t.Errorf("gluedHeadline(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestGluedMenu(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"TousArt & CultureEconomieFaits DiversPolitiqueRevue de presseSociété", true},
		{"NewsSportWeatherTravelCulture", true},
		{"PlayStation 5 sales beat Nintendo Switch in JavaScript survey", false},
		{"Apple unveils the new iPhone on YouTube and LinkedIn", false},
		{"McDonald's opens in Moscow", false},
		{"Brexit: Nervenkrieg geht in nächste Runde", false},
	} {
		if got := gluedMenu(tc.line); got != tc.want {
			t.Errorf("gluedMenu(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestKickerFromTitleLine(t *testing.T) {
	for _, tc := range []struct {
		lines            []string
		title            string
		kicker, headline string
	}{
		{[]string{"Daten von Rheinmetall gehackt - Interne Unterlagen im Netz", "Interne Unterlagen im Netz Daten von Rheinmetall gehackt"},
			"Interne Unterlagen im Netz Daten von Rheinmetall gehackt", "Interne Unterlagen im Netz", "Daten von Rheinmetall gehackt"},
		{[]string{"Daten von Rheinmetall gehackt | tagesschau.de", "Interne Unterlagen: Daten von Rheinmetall gehackt"},
			"Interne Unterlagen: Daten von Rheinmetall gehackt", "", "Interne Unterlagen: Daten von Rheinmetall gehackt"},
		// The line above must print both parts.
		{[]string{"Startseite", "Interne Unterlagen im Netz Daten von Rheinmetall gehackt"},
			"Interne Unterlagen im Netz Daten von Rheinmetall gehackt", "", "Interne Unterlagen im Netz Daten von Rheinmetall gehackt"},
	} {
		bs := textBlocks(strings.Join(tc.lines, "\n"), time.Now())
		k, h := kickerFromTitleLine(bs, lineAt(t, bs, tc.title), tc.title)
		if k != tc.kicker || h != tc.headline {
			t.Errorf("kickerFromTitleLine(%q) = %q, %q; want %q, %q", tc.title, k, h, tc.kicker, tc.headline)
		}
	}
}

func TestTrimStrayQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`Michel: Wielka Brytania pozostanie przyjacielem i partnerem UE"`, "Michel: Wielka Brytania pozostanie przyjacielem i partnerem UE"},
		{`"Reformstau lösen" / Irme Stetter-Karp ist neue ZdK-Präsidentin`, `"Reformstau lösen" / Irme Stetter-Karp ist neue ZdK-Präsidentin`},
		{`"Nous sommes en guerre"`, `"Nous sommes en guerre"`},
		{`"Le président a parlé`, `Le président a parlé`},
	} {
		if got := trimStrayQuote(tc.in); got != tc.want {
			t.Errorf("trimStrayQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNotHeadline(t *testing.T) {
	checkLines(t, "notHeadline", notHeadline, []lineCase{
		{"RNZ Home > News > Latest News", true},
		{"Home → Notizie dal mondo vegan → Il Climate Clock ha iniziato a scorrere", true},
		{"Home » Sport » Tennis", true},
		{"« Non » au projet, « oui » à l'Europe", false},
		{"« Art fears business fears art | Blog Home | Announcing a small-group college seminar »", true},
		{"Tags: vista, os, us, microsoft", true},
		{"Source: Press Association", true},
		{"Recommended: Caskets for rent, and we're not kidding", true},
		{"Mots-clés : retraites, grève", true},
		{"156 Responses to “Shuteye”", true},
		{"Leave a Reply", true},
		{"Brexit: Nervenkrieg geht in nächste Runde", false},
		{"Obama's response to the crisis draws fire from both parties", false},
		{"Emmanuel Macron : « Nous sommes en guerre »", false},
		{"« Nous sommes en guerre » : Macron durcit le ton", false},
		{"« Volkswagen sales grow once again", true},
		{"book news, plus a podcast interview. »", true},
		{"All Reviews→", true},
		{"‹ Older posts", true},
		{"By staff writers", true},
		{"Par la rédaction", true},
		{"«On ne lâchera rien», promet le maire", false},
		{"Le «grand débat» s'ouvre à Paris", false},
		{"By the Numbers: 10,000", false},
	})
}

func TestActionLink(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"E-mail this to a friend", true},
		{"MAIL THIS STORY PRINT FRIENDLY", true},
		{"Send to a Friend", true},
		{"Imprimer cet article", true},
		{"Artikel versenden", true},
		{"Print your own Halloween mask", false},
		{"Share your Machu Picchu photos with the world", false},
		{"Email this to a friend who needs it: why we stopped sending the newsletter we loved", false},
		{"Skip to content", true},
		{"skip to main | skip to sidebar", true},
		{"Go to Google News", true},
		{"Back to school: the new rules for parents this autumn", false},
		{"Sign InNew User? Sign Up", true},
	} {
		bs := textBlocks(tc.line, time.Now())
		if got := actionLink(bs[0]); got != tc.want {
			t.Errorf("actionLink(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestLinkRow(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Facebook Page · RSS Feed", true},
		{"Home • About • Contact", true},
		{"El Parlament aprova la llei de col·legis professionals", false},
		{"Obama wins second term · Romney concedes in Boston", false},
		{"• Marla Ridenour", false},
		{"Sport · Football", true},
	} {
		if got := linkRow(tc.line); got != tc.want {
			t.Errorf("linkRow(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestTrimGluedWidget(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Choi chalks up yet another victory for family and country text size", "Choi chalks up yet another victory for family and country"},
		{"Younger Republicans could save the party comments ()", "Younger Republicans could save the party"},
		{"Create professional interactive multimedia with Director MX advertisement", "Create professional interactive multimedia with Director MX"},
		{"Banned advertisement", "Banned advertisement"},
	} {
		if got := trimGluedWidget(tc.in); got != tc.want {
			t.Errorf("trimGluedWidget(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTrimGluedByline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Listen to Music With Your Friends by Alexandre Roche on Thursday, January 12, 2012 at 10:00am", "Listen to Music With Your Friends"},
		{"The Making of Warcraft's Multiplayer by Patrick Wyatt [Design, Social/Online]", "The Making of Warcraft's Multiplayer"},
		{"The 'birth lottery' and economic mobility by Ahiza Garcia @ahiza_garcia February 1, 2016: 12:41 PM ET", "The 'birth lottery' and economic mobility"},
		{"Company wins $368M from Apple by Jon Brodkin Nov. 9, 2012 4:45 pm UTC", "Company wins $368M from Apple"},
		// Not a byline: no date with its year, too little left, or not
		// English (a French headline says "adopté par Borne le …").
		{"Le budget adopté par Élisabeth Borne le 20 octobre 2022", "Le budget adopté par Élisabeth Borne le 20 octobre 2022"},
		{"Man shot by Police Officer on Tuesday night", "Man shot by Police Officer on Tuesday night"},
		{"Stand by Me on stage in 2024", "Stand by Me on stage in 2024"},
		{"Interview by John Smith on May 3, 2012", "Interview by John Smith on May 3, 2012"},
	} {
		if got := trimGluedByline(tc.in); got != tc.want {
			t.Errorf("trimGluedByline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestArticleAnchor(t *testing.T) {
	long := "The council voted on Tuesday to close the old bridge to traffic for two years while it is rebuilt"
	blurb := "Welcome to our blog, where we write about science and sport every week for you"
	for _, tc := range []struct {
		name  string
		lines []string
		p1    []float32
		want  int
	}{
		{"first paragraph", []string{"Bridge to close", long, long}, []float32{0, 1, 1}, 1},
		{"sidebar blurb above the post", []string{blurb, "Thursday, October 18, 2012", "Bridge to close for two years", long, long, long},
			[]float32{1, 0, 0, 1, 1, 1}, 3},
		{"a short line does not end the run", []string{long, "Share", long, blurb}, []float32{1, 0, 1, 0}, 0},
		{"nothing taken", []string{"Bridge to close", long}, []float32{0, 0}, -1},
	} {
		var bs []*block
		for _, l := range tc.lines {
			bs = append(bs, newBlock(l, time.Now()))
		}
		if got := articleAnchor(bs, tc.p1); got != tc.want {
			t.Errorf("%s: articleAnchor = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestTrimGluedDate(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{"If Nasri plays, don’t boo. 20 August, 2011", "If Nasri plays, don’t boo."},
		{"I think we learned something today…….. July 29, 2012", "I think we learned something today…….."},
		{"Budget vote passes in Senate | 12 March 2024", "Budget vote passes in Senate"},
		// Kept: no stop before the date, a date without its year, too
		// little left, or more than a date after the stop.
		{"Elections set for July 29, 2012", "Elections set for July 29, 2012"},
		{"The vote is over. Results on March 3", "The vote is over. Results on March 3"},
		{"Done. 20 August, 2011", "Done. 20 August, 2011"},
		{"U.S. Envoy Arrives in North Korea", "U.S. Envoy Arrives in North Korea"},
	} {
		if got := trimGluedDate(tc.in, now); got != tc.want {
			t.Errorf("trimGluedDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPrintedTitle(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  int // index in lines, -1 for none
	}{
		{"site after", []string{"Chelsea hoping to sign Anelka before the weekend - Soccer - Sport", "Home News Sport", "Chelsea hoping to sign Anelka before the weekend", "Chelsea are hoping to complete the signing of Nicolas Anelka before Saturday's game, the club said."}, 2},
		{"site before", []string{"The Daily Planet | Storm closes schools across the coast", "Storm closes schools across the coast", "High winds brought down power lines across the coast overnight, the operator said."}, 1},
		{"post links", []string{"« 8tracks Launches Revamped Streaming Player For iOS | Main | Getting It Done »", "8tracks Launches Revamped Streaming Player For iOS"}, -1},
		{"a link's few words", []string{"Submit Press Release | Become a Member", "Submit Press Release"}, -1},
		{"the shorter side", []string{"Librarian by Day and Night - By Bobbi Newman", "By Bobbi Newman"}, -1},
		{"not among the first lines", []string{"Home", "News", "Sport", "Weather", "Chelsea hoping to sign Anelka before the weekend - Soccer", "Chelsea hoping to sign Anelka before the weekend"}, -1},
	}
	for _, tc := range tests {
		bs := textBlocks(strings.Join(tc.lines, "\n"), time.Now())
		got := slices.IndexFunc(bs, func(b *block) bool { return b.docHeadline })
		want := -1
		if tc.want >= 0 {
			want = lineAt(t, bs, tc.lines[tc.want])
		}
		if got != want {
			t.Errorf("%s: the headline the <title> names is line %d, want %d", tc.name, got, want)
		}
	}
}

// TestPrintedTitleNormalize: a scraper that walked the whole document
// printed the <title> and a script first; the headline comes out as the
// page prints it, and neither is part of the article.
func TestPrintedTitleNormalize(t *testing.T) {
	text := `Chelsea hoping to sign Anelka before the weekend - Soccer - Sport
var _gaq = _gaq || []; _gaq.push(['_trackPageview']);
Sport
Football Cricket Tennis
Chelsea hoping to sign Anelka before the weekend
Chelsea are hoping to complete the signing of Nicolas Anelka from Bolton before Saturday's game against Tottenham, the club said on Wednesday.
The striker, 28, has scored ten goals in the league this season and is said to be keen on the move to Stamford Bridge.
`
	a := normalizeOK(t, Input{Name: "raw.txt", Data: []byte(text)})
	if a.Title != "Chelsea hoping to sign Anelka before the weekend" {
		t.Errorf("title %q", a.Title)
	}
	for _, p := range a.Body {
		if strings.Contains(p, "Soccer") || strings.Contains(p, "_gaq") {
			t.Errorf("body holds %q", p)
		}
	}
}

func TestPostMeta(t *testing.T) {
	checkLines(t, "postMeta", postMeta, []lineCase{
		{"Labels: adwords, adwords experts, adwords support", true},
		{"Posted by Tammy McLeod, Software Engineer", true},
		{"Updated guidance on flu vaccines for the elderly", false},
		{"Label wars: why brands fight over words", false},
		{"You asked, we listened", false},
	})
}
