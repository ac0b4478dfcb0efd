package subscribers_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/subscribers"
)

// waitFor bounds every wait on an event; tests never sleep.
const waitFor = 15 * time.Second

// testSecret is a fixed 32-byte key.
var testSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

// env is one test's NATS server and topology.
type env struct {
	t   *testing.T
	js  jetstream.JetStream
	top broker.Topology
	seq atomic.Int64
}

func newEnv(t *testing.T) *env {
	t.Helper()
	b, top := brokertest.Start(t)
	return &env{t: t, js: b.JS, top: top}
}

// options returns fast test options that open loopback to the guard.
func (e *env) options() subscribers.Options {
	return subscribers.Options{
		Topology:      e.top,
		Timeout:       5 * time.Second,
		RetrySchedule: []time.Duration{50 * time.Millisecond},
		// Tests of the schedule; the floor and the breaker have their own.
		SlowRetryFloor:   time.Millisecond,
		BreakerThreshold: 1000,
		Concurrency:      1,
		AllowNetworks:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		UserAgent:        "crier-test",
		Logger:           slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// start runs a manager until the test ends.
func (e *env) start(o subscribers.Options, eps ...subscribers.Endpoint) *subscribers.Manager {
	e.t.Helper()
	m, err := subscribers.New(e.js, o, eps)
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	if err := m.Start(context.Background()); err != nil {
		e.t.Fatalf("Start: %v", err)
	}
	e.t.Cleanup(m.Stop)
	return m
}

// published is an article as it went on the stream.
type published struct {
	id  string
	raw []byte
	seq uint64
}

func (e *env) publish(lang, source string) published {
	e.t.Helper()
	return e.publishWith(lang, source, nil)
}

// publishWith publishes an article that edit may change first.
func (e *env) publishWith(lang, source string, edit func(*article.Article)) published {
	e.t.Helper()
	n := e.seq.Add(1)
	a := article.Article{
		Schema:    article.SchemaVersion,
		ID:        formatID(n),
		Title:     fmt.Sprintf("Article %d", n),
		Body:      []string{"Première phrase.", "Second paragraph."},
		BodyHTML:  "<p>Première phrase.</p><p>Second paragraph.</p>",
		Published: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Ingested:  time.Now().UTC(),
		Source:    source,
		Language:  lang,
	}
	if edit != nil {
		edit(&a)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	ack, err := e.js.Publish(context.Background(), e.top.ArticleSubject(lang, source), raw, jetstream.WithMsgID(a.ID))
	if err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return published{id: a.ID, raw: raw, seq: ack.Sequence}
}

// deadLetterBody decodes a dead letter.
func deadLetterBody(t *testing.T, msg jetstream.Msg) subscribers.DeadLetter {
	t.Helper()
	var dl subscribers.DeadLetter
	if err := json.Unmarshal(msg.Data(), &dl); err != nil {
		t.Fatalf("dead letter body: %v", err)
	}
	return dl
}

// deadLetter waits for the next dead letter of an endpoint.
func (e *env) deadLetter(name string) jetstream.Msg {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.js.OrderedConsumer(ctx, e.top.DeadLetterStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{e.top.DeadLetterSubject(name)},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	msg, err := c.Next(jetstream.FetchMaxWait(waitFor))
	if err != nil {
		e.t.Fatalf("no dead letter for %s: %v", name, err)
	}
	return msg
}

// hit is one request a receiver got, already verified.
type hit struct {
	n      int // 1-based request number at this receiver
	at     time.Time
	id     string
	header http.Header
	body   []byte
}

// receiver is an httptest server that verifies every request with the
// Standard Webhooks library and reports it on hits.
type receiver struct {
	// skipVerify turns the receiver's own signature check off, for tests
	// that check signatures themselves.
	skipVerify bool
	srv        *httptest.Server
	hits       chan hit
	count      atomic.Int64
	conns      atomic.Int64
}

// newReceiver listens on addr ("" for 127.0.0.1) and answers with respond.
func newReceiver(t *testing.T, addr string, respond func(w http.ResponseWriter, r *http.Request, h hit)) *receiver {
	t.Helper()
	return newReceiverWith(t, testSecret, addr, respond)
}

// newReceiverWith is newReceiver verifying with secret.
func newReceiverWith(t *testing.T, secret, addr string, respond func(w http.ResponseWriter, r *http.Request, h hit)) *receiver {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{hits: make(chan hit, 1000)}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: read body: %v", err)
		}
		if err := wh.Verify(body, r.Header); err != nil && !rc.skipVerify {
			t.Errorf("receiver: signature does not verify: %v", err)
		}
		h := hit{n: int(rc.count.Add(1)), at: time.Now(), id: r.Header.Get("webhook-id"), header: r.Header.Clone(), body: body}
		rc.hits <- h // on arrival, so tests can see requests still in flight
		if respond != nil {
			respond(w, r, h)
		}
	}))
	rc.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rc.conns.Add(1)
		}
	}
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("listen %s: %v", addr, err)
		}
		rc.srv.Listener.Close()
		rc.srv.Listener = l
	}
	rc.srv.Start()
	t.Cleanup(rc.srv.Close)
	return rc
}

// failFirst answers code to the first n requests, then 200.
func failFirst(n int64, code int) func(http.ResponseWriter, *http.Request, hit) {
	var left atomic.Int64
	left.Store(n)
	return func(w http.ResponseWriter, _ *http.Request, _ hit) {
		if left.Add(-1) >= 0 {
			w.WriteHeader(code)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func status(code int) func(http.ResponseWriter, *http.Request, hit) {
	return func(w http.ResponseWriter, _ *http.Request, _ hit) { w.WriteHeader(code) }
}

func (rc *receiver) endpoint(name string) subscribers.Endpoint {
	return subscribers.Endpoint{Name: name, URL: rc.srv.URL + "/hook", Secret: testSecret}
}

// next waits for the receiver's next request.
func (rc *receiver) next(t *testing.T) hit {
	t.Helper()
	select {
	case h := <-rc.hits:
		return h
	case <-time.After(waitFor):
		t.Fatalf("receiver %s: no request within %s", rc.srv.URL, waitFor)
		return hit{}
	}
}

// until collects requests up to and including the first for article id.
func (rc *receiver) until(t *testing.T, id string) []string {
	t.Helper()
	var ids []string
	for {
		h := rc.next(t)
		ids = append(ids, strings.TrimPrefix(h.id, "msg_"))
		if h.id == "msg_"+id {
			return ids
		}
	}
}

// checkBody asserts the webhook body wraps the article bytes exactly.
func checkBody(t *testing.T, h hit, p published) {
	t.Helper()
	var env struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(h.body, &env); err != nil {
		t.Fatalf("body %s: %v", h.body, err)
	}
	if env.Type != "article.published" {
		t.Errorf("type %q", env.Type)
	}
	if env.Timestamp.IsZero() || time.Since(env.Timestamp) > time.Minute {
		t.Errorf("timestamp %v is not the recent stream time", env.Timestamp)
	}
	if string(env.Data) != string(p.raw) {
		t.Errorf("data differs from the published article:\n got %s\nwant %s", env.Data, p.raw)
	}
	if h.id != "msg_"+p.id {
		t.Errorf("webhook-id %q, want msg_%s", h.id, p.id)
	}
	if ct := h.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if ua := h.header.Get("User-Agent"); ua != "crier-test" {
		t.Errorf("User-Agent %q", ua)
	}
}

// gate is a channel closed once, at the latest when the test ends.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate(t *testing.T) *gate {
	g := &gate{ch: make(chan struct{})}
	t.Cleanup(g.open)
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

func formatID(n int64) string { return fmt.Sprintf("%032x", n) }
