package feeds_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// TestPages checks the pages over HTTP, without a browser: routes, listing
// caching, the CSP and its stylesheet hash, the language marking (the page
// English, each article's text its own language), the lead picture.
func TestPages(t *testing.T) {
	e := newEnv(t)
	c := newCorpus()
	ar := newArticle("خبر عاجل", "ar", "Al Jazeera", "https://aljazeera.example/1", t0.Add(5*time.Hour))
	ar.Tags = []string{"Brussels", "brussels", "Union européenne"}
	ar.Media = []article.Media{
		{URL: "javascript:alert(1)", Caption: "never shown"},
		{URL: "https://img.example/lead.jpg", Caption: "The caption", Credit: "AFP"},
	}
	ar.Kicker = "عاجل"
	ar.StoryID, c.f1.StoryID = c.f1.ID, c.f1.ID
	// A language nobody could tell, with a picture that has no caption.
	und := newArticle("Untold", "", "BBC", "https://bbc.example/untold", t0.Add(time.Hour))
	und.Media = []article.Media{{URL: "https://img.example/untold.jpg", Credit: "BBC"}}
	// No source: listed without a source link.
	anon := newArticle("Anonymous", "en", "", "https://anon.example/1", t0.Add(2*time.Hour))
	for _, a := range append(c.all(), ar, und, anon) {
		e.publish(a)
	}
	s := e.startSite(feeds.Options{Title: "Test site"})
	s.waitFor(ar.ID)
	s.waitFor(und.ID)

	t.Run("paths", func(t *testing.T) {
		want := []string{
			"/", "/languages/", "/sources/",
			"/languages/ar/", "/languages/en/", "/languages/fr/", "/languages/und/",
			"/sources/al-jazeera/", "/sources/bbc/", "/sources/euronews/", "/sources/l-expression/", "/sources/unknown/",
			"/tags/brussels/", "/tags/union-europeenne/",
		}
		if got := feeds.PagePaths(s.svc); !slices.Equal(got, want) {
			t.Errorf("pagePaths\n got %q\nwant %q", got, want)
		}
		for _, p := range want {
			r := s.get(p)
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", p, ct)
			}
			checkCSP(t, p, r)
			if bytes.Contains(r.body, []byte(`"></a>`)) {
				t.Errorf("%s: a link without text", p)
			}
		}
		checkCSP(t, "article", s.get("/articles/"+ar.ID))
	})

	t.Run("directories", func(t *testing.T) {
		// The heading names the kind; the home page's mixed list does.
		for _, tc := range []struct{ path, want, not string }{
			{"/languages/", `<a href="` + base + `/languages/fr/">French (français)</a>:`, "Language: "},
			{"/sources/", `<a href="` + base + `/sources/bbc/">BBC</a>:`, "Source: "},
			{"/", `<a href="` + base + `/languages/fr/">Language: French (français)</a>:`, ""},
		} {
			page := string(s.get(tc.path).body)
			if !strings.Contains(page, tc.want) || tc.not != "" && strings.Contains(page, tc.not) {
				t.Errorf("%s: want %s, not %q:\n%s", tc.path, tc.want, tc.not, page)
			}
		}
	})

	t.Run("not found", func(t *testing.T) {
		for _, p := range []string{"/languages/xx/", "/sources/nobody/", "/tags/nothing/", "/stories/x/", "/languages/fr/x/"} {
			if r := s.do(http.MethodGet, p); r.status != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", p, r.status)
			}
		}
		// Without its trailing slash a listing redirects to it.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.srv.URL+"/sources/bbc", nil)
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode/100 != 3 || res.Header.Get("Location") != "/sources/bbc/" {
			t.Errorf("/sources/bbc: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
	})

	t.Run("listing", func(t *testing.T) {
		r := s.get("/sources/euronews/")
		page := string(r.body)
		for _, want := range []string{
			"<h1>Articles from euronews</h1>", "Le premier", "The second", "French (français)",
			`<link rel="alternate" type="application/atom+xml" title="euronews (Atom)" href="` + base + `/feeds/source/euronews.atom">`,
			`<link rel="canonical" href="` + base + `/sources/euronews/">`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("euronews listing lacks %s", want)
			}
		}
		if strings.Contains(page, "Fifth") {
			t.Error("euronews listing shows a BBC article")
		}
		etag := r.header.Get("ETag")
		if nm := s.do(http.MethodGet, "/sources/euronews/", "If-None-Match", etag); nm.status != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", nm.status)
		}
		// The list is English; each title is in its article's language.
		tag := string(s.get("/tags/brussels/").body)
		for _, want := range []string{
			`<html lang="en">`, "<h1>Articles tagged Brussels</h1>",
			`<li class="item"><a href="` + base + `/articles/` + ar.ID + `" lang="ar" dir="rtl">خبر عاجل</a>`,
		} {
			if !strings.Contains(tag, want) {
				t.Errorf("tag listing lacks %s:\n%s", want, tag)
			}
		}
		if bbc := string(s.get("/sources/bbc/").body); !strings.Contains(bbc, `lang="" dir="auto">Untold</a>`) {
			t.Errorf("BBC listing: want the unknown language marked unknown:\n%s", bbc)
		}
		// A new BBC article changes the BBC listing, not euronews'.
		n := newArticle("Sixth", "en", "BBC", "https://bbc.example/6", t0.Add(6*time.Hour))
		e.publish(n)
		s.waitFor(n.ID)
		if s.get("/sources/euronews/").header.Get("ETag") != etag {
			t.Error("euronews listing changed after a BBC article")
		}
		if !strings.Contains(string(s.get("/sources/bbc/").body), "Sixth") {
			t.Error("BBC listing lacks the new article")
		}
	})

	t.Run("article", func(t *testing.T) {
		page := string(s.get("/articles/" + ar.ID).body)
		for _, want := range []string{
			`<html lang="en">`, `<p class="kicker" lang="ar" dir="rtl">عاجل</p>`,
			`<h1 lang="ar" dir="rtl">خبر عاجل</h1>`, `<p class="lead" lang="ar" dir="rtl">`, `<div class="body" lang="ar" dir="rtl">`,
			// The caption describes the picture: alt="" so it is read once.
			`<img src="https://img.example/lead.jpg" alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer">`,
			`<figcaption lang="ar" dir="rtl">The caption <span class="credit">AFP</span></figcaption>`,
			`href="` + base + `/sources/al-jazeera/">Al Jazeera</a>`,
			`<a href="` + base + `/tags/brussels/" rel="tag" lang="ar" dir="rtl">Brussels</a>`,
			`<a href="` + base + `/feeds/story/` + c.f1.ID + `.atom" type="application/atom+xml">`,
			`<link rel="alternate" type="application/atom+xml" title="This story (Atom)" href="` + base + `/feeds/story/` + c.f1.ID + `.atom">`,
			`<link rel="alternate" type="application/rss+xml" title="Al Jazeera (RSS)" href="` + base + `/feeds/source/al-jazeera.rss">`,
			"<h2>Also reported by</h2>", `<a href="` + base + `/articles/` + c.f1.ID + `" lang="fr">`,
			`<p class="original"><a href="https://aljazeera.example/1" rel="noopener noreferrer">Read the original article</a></p>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("article page lacks %s", want)
			}
		}
		if strings.Count(page, `rel="tag"`) != 2 || strings.Contains(page, "javascript:") || strings.Contains(page, "never shown") {
			t.Errorf("article page:\n%s", page)
		}
		if strings.Count(page, ` lang=`) != strings.Count(page, ` lang="ar" dir="rtl"`)+2 {
			t.Errorf("article page: want lang on the html, the French report and the Arabic text only:\n%s", page)
		}
		fr := string(s.get("/articles/" + c.f1.ID).body)
		if !strings.Contains(fr, `<html lang="en">`) || !strings.Contains(fr, `<h1 lang="fr">Le premier</h1>`) ||
			!strings.Contains(fr, `<li class="item"><a href="`+base+`/articles/`+ar.ID+`" lang="ar" dir="rtl">`) {
			t.Errorf("French page: want English, French text, rtl for its Arabic report:\n%s", fr)
		}
		// Unknown: lang="" (HTML: "the primary language is unknown"), not
		// the page's English; no caption, so the title is the alt text.
		untold := string(s.get("/articles/" + und.ID).body)
		for _, want := range []string{
			`<html lang="en">`, `<h1 lang="" dir="auto">Untold</h1>`, `<div class="body" lang="" dir="auto">`,
			`<img src="https://img.example/untold.jpg" alt="Untold" lang="" dir="auto" loading="lazy"`,
			`<figcaption lang="" dir="auto"> <span class="credit">BBC</span></figcaption>`,
		} {
			if !strings.Contains(untold, want) {
				t.Errorf("unknown-language page lacks %s:\n%s", want, untold)
			}
		}
	})
}

// checkCSP checks that a page declares the CSP, that its style-src hash
// is the hash of its one inline stylesheet, and that the HTTP header says
// the same plus what only a header can (frame-ancestors).
func checkCSP(t *testing.T, name string, r response) {
	t.Helper()
	page := string(r.body)
	_, rest, _ := strings.Cut(page, `<meta http-equiv="Content-Security-Policy" content="`)
	csp, _, _ := strings.Cut(rest, `"`)
	_, rest, _ = strings.Cut(page, "<style>")
	css, _, ok := strings.Cut(rest, "</style>")
	if !ok || strings.Count(page, "<style") != 1 {
		t.Fatalf("%s: want one <style> element", name)
	}
	sum := sha256.Sum256([]byte(css))
	want := "default-src 'none'; img-src https: http: data:; style-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
	if csp != want {
		t.Errorf("%s: CSP\n got %q\nwant %q", name, csp, want)
	}
	if h, want := r.header.Get("Content-Security-Policy"), want+"; frame-ancestors 'none'"; h != want {
		t.Errorf("%s: Content-Security-Policy header\n got %q\nwant %q", name, h, want)
	}
}
