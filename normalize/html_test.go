package normalize

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/markusmobius/go-trafilatura"

	"github.com/crier/crier/internal/learn"
)

func TestHTMLArticle(t *testing.T) {
	data, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{
		{Name: "article.html", Data: data, ModTime: modTime},
		{Name: "api", ContentType: "text/html; charset=utf-8", Data: data, ModTime: modTime},
		{Name: "page", Data: data, ModTime: modTime}, // sniffed
	} {
		a := normalizeOK(t, in)
		checkShape(t, a)
		if want := "Storm leaves thousands without power across the coast"; a.Title != want {
			t.Errorf("title = %q, want %q", a.Title, want)
		}
		if want := "https://www.harbourgazette.example/news/2024/03/14/storm-power-outages"; a.URL != want {
			t.Errorf("url = %q", a.URL)
		}
		if !strings.HasPrefix(first(a.Body), "High winds brought down power lines") {
			t.Errorf("body starts %q", first(a.Body))
		}
		if !strings.HasPrefix(a.Summary, "High winds brought down") {
			t.Errorf("summary = %q", a.Summary)
		}
		if a.Language != "en" || a.Source != "The Harbour Gazette" || a.Byline != "Jane Miller" {
			t.Errorf("language/source/byline = %q/%q/%q", a.Language, a.Source, a.Byline)
		}
		if want := time.Date(2024, 3, 14, 6, 45, 0, 0, time.UTC); !a.Published.Equal(want) || a.PublishedEstimated {
			t.Errorf("published = %v estimated=%v", a.Published, a.PublishedEstimated)
		}
		for _, s := range []string{"Advertisement", "Subscribe", "cookies", "Share", "Related articles", "Ferry services", "All rights reserved", "Photo:"} {
			if strings.Contains(a.Text(), s) || strings.Contains(a.BodyHTML, s) {
				t.Errorf("body contains %q", s)
			}
		}
		for _, s := range []string{"<h2>Schools closed</h2>", "<blockquote><p>“We have never seen", "<p>Forecasters expect"} {
			if !strings.Contains(a.BodyHTML, s) {
				t.Errorf("BodyHTML lacks %q:\n%s", s, a.BodyHTML)
			}
		}
	}
}

func TestHTMLCharset(t *testing.T) {
	page := "<html><head><meta charset=\"windows-1252\"><title>Caf\xe9 cr\xe8me</title></head><body><article><h1>Caf\xe9 cr\xe8me</h1>" +
		strings.Repeat("<p>Le caf\xe9 de la place a rouvert ses portes apr\xe8s des mois de travaux, et les habitu\xe9s sont revenus d\xe8s le premier matin pour f\xeater l\x92\xe9v\xe9nement.</p>", 3) +
		"</article></body></html>"
	a := normalizeOK(t, Input{Name: "cafe.html", Data: []byte(page)})
	if !strings.Contains(first(a.Body), "Le café de la place a rouvert") || !strings.Contains(first(a.Body), "l’événement") {
		t.Errorf("body = %q", a.Body)
	}
}

func TestBodyHTMLSanitized(t *testing.T) {
	ps := []para{
		{kind: kindParagraph, text: `<script>alert(1)</script> <a href="javascript:x">a</a> & b`},
		{kind: kindListItem, text: "un"},
		{kind: kindListItem, text: "deux"},
		{kind: kindHeading, text: `Titre "cité" & <b>gras</b>`},
		{kind: kindQuote, text: "« Une citation » l'a dit"},
	}
	got := renderHTML(ps)
	if strings.Contains(got, "<script") || strings.Contains(got, "<a ") || !strings.Contains(got, "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>") {
		t.Errorf("renderHTML = %q", got)
	}
	// renderHTML does not sanitize: what it writes must be what the policy
	// leaves.
	if clean := bodyPolicy().Sanitize(got); clean != got {
		t.Errorf("the policy changes renderHTML's output:\n%q\n%q", got, clean)
	}
}

func TestJSONInput(t *testing.T) {
	_, seed := readSeed(t, "003")
	doc := map[string]string{
		"url":       "https://www.example.ch/monde/poutine-minsk",
		"title":     "Poutine à Minsk",
		"text":      string(seed),
		"published": "2022-12-19T21:00:00+01:00",
		"source":    "Le Temps",
		"author":    "Jean Dupont",
		"language":  "fr-CH",
	}
	data, _ := json.Marshal(doc)
	a := normalizeOK(t, Input{Name: "api", ContentType: "application/json", Data: data, ModTime: modTime})
	checkShape(t, a)
	txt := normalizeOK(t, Input{Name: "s.txt", Data: seed})
	if a.Title != "Poutine à Minsk" || a.URL != doc["url"] || a.Source != "Le Temps" || a.Byline != "Jean Dupont" || a.Language != "fr" {
		t.Errorf("given fields not kept: %+v", a)
	}
	if !a.Published.Equal(time.Date(2022, 12, 19, 20, 0, 0, 0, time.UTC)) || a.PublishedEstimated {
		t.Errorf("published = %v", a.Published)
	}
	if a.ContentHash != txt.ContentHash {
		t.Errorf("JSON text cleaned differently:\n%q\n%q", a.Body, txt.Body)
	}
	if a.Origin != "api" || a.ID != articleID(doc["url"], a.ContentHash) {
		t.Errorf("origin/id = %q/%q", a.Origin, a.ID)
	}

	short := normalizeOK(t, Input{Name: "b.json", Data: []byte(`{"title":"Flash","text":"Le Parlement a adopté la loi ce matin.","summary":"Adoptée."}`)})
	if short.Title != "Flash" || first(short.Body) != "Le Parlement a adopté la loi ce matin." || short.Summary != "Adoptée." {
		t.Errorf("short JSON article = %+v", short)
	}

	htmlPage, _ := os.ReadFile("testdata/article.html")
	data, _ = json.Marshal(map[string]string{"html": string(htmlPage), "source": "HG"})
	h := normalizeOK(t, Input{Name: "c.json", Data: data})
	if h.Source != "HG" || !strings.HasPrefix(first(h.Body), "High winds") || h.Title == "" {
		t.Errorf("JSON html article = %+v", h)
	}
}

// htmlPages are real pages (go-readability's test pages) with what the
// HTML path must find in them.
var htmlPages = []struct {
	file      string
	title     string
	day       string
	source    string
	agencies  []string
	link      string // an <a href> BodyHTML keeps, absolute
	emphasis  string // inline markup BodyHTML keeps
	notInBody string
}{
	{
		file: "fr-html-lemonde.html", title: "Le projet de loi sur le renseignement massivement approuvé à l'Assemblée",
		day: "2015-05-04", source: "Le Monde",
		link:     `<a href="http://www2.assemblee-nationale.fr/scrutins/detail/%28legislature%29/14/%28num%29/1109">`,
		emphasis: "<em>« l’indépendance nationale",
	},
	{
		file: "fr-html-liberation.html", title: "Un troisième Français mort dans le séisme au Népal",
		day: "2015-04-30", source: "Libération", agencies: []string{"AFP"},
		link: `<a href="http://www.liberation.fr/monde/2015/04/29/embouteillages-et-retards-a-l-aeroport-de-katmandou_1276612">`,
	},
	{
		file: "de-html-heise.html", title: "1Password für Mac generiert Einmal-Passwörter",
		day: "2015-04-08", source: "Mac & i",
		link:      `<a href="https://blog.agilebits.com/2015/01/26/totp-for-1password-users/">`,
		notInBody: "mailto:",
	},
}

func TestHTMLPages(t *testing.T) {
	for _, tc := range htmlPages {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/corpus/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			a := normalizeOK(t, Input{Name: tc.file, Data: data})
			checkShape(t, a)
			if a.Title != tc.title {
				t.Errorf("title = %q, want %q", a.Title, tc.title)
			}
			if d := a.Published.Format(time.DateOnly); d != tc.day || a.PublishedEstimated {
				t.Errorf("published = %v (estimated %v), want %s", a.Published, a.PublishedEstimated, tc.day)
			}
			if a.Source != tc.source {
				t.Errorf("source = %q, want %q", a.Source, tc.source)
			}
			if strings.Join(a.Agencies, ",") != strings.Join(tc.agencies, ",") {
				t.Errorf("agencies = %q, want %q", a.Agencies, tc.agencies)
			}
			if !strings.Contains(a.BodyHTML, tc.link) {
				t.Errorf("BodyHTML lacks link %s:\n%s", tc.link, a.BodyHTML)
			}
			if tc.emphasis != "" && !strings.Contains(a.BodyHTML, tc.emphasis) {
				t.Errorf("BodyHTML lacks %s", tc.emphasis)
			}
			for _, s := range []string{"<script", "<img", "<figure", "<div", "<span", "javascript:", tc.notInBody} {
				if s != "" && strings.Contains(a.BodyHTML, s) {
					t.Errorf("BodyHTML contains %q", s)
				}
			}
			if len(a.Media) == 0 || !strings.HasPrefix(a.Media[0].URL, "http") {
				t.Errorf("media = %+v, want the lead image", a.Media)
			}
		})
	}
}

// TestHTMLStructure checks that Body and BodyHTML hold the same
// paragraphs, and that captions, credits, kicker and site name leave the
// body and title.
func TestHTMLStructure(t *testing.T) {
	page := `<html><head><title>Le Parlement adopte la loi - La Gazette</title>
<meta property="og:site_name" content="La Gazette.fr"><meta property="og:image" content="/img/lead.jpg">
<link rel="canonical" href="https://gazette.example/politique/loi"></head><body>
<header><p class="article__kicker">Politique</p><h1>Le Parlement adopte la loi</h1>
<p class="byline">Par Marie Dupont avec AFP</p></header>
<article>
<p>Les députés ont adopté <em>mardi</em> le texte par <strong>312 voix</strong> contre 180, au terme d'un débat de trois semaines, rapporte <a href="/politique/debat">notre compte rendu</a> publié hier soir.</p>
<figure><img src="/img/vote.jpg"><figcaption>L'hémicycle lors du vote final de mardi après-midi. Photo: Jean Martin</figcaption></figure>
<h2>Un vote serré</h2>
<p>Le texte doit maintenant être examiné par le Sénat, qui pourrait l'amender avant l'été, selon plusieurs sources parlementaires consultées par la rédaction.</p>
<ol><li>Première lecture au Sénat en mai prochain, selon le calendrier officiel.</li><li>Commission mixte paritaire prévue en juin si les deux chambres divergent.</li></ol>
<blockquote><p>« Nous avons tenu parole », a déclaré la ministre à la sortie de l'hémicycle, entourée de ses collaborateurs.</p></blockquote>
<p>L'opposition a annoncé un recours devant le Conseil constitutionnel dans les prochains jours, ce qui pourrait retarder la promulgation du texte.</p>
<script>var x = "<p>tracker</p>";</script>
</article></body></html>`
	a := normalizeOK(t, Input{Name: "loi.html", Data: []byte(page)})
	if a.Title != "Le Parlement adopte la loi" || a.Kicker != "Politique" || a.Source != "La Gazette" {
		t.Errorf("title/kicker/source = %q/%q/%q", a.Title, a.Kicker, a.Source)
	}
	if strings.Join(a.Agencies, ",") != "AFP" {
		t.Errorf("agencies = %q", a.Agencies)
	}
	for _, s := range []string{
		`<em>mardi</em>`, `<strong>312 voix</strong>`, `<a href="https://gazette.example/politique/debat">notre compte rendu</a>`,
		"<h2>Un vote serré</h2>", "<ol>\n<li>Première lecture", "<blockquote><p>« Nous avons tenu parole »",
	} {
		if !strings.Contains(a.BodyHTML, s) {
			t.Errorf("BodyHTML lacks %q:\n%s", s, a.BodyHTML)
		}
	}
	for _, s := range []string{"hémicycle lors du vote", "Jean Martin", "tracker", "Politique", "Marie Dupont"} {
		if strings.Contains(a.BodyHTML, s) || strings.Contains(a.Text(), s) {
			t.Errorf("body contains %q", s)
		}
	}
	if n := strings.Count(a.BodyHTML, "<p>") + strings.Count(a.BodyHTML, "<li>") + strings.Count(a.BodyHTML, "<h2>"); n != len(a.Body) {
		t.Errorf("BodyHTML has %d blocks, Body %d: %q", n, len(a.Body), a.Body)
	}
	want := []string{"https://gazette.example/img/lead.jpg", ""}
	if len(a.Media) == 0 || a.Media[0].URL != want[0] {
		t.Fatalf("media = %+v", a.Media)
	}
	var caption, credit string
	for _, m := range a.Media {
		caption, credit = caption+m.Caption, credit+m.Credit
	}
	if caption != "L'hémicycle lors du vote final de mardi après-midi." || credit != "Jean Martin" {
		t.Errorf("media = %+v", a.Media)
	}
}

// benchPages are the inputs of the HTML path benchmarks.
func benchPages(b *testing.B) map[string][]byte {
	pages := map[string][]byte{}
	files := []string{"testdata/corpus/fr-html-lemonde.html", "testdata/corpus/fr-html-liberation.html", "testdata/corpus/de-html-heise.html"}
	for _, p := range append(files, "testdata/article.html") {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		pages[filepath.Base(p)] = data
	}
	return pages
}

// BenchmarkHTMLPath is the whole HTML path (Normalize), one sub-benchmark
// per page; compare with BenchmarkExtractorAlone.
func BenchmarkHTMLPath(b *testing.B) {
	n := New(Options{})
	for name, data := range benchPages(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := n.Normalize(context.Background(), Input{Name: name, Data: data}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExtractorAlone runs go-trafilatura alone, with the HTML path's
// options, on the same pages.
func BenchmarkExtractorAlone(b *testing.B) {
	opts := extractorOptions(time.Now())
	for name, data := range benchPages(b) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := trafilatura.Extract(bytes.NewReader(data), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHTMLCorpus and BenchmarkExtractorCorpus compare the whole HTML
// path with go-trafilatura alone (same options) over every HTML page of
// the labelled corpus, one page per iteration in turn.
func BenchmarkHTMLCorpus(b *testing.B) {
	pages := corpusHTML(b)
	n := New(Options{})
	i := 0
	for b.Loop() {
		if _, err := n.Normalize(context.Background(), Input{Name: "page.html", Data: pages[i%len(pages)]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkExtractorCorpus(b *testing.B) {
	pages := corpusHTML(b)
	opts := extractorOptions(time.Now())
	i := 0
	for b.Loop() {
		if _, err := trafilatura.Extract(bytes.NewReader(pages[i%len(pages)]), opts); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func corpusHTML(b *testing.B) [][]byte {
	files, _ := filepath.Glob("testdata/corpus/*-html-*.html")
	var pages [][]byte
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, data)
	}
	if len(pages) == 0 {
		b.Fatal("no HTML pages in testdata/corpus")
	}
	return pages
}

// TestHTMLEndMarker: a most-read or comments block that the extractor kept
// ends the article; its paragraphs are not body text.
func TestHTMLEndMarker(t *testing.T) {
	for _, marker := range []string{"Les plus lus", "Les commentaires sont fermés."} {
		page := `<html><head><title>Le Parlement adopte la loi</title></head><body><article>
<h1>Le Parlement adopte la loi</h1>
<p>Les députés ont adopté mardi le texte par 312 voix contre 180, au terme d'un débat de trois semaines dans l'hémicycle.</p>
<p>Le texte doit maintenant être examiné par le Sénat, qui pourrait l'amender avant l'été, selon plusieurs sources parlementaires.</p>
<p>` + marker + `</p>
<p>Un autre article, sans rapport avec la loi, raconte la saison des vendanges dans le Bordelais et ses difficultés.</p>
</article></body></html>`
		a := normalizeOK(t, Input{Name: "loi.html", Data: []byte(page)})
		if strings.Contains(a.Text(), "vendanges") || strings.Contains(a.BodyHTML, "vendanges") {
			t.Errorf("%s: text after the end marker kept:\n%s", marker, a.Text())
		}
		if !strings.Contains(a.Text(), "examiné par le Sénat") {
			t.Errorf("%s: article text lost:\n%s", marker, a.Text())
		}
	}
}

func TestCloseRunawayTitle(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<html><head><TITLE>BBC SPORTi library--> <script src=x></script><body><p>Text", "<html><head><TITLE>BBC SPORTi library--> </title><script src=x></script><body><p>Text"},
		{"<title>Closed</title><p>Text", "<title>Closed</title><p>Text"},
		{"<title>Closed</TITLE><p>Text", "<title>Closed</TITLE><p>Text"},
		{"<p>No title at all", "<p>No title at all"},
		{"<title>Only a title", "<title>Only a title"},
		{`<title id="t">Bush to Saudis - CBN News</titlevalue="true" --> </head><p>Text`, `<title id="t">Bush to Saudis - CBN News</title></titlevalue="true" --> </head><p>Text`},
		{"<title>Spaced</title ><p>Text", "<title>Spaced</title ><p>Text"},
	} {
		if got := closeRunawayTitle(tc.in); got != tc.want {
			t.Errorf("closeRunawayTitle(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHTMLRunawayTitle: a page whose <title> is never closed keeps its
// article (a browser would show nothing).
func TestHTMLRunawayTitle(t *testing.T) {
	para := "The European Commission opened two new antitrust cases against Microsoft on Monday, after complaints from rival browser makers and from an association of software companies."
	page := "<html><head><title>Microsoft faces new cases\n<script>var x;</script></head><body><article><h1>Microsoft faces two new European antitrust cases</h1><p>" +
		para + "</p><p>" + para + "</p><p>" + para + "</p></article></body></html>"
	a := normalizeOK(t, Input{Name: "runaway.html", Data: []byte(page)})
	if len(a.Body) == 0 || !strings.Contains(a.Text(), "antitrust cases against Microsoft") {
		t.Errorf("body = %q", a.Body)
	}
}

// TestHTMLModelRejectsAll: a line model that rejects every block leaves
// go-trafilatura's choice, not an empty article.
// rejectAll returns a classifier that answers 0 to every line.
func rejectAll(features []string) *learn.Model {
	n := len(features)
	return &learn.Model{Features: features, Mean: make([]float32, n), Scale: make([]float32, n),
		Hidden: 1, W1: make([]float32, n), B1: []float32{0}, W2: []float32{0}, B2: -50}
}

func TestHTMLModelRejectsAll(t *testing.T) {
	data, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	m := &LineModel{First: rejectAll(HTMLFeatureNames()), Second: rejectAll(HTMLSecondFeatureNames())}
	a, err := New(Options{HTMLModel: m}).Normalize(context.Background(), Input{Name: "article.html", Data: data, ModTime: modTime})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first(a.Body), "High winds brought down power lines") {
		t.Errorf("body starts %q", first(a.Body))
	}
}

// A gallery's slide has no text but its caption: the caption is the
// article, not a photo's credit line to drop.
func TestHTMLGallerySlide(t *testing.T) {
	page := `<!doctype html><html><head><title>How to Crimp Pie Crust</title></head><body>
<nav><a href="/">Home</a> <a href="/baking">Baking</a></nav>
<article><h1>How to Easily Crimp Pie Crust, in Pictures</h1>
<div class="slide"><img src="/crust-1.jpg" alt="">
<div class="caption" id="slide-content">
<p>Despite its intricate hills and valleys, a crimped bakery-style pie crust only looks tricky to re-create at home. If you have two hands and a few minutes to spare, you are well on your way.</p>
<p>Skip the store-bought crusts and roll out a flaky all-butter pie crust at home, then click through for the step-by-step guide.</p>
</div></div></article>
<footer>© 2012 Sugar Inc.</footer></body></html>`
	a, err := New(Options{}).Normalize(context.Background(), Input{Name: "slide.html", Data: []byte(page), ModTime: modTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Body) != 2 || !strings.HasPrefix(a.Body[0], "Despite its intricate hills") || !strings.HasPrefix(a.Body[1], "Skip the store-bought") {
		t.Errorf("body %q, want the two caption paragraphs", a.Body)
	}
}

func TestMissedArticle(t *testing.T) {
	blocks := func(texts ...string) []*htmlBlock {
		var bs []*htmlBlock
		for _, s := range texts {
			b := &htmlBlock{}
			b.text.WriteString(s)
			bs = append(bs, b)
		}
		return bs
	}
	article := blocks(strings.Repeat("The council voted on the plan after a long debate. ", 4),
		strings.Repeat("Residents said the new road would cut traffic in town. ", 3))
	short := "The plant closes in May, the company said on Monday in a statement to its staff."
	for _, tc := range []struct {
		name        string
		model, traf []*htmlBlock
		missed      bool
	}{
		{"nothing kept", nil, article, true},
		{"a menu's links", blocks("Blogs & Columns", "Blogs & Columns", "Blogs & Columns"), article, true},
		{"a headline and a date", blocks("Books", "Tuesday, 26th December 2006"), article, true},
		{"the article", article, article, false},
		{"a short article among teasers", blocks(short), blocks(short, "More stories", "Sport", "Weather"), false},
	} {
		if got := missedArticle(tc.model, tc.traf); got != tc.missed {
			t.Errorf("%s: missedArticle = %v, want %v", tc.name, got, tc.missed)
		}
	}
}

func TestDeclaredLanguage(t *testing.T) {
	for _, tc := range []struct{ declared, guess, want string }{
		{"fr-CH", "fr", "fr"},
		{"en", "fr", ""}, // a template's default against the text
		{"", "ht", ""},   // a guess from a few words alone
		{"  ", "en", ""}, // nothing declared
		{"de de-AT", "de", "de"},
		{"pt_BR", "pt", "pt"},
	} {
		if got := declaredLanguage(tc.declared, tc.guess); got != tc.want {
			t.Errorf("declaredLanguage(%q, %q) = %q, want %q", tc.declared, tc.guess, got, tc.want)
		}
	}
}

func TestCountWords(t *testing.T) {
	for _, s := range []string{"", "  ", "one", " two  words ", "tab\tand\nnewline", "nbsp\u00a0and\u2003em space", "caf\xe9 broken", "日本語 テキスト"} {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, want %d as strings.Fields", s, got, want)
		}
	}
}

// TestHTMLSiteNameTitle: a page whose <title> names only the site (it
// shares no word with the article, or it is the text of a link to the
// home page) takes its headline from the page's lines, as the text path
// would; a headline stays.
func TestHTMLSiteNameTitle(t *testing.T) {
	for _, tc := range []struct{ name, title, want string }{
		{"site name", "The Sports Network", "Montreal closes out road swing with a trip to New York"},
		{"home link", "New York Hockey Wire", "Montreal closes out road swing with a trip to New York"},
		{"headline", "Canadiens visit the Garden", "Canadiens visit the Garden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := normalizeOK(t, Input{Name: "nhl.html", Data: siteNamePage(tc.title)})
			if a.Title != tc.want {
				t.Errorf("title = %q, want %q", a.Title, tc.want)
			}
		})
	}
}

// siteNamePage is a short sports story under a <title> of one's choice,
// with a logo linking to the site's home page.
func siteNamePage(title string) []byte {
	return []byte(`<html><head><title>` + title + `</title></head><body>
<div class="logo"><a href="https://hockeywire.example/">New York Hockey Wire</a></div>
<div class="nav"><a href="/nhl">Hockey</a> <a href="/nba">Basketball</a> <a href="/mlb">Baseball</a></div>
<div class="story"><h2>Montreal closes out road swing with a trip to New York</h2>
<p>By Staff Writer</p>
<p>Montreal closes out a four-game road swing on Tuesday night when the Canadiens visit Madison Square Garden to face the New York Rangers.</p>
<p>The Canadiens have won two straight on the trip, beating Boston and Buffalo, and their goaltender has stopped 61 of the last 63 shots he faced.</p>
<p>New York has lost three of its last four at home and will again be without its captain, who has missed a week with a lower-body injury.</p></div>
<div class="footer">Copyright The Sports Network. All rights reserved.</div></body></html>`)
}

// BenchmarkHTMLSiteNameTitle is the HTML path on the same page with a
// headline for its title and with the site's name, which sends it through
// the text path's title classifier: the fallback's cost on a short page.
func BenchmarkHTMLSiteNameTitle(b *testing.B) {
	n := New(Options{})
	for _, bc := range []struct{ name, title string }{
		{"headline", "Canadiens visit the Garden"},
		{"site_name", "The Sports Network"},
	} {
		data := siteNamePage(bc.title)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := n.Normalize(context.Background(), Input{Name: "nhl.html", Data: data}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestIsHomeHref(t *testing.T) {
	for _, tc := range []struct {
		href string
		want bool
	}{
		{"/", true},
		{"https://www.example.com", true},
		{"https://www.example.com/", true},
		{"/index.html", true},
		{"https://example.com/?page=2", false},
		{"/sports/", false},
		{"https://example.com/2012/07/usually-a-lot.html", false},
		{"#top", false},
		{"", false},
		{"index.html", false},
	} {
		if got := isHomeHref(tc.href); got != tc.want {
			t.Errorf("isHomeHref(%q) = %v, want %v", tc.href, got, tc.want)
		}
	}
}

// A comment thread in plain markup (no "comments" class for go-trafilatura
// to drop) ends the article at its first header.
func TestHTMLCommentThread(t *testing.T) {
	comment := func(name, text string) string {
		return `<div><p>` + name + ` 07 Nov 12</p><p>` + text + `</p></div>`
	}
	page := []byte(`<html><head><title>Road plan approved</title></head><body>
<div class="story"><h1>Road plan approved</h1>
<p>The council voted on the plan after a long debate that went on late into the night, and the mayor said the new road would be built next year.</p>
<p>Residents of the east side, who have waited a decade for the bypass, filled the public gallery and applauded when the vote was read out.</p>
<p>Work on the first section is due to start in the spring, once the contracts are signed and the land along the river has been bought.</p></div>
<div>` + comment("Jermaine", "I live on that street and I think the council got it wrong again, as they always do.") +
		comment("Radex", "Finally some good news for the east side, it took them long enough to decide.") +
		comment("Jason Fried", "Who is going to pay for all of this when the budget is already stretched thin?") + `</div>
</body></html>`)
	a := normalizeOK(t, Input{Name: "road.html", Data: page})
	body := strings.Join(a.Body, "\n")
	if !strings.Contains(body, "Work on the first section") {
		t.Errorf("the article's last paragraph is missing:\n%s", body)
	}
	if strings.Contains(body, "council got it wrong") || strings.Contains(body, "Jermaine") {
		t.Errorf("the comments were kept:\n%s", body)
	}
}
