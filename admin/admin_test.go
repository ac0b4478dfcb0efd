package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/crier/crier/admin"
	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/subscribers"
)

const (
	token = "admin-test-token"
	// waitFor bounds every wait on an event; tests never sleep.
	waitFor = 15 * time.Second
	// declaredSecret signs the endpoint the configuration declares.
	declaredSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

// env is one test's NATS server, manager and admin API.
type env struct {
	t   *testing.T
	js  jetstream.JetStream
	top broker.Topology
	srv *httptest.Server
	seq atomic.Int64
}

// newEnv starts a manager that may reach 127.0.0.1 only, with one
// attempt per message and one endpoint declared in the "file" (for
// German articles: the tests publish French ones).
func newEnv(t *testing.T) *env {
	t.Helper()
	b, top := brokertest.Start(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	m, err := subscribers.New(b.JS, subscribers.Options{
		Topology:      top,
		Timeout:       5 * time.Second,
		RetrySchedule: []time.Duration{},
		Concurrency:   1,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		UserAgent:     "crier-test",
		Logger:        log,
	}, []subscribers.Endpoint{{Name: "declared", URL: "http://127.0.0.1:9/hook", Secret: declaredSecret, Languages: []string{"de"}}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(m.Stop)
	srv := httptest.NewServer(admin.Handler(m, admin.Options{Token: token, Logger: log}))
	t.Cleanup(srv.Close)
	return &env{t: t, js: b.JS, top: top, srv: srv}
}

// response is one answer of the admin API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v, failing the test if it cannot.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d, body %s: %v", r.status, r.body, err)
	}
}

// errorText is the "error" field of an error answer.
func (r response) errorText(t *testing.T) string {
	t.Helper()
	var e admin.Error
	r.decode(t, &e)
	return e.Error
}

// call sends a request with the admin token; body is JSON-encoded unless
// it is a string, sent as is.
func (e *env) call(method, path string, body any) response {
	e.t.Helper()
	return e.callAs("Bearer "+token, method, path, body)
}

func (e *env) callAs(auth, method, path string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusNoContent && ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// must fails the test unless the answer has the status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// create makes an endpoint through the API and returns it with its secret.
func (e *env) create(name, url string) subscribers.Endpoint {
	e.t.Helper()
	var ep subscribers.Endpoint
	e.call("POST", "/admin/endpoints", map[string]any{"name": name, "url": url}).must(e.t, http.StatusCreated).decode(e.t, &ep)
	return ep
}

// published is an article as it went on the stream.
type published struct {
	id  string
	raw []byte
}

func (e *env) publish() published {
	e.t.Helper()
	n := e.seq.Add(1)
	a := article.Article{
		Schema:    article.SchemaVersion,
		ID:        fmt.Sprintf("%032x", n),
		Title:     fmt.Sprintf("Article %d", n),
		Body:      []string{"Première phrase."},
		Published: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Ingested:  time.Now().UTC(),
		Source:    "x",
		Language:  "fr",
	}
	raw, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.js.Publish(context.Background(), e.top.ArticleSubject("fr", "x"), raw, jetstream.WithMsgID(a.ID)); err != nil {
		e.t.Fatalf("publish: %v", err)
	}
	return published{id: a.ID, raw: raw}
}

// hit is one request a receiver got.
type hit struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server on 127.0.0.1 that reports each request
// and answers with the status held in code (default 204).
type receiver struct {
	srv  *httptest.Server
	hits chan hit
	code atomic.Int64
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{hits: make(chan hit, 100)}
	rc.code.Store(http.StatusNoContent)
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.hits <- hit{header: r.Header.Clone(), body: body}
		w.WriteHeader(int(rc.code.Load()))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) url() string { return rc.srv.URL + "/hook" }

// next waits for the receiver's next request.
func (rc *receiver) next(t *testing.T) hit {
	t.Helper()
	select {
	case h := <-rc.hits:
		return h
	case <-time.After(waitFor):
		t.Fatalf("receiver: no request within %s", waitFor)
		return hit{}
	}
}

// verify checks a request's signature with the Standard Webhooks library.
func verify(secret string, h hit) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	return wh.Verify(h.body, h.header)
}

// deadLetter waits for the next dead letter of an endpoint on the stream.
func (e *env) deadLetter(name string) {
	e.t.Helper()
	c, err := e.js.OrderedConsumer(context.Background(), e.top.DeadLetterStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{e.top.DeadLetterSubject(name)},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.Next(jetstream.FetchMaxWait(waitFor)); err != nil {
		e.t.Fatalf("no dead letter for %s: %v", name, err)
	}
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, auth, method, path string }{
		{"no header", "", "GET", "/admin/endpoints"},
		{"wrong token", "Bearer nope", "GET", "/admin/endpoints"},
		{"token as prefix", "Bearer " + token + "x", "GET", "/admin/endpoints"},
		{"basic scheme", "Basic " + token, "GET", "/admin/endpoints"},
		{"no header, mutation", "", "DELETE", "/admin/endpoints/declared"},
		{"no header, unknown route", "", "GET", "/admin/nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.callAs(tc.auth, tc.method, tc.path, nil).must(t, http.StatusUnauthorized)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
			if r.errorText(t) == "" {
				t.Error("no error message")
			}
		})
	}
	// The declared endpoint survived the unauthorized DELETE.
	e.call("GET", "/admin/endpoints/declared", nil).must(t, http.StatusOK)
}

func TestEmptyTokenRefusesEverything(t *testing.T) {
	srv := httptest.NewServer(admin.Handler(nil, admin.Options{}))
	defer srv.Close()
	for _, auth := range []string{"", "Bearer ", "Bearer"} {
		req, _ := http.NewRequest("GET", srv.URL+"/admin/endpoints", nil)
		req.Header.Set("Authorization", auth)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d", auth, resp.StatusCode)
		}
	}
}

func TestRoutesAnswerJSONErrors(t *testing.T) {
	e := newEnv(t)
	if r := e.call("GET", "/admin/nothing", nil).must(t, http.StatusNotFound); r.errorText(t) == "" {
		t.Error("no error message")
	}
	r := e.call("PUT", "/admin/endpoints/declared", nil).must(t, http.StatusMethodNotAllowed)
	if allow := r.header.Get("Allow"); allow != "GET, PATCH, DELETE" {
		t.Errorf("Allow %q", allow)
	}
}

func TestCreateShowsTheSecretOnce(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	r := e.call("POST", "/admin/endpoints", map[string]any{
		"name": "news", "url": rc.url(), "description": "the newsroom",
		"languages": []string{"fr"}, "payload": "thin", "concurrency": 2, "rate_limit": 5.5, "strict_order": true,
	}).must(t, http.StatusCreated)
	if loc := r.header.Get("Location"); loc != "/admin/endpoints/news" {
		t.Errorf("Location %q", loc)
	}
	var ep subscribers.Endpoint
	r.decode(t, &ep)
	if len(ep.Secrets) != 1 || !strings.HasPrefix(ep.Secrets[0].Value, "whsec_") {
		t.Fatalf("secrets %+v, want one whsec_", ep.Secrets)
	}
	if _, err := subscribers.ParseSecret(ep.Secrets[0].Value); err != nil {
		t.Errorf("generated secret: %v", err)
	}
	if ep.Origin != subscribers.OriginAPI || ep.Payload != "thin" || ep.Concurrency != 2 || ep.RateLimit != 5.5 || !ep.StrictOrder {
		t.Errorf("created %+v", ep)
	}
	secret := ep.Secrets[0].Value
	key := strings.TrimPrefix(secret, "whsec_")

	for _, path := range []string{"/admin/endpoints", "/admin/endpoints/news"} {
		r := e.call("GET", path, nil).must(t, http.StatusOK)
		if bytes.Contains(r.body, []byte(key)) {
			t.Errorf("GET %s shows the secret: %s", path, r.body)
		}
	}
	var list admin.EndpointList
	e.call("GET", "/admin/endpoints", nil).decode(t, &list)
	var names []string
	for _, info := range list.Endpoints {
		names = append(names, info.Name+":"+info.Origin)
	}
	if strings.Join(names, " ") != "declared:config news:api" {
		t.Errorf("listed %v", names)
	}
	var info subscribers.EndpointInfo
	e.call("GET", "/admin/endpoints/news", nil).decode(t, &info)
	if len(info.Secrets) != 1 || !strings.Contains(info.Secrets[0].Value, "sha256:") || info.Description != "the newsroom" || info.Status.Disabled {
		t.Errorf("shown %+v", info)
	}
}

func TestCreateRefusals(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.create("taken", rc.url())
	for _, tc := range []struct {
		name   string
		body   any
		status int
		want   string // in the error message
	}{
		{"duplicate name", map[string]any{"name": "taken", "url": rc.url()}, http.StatusConflict, "already exists"},
		{"declared name", map[string]any{"name": "declared", "url": rc.url()}, http.StatusConflict, "already exists"},
		{"bad name", map[string]any{"name": "Bad.Name", "url": rc.url()}, http.StatusBadRequest, "endpoint name"},
		{"bad url", map[string]any{"name": "a", "url": "ftp://127.0.0.1/x"}, http.StatusBadRequest, "URL must be"},
		{"relative url", map[string]any{"name": "a", "url": "/hook"}, http.StatusBadRequest, "URL must be"},
		{"refused address", map[string]any{"name": "a", "url": "http://127.0.0.2:9/hook"}, http.StatusBadRequest, "127.0.0.2, which is loopback"},
		{"bad secret", map[string]any{"name": "a", "url": rc.url(), "secrets": []map[string]string{{"value": "hunter2"}}}, http.StatusBadRequest, "whsec_"},
		{"bad payload", map[string]any{"name": "a", "url": rc.url(), "payload": "medium"}, http.StatusBadRequest, "payload"},
		{"server-owned field", map[string]any{"name": "a", "url": rc.url(), "origin": "config"}, http.StatusBadRequest, `unknown field "origin"`},
		{"unknown field", map[string]any{"name": "a", "url": rc.url(), "secret": "x"}, http.StatusBadRequest, `unknown field "secret"`},
		{"not JSON", "{", http.StatusBadRequest, "bad JSON"},
		{"empty body", "", http.StatusBadRequest, "empty body"},
		{"two values", `{"name":"a","url":"http://127.0.0.1:9/"} {}`, http.StatusBadRequest, "trailing data"},
		{"too large", `{"description":"` + strings.Repeat("x", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, "bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call("POST", "/admin/endpoints", tc.body).must(t, tc.status)
			if msg := r.errorText(t); !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to mention %q", msg, tc.want)
			}
			if bytes.Contains(r.body, []byte("hunter2")) {
				t.Error("the secret was echoed")
			}
		})
	}
	var list admin.EndpointList
	e.call("GET", "/admin/endpoints", nil).must(t, http.StatusOK).decode(t, &list)
	if len(list.Endpoints) != 2 {
		t.Errorf("%d endpoints after the refusals, want 2", len(list.Endpoints))
	}
}

func TestUpdate(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.create("news", rc.url())
	var info subscribers.EndpointInfo
	e.call("PATCH", "/admin/endpoints/news", map[string]any{"description": "changed", "languages": []string{"fr", "en"}, "tags": []string{"Politics"}}).
		must(t, http.StatusOK).decode(t, &info)
	if info.Description != "changed" || strings.Join(info.Languages, ",") != "fr,en" || strings.Join(info.Tags, ",") != "Politics" || info.URL != rc.url() {
		t.Errorf("updated %+v", info)
	}
	e.call("GET", "/admin/endpoints/news", nil).decode(t, &info)
	if info.Description != "changed" {
		t.Errorf("description %q after a GET", info.Description)
	}
	for _, tc := range []struct {
		name, path string
		body       any
		status     int
	}{
		{"unknown endpoint", "/admin/endpoints/nope", map[string]any{"description": "x"}, http.StatusNotFound},
		{"declared endpoint", "/admin/endpoints/declared", map[string]any{"description": "x"}, http.StatusConflict},
		{"secrets are rotated, not set", "/admin/endpoints/news", map[string]any{"secrets": []any{}}, http.StatusBadRequest},
		{"bad language", "/admin/endpoints/news", map[string]any{"languages": []string{"f r"}}, http.StatusBadRequest},
		{"refused address", "/admin/endpoints/news", map[string]any{"url": "http://127.0.0.2:9/"}, http.StatusBadRequest},
		{"empty body", "/admin/endpoints/news", "", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.call("PATCH", tc.path, tc.body).must(t, tc.status)
		})
	}
}

// TestRotateSignsWithBothSecrets: after a rotation, deliveries carry
// signatures that verify with the old secret and with the new one.
func TestRotateSignsWithBothSecrets(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	old := e.create("news", rc.url()).Secrets[0].Value
	var rot admin.RotateResponse
	e.call("POST", "/admin/endpoints/news/rotate", nil).must(t, http.StatusOK).decode(t, &rot)
	if !strings.HasPrefix(rot.Secret, "whsec_") || rot.Secret == old {
		t.Fatalf("rotated to %q", rot.Secret)
	}
	var info subscribers.EndpointInfo
	e.call("GET", "/admin/endpoints/news", nil).decode(t, &info)
	if len(info.Secrets) != 2 || info.Secrets[0].Expires.IsZero() || !info.Secrets[1].Expires.IsZero() {
		t.Errorf("secrets after a rotation %+v: want the old one expiring and the new one", info.Secrets)
	}
	// Every replica's runner picks the new secret up from the KV watch, a
	// moment after the answer: an article may still go out with the old
	// secret alone. Publish until one carries both; each wait is on a
	// delivery, bounded by the count.
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("no delivery signed with the new secret after 20 articles")
		}
		e.publish()
		h := rc.next(t)
		if err := verify(old, h); err != nil {
			t.Fatalf("delivery does not verify with the old secret: %v", err)
		}
		if verify(rot.Secret, h) == nil {
			break
		}
	}
	e.call("POST", "/admin/endpoints/declared/rotate", nil).must(t, http.StatusConflict)
	e.call("POST", "/admin/endpoints/nope/rotate", nil).must(t, http.StatusNotFound)
}

func TestDisableEnable(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	ep := e.create("news", rc.url())
	var info subscribers.EndpointInfo
	e.call("POST", "/admin/endpoints/news/disable", admin.DisableRequest{Reason: "maintenance"}).must(t, http.StatusOK).decode(t, &info)
	if !info.Status.Disabled || info.Status.DisabledReason != "maintenance" || info.Status.DisabledAt.IsZero() {
		t.Errorf("status after disable %+v", info.Status)
	}
	e.call("GET", "/admin/endpoints/news", nil).decode(t, &info)
	if !info.Status.Disabled {
		t.Error("GET shows the endpoint enabled")
	}
	// While disabled, an article waits in the endpoint's consumer.
	p := e.publish()
	info = subscribers.EndpointInfo{} // decoding keeps fields the answer omits
	e.call("POST", "/admin/endpoints/news/enable", nil).must(t, http.StatusOK).decode(t, &info)
	if info.Status.Disabled || info.Status.DisabledReason != "" {
		t.Errorf("status after enable %+v", info.Status)
	}
	h := rc.next(t)
	if id := h.header.Get("webhook-id"); id != "msg_"+p.id {
		t.Errorf("webhook-id %q, want msg_%s", id, p.id)
	}
	if err := verify(ep.Secrets[0].Value, h); err != nil {
		t.Error(err)
	}
	// Without a body, the reason is the default one.
	e.call("POST", "/admin/endpoints/declared/disable", nil).must(t, http.StatusOK).decode(t, &info)
	if !info.Status.Disabled || info.Status.DisabledReason == "" {
		t.Errorf("declared endpoint after disable %+v", info.Status)
	}
	e.call("POST", "/admin/endpoints/nope/disable", nil).must(t, http.StatusNotFound)
	e.call("POST", "/admin/endpoints/nope/enable", nil).must(t, http.StatusNotFound)
	e.call("POST", "/admin/endpoints/news/disable", map[string]any{"why": "x"}).must(t, http.StatusBadRequest)
}

// attempts polls the attempts of an endpoint until there are n: the log
// is written in batches every 250 ms and the API has no event to await.
func (e *env) attempts(name string, n int) []subscribers.Attempt {
	e.t.Helper()
	deadline := time.Now().Add(waitFor)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var list admin.AttemptList
		e.call("GET", "/admin/endpoints/"+name+"/attempts", nil).must(e.t, http.StatusOK).decode(e.t, &list)
		if len(list.Attempts) >= n || time.Now().After(deadline) {
			if len(list.Attempts) < n {
				e.t.Fatalf("%d attempts logged within %s, want %d", len(list.Attempts), waitFor, n)
			}
			return list.Attempts
		}
		<-tick.C
	}
}

func TestAttempts(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.create("news", rc.url())
	p1 := e.publish()
	rc.next(t)
	p2 := e.publish()
	rc.next(t)
	as := e.attempts("news", 2)
	if len(as) != 2 || as[0].WebhookID != "msg_"+p2.id || as[1].WebhookID != "msg_"+p1.id {
		t.Fatalf("attempts %+v, want p2 then p1", as)
	}
	if a := as[0]; a.Endpoint != "news" || a.N != 1 || a.Status != http.StatusNoContent || a.At.IsZero() {
		t.Errorf("attempt %+v", a)
	}
	var list admin.AttemptList
	e.call("GET", "/admin/endpoints/news/attempts?limit=1", nil).must(t, http.StatusOK).decode(t, &list)
	if len(list.Attempts) != 1 || list.Attempts[0].WebhookID != "msg_"+p2.id {
		t.Errorf("limit=1: %+v", list.Attempts)
	}
	r := e.call("GET", "/admin/endpoints/declared/attempts", nil).must(t, http.StatusOK)
	if !bytes.Contains(r.body, []byte(`"attempts":[]`)) {
		t.Errorf("no attempts: %s, want an empty list", r.body)
	}
	for _, q := range []string{"0", "1001", "x", "-1"} {
		e.call("GET", "/admin/endpoints/news/attempts?limit="+q, nil).must(t, http.StatusBadRequest)
	}
	e.call("GET", "/admin/endpoints/nope/attempts", nil).must(t, http.StatusNotFound)
}

// TestDeadLettersReplay: a message the receiver refused is dead-lettered
// after its single attempt; once the receiver is fixed, replaying it (by
// sequence, then every failure since a time) redelivers the same webhook.
func TestDeadLettersReplay(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.code.Store(http.StatusInternalServerError)
	since := time.Now().Add(-time.Second)
	ep := e.create("news", rc.url())
	p := e.publish()
	first := rc.next(t)
	e.deadLetter("news")

	var dls admin.DeadLetterList
	e.call("GET", "/admin/dead-letters?endpoint=news", nil).must(t, http.StatusOK).decode(t, &dls)
	if len(dls.DeadLetters) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dls.DeadLetters))
	}
	dl := dls.DeadLetters[0]
	if dl.Seq == 0 || dl.Endpoint != "news" || dl.ArticleID != p.id || len(dl.Attempts) != 1 || dl.Attempts[0].Status != 500 || string(dl.Message) != string(p.raw) {
		t.Errorf("dead letter %+v", dl)
	}
	e.call("GET", "/admin/dead-letters", nil).must(t, http.StatusOK).decode(t, &dls)
	if len(dls.DeadLetters) != 1 {
		t.Errorf("all endpoints: %d dead letters, want 1", len(dls.DeadLetters))
	}
	e.call("GET", "/admin/dead-letters?endpoint=declared&limit=5", nil).must(t, http.StatusOK).decode(t, &dls)
	if len(dls.DeadLetters) != 0 {
		t.Errorf("another endpoint: %d dead letters, want 0", len(dls.DeadLetters))
	}

	rc.code.Store(http.StatusOK)
	var q admin.Queued
	e.call("POST", fmt.Sprintf("/admin/dead-letters/%d/replay", dl.Seq), nil).must(t, http.StatusAccepted).decode(t, &q)
	if q.Queued != 1 {
		t.Errorf("queued %d", q.Queued)
	}
	sameWebhook(t, ep, first, rc.next(t))

	e.call("POST", "/admin/dead-letters/replay", admin.ReplayFailuresRequest{Since: since, Endpoint: "news"}).must(t, http.StatusAccepted).decode(t, &q)
	if q.Queued != 1 {
		t.Errorf("replay since: queued %d, want 1", q.Queued)
	}
	sameWebhook(t, ep, first, rc.next(t))
	e.call("POST", "/admin/dead-letters/replay", admin.ReplayFailuresRequest{Since: time.Now().Add(time.Hour)}).must(t, http.StatusAccepted).decode(t, &q)
	if q.Queued != 0 {
		t.Errorf("replay since the future: queued %d, want 0", q.Queued)
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"unknown sequence", "POST", "/admin/dead-letters/999/replay", nil, http.StatusNotFound},
		{"bad sequence", "POST", "/admin/dead-letters/x/replay", nil, http.StatusBadRequest},
		{"zero sequence", "POST", "/admin/dead-letters/0/replay", nil, http.StatusBadRequest},
		{"no since", "POST", "/admin/dead-letters/replay", map[string]any{"endpoint": "news"}, http.StatusBadRequest},
		{"bad since", "POST", "/admin/dead-letters/replay", map[string]any{"since": "yesterday"}, http.StatusBadRequest},
		{"unknown endpoint", "POST", "/admin/dead-letters/replay", admin.ReplayFailuresRequest{Since: since, Endpoint: "nope"}, http.StatusNotFound},
		{"wildcard endpoint", "POST", "/admin/dead-letters/replay", admin.ReplayFailuresRequest{Since: since, Endpoint: "*"}, http.StatusBadRequest},
		{"wildcard filter", "GET", "/admin/dead-letters?endpoint=%3E", nil, http.StatusBadRequest},
		{"bad limit", "GET", "/admin/dead-letters?limit=0", nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.call(tc.method, tc.path, tc.body).must(t, tc.status)
		})
	}
}

// sameWebhook checks a replay carries the first attempt's id and body,
// freshly signed.
func sameWebhook(t *testing.T, ep subscribers.Endpoint, first, replay hit) {
	t.Helper()
	if a, b := first.header.Get("webhook-id"), replay.header.Get("webhook-id"); a != b || a == "" {
		t.Errorf("replay webhook-id %q, first %q", b, a)
	}
	if !bytes.Equal(first.body, replay.body) {
		t.Errorf("replay body differs:\n got %s\nwant %s", replay.body, first.body)
	}
	if err := verify(ep.Secrets[0].Value, replay); err != nil {
		t.Errorf("replay signature: %v", err)
	}
}

// TestReplayRangeBackfills: articles published before an endpoint existed
// reach it once their range is replayed.
func TestReplayRangeBackfills(t *testing.T) {
	e := newEnv(t)
	from := time.Now().Add(-time.Second)
	p1, p2 := e.publish(), e.publish()
	rc := newReceiver(t)
	ep := e.create("late", rc.url())
	var q admin.Queued
	e.call("POST", "/admin/endpoints/late/replay", admin.ReplayRequest{From: from}).must(t, http.StatusAccepted).decode(t, &q)
	if q.Queued != 2 {
		t.Errorf("queued %d, want 2", q.Queued)
	}
	got := map[string]bool{}
	for range 2 {
		h := rc.next(t)
		got[h.header.Get("webhook-id")] = true
		if err := verify(ep.Secrets[0].Value, h); err != nil {
			t.Error(err)
		}
	}
	if !got["msg_"+p1.id] || !got["msg_"+p2.id] {
		t.Errorf("back-filled %v, want both articles", got)
	}
	e.call("POST", "/admin/endpoints/late/replay", admin.ReplayRequest{From: from, To: from.Add(-time.Hour)}).must(t, http.StatusBadRequest)
	e.call("POST", "/admin/endpoints/late/replay", map[string]any{"to": from}).must(t, http.StatusBadRequest)
	e.call("POST", "/admin/endpoints/nope/replay", admin.ReplayRequest{From: from}).must(t, http.StatusNotFound)
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	e.create("news", rc.url())
	r := e.call("DELETE", "/admin/endpoints/news", nil).must(t, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("204 with a body: %s", r.body)
	}
	e.call("GET", "/admin/endpoints/news", nil).must(t, http.StatusNotFound)
	e.call("DELETE", "/admin/endpoints/news", nil).must(t, http.StatusNotFound)
	e.call("DELETE", "/admin/endpoints/declared", nil).must(t, http.StatusConflict)
	e.call("GET", "/admin/endpoints/Not.A.Name", nil).must(t, http.StatusNotFound)
	// The name is free again.
	e.create("news", rc.url())
}
