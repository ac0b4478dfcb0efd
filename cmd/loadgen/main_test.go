package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/normalize"
	"github.com/crier/crier/publisher"
)

// loadgen against a real publisher behind the ingest API (loopback): every
// synthetic article is published (none is a duplicate of another), and
// the report has its checkpoints with memory read from /metrics.
func TestLoadgen(t *testing.T) {
	b, top := brokertest.Start(t)
	pub, err := publisher.New(context.Background(), b.JS, normalize.New(normalize.Options{MinWords: 30}), publisher.Options{Topology: top, Inbox: publisher.InboxOptions{MaxBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/articles", pub.APIHandler(publisher.APIOptions{BaseURL: "http://crier.test"}))
	mux.Handle("/metrics", promhttp.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var out bytes.Buffer
	if err := run(t.Context(), []string{"-url", srv.URL, "-n", "60", "-c", "4", "-stories", "5", "-checkpoints", "30,60"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, want := range []string{"60 articles to " + srv.URL, "published: 60", "articles/s"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if rows := regexp.MustCompile(`(?m)^\s+(30|60)\s+\d+\s`).FindAllString(report, -1); len(rows) != 2 {
		t.Errorf("report has %d checkpoint rows, want 30 and 60:\n%s", len(rows), report)
	}
	if strings.Contains(report, " - ") {
		t.Errorf("memory not read from /metrics:\n%s", report)
	}
}

// With -inbox, the articles become files in an inbox folder, and a real
// inbox pass publishes every one of them.
func TestLoadgenInbox(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-inbox", dir, "-n", "20", "-stories", "4"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "wrote 20 files") {
		t.Errorf("report: %s", out.String())
	}
	b, top := brokertest.Start(t)
	pub, err := publisher.New(context.Background(), b.JS, normalize.New(normalize.Options{MinWords: 30}),
		publisher.Options{Topology: top, Inbox: publisher.InboxOptions{Dir: dir, MaxBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := pub.RunInbox(t.Context())
	if err != nil || st.Published != 20 || st.Failed+st.Waiting+st.Duplicates != 0 {
		t.Errorf("inbox pass: %+v, %v; want 20 published", st, err)
	}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	a, b := newGenerator(7, 3), newGenerator(7, 3)
	if !bytes.Equal(a.article(5), b.article(5)) || bytes.Equal(a.article(5), a.article(6)) {
		t.Error("the same seed and index must give the same article, another index another")
	}
	if n := len(a.article(0)); n < 3000 || n > 8000 {
		t.Errorf("article of %d bytes, want about 5 KB", n)
	}
}
