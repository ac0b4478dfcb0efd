package feeds_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/crier/crier/feeds"
)

// Readers and a writer at once; run with -race.
func TestConcurrentAddAndServe(t *testing.T) {
	svc := feeds.New(feeds.Options{BaseURL: base, Limit: 10})
	s := &site{t: t, svc: svc, srv: newServer(t, svc)}
	langs := []string{"en", "fr", "de"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, path := range []string{"/feeds/all.rss", "/feeds/all.atom", "/feeds/lang/en.json", "/", "/feeds/source/src-1.atom?limit=3"} {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := s.do(http.MethodGet, path)
				if r.status != http.StatusOK && r.status != http.StatusNotFound {
					t.Errorf("GET %s: %d", path, r.status)
					return
				}
			}
		})
	}
	var last string
	for i := range 200 {
		a := newArticle(fmt.Sprintf("Article %d", i), langs[i%3], fmt.Sprintf("src %d", i%4),
			fmt.Sprintf("https://x.example/%d", i%150), t0.Add(time.Duration(i)*time.Minute))
		svc.Add(a)
		last = a.ID
	}
	close(stop)
	wg.Wait()
	s.waitFor(last)
	f, _ := s.feed("/feeds/all.atom")
	if len(f.Items) != 10 || f.Items[0].Title != "Article 199" {
		t.Errorf("%d items, first %q", len(f.Items), f.Items[0].Title)
	}
}
