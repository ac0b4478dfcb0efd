package publisher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/normalize"
)

const (
	revURL   = "https://example.org/2026/12/pont.html"
	revBody1 = "Le pont de la ville a été fermé lundi matin après la découverte de fissures sur une pile.\n\nLes services techniques examineront l'ouvrage pendant toute la semaine, a indiqué la mairie."
	revBody2 = "Le pont de la ville a été fermé lundi matin après la découverte de fissures sur deux piles.\n\nLes services techniques examineront l'ouvrage pendant toute la semaine, a indiqué la mairie."
)

// jsonInput is one structured input for the API or the inbox.
func jsonInput(t *testing.T, fields map[string]string) normalize.Input {
	t.Helper()
	data, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return normalize.Input{Name: "api", Data: data, ContentType: "application/json", ModTime: time.Now()}
}

// A correction with the same URL is the next revision; the same revision
// again, re-wrapped text or a tracking parameter is a duplicate; an input
// naming the article by id revises it too.
func TestRevisions(t *testing.T) {
	f := newFixture(t, 0)
	ctx := t.Context()
	first := map[string]string{"url": revURL + "?utm_source=newsletter#top", "title": "Le pont fermé", "text": revBody1, "language": "fr"}
	var id string
	for _, tc := range []struct {
		name     string
		in       map[string]string
		status   string
		revision int
	}{
		{"first", first, "published", 1},
		{"again, other tracking and wrapping", map[string]string{"url": revURL + "?fbclid=abc", "title": "Le  pont fermé", "text": strings.ReplaceAll(revBody1, "\n\n", "\n\n\n"), "language": "fr"}, "duplicate", 1},
		{"title corrected", map[string]string{"url": revURL, "title": "Le pont de la ville fermé", "text": revBody1, "language": "fr"}, "updated", 2},
		{"that correction again", map[string]string{"url": revURL, "title": "Le pont de la ville fermé", "text": revBody1, "language": "fr"}, "duplicate", 2},
		{"body corrected", map[string]string{"url": revURL, "title": "Le pont de la ville fermé", "text": revBody2, "language": "fr"}, "updated", 3},
		{"named by id", map[string]string{"id": "", "title": "Le pont de la ville fermé pour une semaine", "text": revBody2, "language": "fr"}, "updated", 4},
	} {
		if _, ok := tc.in["id"]; ok {
			tc.in["id"] = id
		}
		a, res, err := f.pub.Ingest(ctx, jsonInput(t, tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if id == "" {
			id = a.ID
			if a.URL != revURL {
				t.Errorf("article URL %q, want %q without tracking parameters or fragment", a.URL, revURL)
			}
		}
		if res.ID != id || res.Status() != tc.status || res.Revision != tc.revision {
			t.Errorf("%s: %s revision %d of %s, want %s revision %d of %s", tc.name, res.Status(), res.Revision, res.ID, tc.status, tc.revision, id)
		}
	}
	msgs := streamArticles(t, f.js, f.top.ArticleStream)
	if len(msgs) != 4 {
		t.Fatalf("stream holds %d messages, want 4 revisions", len(msgs))
	}
	for i, m := range msgs {
		n := i + 1
		wantType, wantID := EventType, id
		if n > 1 {
			wantType, wantID = EventTypeUpdated, fmt.Sprintf("%s-%d", id, n)
		}
		for k, v := range map[string]string{"Nats-Msg-Id": wantID, "ce-id": wantID, "ce-type": wantType, "ce-subject": id, StoryHeader: id} {
			if got := m.hdr.Get(k); got != v {
				t.Errorf("revision %d: header %s = %q, want %q", n, k, got, v)
			}
		}
		a := m.article
		if a.ID != id || a.Revision != n || a.StoryID != id {
			t.Errorf("revision %d: body says id %s revision %d story %s", n, a.ID, a.Revision, a.StoryID)
		}
		if (n > 1) != !a.Updated.IsZero() || (n > 1 && !a.Updated.Equal(a.Ingested)) {
			t.Errorf("revision %d: updated %v, ingested %v", n, a.Updated, a.Ingested)
		}
	}
	if got := msgs[3].article.Title; got != "Le pont de la ville fermé pour une semaine" {
		t.Errorf("last revision title %q", got)
	}
}

// An undated correction keeps the first revision's date: it does not make
// the story newer.
func TestRevisionKeepsEstimatedDate(t *testing.T) {
	f := newFixture(t, 0)
	ctx := t.Context()
	in := jsonInput(t, map[string]string{"url": revURL, "title": "Le pont fermé", "text": revBody1})
	in.ModTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a1, _, err := f.pub.Ingest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in = jsonInput(t, map[string]string{"url": revURL, "title": "Le pont fermé", "text": revBody2})
	a2, res, err := f.pub.Ingest(ctx, in)
	if err != nil || res.Revision != 2 {
		t.Fatalf("correction: %+v %v", res, err)
	}
	if !a1.PublishedEstimated || !a2.Published.Equal(a1.Published) {
		t.Errorf("correction published %v (estimated %v), want the first's %v", a2.Published, a2.PublishedEstimated, a1.Published)
	}
}

// A crash after a revision's publish, before its record says published:
// the input, retried, is that revision again, published once.
func TestRevisionResumesAfterCrash(t *testing.T) {
	f := newFixture(t, 0)
	ctx := t.Context()
	if _, _, err := f.pub.Ingest(ctx, jsonInput(t, map[string]string{"url": revURL, "title": "T", "text": revBody1})); err != nil {
		t.Fatal(err)
	}
	fix, err := f.pub.norm.Normalize(ctx, jsonInput(t, map[string]string{"url": revURL, "title": "T", "text": revBody2}))
	if err != nil {
		t.Fatal(err)
	}
	// What Publish did before the crash: claim revision 2, publish it.
	rec, kvRev, err := f.pub.articleRecord(ctx, fix.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.Revision, rec.Hash, rec.State, rec.At = 2, article.RevisionHash(fix.Title, fix.Body), statePending, time.Now().UTC()
	if _, err := f.pub.articles.Update(ctx, fix.ID, encode(rec), kvRev); err != nil {
		t.Fatal(err)
	}
	crashed := *fix
	crashed.Revision, crashed.StoryID = 2, rec.StoryID
	msg, err := f.pub.message(&crashed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.js.PublishMsg(ctx, msg, jetstream.WithMsgID(MsgID(fix.ID, 2))); err != nil {
		t.Fatal(err)
	}

	res, err := f.pub.Publish(ctx, fix)
	if err != nil || res.Duplicate || res.Revision != 2 {
		t.Fatalf("retry: %+v %v, want revision 2 published", res, err)
	}
	if res, err := f.pub.Publish(ctx, fix); err != nil || !res.Duplicate || res.Revision != 2 {
		t.Fatalf("another retry: %+v %v, want a duplicate of revision 2", res, err)
	}
	if n := f.streamMsgs(t); n != 2 {
		t.Errorf("stream holds %d messages, want 2 (revision 2 once)", n)
	}
}

// Two replicas, each with its own connection to one server, revise one
// article at once: both revisions go out, numbered 2 and 3 in stream
// order, none twice; a third input repeating either is a duplicate.
func TestRevisionRaceOnTwoReplicas(t *testing.T) {
	srv, top := brokertest.StartAt(t, t.TempDir(), "127.0.0.1:0")
	var pubs [2]*fixture
	for i := range pubs {
		b, err := broker.Start(t.Context(), broker.Options{URL: srv.ClientURL, Name: fmt.Sprintf("replica-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		pubs[i] = fixtureOn(t, b, top, 0)
	}
	ctx := t.Context()
	if _, _, err := pubs[0].pub.Ingest(ctx, jsonInput(t, map[string]string{"url": revURL, "title": "T", "text": revBody1})); err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		titles := [2]string{fmt.Sprintf("A%d", round), fmt.Sprintf("B%d", round)}
		var wg sync.WaitGroup
		results := make([]Result, 2)
		errs := make([]error, 2)
		for i := range pubs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i], errs[i] = pubs[i].pub.Ingest(ctx, jsonInput(t, map[string]string{"url": revURL, "title": titles[i], "text": revBody1}))
			}()
		}
		wg.Wait()
		for i := range errs {
			if errs[i] != nil || results[i].Duplicate {
				t.Fatalf("round %d replica %d: %+v %v", round, i, results[i], errs[i])
			}
		}
		got := []int{results[0].Revision, results[1].Revision}
		want := 2 + 2*round
		if min(got[0], got[1]) != want || max(got[0], got[1]) != want+1 {
			t.Fatalf("round %d: revisions %v, want %d and %d", round, got, want, want+1)
		}
	}
	msgs := streamArticles(t, pubs[0].js, top.ArticleStream)
	if len(msgs) != 11 {
		t.Fatalf("stream holds %d messages, want 11", len(msgs))
	}
	for i, m := range msgs {
		if m.article.RevisionOf() != i+1 {
			t.Errorf("message %d carries revision %d: revisions out of stream order", i+1, m.article.RevisionOf())
		}
	}
	last := msgs[len(msgs)-1].article.Title
	if _, res, err := pubs[1].pub.Ingest(ctx, jsonInput(t, map[string]string{"url": revURL, "title": last, "text": revBody1})); err != nil || !res.Duplicate || res.Revision != 11 {
		t.Errorf("the newest revision again: %+v %v, want a duplicate of revision 11", res, err)
	}
}

type streamArticle struct {
	hdr     nats.Header
	article article.Article
}

// streamArticles reads every message of the stream, in order.
func streamArticles(t *testing.T, js jetstream.JetStream, stream string) []streamArticle {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	n := brokertest.StreamMsgs(t, js, stream)
	var out []streamArticle
	for seq := uint64(1); seq <= n; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		var a article.Article
		if err := json.Unmarshal(m.Data, &a); err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		out = append(out, streamArticle{m.Header, a})
	}
	return out
}

// A retraction is the article's next revision, a tombstone with the
// reason and no text; the article is published no more.
func TestRetract(t *testing.T) {
	f := newFixture(t, 0)
	ctx := t.Context()
	in := map[string]string{"url": revURL, "title": "Le pont fermé", "text": revBody1, "language": "fr", "source": "Exemple"}
	a, _, err := f.pub.Ingest(ctx, jsonInput(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pub.Retract(ctx, a.ID, "  "); !errors.Is(err, ErrNoReason) {
		t.Errorf("retraction without a reason: %v, want ErrNoReason", err)
	}
	if _, err := f.pub.Retract(ctx, strings.Repeat("0", 32), "wrong"); !errors.Is(err, ErrUnknownArticle) {
		t.Errorf("retraction of an unknown id: %v, want ErrUnknownArticle", err)
	}
	res, err := f.pub.Retract(ctx, a.ID, "Legal\n takedown")
	if err != nil || res.Revision != 2 || res.Duplicate {
		t.Fatalf("retract: %+v %v, want revision 2", res, err)
	}
	if again, err := f.pub.Retract(ctx, a.ID, "again"); err != nil || !again.Duplicate || again.Revision != 2 {
		t.Errorf("retract again: %+v %v, want the same tombstone", again, err)
	}
	in["text"] = revBody2
	if _, _, err := f.pub.Ingest(ctx, jsonInput(t, in)); !errors.Is(err, ErrRetracted) || !strings.Contains(err.Error(), "Legal takedown") {
		t.Errorf("a correction of a retracted article: %v, want ErrRetracted with the reason", err)
	}

	msgs := streamArticles(t, f.js, f.top.ArticleStream)
	if len(msgs) != 2 {
		t.Fatalf("stream holds %d messages, want the article and its tombstone", len(msgs))
	}
	tomb := msgs[1]
	for k, v := range map[string]string{"Nats-Msg-Id": a.ID + "-2", "ce-type": EventTypeRetracted, "ce-subject": a.ID} {
		if got := tomb.hdr.Get(k); got != v {
			t.Errorf("tombstone header %s = %q, want %q", k, got, v)
		}
	}
	if tomb.article.Retracted.IsZero() || tomb.article.RetractionReason != "Legal takedown" || len(tomb.article.Body) != 0 ||
		tomb.article.Title != "" || tomb.article.Language != "fr" || tomb.article.StoryID != a.ID {
		t.Errorf("tombstone %+v", tomb.article)
	}
	if msgs[0].hdr.Get("Nats-Msg-Id") == "" || tomb.hdr.Get("Nats-Msg-Id") == msgs[0].hdr.Get("Nats-Msg-Id") {
		t.Error("tombstone and article share a message id")
	}
	if got, want := f.pub.top.ArticleSubject("fr", "exemple"), streamSubject(t, f, 2); got != want {
		t.Errorf("tombstone on %s, want the article's subject %s", want, got)
	}
}

func streamSubject(t *testing.T, f *fixture, seq uint64) string {
	t.Helper()
	s, err := f.js.Stream(t.Context(), f.top.ArticleStream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(t.Context(), seq)
	if err != nil {
		t.Fatal(err)
	}
	return m.Subject
}
