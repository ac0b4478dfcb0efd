package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker/brokertest"
)

// BenchmarkArchiveOutOfTheIndex renders page 1 (500 items) of the "all"
// archive of a past day of 2,000 articles of about 5 KB, none of them in
// the index: cold, the day's messages read and decoded and every item's
// record and body read; warm, the day kept decoded (what a past day costs
// after its first render), records and bodies read again. And the first
// request of one of those articles' pages.
func BenchmarkArchiveOutOfTheIndex(b *testing.B) {
	br, top := brokertest.Start(b)
	ctx := b.Context()
	const bucket = "bench_articles"
	kv, err := br.JS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket})
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	para := strings.Repeat("A sentence of the kind a wire story is made of, neither short nor long. ", 14)
	for i := range 4000 { // two days: the index holds the second
		at := day.Add(time.Duration(i) * 40 * time.Second)
		if i >= 2000 {
			at = day.AddDate(0, 0, 1).Add(time.Duration(i-2000) * 40 * time.Second)
		}
		a := &article.Article{
			Schema: article.SchemaVersion, ID: fmt.Sprintf("%032x", i), URL: fmt.Sprintf("https://news.example/%d", i),
			Title: fmt.Sprintf("Story %d", i), Body: []string{para, para, para, para, para}, Published: at, Ingested: at,
			Language: "en", Source: fmt.Sprintf("Source %d", i%10), Tags: []string{fmt.Sprintf("tag %d", i%50)},
		}
		data, _ := json.Marshal(a)
		ack, err := br.JS.Publish(ctx, top.ArticleSubject(a.LanguageSlug(), a.SourceSlug()), data)
		if err != nil {
			b.Fatal(err)
		}
		rec, _ := json.Marshal(record{Seq: ack.Sequence})
		if _, err := kv.Put(ctx, a.ID, rec); err != nil {
			b.Fatal(err)
		}
	}
	s := New(Options{BaseURL: "http://x.test", MaxArticles: 2000, ArticlesBucket: bucket})
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx, br.JS, top.ArticleStream) }()
	b.Cleanup(func() { cancel(); <-done })
	<-s.CaughtUp()
	k := feedDoc{feed: feedKey{kind: kindAll}, format: formatAtom, limit: s.opts.Limit, day: dayOf(day), page: 1}
	render := func(b *testing.B) {
		r, err := s.renderArchive(k)
		if err != nil || !strings.Contains(string(r.body), "Story 1999<") || strings.Contains(string(r.body), "Story 2000<") {
			b.Fatalf("render: %v", err)
		}
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.hist.mu.Lock()
			clear(s.hist.days)
			s.hist.recent, s.hist.kept = nil, 0
			s.hist.mu.Unlock()
			s.bodies = newBodyCache(0)
			render(b)
		}
	})
	b.Run("warm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.bodies = newBodyCache(0)
			render(b)
		}
	})
	// The first request of an article's page out of the index: its record,
	// its message, the page.
	b.Run("article-page", func(b *testing.B) {
		h, path := s.Handler(), articlePath(fmt.Sprintf("%032x", 7))
		b.ReportAllocs()
		for b.Loop() {
			if sl := s.docs.lookup(path); sl != nil {
				s.docs.remove(sl)
			}
			s.bodies = newBodyCache(0)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Story 7<") {
				b.Fatalf("GET %s: %d", path, rec.Code)
			}
		}
	})
}
