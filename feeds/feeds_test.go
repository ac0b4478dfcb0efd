package feeds_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

// corpus is five articles in two languages from three sources; sorted newest
// first they are l3, e2, f1, b5, b4 (b4 and b5 share Published, b5 was
// ingested later).
type corpus struct {
	f1, e2, l3, b4, b5 *article.Article
}

func newCorpus() corpus {
	c := corpus{
		f1: newArticle("Le premier", "fr", "euronews", "https://fr.euronews.example/1", t0.Add(time.Hour)),
		e2: newArticle("The second", "en", "euronews", "https://euronews.example/2", t0.Add(2*time.Hour)),
		l3: newArticle("Le troisième", "fr", "L'Expression", "", t0.Add(3*time.Hour)),
		b4: newArticle("Fourth & last", "en", "BBC", "https://bbc.example/4", t0),
		b5: newArticle("Fifth", "en", "BBC", "https://bbc.example/5", t0),
	}
	c.f1.Byline = "Marie Curie"
	c.b5.Ingested = c.b4.Ingested.Add(time.Minute)
	return c
}

func (c corpus) all() []*article.Article { return []*article.Article{c.f1, c.e2, c.l3, c.b4, c.b5} }

func (c corpus) newestFirst() []*article.Article {
	return []*article.Article{c.l3, c.e2, c.f1, c.b5, c.b4}
}

func guids(as ...*article.Article) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = "urn:crier:" + a.ID
	}
	return out
}

func TestItemID(t *testing.T) {
	if got := feeds.ItemID("0123abcd"); got != "urn:crier:0123abcd" {
		t.Fatalf("ItemID = %q", got)
	}
}

func TestFeeds(t *testing.T) {
	e := newEnv(t)
	c := newCorpus()
	for _, a := range c.all() {
		e.publish(a)
	}
	s := e.startSite(feeds.Options{})
	s.waitFor(c.l3.ID)
	want := c.newestFirst()

	for _, tc := range []struct{ ext, ctype, feedType string }{
		{"rss", "application/rss+xml; charset=utf-8", "rss"},
		{"atom", "application/atom+xml; charset=utf-8", "atom"},
		{"json", "application/feed+json; charset=utf-8", "json"},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			f, r := s.feed("/feeds/all." + tc.ext)
			if ct := r.header.Get("Content-Type"); ct != tc.ctype {
				t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
			}
			if cc := r.header.Get("Cache-Control"); cc != "public, max-age=60" {
				t.Errorf("Cache-Control %q", cc)
			}
			if f.FeedType != tc.feedType {
				t.Errorf("feed type %q", f.FeedType)
			}
			if f.Title != "crier" {
				t.Errorf("feed title %q", f.Title)
			}
			if got := ids(f.Items); !slices.Equal(got, guids(want...)) {
				t.Fatalf("item ids\n got %q\nwant %q", got, guids(want...))
			}
			for i, it := range f.Items {
				a := want[i]
				if it.Title != a.Title {
					t.Errorf("item %d title %q, want %q", i, it.Title, a.Title)
				}
				link := a.URL
				if link == "" {
					link = base + "/articles/" + a.ID
				}
				if it.Link != link {
					t.Errorf("item %d link %q, want %q", i, it.Link, link)
				}
				if it.PublishedParsed == nil || !it.PublishedParsed.Equal(a.Published) {
					t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, a.Published)
				}
				author := a.Byline
				if author == "" {
					author = a.Source
				}
				if len(it.Authors) == 0 || it.Authors[0].Name != author {
					t.Errorf("item %d authors %+v, want %q", i, it.Authors, author)
				}
				if it.Description != a.Summary {
					t.Errorf("item %d description %q, want %q", i, it.Description, a.Summary)
				}
				if !strings.Contains(it.Content, "Second paragraph.") {
					t.Errorf("item %d content %q", i, it.Content)
				}
			}
			if tc.ext != "rss" { // RSS has no per-item modification date
				it := f.Items[0]
				if it.UpdatedParsed == nil || !it.UpdatedParsed.Equal(c.l3.Ingested) {
					t.Errorf("updated %v, want %v", it.UpdatedParsed, c.l3.Ingested)
				}
			}
		})
	}

	t.Run("rss extras", func(t *testing.T) {
		body := string(s.get("/feeds/all.rss").body)
		for _, want := range []string{
			`xmlns:atom="http://www.w3.org/2005/Atom"`,
			`<atom:link href="` + base + `/feeds/all.rss" rel="self" type="application/rss+xml"></atom:link>`,
			`<guid isPermaLink="false">urn:crier:` + c.f1.ID + `</guid>`,
			`<dc:creator>Marie Curie</dc:creator>`,
			`<content:encoded><![CDATA[<p>First paragraph of Le premier.</p>`,
			`<pubDate>Sat, 01 Mar 2025 09:00:00 +0000</pubDate>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("RSS lacks %s", want)
			}
		}
		if strings.Contains(body, "<author>") {
			t.Error("RSS has <author>, which must be an email address")
		}
		fr := string(s.get("/feeds/lang/fr.rss").body)
		if !strings.Contains(fr, "<language>fr</language>") {
			t.Error("French RSS feed lacks <language>fr</language>")
		}
	})

	t.Run("atom extras", func(t *testing.T) {
		body := string(s.get("/feeds/all.atom").body)
		for _, want := range []string{
			`<link href="` + base + `/feeds/all.atom" rel="self" type="application/atom+xml"></link>`,
			`<id>urn:crier:feed:all</id>`,
			`<id>urn:crier:` + c.f1.ID + `</id>`,
			`<published>2025-03-01T09:00:00Z</published>`,
			`<updated>2025-03-01T09:05:00Z</updated>`,
			`<author>` + "\n      " + `<name>Marie Curie</name>`,
			`<content type="html">`,
			`<summary type="text">Summary of Le premier</summary>`,
			`<entry xml:lang="fr">`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("Atom lacks %s", want)
			}
		}
		fr := string(s.get("/feeds/lang/fr.atom").body)
		if !strings.Contains(fr, `<feed xml:lang="fr"`) {
			t.Errorf("French Atom feed lacks xml:lang:\n%.300s", fr)
		}
		validateAtom(t, "all", []byte(body))
		validateAtom(t, "fr", []byte(fr))
	})

	t.Run("json extras", func(t *testing.T) {
		body := s.get("/feeds/lang/en.json").body
		var f struct {
			Version, Title, HomePageURL, FeedURL, Language string
			Items                                          []map[string]any
		}
		var raw map[string]any
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatal(err)
		}
		if raw["version"] != "https://jsonfeed.org/version/1.1" || raw["feed_url"] != base+"/feeds/lang/en.json" ||
			raw["home_page_url"] != base+"/" || raw["language"] != "en" {
			t.Errorf("feed fields %v", raw)
		}
		if _, ok := raw["author"]; ok {
			t.Error(`JSON Feed 1.1 output has the deprecated "author"`)
		}
		if len(f.Items) != 3 {
			t.Fatalf("%d items", len(f.Items))
		}
		it := f.Items[0]
		for _, k := range []string{"id", "url", "title", "content_html", "content_text", "summary", "date_published", "date_modified", "authors", "language"} {
			if _, ok := it[k]; !ok {
				t.Errorf("item lacks %q: %v", k, it)
			}
		}
		if it["content_text"] != "First paragraph of The second.\n\nSecond paragraph." {
			t.Errorf("content_text %q", it["content_text"])
		}
		validateJSONFeed(t, "en", body)
		validateJSONFeed(t, "all", s.get("/feeds/all.json").body)
	})

	t.Run("rss valid", func(t *testing.T) {
		validateXML(t, "all", s.get("/feeds/all.rss").body)
		validateXML(t, "fr", s.get("/feeds/lang/fr.rss").body)
	})

	t.Run("filters", func(t *testing.T) {
		for path, want := range map[string][]*article.Article{
			"/feeds/lang/fr.rss":               {c.l3, c.f1},
			"/feeds/lang/en.atom":              {c.e2, c.b5, c.b4},
			"/feeds/source/euronews.json":      {c.e2, c.f1},
			"/feeds/source/l-expression.atom":  {c.l3},
			"/feeds/source/bbc.rss":            {c.b5, c.b4},
			"/feeds/source/bbc.rss?limit=1":    {c.b5},
			"/feeds/all.json?limit=2":          {c.l3, c.e2},
			"/feeds/lang/en.json?limit=200":    {c.e2, c.b5, c.b4},
			"/feeds/source/euronews.atom?x=yz": {c.e2, c.f1},
		} {
			f, _ := s.feed(path)
			if got := ids(f.Items); !slices.Equal(got, guids(want...)) {
				t.Errorf("%s: ids\n got %q\nwant %q", path, got, guids(want...))
			}
		}
		f, _ := s.feed("/feeds/source/l-expression.rss")
		if f.Title != "crier · L'Expression" {
			t.Errorf("source feed title %q", f.Title)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for path, status := range map[string]int{
			"/feeds/lang/de.rss":           http.StatusNotFound,
			"/feeds/source/nope.atom":      http.StatusNotFound,
			"/feeds/all.xml":               http.StatusNotFound,
			"/feeds/everything.rss":        http.StatusNotFound,
			"/feeds/lang/fr":               http.StatusNotFound,
			"/articles/0000":               http.StatusNotFound,
			"/articles/0000.json":          http.StatusNotFound,
			"/nowhere":                     http.StatusNotFound,
			"/feeds/all.rss?limit=0":       http.StatusBadRequest,
			"/feeds/all.rss?limit=201":     http.StatusBadRequest,
			"/feeds/all.rss?limit=ten":     http.StatusBadRequest,
			"/feeds/lang/fr.json?limit=-1": http.StatusBadRequest,
		} {
			if r := s.do(http.MethodGet, path); r.status != status {
				t.Errorf("GET %s: %d, want %d", path, r.status, status)
			}
		}
		if r := s.do(http.MethodPost, "/feeds/all.rss"); r.status != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d", r.status)
		}
	})

	t.Run("conditional", func(t *testing.T) {
		r := s.get("/feeds/all.atom")
		etag, lm := r.header.Get("ETag"), r.header.Get("Last-Modified")
		if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Fatalf("ETag %q is not strong", etag)
		}
		if want := c.l3.Ingested.Format(http.TimeFormat); lm != want {
			t.Errorf("Last-Modified %q, want %q", lm, want)
		}
		if r2 := s.do(http.MethodGet, "/feeds/all.atom", "If-None-Match", etag); r2.status != http.StatusNotModified || len(r2.body) != 0 {
			t.Errorf("If-None-Match: %d", r2.status)
		}
		if r2 := s.do(http.MethodGet, "/feeds/all.atom", "If-Modified-Since", lm); r2.status != http.StatusNotModified {
			t.Errorf("If-Modified-Since: %d", r2.status)
		}
		if r2 := s.do(http.MethodGet, "/feeds/all.atom", "If-None-Match", `"other"`); r2.status != http.StatusOK {
			t.Errorf("stale If-None-Match: %d", r2.status)
		}
		// Go's client asked for gzip on the GET above (and decoded it), not
		// on a HEAD: ask for it here so the same representation answers.
		h := s.do(http.MethodHead, "/feeds/all.atom", "Accept-Encoding", "gzip")
		if h.status != http.StatusOK || len(h.body) != 0 || h.header.Get("ETag") != etag {
			t.Errorf("HEAD: %d, %d bytes, ETag %q", h.status, len(h.body), h.header.Get("ETag"))
		}
		if again := s.get("/feeds/all.atom"); string(again.body) != string(r.body) {
			t.Error("two renders differ")
		}
		if other := s.get("/feeds/all.rss").header.Get("ETag"); other == etag {
			t.Error("RSS and Atom share an ETag")
		}
	})

	t.Run("pages", func(t *testing.T) {
		r := s.get("/articles/" + c.f1.ID)
		if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		page := string(r.body)
		for _, want := range []string{
			`<h1 lang="fr">Le premier</h1>`, "euronews", "Marie Curie", "<p>Second paragraph.</p>",
			`href="https://fr.euronews.example/1"`, `<html lang="en">`, `datetime="2025-03-01T09:00:00Z"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("article page lacks %s", want)
			}
		}
		r = s.get("/articles/" + c.f1.ID + ".json")
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		var got article.Article
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		if got.ID != c.f1.ID || got.Title != c.f1.Title || got.Byline != "Marie Curie" {
			t.Errorf("article JSON %+v", got)
		}

		home := string(s.get("/").body)
		for _, want := range []string{
			`<link rel="alternate" type="application/rss+xml" title="All articles (RSS)" href="` + base + `/feeds/all.rss">`,
			`<link rel="alternate" type="application/atom+xml" title="All articles (Atom)" href="` + base + `/feeds/all.atom">`,
			`<link rel="alternate" type="application/feed+json" title="All articles (JSON Feed)" href="` + base + `/feeds/all.json">`,
			`href="` + base + `/feeds/lang/fr.atom"`, `href="` + base + `/feeds/source/l-expression.json"`,
			`href="` + base + `/articles/` + c.l3.ID + `"`, "Le troisième", "Fourth &amp; last",
		} {
			if !strings.Contains(home, want) {
				t.Errorf("home page lacks %s", want)
			}
		}
		head, _, _ := strings.Cut(home, "</head>")
		if strings.Count(head, `rel="alternate"`) != 3 {
			t.Errorf("home <head> autodiscovery:\n%s", head)
		}
	})

	// Last: these change the stream.
	t.Run("new article", func(t *testing.T) {
		before := s.get("/feeds/all.rss")
		beforeHome := s.get("/").header.Get("ETag")
		n := newArticle("Breaking", "de", "dpa", "https://dpa.example/6", t0.Add(4*time.Hour))
		e.publish(n)
		s.waitFor(n.ID)
		after := s.get("/feeds/all.rss")
		if after.header.Get("ETag") == before.header.Get("ETag") {
			t.Error("ETag unchanged after a new article")
		}
		if r := s.do(http.MethodGet, "/feeds/all.rss", "If-None-Match", before.header.Get("ETag")); r.status != http.StatusOK {
			t.Errorf("old ETag: %d, want 200", r.status)
		}
		if s.get("/").header.Get("ETag") == beforeHome {
			t.Error("home page unchanged after a new article")
		}
		f, _ := s.feed("/feeds/all.rss")
		if got, want := ids(f.Items), guids(append([]*article.Article{n}, c.newestFirst()...)...); !slices.Equal(got, want) {
			t.Errorf("ids\n got %q\nwant %q", got, want)
		}
		de, _ := s.feed("/feeds/lang/de.atom")
		if len(de.Items) != 1 || de.Language != "de" {
			t.Errorf("German feed: %d items, language %q", len(de.Items), de.Language)
		}
	})

	t.Run("update keeps ids", func(t *testing.T) {
		before := map[string][]string{}
		for _, ext := range []string{"rss", "atom", "json"} {
			f, _ := s.feed("/feeds/all." + ext)
			before[ext] = ids(f.Items)
		}
		u := *c.f1
		u.Title = "Le premier, corrigé"
		u.Ingested = u.Ingested.Add(time.Hour)
		e.publish(&u)
		// The stream is ordered: once a later article is visible, so is
		// the update.
		sentinel := newArticle("Sentinel", "fr", "euronews", "https://fr.euronews.example/s", t0.Add(-time.Hour))
		e.publish(sentinel)
		s.waitFor(sentinel.ID)
		for _, ext := range []string{"rss", "atom", "json"} {
			f, _ := s.feed("/feeds/all." + ext)
			got := ids(f.Items)
			if !slices.Equal(got[:len(got)-1], before[ext]) || got[len(got)-1] != "urn:crier:"+sentinel.ID {
				t.Errorf("%s ids changed\n got %q\nwant %q", ext, got, before[ext])
			}
			i := slices.Index(got, "urn:crier:"+c.f1.ID)
			if f.Items[i].Title != u.Title {
				t.Errorf("%s: title %q after update", ext, f.Items[i].Title)
			}
		}
		fr, _ := s.feed("/feeds/source/euronews.atom")
		if len(fr.Items) != 3 {
			t.Errorf("euronews feed has %d items after an update, want 3", len(fr.Items))
		}
	})
}

func TestMovedArticleLeavesOldFeeds(t *testing.T) {
	e := newEnv(t)
	a := newArticle("Moving", "fr", "euronews", "https://x.example/m", t0)
	e.publish(a)
	s := e.startSite(feeds.Options{})
	s.waitFor(a.ID)
	s.get("/feeds/lang/fr.rss")
	moved := *a
	moved.Language = "en"
	moved.Source = "BBC"
	e.publish(&moved)
	sentinel := newArticle("Sentinel", "en", "BBC", "https://x.example/s", t0)
	e.publish(sentinel)
	s.waitFor(sentinel.ID)
	for path, status := range map[string]int{
		"/feeds/lang/fr.rss":          http.StatusNotFound,
		"/feeds/source/euronews.atom": http.StatusNotFound,
		"/feeds/lang/en.json":         http.StatusOK,
	} {
		if r := s.do(http.MethodGet, path); r.status != status {
			t.Errorf("GET %s: %d, want %d", path, r.status, status)
		}
	}
	f, _ := s.feed("/feeds/source/bbc.atom")
	if got := ids(f.Items); len(got) != 2 {
		t.Errorf("bbc feed ids %q", got)
	}
}

// A correction replaces the item and keeps its id; a revision that
// reaches the stream after a newer one changes nothing.
func TestRevisionReplacesItem(t *testing.T) {
	e := newEnv(t)
	first := newArticle("Bridge closed", "en", "BBC", "https://x.example/bridge", t0)
	first.Revision = 1
	fix := *first
	fix.Title, fix.Revision = "Bridge closed for a week", 2
	fix.Ingested = first.Ingested.Add(time.Hour)
	fix.Updated = fix.Ingested
	sentinel := newArticle("Sentinel", "en", "BBC", "https://x.example/s", t0.Add(-time.Hour))
	for _, a := range []*article.Article{first, &fix, first, sentinel} {
		e.publish(a)
	}
	s := e.startSite(feeds.Options{})
	s.waitFor(sentinel.ID)

	f, _ := s.feed("/feeds/all.atom")
	if len(f.Items) != 2 || f.Items[0].GUID != feeds.ItemID(first.ID) || f.Items[0].Title != fix.Title {
		t.Fatalf("items %q, first titled %q; want %s titled %q, then the sentinel", ids(f.Items), f.Items[0].Title, feeds.ItemID(first.ID), fix.Title)
	}
	if u := f.Items[0].UpdatedParsed; u == nil || !u.Equal(fix.Updated) {
		t.Errorf("atom updated %v, want the correction's %v", u, fix.Updated)
	}
	jf, _ := s.feed("/feeds/all.json")
	if u := jf.Items[0].UpdatedParsed; u == nil || !u.Equal(fix.Updated) {
		t.Errorf("JSON Feed date_modified %v, want %v", u, fix.Updated)
	}
	page := string(s.get("/articles/" + first.ID).body)
	if !strings.Contains(page, fix.Title) || !strings.Contains(page, `Updated <time datetime="`+fix.Updated.Format(time.RFC3339)) {
		t.Errorf("page lacks the new title or its Updated time:\n%s", page)
	}
	var got article.Article
	if err := json.Unmarshal(s.get("/articles/"+first.ID+".json").body, &got); err != nil || got.Revision != 2 {
		t.Errorf("article JSON revision %d (%v), want 2", got.Revision, err)
	}
}

// An undated article (the page gave no date) claims none: no pubDate, no
// Atom published, no date_published; it is ordered by when crier received
// it, and its page says so.
func TestUndatedArticle(t *testing.T) {
	e := newEnv(t)
	dated := newArticle("Dated", "en", "BBC", "https://x.example/dated", t0)
	undated := newArticle("Undated", "en", "BBC", "https://x.example/undated", t0.Add(-3*365*24*time.Hour)) // the file's old mtime
	undated.PublishedEstimated = true
	undated.Ingested = t0.Add(time.Hour)
	e.publish(dated)
	e.publish(undated)
	s := e.startSite(feeds.Options{})
	s.waitFor(dated.ID, undated.ID)

	rss := string(s.get("/feeds/all.rss").body)
	if _, items, _ := strings.Cut(rss, "<item>"); strings.Count(items, "<pubDate>") != 1 {
		t.Errorf("RSS items hold %d pubDate, want 1 (the dated article's)", strings.Count(items, "<pubDate>"))
	}
	atom := string(s.get("/feeds/all.atom").body)
	if n := strings.Count(atom, "<published>"); n != 1 {
		t.Errorf("Atom holds %d published, want 1", n)
	}
	json := string(s.get("/feeds/all.json").body)
	if n := strings.Count(json, `"date_published"`); n != 1 {
		t.Errorf("JSON Feed holds %d date_published, want 1", n)
	}
	f, _ := s.feed("/feeds/all.atom")
	if got := ids(f.Items); !slices.Equal(got, guids(undated, dated)) {
		t.Errorf("order %q, want the undated one first (received after the other was published)", got)
	}
	page := string(s.get("/articles/" + undated.ID).body)
	if !strings.Contains(page, `Received <time datetime="`+undated.Ingested.Format(time.RFC3339)) {
		t.Errorf("page does not say when crier received it:\n%s", page)
	}
}

// A tombstone takes the article out of every feed and page: its page and
// JSON answer 410 with the reason, the Atom feeds that listed it announce
// the deletion (RFC 6721) while it would still be listed, the export
// removes its files, and a late revision does not bring it back.
func TestRetractedArticle(t *testing.T) {
	e := newEnv(t)
	kept := newArticle("Kept", "en", "BBC", "https://x.example/kept", t0)
	wrong := newArticle("Wrong", "en", "BBC", "https://x.example/wrong", t0.Add(-2*time.Hour))
	wrong.Revision, wrong.StoryID = 1, wrong.ID
	e.publish(kept)
	e.publish(wrong)
	s := e.startSite(feeds.Options{})
	s.waitFor(kept.ID, wrong.ID)
	dir := t.TempDir()
	if _, err := s.svc.Export(t.Context(), dir); err != nil {
		t.Fatal(err)
	}

	tomb := &article.Article{Schema: 1, ID: wrong.ID, URL: wrong.URL, Language: "en", Source: "BBC", StoryID: wrong.ID,
		Revision: 2, Retracted: t0.Add(2 * time.Hour), RetractionReason: "Court order <3>", Body: []string{}}
	e.publish(tomb)
	e.publish(wrong) // revision 1 again, late
	sentinel := newArticle("Sentinel", "fr", "AFP", "https://x.example/s", t0.Add(-time.Hour))
	e.publish(sentinel)
	s.waitFor(sentinel.ID)
	if err := s.svc.WaitForRevision(t.Context(), wrong.ID, 2); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/feeds/all.rss", "/feeds/all.json", "/feeds/source/bbc.atom", "/feeds/story/" + wrong.ID + ".atom"} {
		if r := s.do(http.MethodGet, path); r.status == http.StatusOK && strings.Contains(string(r.body), "Wrong") {
			t.Errorf("%s still lists the retracted article", path)
		}
	}
	atom := string(s.get("/feeds/all.atom").body)
	validateAtom(t, "all.atom", []byte(atom))
	for _, want := range []string{
		`xmlns:at="http://purl.org/atompub/tombstones/1.0"`,
		`<at:deleted-entry ref="` + feeds.ItemID(wrong.ID) + `" when="` + tomb.Retracted.Format(time.RFC3339Nano) + `">`,
		`<at:comment>Court order &lt;3&gt;</at:comment>`,
	} {
		if !strings.Contains(atom, want) {
			t.Errorf("all.atom lacks %s:\n%s", want, atom)
		}
	}
	if fr := string(s.get("/feeds/lang/fr.atom").body); strings.Contains(fr, "deleted-entry") {
		t.Error("a feed that never listed the article announces its deletion")
	}
	f, _ := s.feed("/feeds/all.atom")
	if got := ids(f.Items); !slices.Equal(got, guids(kept, sentinel)) {
		t.Errorf("all.atom items %q", got)
	}
	if got := string(s.get("/feeds/all.atom?limit=1").body); strings.Contains(got, "deleted-entry") {
		t.Error("a deletion is announced where the article would no longer be listed (limit 1)")
	}

	page := s.do(http.MethodGet, "/articles/"+wrong.ID)
	js := s.do(http.MethodGet, "/articles/"+wrong.ID+".json")
	if page.status != http.StatusGone || !strings.Contains(string(page.body), "Court order &lt;3&gt;") {
		t.Errorf("page: %d %s, want 410 with the reason", page.status, page.body)
	}
	var gone struct{ ID, RetractionReason string }
	if js.status != http.StatusGone || json.Unmarshal(js.body, &gone) != nil || gone.ID != wrong.ID {
		t.Errorf("JSON: %d %s, want 410 naming the article", js.status, js.body)
	}

	st, err := s.svc.Export(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"articles/" + wrong.ID + ".html", "articles/" + wrong.ID + ".json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("export kept %s (%v)", f, err)
		}
	}
	if st.Removed < 2 {
		t.Errorf("export removed %d files, want the page and the JSON at least", st.Removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "articles", kept.ID+".html")); err != nil {
		t.Errorf("export lost a kept article: %v", err)
	}
}

func TestEmptyStream(t *testing.T) {
	e := newEnv(t)
	s := e.startSite(feeds.Options{Title: "Empty"})
	f, _ := s.feed("/feeds/all.rss")
	if f.Title != "Empty" || len(f.Items) != 0 {
		t.Errorf("empty RSS: %q, %d items", f.Title, len(f.Items))
	}
	body := s.get("/feeds/all.json").body
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if items, ok := raw["items"].([]any); !ok || len(items) != 0 {
		t.Errorf(`empty JSON Feed "items": %v`, raw["items"])
	}
	if !strings.Contains(string(s.get("/").body), "No articles yet") {
		t.Error("empty home page")
	}
	validateJSONFeed(t, "empty", body)
	validateAtom(t, "empty", s.get("/feeds/all.atom").body)
	validateXML(t, "empty", s.get("/feeds/all.rss").body)
}

func TestUndecodableMessagesSkipped(t *testing.T) {
	e := newEnv(t)
	e.publishRaw(e.top.ArticleSubject("fr", "x"), []byte("not json"))
	e.publishRaw(e.top.ArticleSubject("fr", "x"), []byte(`{"title":"no id"}`))
	a := newArticle("Fine", "fr", "x", "", t0)
	e.publish(a)
	s := e.startSite(feeds.Options{})
	s.waitFor(a.ID)
	f, _ := s.feed("/feeds/all.atom")
	if len(f.Items) != 1 {
		t.Errorf("%d items, want 1", len(f.Items))
	}
}

func TestLimitOption(t *testing.T) {
	e := newEnv(t)
	c := newCorpus()
	for _, a := range c.all() {
		e.publish(a)
	}
	s := e.startSite(feeds.Options{Limit: 2})
	s.waitFor(c.b5.ID)
	f, _ := s.feed("/feeds/all.json")
	if got := ids(f.Items); !slices.Equal(got, guids(c.l3, c.e2)) {
		t.Errorf("default limit 2: %q", got)
	}
	f, _ = s.feed("/feeds/all.json?limit=4")
	if len(f.Items) != 4 || f.FeedLink != base+"/feeds/all.json?limit=4" {
		t.Errorf("limit=4: %d items, feed_url %q", len(f.Items), f.FeedLink)
	}
}

// TestRestart: the stream is the system of record, so a second service on
// the same stream serves the same bytes.
func TestRestart(t *testing.T) {
	e := newEnv(t)
	c := newCorpus()
	for _, a := range c.all() {
		e.publish(a)
	}
	u := *c.e2
	u.Title = "The second, updated"
	e.publish(&u)
	paths := []string{"/feeds/all.rss", "/feeds/all.atom", "/feeds/all.json", "/feeds/lang/fr.atom", "/feeds/source/bbc.json?limit=1"}

	first := e.startSite(feeds.Options{})
	bodies := map[string]string{}
	for _, p := range paths {
		bodies[p] = string(first.get(p).body)
	}
	second := e.startSite(feeds.Options{})
	for _, p := range paths {
		got := second.get(p)
		if string(got.body) != bodies[p] {
			t.Errorf("%s differs after restart:\n%s\n---\n%s", p, bodies[p], got.body)
		}
	}
	f1, _ := first.feed("/feeds/all.atom")
	f2, _ := second.feed("/feeds/all.atom")
	if !slices.Equal(ids(f1.Items), ids(f2.Items)) || len(f2.Items) != 5 {
		t.Errorf("ids after restart %q, before %q", ids(f2.Items), ids(f1.Items))
	}
	if f2.Items[1].Title != u.Title {
		t.Errorf("replayed title %q, want the update", f2.Items[1].Title)
	}
}

func TestItemIDsIgnoreBaseURL(t *testing.T) {
	e := newEnv(t)
	a := newArticle("Anywhere", "en", "x", "", t0)
	e.publish(a)
	one := e.startSite(feeds.Options{BaseURL: "http://one.example"})
	two := e.startSite(feeds.Options{BaseURL: "https://two.example/"})
	for _, ext := range []string{"rss", "atom", "json"} {
		f1, _ := one.feed("/feeds/all." + ext)
		f2, _ := two.feed("/feeds/all." + ext)
		if !slices.Equal(ids(f1.Items), ids(f2.Items)) {
			t.Errorf("%s ids depend on the base URL", ext)
		}
		if f2.Items[0].Link != "https://two.example/articles/"+a.ID {
			t.Errorf("%s link %q", ext, f2.Items[0].Link)
		}
	}
}

// WaitFor honours its context and sees articles added directly.
func TestWaitFor(t *testing.T) {
	svc := feeds.New(feeds.Options{})
	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := svc.WaitFor(short, "missing"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor for a missing article: %v", err)
	}
	a := newArticle("Direct", "en", "x", "", t0)
	go svc.Add(a)
	ctx, cancel2 := context.WithTimeout(t.Context(), wait)
	defer cancel2()
	if err := svc.WaitFor(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

// While Run replays the stream's history the index is partial, and the
// newest articles come last: a request gets 503 with Retry-After, never a
// feed without them, and WaitFor returns once the replay is over.
func TestNoPartialFeedDuringReplay(t *testing.T) {
	e := newEnv(t)
	var newest *article.Article
	for i := range 600 {
		newest = newArticle("Replayed "+strconv.Itoa(i), "en", "BBC", "https://x.example/r/"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute))
		e.publish(newest)
	}
	svc := feeds.New(feeds.Options{BaseURL: base, AwaitReplay: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx, e.b.JS, e.top.ArticleStream) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	h := svc.Handler()
	unavailable := 0
	for {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/feeds/all.atom", nil))
		if rec.Code == http.StatusServiceUnavailable {
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			unavailable++
			continue
		}
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Replayed 599<") {
			t.Fatalf("%d during or after the replay, without the newest article", rec.Code)
		}
		break
	}
	t.Logf("%d requests answered 503 during the replay", unavailable)
	if err := svc.WaitFor(t.Context(), newest.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-svc.CaughtUp():
	default:
		t.Error("WaitFor returned before the replay was over")
	}
}
