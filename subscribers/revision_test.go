package subscribers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/subscribers"
)

// A correction keeps its own webhook-id and type through its attempts, its
// dead letter, a dead-letter replay and a range replay; the dead letter
// names the article by its id.
func TestRevisionWebhookIDSurvivesDeadLetterAndReplay(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	rc := newReceiver(t, "", failFirst(2, http.StatusInternalServerError)) // both attempts fail
	m := e.start(o, rc.endpoint("hook"))

	a := article.Article{Schema: article.SchemaVersion, ID: formatID(42), Title: "Corrigé", Body: []string{"Texte."},
		Published: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Ingested: time.Now().UTC(), Language: "fr", Source: "x",
		Revision: 2, Updated: time.Now().UTC()}
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(e.top.ArticleSubject("fr", "x"))
	msg.Data = raw
	msg.Header.Set("ce-subject", a.ID)
	msgID := a.ID + "-2"
	if _, err := e.js.PublishMsg(context.Background(), msg, jetstream.WithMsgID(msgID)); err != nil {
		t.Fatal(err)
	}
	want := "msg_" + msgID
	check := func(what string, h hit) {
		t.Helper()
		var ev struct{ Type string }
		if h.id != want || json.Unmarshal(h.body, &ev) != nil || ev.Type != subscribers.EventArticleUpdated {
			t.Errorf("%s: webhook-id %s, type %q; want %s, %s", what, h.id, ev.Type, want, subscribers.EventArticleUpdated)
		}
	}
	check("attempt 1", rc.next(t))
	check("attempt 2", rc.next(t))

	dlMsg := e.deadLetter("hook")
	dl := deadLetterBody(t, dlMsg)
	if dl.ArticleID != a.ID || dl.WebhookID != want {
		t.Errorf("dead letter names article %s, webhook-id %s; want %s, %s", dl.ArticleID, dl.WebhookID, a.ID, want)
	}
	meta, err := dlMsg.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.ReplayDeadLetter(context.Background(), meta.Sequence.Stream); err != nil {
		t.Fatal(err)
	}
	check("dead-letter replay", rc.next(t))
	if n, err := m.ReplayRange(context.Background(), "hook", time.Now().Add(-time.Minute), time.Now()); err != nil || n != 1 {
		t.Fatalf("ReplayRange = %d, %v", n, err)
	}
	check("range replay", rc.next(t))
}
