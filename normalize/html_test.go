package normalize

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
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
	}
	got := renderHTML(ps, bodyPolicy())
	if strings.Contains(got, "<script") || strings.Contains(got, "<a ") || !strings.Contains(got, "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>") {
		t.Errorf("renderHTML = %q", got)
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
