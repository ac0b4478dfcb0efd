package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker/brokertest"
)

// The index holds no body: the replay of the history caches none, and a
// page, a feed or the article JSON reads the bodies it needs from the
// stream into a cache that keeps its bound.
func TestBodiesComeFromTheStream(t *testing.T) {
	b, top := brokertest.Start(t)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		a := article.Article{
			Schema: article.SchemaVersion, ID: fmt.Sprintf("%032x", i+1), Title: fmt.Sprintf("Title %d", i),
			Body:      []string{fmt.Sprintf("Paragraph number %d.", i)},
			Published: time.Date(2026, 1, 2, 3, i, 0, 0, time.UTC), Ingested: time.Date(2026, 1, 2, 4, i, 0, 0, time.UTC),
			Language: "en", Source: "x",
		}
		data, _ := json.Marshal(a)
		if _, err := b.JS.Publish(ctx, top.ArticleSubject("en", "x"), data); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	s := New(Options{BaseURL: "http://x.test", BodyCacheBytes: 1}) // room for one body
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx, b.JS, top.ArticleStream) }()
	defer func() { stop(); <-done }()
	select {
	case <-s.CaughtUp():
	case <-time.After(10 * time.Second):
		t.Fatal("not caught up")
	}
	if n := s.bodies.len(); n != 0 {
		t.Errorf("the replay cached %d bodies, want none", n)
	}
	s.mu.RLock()
	for _, e := range s.byID {
		if e.inline != nil || e.seq == 0 {
			t.Errorf("entry %s holds its body (seq %d)", e.id, e.seq)
		}
	}
	s.mu.RUnlock()

	get := func(path string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return string(body)
	}
	for i, id := range ids {
		want := fmt.Sprintf("Paragraph number %d.", i)
		if page := get("/articles/" + id); !strings.Contains(page, want) {
			t.Errorf("page of %s lacks its body", id)
		}
		if js := get("/articles/" + id + ".json"); !strings.Contains(js, want) {
			t.Errorf("JSON of %s lacks its body", id)
		}
	}
	feed := get("/feeds/all.json")
	for i := range ids {
		if !strings.Contains(feed, fmt.Sprintf("Paragraph number %d.", i)) {
			t.Errorf("all.json lacks article %d's text", i)
		}
	}
	if n := s.bodies.len(); n > 1 {
		t.Errorf("the cache holds %d bodies, over its bound of one", n)
	}
}

func TestBodyCacheBound(t *testing.T) {
	c := newBodyCache(3000)
	for i := range 10 {
		c.put(uint64(i), &body{size: 1000})
	}
	if c.len() != 3 || c.get(9) == nil || c.get(6) != nil {
		t.Errorf("cache holds %d bodies; want the 3 newest", c.len())
	}
	c.get(7)                     // 7 is now the most recent
	c.put(10, &body{size: 1000}) // evicts 8
	if c.get(8) != nil || c.get(7) == nil {
		t.Error("least recently used not evicted first")
	}
}

// newestN keeps the n newest of a set in newer's order, as sorting the
// whole set would, and finds its newest day.
func TestNewestN(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	set := map[string]*entry{}
	for i := range 500 {
		// Few distinct dates: ties fall to ingested, then id.
		e := &entry{id: fmt.Sprintf("%04d", i), published: t0.Add(time.Duration(r.IntN(20)) * time.Hour),
			ingested: t0.Add(time.Duration(r.IntN(1000)) * time.Minute)}
		e.day = dayOf(e.ingested)
		set[e.id] = e
	}
	all := slices.SortedFunc(maps.Values(set), newer)
	wantDay := ""
	for _, e := range all {
		wantDay = max(wantDay, e.day)
	}
	for _, n := range []int{0, 1, 7, 50, 499, 500, 900} {
		got, day := newestN(set, n)
		if want := all[:min(n, len(all))]; !slices.Equal(got, want) || day != wantDay {
			t.Errorf("newestN(%d): %d items, day %s; want the %d first of the sorted set, day %s", n, len(got), day, len(want), wantDay)
		}
	}
}

// BenchmarkNewestOfALargeFeed: what a current feed's render and an archive
// day's render do to pick their items from a feed of 100,000 articles over
// 12 days: the feed's top list (top-list; top-list-insert is what keeping
// it costs an added article), one pass over the set (newestN, what an
// archive day and a rebuilt top list do), and sorting a copy of the whole
// set (what renders did before).
func BenchmarkNewestOfALargeFeed(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	set := map[string]*entry{}
	for i := range 100_000 {
		e := &entry{id: fmt.Sprintf("%032x", i), published: t0.Add(time.Duration(r.IntN(1e6)) * time.Second)}
		e.ingested = e.published
		e.day = dayOf(e.ingested)
		set[e.id] = e
	}
	b.Run("newestN", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			newestN(set, 50)
		}
	})
	top := newFeed()
	for _, e := range set {
		top.add(e)
	}
	b.Run("top-list", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			top.newest(50)
		}
	})
	b.Run("top-list-insert", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			e := &entry{id: fmt.Sprintf("n%031x", i), published: t0.Add(time.Duration(1e6+i) * time.Second)}
			top.add(e)
		}
	})
	svc := New(Options{})
	svc.sets[feedKey{kind: kindAll}] = &feed{members: set}
	day := dayOf(t0.Add(5 * 24 * time.Hour))
	b.Run("archive-day", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			svc.archiveOf(b.Context(), feedKey{kind: kindAll}, day, true)
		}
	})
	b.Run("archive-day-sort-all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			items := make([]*entry, 0, len(set)) // the old snapshot
			for _, e := range set {
				items = append(items, e)
			}
			slices.SortFunc(items, newer)
			seen := map[string]struct{}{}
			var kept []*entry
			for _, e := range items {
				seen[e.day] = struct{}{}
				if e.day == day {
					kept = append(kept, e)
				}
			}
			_ = slices.Sorted(maps.Keys(seen))
		}
	})
	b.Run("sort-all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			items := make([]*entry, 0, len(set))
			for _, e := range set {
				items = append(items, e)
			}
			slices.SortFunc(items, newer)
			_ = items[:50]
		}
	})
}
