package feeds

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/crier/crier/article"
)

func TestArchivePaths(t *testing.T) {
	s := New(Options{BaseURL: "http://x.test"})
	jan := time.Date(2025, 1, 31, 23, 59, 0, 0, time.UTC)
	a := &article.Article{ID: "a", Title: "A", Language: "fr", Source: "BBC", Tags: []string{"Paris"}, Ingested: jan}
	b := &article.Article{ID: "b", Title: "B", Language: "fr", Source: "BBC", Ingested: jan.Add(time.Hour)} // 1 February, UTC
	s.Add(a)
	s.Add(b)
	want := []string{}
	for _, p := range []string{"/feeds/archive/2025-01-31/all", "/feeds/archive/2025-02-01/all",
		"/feeds/archive/2025-01-31/lang/fr", "/feeds/archive/2025-02-01/lang/fr",
		"/feeds/archive/2025-01-31/source/bbc", "/feeds/archive/2025-02-01/source/bbc",
		"/feeds/archive/2025-01-31/tag/paris"} {
		for _, ext := range []string{"rss", "atom", "json"} {
			want = append(want, p+"."+ext)
		}
	}
	slices.Sort(want)
	if got := s.archivePaths(); !slices.Equal(got, want) {
		t.Errorf("archivePaths\n got %q\nwant %q", got, want)
	}

	// An update re-ingested later stays in its first day.
	u := *a
	u.Ingested = jan.AddDate(0, 3, 0)
	s.Add(&u)
	if got := s.archivePaths(); !slices.Equal(got, want) {
		t.Errorf("archivePaths after an update\n got %q\nwant %q", got, want)
	}
}

func TestAbsolutize(t *testing.T) {
	const base = "https://news.example/a/b.html"
	for _, tc := range []struct {
		name, in, base, want string
	}{
		{"relative href", `<a href="c.html">x</a>`, base, `<a href="https://news.example/a/c.html">x</a>`},
		{"root-relative src", `<img src="/i.png">`, base, `<img src="https://news.example/i.png"/>`},
		{"srcset", `<img srcset="s.png 1x, /l.png 2x">`, base, `<img srcset="https://news.example/a/s.png 1x, https://news.example/l.png 2x"/>`},
		{"poster", `<video poster="p.jpg"></video>`, base, `<video poster="https://news.example/a/p.jpg"></video>`},
		{"absolute kept", `<a href="https://o.example/">x</a>`, base, `<a href="https://o.example/">x</a>`},
		{"fragment kept", `<a href="#n">x</a>`, "", `<a href="#n">x</a>`},
		{"no base: href dropped, text kept", `<a href="/r">keep</a>`, "", `<a>keep</a>`},
		{"no base: srcset candidates dropped", `<img srcset="a.png 1x, https://x.example/b.png 2x">`, "", `<img srcset="https://x.example/b.png 2x"/>`},
		{"other attributes untouched", `<p class="c" title="t">é &amp; ]]&gt;</p>`, base, `<p class="c" title="t">é &amp; ]]&gt;</p>`},
		{"no attributes: unchanged", `<p>a < b</p>`, base, `<p>a < b</p>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := absolutize(tc.in, tc.base); got != tc.want {
				t.Errorf("absolutize(%q, %q)\n got %q\nwant %q", tc.in, tc.base, got, tc.want)
			}
		})
	}
}

func TestLeadMedia(t *testing.T) {
	for _, tc := range []struct {
		name  string
		media []article.Media
		want  *enclosure
	}{
		{"none", nil, nil},
		{"no http URL", []article.Media{{URL: "data:x"}, {URL: "ftp://x/y.jpg"}, {URL: "/rel.jpg"}}, nil},
		{"first http one", []article.Media{{URL: "javascript:x"}, {URL: "https://i.example/a.png", Length: 5}, {URL: "https://i.example/b.jpg"}},
			&enclosure{url: "https://i.example/a.png", typ: "image/png", length: 5}},
		{"declared type wins, parameters dropped", []article.Media{{URL: "https://i.example/a.png", Type: "Image/WebP; q=1"}},
			&enclosure{url: "https://i.example/a.png", typ: "image/webp"}},
		{"bad declared type: guessed", []article.Media{{URL: "https://i.example/a.gif?x=1", Type: "jpeg"}},
			&enclosure{url: "https://i.example/a.gif?x=1", typ: "image/gif"}},
		{"no type at all", []article.Media{{URL: "https://i.example/pic", Length: -3}},
			&enclosure{url: "https://i.example/pic"}},
		{"control characters cleaned; caption and credit kept", []article.Media{{URL: "https://i.example/a\x01.png", Caption: " The\ncaption ", Credit: "AFP\x00"}},
			&enclosure{url: "https://i.example/a.png", typ: "image/png", caption: "The caption", credit: "AFP"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := leadMedia(tc.media)
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("leadMedia = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// The article's page shows the picture its feeds enclose, with the
// caption, credit and alt text the page wants.
func TestLeadFigure(t *testing.T) {
	s := New(Options{BaseURL: "http://x.test"})
	a := &article.Article{ID: "a", Title: "A title", Media: []article.Media{
		{URL: "https://i.example/first\x01.jpg"}, {URL: "https://i.example/second.jpg", Caption: "Second"},
	}}
	e := s.newEntry(a, 0)
	got := e.leadFigure()
	want := figure{URL: "https://i.example/first.jpg", Alt: "A title"}
	if got == nil || *got != want || e.enclosure.url != got.URL {
		t.Errorf("leadFigure = %+v, want %+v (enclosure %+v)", got, want, e.enclosure)
	}
	if f := s.newEntry(&article.Article{ID: "b"}, 0).leadFigure(); f != nil {
		t.Errorf("leadFigure without media = %+v, want nil", f)
	}
}

// A busy day's archive is cut into pages of ArchivePageSize items, newest
// first, chained in order: a reader walking prev-archive from the current
// feed reads every item once, and each page's next-archive is the page
// read before it.
func TestArchivePages(t *testing.T) {
	var as []*article.Article
	for i, at := range []string{"2025-05-01T08:00:00Z", "2025-05-01T09:00:00Z", "2025-05-01T10:00:00Z", "2025-05-01T11:00:00Z",
		"2025-05-01T12:00:00Z", "2025-05-02T08:00:00Z", "2025-05-02T09:00:00Z", "2025-05-02T10:00:00Z"} {
		published, _ := time.Parse(time.RFC3339, at)
		as = append(as, &article.Article{ID: fmt.Sprintf("a%d", i), Title: fmt.Sprintf("A%d", i), Published: published, Ingested: published})
	}
	s := New(Options{BaseURL: "http://x.test", ArchivePageSize: 2})
	for _, a := range as {
		s.Add(a)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	get := func(path string) (int, *gofeed.Feed, string) {
		t.Helper()
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			return res.StatusCode, nil, ""
		}
		f, err := gofeed.NewParser().ParseString(string(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return res.StatusCode, f, string(body)
	}
	link := func(body, rel string) string {
		m := regexp.MustCompile(`<link href="http://x.test([^"]*)" rel="` + rel + `"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	var visited []string
	seen := map[string]int{}
	path := "/feeds/all.atom"
	for path != "" && len(visited) < 10 {
		_, f, body := get(path)
		if f == nil {
			t.Fatalf("%s: not found", path)
		}
		if path != "/feeds/all.atom" {
			if len(f.Items) > 2 {
				t.Errorf("%s: %d items, want at most 2", path, len(f.Items))
			}
			for _, it := range f.Items {
				seen[it.Title]++
			}
			newer := "/feeds/all.atom"
			if len(visited) > 1 {
				newer = visited[len(visited)-2]
			}
			if got := link(body, "next-archive"); newer != "/feeds/all.atom" && got != newer {
				t.Errorf("%s: next-archive %q, want %q", path, got, newer)
			}
		}
		path = link(body, "prev-archive")
		visited = append(visited, path)
	}
	want := []string{"/feeds/archive/2025-05-02/all.atom", "/feeds/archive/2025-05-02-2/all.atom",
		"/feeds/archive/2025-05-01/all.atom", "/feeds/archive/2025-05-01-2/all.atom", "/feeds/archive/2025-05-01-3/all.atom", ""}
	if !slices.Equal(visited, want) {
		t.Errorf("visited %q, want %q", visited, want)
	}
	if len(seen) != len(as) {
		t.Errorf("read %v, want each of the %d articles once", seen, len(as))
	}
	for title, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", title, n)
		}
	}
	for _, p := range []string{"/feeds/archive/2025-05-01-1/all.atom", "/feeds/archive/2025-05-01-4/all.atom",
		"/feeds/archive/2025-05-01-02/all.atom", "/feeds/archive/2025-05-01-x/all.atom", "/feeds/archive/2025-05-01-/all.atom"} {
		if status, _, _ := get(p); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, status)
		}
	}
	if got := s.archivePaths(); !slices.Contains(got, "/feeds/archive/2025-05-01-3/all.json") || slices.Contains(got, "/feeds/archive/2025-05-01-4/all.json") {
		t.Errorf("archivePaths lacks a page or has one too many: %q", got)
	}
}
