package feeds_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/feeds"
)

// served is a Service with a few articles, requested in-process.
func served(t *testing.T, o feeds.Options) (*feeds.Service, http.Handler) {
	t.Helper()
	if o.BaseURL == "" {
		o.BaseURL = base
	}
	svc := feeds.New(o)
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, src := range []string{"Le Monde", "Le Monde", "BBC"} {
		a := newArticle("Story "+strconv.Itoa(i), "fr", src, "https://example.org/"+strconv.Itoa(i), day.Add(time.Duration(i)*time.Hour))
		a.Tags = []string{"Climat"}
		svc.Add(a)
	}
	svc.WaitRendered()
	return svc, svc.Handler()
}

func request(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConditionalGET(t *testing.T) {
	_, h := served(t, feeds.Options{MaxAge: 5 * time.Minute})
	const path = "/feeds/all.atom"
	plain := request(h, http.MethodGet, path)
	gz := request(h, http.MethodGet, path, "Accept-Encoding", "gzip")
	etag, gzTag := plain.Header().Get("ETag"), gz.Header().Get("ETag")
	lm := plain.Header().Get("Last-Modified")
	if plain.Code != 200 || gz.Code != 200 || etag == "" || gzTag == "" || etag == gzTag {
		t.Fatalf("ETags %q and %q (status %d, %d): want one per encoding", etag, gzTag, plain.Code, gz.Code)
	}
	if got := gunzip(t, gz.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
		t.Fatal("the gzip body does not decode to the identity body")
	}
	if gz.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" {
		t.Error("Content-Encoding wrong")
	}
	for _, r := range []*httptest.ResponseRecorder{plain, gz} {
		if r.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary %q", r.Header().Get("Vary"))
		}
		if cc := r.Header().Get("Cache-Control"); cc != "public, max-age=300" {
			t.Errorf("Cache-Control %q", cc)
		}
		if r.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Error("no nosniff")
		}
		if cl := r.Header().Get("Content-Length"); cl != strconv.Itoa(r.Body.Len()) {
			t.Errorf("Content-Length %s for %d bytes", cl, r.Body.Len())
		}
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	for _, c := range []struct {
		name, method string
		header       []string
		status       int
		etag         string
		body         bool
	}{
		{"plain", "GET", nil, 200, etag, true},
		{"identity etag", "GET", []string{"If-None-Match", etag}, 304, etag, false},
		{"gzip etag", "GET", []string{"Accept-Encoding", "gzip", "If-None-Match", gzTag}, 304, gzTag, false},
		{"gzip etag, identity asked", "GET", []string{"If-None-Match", gzTag}, 200, etag, true},
		{"identity etag, gzip asked", "GET", []string{"Accept-Encoding", "gzip", "If-None-Match", etag}, 200, gzTag, true},
		{"list", "GET", []string{"If-None-Match", `"x", ` + etag}, 304, etag, false},
		{"weak", "GET", []string{"If-None-Match", "W/" + etag}, 304, etag, false},
		{"star", "GET", []string{"If-None-Match", "*"}, 304, etag, false},
		{"other", "GET", []string{"If-None-Match", `"other"`}, 200, etag, true},
		{"since", "GET", []string{"If-Modified-Since", lm}, 304, etag, false},
		{"since old", "GET", []string{"If-Modified-Since", old}, 200, etag, true},
		{"etag wins", "GET", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200, etag, true},
		{"head", "HEAD", nil, 200, etag, false},
		{"head gzip", "HEAD", []string{"Accept-Encoding", "gzip"}, 200, gzTag, false},
		{"head 304", "HEAD", []string{"If-None-Match", etag}, 304, etag, false},
		{"gzip q=0", "GET", []string{"Accept-Encoding", "gzip;q=0"}, 200, etag, true},
		{"identity q=0", "GET", []string{"Accept-Encoding", "identity;q=0"}, 406, "", false},
		{"identity q=0 gzip", "GET", []string{"Accept-Encoding", "gzip, identity;q=0"}, 200, gzTag, true},
		{"star", "GET", []string{"Accept-Encoding", "*"}, 200, gzTag, true},
		{"star q=0", "GET", []string{"Accept-Encoding", "*;q=0, gzip;q=0.5"}, 200, gzTag, true},
		{"identity preferred", "GET", []string{"Accept-Encoding", "gzip;q=0.5, identity"}, 200, etag, true},
		{"x-gzip", "GET", []string{"Accept-Encoding", "deflate, X-GZIP"}, 200, gzTag, true},
		{"empty accept-encoding", "GET", []string{"Accept-Encoding", ""}, 200, etag, true},
		{"gzip refused, star", "GET", []string{"Accept-Encoding", "gzip;q=0, *"}, 200, etag, true},
		{"identity and star q=0", "GET", []string{"Accept-Encoding", "identity;q=0, *;q=0"}, 406, "", false},
		{"malformed q", "GET", []string{"Accept-Encoding", "gzip;q=high"}, 200, etag, true},
		{"since malformed", "GET", []string{"If-Modified-Since", "yesterday"}, 200, etag, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := request(h, c.method, path, c.header...)
			if r.Code != c.status {
				t.Fatalf("status %d, want %d", r.Code, c.status)
			}
			if c.status == 406 {
				return
			}
			if got := r.Header().Get("ETag"); got != c.etag {
				t.Errorf("ETag %q, want %q", got, c.etag)
			}
			if r.Header().Get("Vary") != "Accept-Encoding" || r.Header().Get("Cache-Control") == "" {
				t.Error("Vary or Cache-Control missing")
			}
			if c.status == 200 && r.Header().Get("Content-Length") == "" {
				t.Error("no Content-Length")
			}
			if (r.Body.Len() > 0) != c.body {
				t.Errorf("%d body bytes", r.Body.Len())
			}
		})
	}
	if r := request(h, http.MethodPost, path); r.Code != http.StatusMethodNotAllowed || r.Header().Get("Allow") == "" {
		t.Errorf("POST: %d, Allow %q", r.Code, r.Header().Get("Allow"))
	}
}

// A change answers 200 to the validators of the document before it.
func TestConditionalAfterChange(t *testing.T) {
	svc, h := served(t, feeds.Options{})
	const path = "/feeds/all.rss"
	before := request(h, http.MethodGet, path)
	etag, lm := before.Header().Get("ETag"), before.Header().Get("Last-Modified")
	// Older than every article: Last-Modified must still move.
	a := newArticle("Late", "fr", "BBC", "https://example.org/late", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	svc.Add(a)
	for _, hdr := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lm}} {
		if r := request(h, http.MethodGet, path, hdr...); r.Code != http.StatusOK {
			t.Errorf("%s after a change: %d", hdr[0], r.Code)
		}
	}
}

func TestLinkHeaders(t *testing.T) {
	_, h := served(t, feeds.Options{HubURL: "https://hub.example/"})
	for path, self := range map[string]string{
		"/feeds/all.atom":               base + "/feeds/all.atom",
		"/feeds/source/le-monde.json":   base + "/feeds/source/le-monde.json",
		"/feeds/tag/climat.rss?limit=2": base + "/feeds/tag/climat.rss?limit=2",
		"/feeds/all.rss?limit=50":       base + "/feeds/all.rss",
	} {
		r := request(h, http.MethodGet, path)
		want := `<https://hub.example/>; rel="hub", <` + self + `>; rel="self"`
		if got := r.Header().Get("Link"); r.Code != 200 || got != want {
			t.Errorf("%s: %d, Link %q, want %q", path, r.Code, got, want)
		}
	}
	_, h = served(t, feeds.Options{})
	if l := request(h, http.MethodGet, "/feeds/all.atom").Header().Get("Link"); l != "" {
		t.Errorf("Link %q without a hub", l)
	}
}

func TestRateLimit(t *testing.T) {
	_, h := served(t, feeds.Options{RateLimit: 0.5, RateBurst: 2})
	for i := range 2 {
		if r := request(h, http.MethodGet, "/feeds/all.atom"); r.Code != 200 {
			t.Fatalf("request %d: %d", i, r.Code)
		}
	}
	r := request(h, http.MethodGet, "/feeds/all.atom")
	if r.Code != http.StatusTooManyRequests || r.Header().Get("Retry-After") != "2" {
		t.Fatalf("over the limit: %d, Retry-After %q", r.Code, r.Header().Get("Retry-After"))
	}
	other := httptest.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
	other.RemoteAddr = "198.51.100.7:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, other)
	if rec.Code != 200 {
		t.Errorf("another client: %d", rec.Code)
	}
}

// After an Add, the background renderer re-renders the documents it
// touched: the next requests render nothing.
func TestRenderOnChange(t *testing.T) {
	svc, h := served(t, feeds.Options{})
	paths := []string{"/", "/feeds/all.atom", "/feeds/lang/fr.rss", "/feeds/source/bbc.json", "/feeds/tag/climat.atom", "/feeds/all.json?limit=2"}
	for _, p := range paths {
		request(h, http.MethodGet, p) // the tag feed and the ?limit= variant render here once
	}
	a := newArticle("New", "fr", "BBC", "https://example.org/new", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	a.Tags = []string{"climat"}
	svc.Add(a)
	svc.WaitRendered()
	n := svc.Renders()
	for _, p := range paths {
		r := request(h, http.MethodGet, p)
		if r.Code != 200 || !strings.Contains(r.Body.String(), "New") {
			t.Errorf("%s: %d, new article missing", p, r.Code)
		}
	}
	if got := svc.Renders(); got != n {
		t.Errorf("%d renders while serving after the change, want 0", got-n)
	}
	// A stale document is never served: right after Add, before the
	// renderer runs, the request renders it itself.
	b := newArticle("Newer", "fr", "BBC", "https://example.org/newer", time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC))
	svc.Add(b)
	if r := request(h, http.MethodGet, "/feeds/all.atom"); !strings.Contains(r.Body.String(), "Newer") {
		t.Error("stale feed served after Add returned")
	}
	svc.WaitRendered()
}

// While the background renderer waits out Options.RenderInterval, a
// request for a document a change made stale renders it itself: the
// interval spares renders, never freshness. The gzip variant follows.
func TestRenderIntervalNeverServesStale(t *testing.T) {
	svc := feeds.New(feeds.Options{BaseURL: base, RenderInterval: time.Hour})
	h := svc.Handler()
	day := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i, title := range []string{"First", "Second", "Third"} {
		svc.Add(newArticle(title, "fr", "BBC", "https://example.org/"+title, day.Add(time.Duration(i)*time.Hour)))
		for _, enc := range []string{"", "gzip"} {
			r := request(h, http.MethodGet, "/feeds/all.atom", "Accept-Encoding", enc)
			body := r.Body.String()
			if enc == "gzip" {
				if r.Header().Get("Content-Encoding") != "gzip" {
					t.Fatalf("%s: not gzip", title)
				}
				zr, err := gzip.NewReader(r.Body)
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				body = string(b)
			}
			if r.Code != 200 || !strings.Contains(body, title) {
				t.Errorf("after adding %q, Accept-Encoding %q: %d, article missing", title, enc, r.Code)
			}
		}
	}
}

// An article moved to another story: its page follows the new story.
func TestArticlePageFollowsItsStory(t *testing.T) {
	svc, h := served(t, feeds.Options{})
	day := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	a := newArticle("Moved", "fr", "BBC", "https://example.org/moved", day)
	a.StoryID = "story-1"
	svc.Add(a)
	page := "/articles/" + a.ID
	request(h, http.MethodGet, page) // cached, depending on story-1
	moved := *a
	moved.StoryID = "story-2"
	svc.Add(&moved)
	svc.WaitRendered()
	b := newArticle("Joined", "fr", "Le Monde", "https://example.org/joined", day.Add(time.Hour))
	b.StoryID = "story-2"
	svc.Add(b)
	if r := request(h, http.MethodGet, page); !strings.Contains(r.Body.String(), "/articles/"+b.ID) {
		t.Errorf("%s does not list %s, reported in its new story", page, b.ID)
	}
	svc.WaitRendered()
}

// Run's replay of the stream renders each document once, after catching
// up, so its Last-Modified is its newest article's however the replay was
// ordered.
func TestReplayRendersOnce(t *testing.T) {
	e := newEnv(t)
	var newest time.Time
	for i := range 40 {
		// Ingestion times out of stream order.
		a := newArticle("Replayed "+strconv.Itoa(i), []string{"en", "fr"}[i%2], "src "+strconv.Itoa(i%3),
			"https://example.org/replay/"+strconv.Itoa(i), t0.Add(time.Duration(i*17%40)*time.Hour))
		e.publish(a)
		newest = maxTime(newest, a.Ingested)
	}
	s := e.startSite(feeds.Options{})
	s.svc.WaitRendered()
	// all, 2 languages and 3 sources in 3 formats, and 3 site pages.
	if got, want := s.svc.Renders(), int64((1+2+3)*3+3); got != want {
		t.Errorf("%d renders after the replay, want %d (one per document)", got, want)
	}
	if lm := s.get("/feeds/all.atom").header.Get("Last-Modified"); lm != newest.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q, want the newest article's %q", lm, newest.Format(http.TimeFormat))
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestExport(t *testing.T) {
	svc, h := served(t, feeds.Options{})
	dir := t.TempDir()
	st, err := svc.Export(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	docs := svc.Documents()
	if st.Files != len(docs) || st.GzFiles == 0 {
		t.Fatalf("wrote %+v for %d documents", st, len(docs))
	}
	for _, p := range docs {
		rel, err := feeds.ExportFile(p)
		if err != nil {
			t.Fatal(err)
		}
		file, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		if r := request(h, http.MethodGet, p); r.Code != 200 || !bytes.Equal(r.Body.Bytes(), file) {
			t.Errorf("%s: %s differs from GET (%d)", p, rel, r.Code)
		}
		gz, err := os.ReadFile(filepath.Join(dir, rel+".gz"))
		r := request(h, http.MethodGet, p, "Accept-Encoding", "gzip")
		switch {
		case r.Header().Get("Content-Encoding") == "gzip" && (err != nil || !bytes.Equal(gz, r.Body.Bytes())):
			t.Errorf("%s: %s.gz differs from the gzip GET (%v)", p, rel, err)
		case r.Header().Get("Content-Encoding") == "" && err == nil:
			t.Errorf("%s: %s.gz without a gzip response", p, rel)
		}
	}
	for _, want := range []string{"index.html", "sources/index.html", "feeds/all.atom", "feeds/tag/climat.rss", "feeds/source/le-monde.json.gz"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("missing %s", want)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "feeds/archive/*/all.atom")); len(m) == 0 {
		t.Error("no archive exported")
	}
	// Again: same files, nothing else (no temporary files left).
	if _, err := svc.Export(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	var n int
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
			if strings.HasSuffix(p, ".tmp") {
				t.Errorf("left %s", p)
			}
		}
		return err
	})
	if n != st.Files+st.GzFiles {
		t.Errorf("%d files in the directory, wrote %d", n, st.Files+st.GzFiles)
	}
}

func TestExportFile(t *testing.T) {
	for in, want := range map[string]string{
		"/":                          "index.html",
		"/sources/":                  "sources/index.html",
		"/tags/paris/":               "tags/paris/index.html",
		"/feeds/all.atom":            "feeds/all.atom",
		"/articles/abc":              "articles/abc.html",
		"/articles/abc.json":         "articles/abc.json",
		"/feeds/tag/a%20b.rss":       "feeds/tag/a b.rss",
		"/feeds/tag/..%2F..%2Fx.rss": "",
		"/feeds/tag/%2E%2E.rss":      "feeds/tag/...rss",
	} {
		got, err := feeds.ExportFile(in)
		if want == "" {
			if err == nil {
				t.Errorf("%s: %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != filepath.FromSlash(want) {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
}

// Tag feeds, ?limit= variants and article pages live in an LRU bounded by
// Options.CacheBytes; the default feeds of all, each language and each
// source and the site pages are pinned, whatever the bound.
func TestCacheBytesBoundsAllButPinned(t *testing.T) {
	evictable := []string{"/feeds/tag/climat.atom", "/feeds/all.json?limit=2"}
	pinned := []string{"/", "/sources/", "/feeds/all.atom", "/feeds/lang/fr.rss", "/feeds/source/bbc.json"}
	for _, tc := range []struct {
		cacheBytes int64
		want       int64 // renders of two rounds of the evictable documents
	}{
		{0, int64(len(evictable))},     // 256 MB: rendered once, kept
		{1, 2 * int64(len(evictable))}, // evicted as soon as served
	} {
		svc, h := served(t, feeds.Options{CacheBytes: tc.cacheBytes})
		n := svc.Renders()
		for range 2 {
			for _, p := range evictable {
				if r := request(h, http.MethodGet, p); r.Code != 200 {
					t.Fatalf("%s: %d", p, r.Code)
				}
			}
		}
		if got := svc.Renders() - n; got != tc.want {
			t.Errorf("CacheBytes %d: %d renders for two rounds of %v, want %d", tc.cacheBytes, got, evictable, tc.want)
		}
		n = svc.Renders()
		for _, p := range pinned {
			if r := request(h, http.MethodGet, p); r.Code != 200 {
				t.Fatalf("%s: %d", p, r.Code)
			}
		}
		if got := svc.Renders() - n; got != 0 {
			t.Errorf("CacheBytes %d: %d renders serving the pinned documents, want 0", tc.cacheBytes, got)
		}
	}
}
