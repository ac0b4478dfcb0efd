package feeds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// history publishes articles over six days, a correction and a retraction,
// with the publisher's record of each article in a KV bucket as the
// publisher keeps it (publisher/revision.go).
type history struct {
	e        *env
	records  jetstream.KeyValue
	articles []*article.Article // newest revision of each, retracted included
	days     []string
	last     string // the id of the newest article
}

const recordsBucket = "test_articles"

func newHistory(t *testing.T, e *env) *history {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	kv, err := e.b.JS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: recordsBucket})
	if err != nil {
		t.Fatal(err)
	}
	h := &history{e: e, records: kv}
	day0 := time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC)
	var made []*article.Article
	for d := range 6 {
		h.days = append(h.days, day0.AddDate(0, 0, d).Format("2006-01-02"))
		for i := range 2 {
			at := day0.AddDate(0, 0, d).Add(time.Duration(i) * time.Hour)
			a := newArticle(fmt.Sprintf("Day %d, report %d", d, i), []string{"fr", "en"}[i], "Agence", fmt.Sprintf("https://news.example/%d/%d", d, i), at)
			if d%2 == 0 {
				a.Tags = []string{"Paris"}
			}
			h.publish(t, a)
			made = append(made, a)
			h.last = a.ID
		}
		if d == 2 {
			// A correction of the first day's first article, and the
			// retraction of its second, both on the third day.
			fix := *made[0]
			fix.Title, fix.Revision, fix.Ingested, fix.Updated = "Day 0, corrected", 2, fix.Ingested.AddDate(0, 0, 2), fix.Ingested.AddDate(0, 0, 2)
			h.publish(t, &fix)
			gone := *made[1]
			gone.Body, gone.Revision, gone.Retracted, gone.RetractionReason = []string{}, 2, fix.Ingested.Add(time.Hour), "wrong"
			gone.Ingested = gone.Retracted
			h.publish(t, &gone)
		}
	}
	return h
}

func (h *history) publish(t *testing.T, a *article.Article) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := h.e.b.JS.Publish(ctx, h.e.top.ArticleSubject(a.LanguageSlug(), a.SourceSlug()), data)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(map[string]any{"revision": a.RevisionOf(), "state": "published", "seq": ack.Sequence,
		"retracted": a.Retracted, "reason": a.RetractionReason})
	if _, err := h.records.Put(ctx, a.ID, rec); err != nil {
		t.Fatal(err)
	}
	for i, o := range h.articles {
		if o.ID == a.ID {
			h.articles[i] = a
			return
		}
	}
	h.articles = append(h.articles, a)
}

// paths are the documents the window must not change: every archive of
// every feed and format, and every article's page and JSON.
func (h *history) paths() []string {
	var ps []string
	for _, day := range h.days {
		for _, d := range []string{day, day + "-2", day + "-3"} {
			for _, f := range []string{"all", "lang/fr", "lang/en", "source/agence", "tag/paris"} {
				for _, ext := range []string{"rss", "atom", "json"} {
					ps = append(ps, "/feeds/archive/"+d+"/"+f+"."+ext)
				}
			}
		}
	}
	for _, a := range h.articles {
		ps = append(ps, "/articles/"+a.ID, "/articles/"+a.ID+".json")
	}
	return ps
}

// An index holding three articles serves the same archives and article
// pages as one holding all, whether it evicted the others while following
// the stream or replayed only the stream's tail after a restart.
func TestIndexWindow(t *testing.T) {
	e := newEnv(t)
	opts := func(max int) feeds.Options {
		// Pages of one item: a day's archive is paged, out of the
		// index as in it.
		return feeds.Options{MaxArticles: max, ArticlesBucket: recordsBucket, Limit: 2, ArchivePageSize: 1}
	}
	following := e.startSite(opts(3))
	h := newHistory(t, e)
	following.waitFor(h.last)
	whole := e.startSite(opts(-1))
	restarted := e.startSite(opts(3))

	if n := len(whole.svc.Latest(100)); n != 11 {
		t.Fatalf("whole index holds %d articles, want 11", n)
	}
	for name, s := range map[string]*site{"following": following, "restarted": restarted} {
		if n := len(s.svc.Latest(100)); n > 3 {
			t.Errorf("%s: index holds %d articles, want at most 3", name, n)
		}
	}
	found, gone := 0, 0
	for _, p := range h.paths() {
		want := whole.do(http.MethodGet, p)
		switch want.status {
		case http.StatusOK:
			found++
		case http.StatusGone:
			gone++
		}
		for name, s := range map[string]*site{"following": following, "restarted": restarted} {
			got := s.do(http.MethodGet, p)
			if got.status != want.status || !bytes.Equal(got.body, want.body) {
				t.Errorf("%s: GET %s: %d, want %d as with the whole index:\n%s\nwant\n%s", name, p, got.status, want.status, got.body, want.body)
			}
		}
	}
	// Archives of every day but those where a feed has nothing, pages of
	// every article but the retracted one.
	if found < 90 || gone != 2 {
		t.Errorf("whole index: %d documents found, %d gone; want at least 90 and 2", found, gone)
	}
}

// Ids no article has, or no KV key could be, answer 404 out of the index
// as in it.
func TestUnknownArticleOutOfTheIndex(t *testing.T) {
	e := newEnv(t)
	h := newHistory(t, e)
	s := e.startSite(feeds.Options{MaxArticles: 3, ArticlesBucket: recordsBucket})
	s.waitFor(h.last)
	for _, p := range []string{"/articles/0123456789abcdef0123456789abcdef", "/articles/.json", "/articles/a*b", "/articles/a%20b.json"} {
		if r := s.do(http.MethodGet, p); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
	}
}
