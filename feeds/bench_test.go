package feeds_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/crier/crier/feeds"
)

// discard is a ResponseWriter that keeps nothing, reused across requests,
// so allocs/op counts the handler's own allocations.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkServe serves a 50-item Atom feed from the cache, identity and
// gzip: through httptest.NewRecorder (what a response costs with a
// recorder's copies), and through a reused writer (the handler alone).
func BenchmarkServe(b *testing.B) {
	svc := feeds.New(feeds.Options{BaseURL: base})
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range 50 {
		n := strconv.Itoa(i)
		svc.Add(newArticle("Story "+n, "fr", "Source "+strconv.Itoa(i%5), "https://example.org/"+n, day.Add(time.Duration(i)*time.Hour)))
	}
	svc.WaitRendered()
	h := svc.Handler()
	for _, enc := range []string{"identity", "gzip"} {
		req := httptest.NewRequest(http.MethodGet, "/feeds/all.atom", nil)
		req.Header.Set("Accept-Encoding", enc)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		wantCE := ""
		if enc == "gzip" {
			wantCE = "gzip"
		}
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != wantCE {
			b.Fatalf("%s: %d, Content-Encoding %q", enc, rec.Code, rec.Header().Get("Content-Encoding"))
		}
		b.Run(enc+"/recorder", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
		b.Run(enc+"/handler", func(b *testing.B) {
			b.ReportAllocs()
			w := &discard{h: make(http.Header)}
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
}
