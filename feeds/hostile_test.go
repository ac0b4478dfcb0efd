package feeds_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// hostile is an article built to break naive feed writers.
func hostile() *article.Article {
	a := newArticle("x", "ar", "Ünïcode & <Co> ]]>", "javascript:alert(1)", t0)
	a.Title = "Tom & Jerry <b>bold</b> ]]> \x00\x01\x1b\x7f\u0085 bad\xff\xfe utf8 🎉 שלום עולם"
	a.Summary = "Summary with \x0b vertical tab, ]]> and &amp; and \u202eRTL override"
	a.Body = []string{"Para with \x00 NUL and ]]> end", "مرحبا بالعالم 👋🏽", "\xc3\x28 invalid"}
	a.BodyHTML = `<p onclick="x()">One ]]> two &amp; three & four</p><script>alert("x")</script>` +
		"<p>\x08backspace \ufffe\uffff nonchars</p><![CDATA[ sneaky ]]><p dir=\"rtl\">שלום 🎉</p>" +
		`<a href="javascript:alert(1)">link</a>`
	a.Byline = "Ann \x07 O'Neil & \"Friends\""
	a.Agencies = []string{"AFP\x00", "<i>Reuters</i>"}
	a.Tags = []string{"]]> & <tag>", "\x01emoji 🎉", "עברית"}
	a.StoryID = "story ]]> & x"
	a.Media = []article.Media{{URL: "https://img.example/a b.jpg?x=1&y=]]>", Type: "image/jpeg\x00", Length: 10}}
	return a
}

// huge is a 1 MB article whose content is mostly markup and entities, with
// "]]>" throughout: the worst case for CDATA sections.
func huge() *article.Article {
	a := newArticle("Huge", "en", "Big & Co", "https://big.example/huge", t0.Add(time.Hour))
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString(`<p>Para ]]> &amp; & <a href="/rel?a=1&b=2">link</a> 🎉 \x0c</p>`)
	}
	a.BodyHTML = b.String()
	a.Body = []string{strings.Repeat("text ]]> & ", 1<<16)}
	return a
}

// TestHostileEveryFeed runs every format of every feed kind, and their
// archives, with hostile and huge content through the strict validators
// and gofeed.
func TestHostileEveryFeed(t *testing.T) {
	h, big := hostile(), huge()
	s := renderSite(t, feeds.Options{Title: "crier & <friends> ]]>", HubURL: "https://hub.example/?a=1&b=]]>"}, h, big)
	day := h.Ingested.UTC().Format("2006-01-02")
	var paths []string
	for _, p := range []string{
		"/feeds/all", "/feeds/lang/ar", "/feeds/lang/en", "/feeds/source/" + h.SourceSlug(), "/feeds/source/big-co",
		"/feeds/tag/" + article.Slug(h.Tags[0]), "/feeds/tag/" + article.Slug(h.Tags[1]), "/feeds/tag/" + article.Slug(h.Tags[2]),
		"/feeds/story/" + url.PathEscape(h.StoryID),
	} {
		paths = append(paths, p, strings.Replace(p, "/feeds/", "/feeds/archive/"+day+"/", 1))
	}
	for _, p := range paths {
		for _, ext := range []string{"rss", "atom", "json"} {
			path := p + "." + ext
			f, r := s.feed(path)
			if !utf8.Valid(r.body) {
				t.Errorf("%s is not valid UTF-8", path)
			}
			if len(f.Items) == 0 {
				t.Errorf("%s: no items", path)
			}
			for _, it := range f.Items {
				if it.Title == "Huge" && !strings.Contains(it.Content, "Para ]]&gt; &amp; &amp; ") {
					t.Errorf("%s: huge content mangled: %.200q", path, it.Content)
				}
			}
			switch ext {
			case "rss":
				validateXML(t, path, r.body)
			case "atom":
				validateAtom(t, path, r.body)
			case "json":
				validateJSONFeed(t, path, r.body)
			}
		}
	}
}

func TestHostileContent(t *testing.T) {
	e := newEnv(t)
	a := hostile()
	e.publish(a)
	s := e.startSite(feeds.Options{Title: "crier & <friends>"})
	s.waitFor(a.ID)

	for _, ext := range []string{"rss", "atom", "json"} {
		path := "/feeds/all." + ext
		f, r := s.feed(path)
		if len(f.Items) != 1 {
			t.Fatalf("%s: %d items", path, len(f.Items))
		}
		it := f.Items[0]
		if !utf8.ValidString(string(r.body)) {
			t.Errorf("%s is not valid UTF-8", path)
		}
		if it.GUID != feeds.ItemID(a.ID) {
			t.Errorf("%s: guid %q", path, it.GUID)
		}
		for _, want := range []string{"Tom & Jerry <b>bold</b> ]]>", "🎉", "שלום עולם"} {
			if !strings.Contains(it.Title, want) {
				t.Errorf("%s: title %q lacks %q", path, it.Title, want)
			}
		}
		for _, r := range it.Title + it.Description + it.Content {
			if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
				t.Errorf("%s: control character %U survived", path, r)
			}
		}
		if strings.Contains(it.Content, "<script") || strings.Contains(it.Content, "onclick") || strings.Contains(it.Content, "javascript:") {
			t.Errorf("%s: unsafe content survived: %q", path, it.Content)
		}
		if !strings.Contains(it.Content, "שלום 🎉") || !strings.Contains(it.Content, "One ]]&gt; two &amp; three &amp; four") {
			t.Errorf("%s: content %q", path, it.Content)
		}
		// A javascript: URL is no link; the item points to our page.
		if it.Link != base+"/articles/"+a.ID {
			t.Errorf("%s: link %q", path, it.Link)
		}
		if len(it.Authors) == 0 || it.Authors[0].Name != `Ann O'Neil & "Friends"` {
			t.Errorf("%s: authors %+v", path, it.Authors)
		}
		if f.Title != "crier & <friends>" {
			t.Errorf("%s: feed title %q", path, f.Title)
		}
	}
	rss := s.get("/feeds/all.rss").body
	atom := s.get("/feeds/all.atom").body
	jf := s.get("/feeds/all.json").body
	validateXML(t, "rss", rss)
	validateAtom(t, "atom", atom)
	validateJSONFeed(t, "json", jf)
	src := s.get("/feeds/source/" + a.SourceSlug() + ".atom").body
	validateAtom(t, "source", src)
	if !strings.Contains(string(src), `xml:lang="ar"`) {
		t.Error("source feed lacks xml:lang")
	}

	page := s.get("/articles/" + a.ID)
	body := string(page.body)
	for _, bad := range []string{"<script", "onclick", "javascript:", "<b>bold</b>", "<i>Reuters</i>"} {
		if strings.Contains(body, bad) {
			t.Errorf("article page contains %q", bad)
		}
	}
	for _, want := range []string{"Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt;", "AFP, &lt;i&gt;Reuters&lt;/i&gt;", "שלום 🎉"} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
	var got article.Article
	if err := json.Unmarshal(s.get("/articles/"+a.ID+".json").body, &got); err != nil {
		t.Fatalf("article JSON: %v", err)
	}
	if got.ID != a.ID {
		t.Errorf("article JSON id %q", got.ID)
	}
	if home := s.get("/").body; !utf8.Valid(home) || strings.Contains(string(home), "<b>bold") {
		t.Error("home page carries hostile markup")
	}
}

// Ids that need escaping still make working URLs and stable item ids.
func TestOddID(t *testing.T) {
	svc := feeds.New(feeds.Options{BaseURL: base})
	a := newArticle("Odd", "en", "x", "", time.Now())
	a.ID = "a b/c?d"
	svc.Add(a)
	srv := &site{t: t, svc: svc, srv: newServer(t, svc)}
	f, _ := srv.feed("/feeds/all.atom")
	if f.Items[0].GUID != "urn:crier:a%20b%2Fc%3Fd" || f.Items[0].Link != base+"/articles/a%20b%2Fc%3Fd" {
		t.Errorf("guid %q link %q", f.Items[0].GUID, f.Items[0].Link)
	}
	if r := srv.do(http.MethodGet, "/articles/a%20b%2Fc%3Fd"); r.status != http.StatusOK {
		t.Errorf("article page: %d", r.status)
	}
}

// An article with nothing but an id still makes valid feeds: dates come from
// the stream, content from what there is.
func TestBareArticle(t *testing.T) {
	e := newEnv(t)
	e.publishRaw(e.top.ArticleSubject("und", "unknown"), []byte(`{"id":"bare"}`))
	s := e.startSite(feeds.Options{})
	s.waitFor("bare")
	before := time.Now()
	for _, ext := range []string{"rss", "atom", "json"} {
		f, _ := s.feed("/feeds/all." + ext)
		it := f.Items[0]
		if it.GUID != "urn:crier:bare" || it.PublishedParsed == nil || it.PublishedParsed.After(before) ||
			before.Sub(*it.PublishedParsed) > time.Minute {
			t.Errorf("%s: guid %q published %v", ext, it.GUID, it.PublishedParsed)
		}
		if len(it.Authors) == 0 || it.Authors[0].Name != "crier" {
			t.Errorf("%s: authors %+v, want the site title", ext, it.Authors)
		}
	}
	validateXML(t, "rss", s.get("/feeds/all.rss").body)
	validateAtom(t, "atom", s.get("/feeds/all.atom").body)
	validateJSONFeed(t, "json", s.get("/feeds/source/unknown.json").body)
}
