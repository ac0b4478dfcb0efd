package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/admin"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/feeds"
	"github.com/crier/crier/normalize"
	"github.com/crier/crier/publisher"
	"github.com/crier/crier/subscribers"
)

// The articles commands against a real publisher and feeds index: list,
// show, retract, and the errors a user meets.
func TestArticlesCommands(t *testing.T) {
	b, top := brokertest.Start(t)
	ctx := t.Context()
	pub, err := publisher.New(ctx, b.JS, normalize.New(normalize.Options{}), publisher.Options{Topology: top})
	if err != nil {
		t.Fatal(err)
	}
	m, err := subscribers.New(b.JS, subscribers.Options{Topology: top, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	idx := feeds.New(feeds.Options{BaseURL: "http://crier.test"})
	feedsCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- idx.Run(feedsCtx, b.JS, top.ArticleStream) }()
	t.Cleanup(func() { stop(); <-done })
	srv := httptest.NewServer(admin.Handler(m, admin.Options{Token: adminToken, Retractor: pub, Index: idx}))
	t.Cleanup(srv.Close)
	e := &adminEnv{t: t, js: b.JS, top: top, environ: []string{"CRIER_HTTP_BASE_URL=" + srv.URL, "CRIER_HTTP_ADMIN_TOKEN=" + adminToken}}

	a, _, err := pub.Ingest(ctx, normalize.Input{Name: "api", ContentType: "application/json", ModTime: time.Now(),
		Data: []byte(`{"url":"https://example.org/x","title":"Un titre","text":"Le conseil a voté le budget lundi soir.","language":"fr"}`)})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := idx.WaitFor(wctx, a.ID); err != nil {
		t.Fatal(err)
	}

	if out, _ := e.crier(exitOK, "articles", "list"); !strings.Contains(out, a.ID) || !strings.Contains(out, "Un titre") {
		t.Errorf("list:\n%s", out)
	}
	if out, _ := e.crier(exitOK, "articles", "show", a.ID); !strings.Contains(out, "published") || !strings.Contains(out, "revision:   1") {
		t.Errorf("show:\n%s", out)
	}
	if _, errOut := e.crier(exitUsage, "articles", "retract", a.ID); !strings.Contains(errOut, "--reason is required") {
		t.Errorf("retract without a reason: %s", errOut)
	}
	if _, errOut := e.crier(exitFailed, "articles", "retract", strings.Repeat("0", 32), "--reason", "x"); !strings.Contains(errOut, "no such article") || !strings.Contains(errOut, "404") {
		t.Errorf("retract of an unknown id: %s", errOut)
	}
	out, _ := e.crier(exitOK, "articles", "retract", a.ID, "--reason", "Court order")
	if !strings.Contains(out, "retracted") || !strings.Contains(out, "Court order") {
		t.Errorf("retract:\n%s", out)
	}
	if out, _ := e.crier(exitOK, "articles", "show", a.ID, "--json"); !strings.Contains(out, `"status":"retracted"`) {
		t.Errorf("show after the retraction: %s", out)
	}
	if out, _ := e.crier(exitOK, "articles", "list"); strings.Contains(out, a.ID) {
		t.Errorf("list still shows the retracted article:\n%s", out)
	}
	resp := httptest.NewRecorder()
	idx.Handler().ServeHTTP(resp, httptest.NewRequest(http.MethodGet, "/articles/"+a.ID+".json", nil))
	if resp.Code != http.StatusGone {
		t.Errorf("article JSON after the retraction: %d, want 410", resp.Code)
	}
}
