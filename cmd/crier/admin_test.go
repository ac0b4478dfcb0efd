package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
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

const adminToken = "cli-test-token"

// adminEnv is a real NATS server and manager behind the admin API, and
// the environment pointing the commands at it.
type adminEnv struct {
	t       *testing.T
	js      jetstream.JetStream
	top     broker.Topology
	environ []string
	seq     atomic.Int64
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	b, top := brokertest.Start(t)
	m, err := subscribers.New(b.JS, subscribers.Options{
		Topology:      top,
		Timeout:       5 * time.Second,
		RetrySchedule: []time.Duration{},
		Concurrency:   1,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	srv := httptest.NewServer(admin.Handler(m, admin.Options{Token: adminToken}))
	t.Cleanup(srv.Close)
	return &adminEnv{t: t, js: b.JS, top: top, environ: []string{"CRIER_HTTP_BASE_URL=" + srv.URL, "CRIER_HTTP_ADMIN_TOKEN=" + adminToken}}
}

// crier runs a command and fails the test unless it exits with want.
func (e *adminEnv) crier(want int, args ...string) (stdout, stderr string) {
	e.t.Helper()
	code, out, errOut := runCrier(e.t, e.environ, "", args...)
	if code != want {
		e.t.Fatalf("crier %s: status %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out, errOut
}

// publish puts a French article on the stream and returns its id.
func (e *adminEnv) publish() string {
	e.t.Helper()
	n := e.seq.Add(1)
	a := article.Article{
		Schema: article.SchemaVersion, ID: fmt.Sprintf("%032x", n), Title: fmt.Sprintf("Article %d", n),
		Body: []string{"Une phrase."}, Published: time.Now().UTC(), Ingested: time.Now().UTC(), Source: "x", Language: "fr",
	}
	raw, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.js.Publish(context.Background(), e.top.ArticleSubject("fr", "x"), raw, jetstream.WithMsgID(a.ID)); err != nil {
		e.t.Fatal(err)
	}
	return a.ID
}

// hook is one request a test receiver got.
type hook struct {
	header http.Header
	body   []byte
}

// hookReceiver reports each request and answers with code.
type hookReceiver struct {
	url  string
	hits chan hook
	code atomic.Int64
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{hits: make(chan hook, 100)}
	rc.code.Store(http.StatusNoContent)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.hits <- hook{header: r.Header.Clone(), body: body}
		w.WriteHeader(int(rc.code.Load()))
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/hook"
	return rc
}

func (rc *hookReceiver) next(t *testing.T) hook {
	t.Helper()
	select {
	case h := <-rc.hits:
		return h
	case <-time.After(15 * time.Second):
		t.Fatal("receiver: no request within 15s")
		return hook{}
	}
}

var secretRE = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

func TestEndpointsCommands(t *testing.T) {
	e := newAdminEnv(t)
	rc := newHookReceiver(t)

	out, _ := e.crier(exitOK, "endpoints", "create", "--name", "news", "--url", rc.url, "--language", "fr", "--payload", "full", "--description", "the newsroom")
	secret := secretRE.FindString(out)
	if secret == "" || !strings.Contains(out, "will not be shown again") {
		t.Fatalf("create printed no secret and warning:\n%s", out)
	}
	key := strings.TrimPrefix(secret, "whsec_")

	out, _ = e.crier(exitOK, "endpoints", "list")
	if !regexp.MustCompile(`(?m)^news\s+api\s+enabled\s+full\s+language=fr\s+http://127\.0\.0\.1:\d+/hook$`).MatchString(out) {
		t.Errorf("list:\n%s", out)
	}
	var list admin.EndpointList
	out, _ = e.crier(exitOK, "endpoints", "list", "--json")
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Endpoints) != 1 || list.Endpoints[0].Name != "news" {
		t.Errorf("list --json: %v %s", err, out)
	}
	show, _ := e.crier(exitOK, "endpoints", "show", "news")
	for _, want := range []string{"the newsroom", "sha256:", "status       enabled"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
	for _, s := range []string{out, show} {
		if strings.Contains(s, key) {
			t.Errorf("the secret was shown again:\n%s", s)
		}
	}

	out, _ = e.crier(exitOK, "endpoints", "update", "news", "--description", "changed", "--language", "", "--rate-limit", "10")
	if !strings.Contains(out, "changed") || !strings.Contains(out, "all articles") || !strings.Contains(out, "10/s") {
		t.Errorf("update:\n%s", out)
	}

	id := e.publish()
	h := rc.next(t)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(h.body, h.header); err != nil {
		t.Errorf("delivery does not verify with the printed secret: %v", err)
	}
	// The attempts log is written every 250 ms; the API has no event to
	// wait on, so poll it, briefly and bounded.
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		out, _ = e.crier(exitOK, "endpoints", "attempts", "news", "--limit", "5")
		if strings.Contains(out, "msg_"+id) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attempts never listed msg_%s:\n%s", id, out)
		}
		<-tick.C
	}
	if !regexp.MustCompile(`msg_` + id + `\s+1\s+\S+\s+204\s`).MatchString(out) {
		t.Errorf("attempts:\n%s", out)
	}

	out, _ = e.crier(exitOK, "endpoints", "rotate", "news")
	if s := secretRE.FindString(out); s == "" || s == secret || !strings.Contains(out, "will not be shown again") {
		t.Errorf("rotate:\n%s", out)
	}
	out, _ = e.crier(exitOK, "endpoints", "disable", "news", "--reason", "maintenance")
	if !strings.Contains(out, "disabled: maintenance") {
		t.Errorf("disable:\n%s", out)
	}
	out, _ = e.crier(exitOK, "endpoints", "enable", "news")
	if !strings.Contains(out, "status       enabled") {
		t.Errorf("enable:\n%s", out)
	}

	out, _ = e.crier(exitOK, "endpoints", "replay", "news", "--from", "1h")
	if !strings.Contains(out, "queued 1 article(s) for news") {
		t.Errorf("replay:\n%s", out)
	}
	if got := rc.next(t).header.Get("webhook-id"); got != "msg_"+id {
		t.Errorf("replayed %s, want msg_%s", got, id)
	}

	out, _ = e.crier(exitOK, "endpoints", "delete", "news")
	if !strings.Contains(out, "deleted endpoint news") {
		t.Errorf("delete: %s", out)
	}
	if _, errOut := e.crier(exitFailed, "endpoints", "show", "news"); !strings.Contains(errOut, "endpoint news: not found") {
		t.Errorf("show after delete: %s", errOut)
	}
}

func TestEndpointsCreateSigningKey(t *testing.T) {
	e := newAdminEnv(t)
	rc := newHookReceiver(t)
	out, _ := e.crier(exitOK, "endpoints", "create", "--name", "signed", "--url", rc.url, "--signing-key")
	pub := regexp.MustCompile(`public key for receivers \(v1a\): (whpk_\S+)`).FindStringSubmatch(out)
	if pub == nil || strings.Contains(out, "whsk_") {
		t.Fatalf("create --signing-key:\n%s", out)
	}
	var info subscribers.EndpointInfo
	out, _ = e.crier(exitOK, "endpoints", "show", "signed", "--json")
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.SigningKey != pub[1] {
		t.Errorf("the server signs with %s, the command printed %s", info.SigningKey, pub[1])
	}
}

func TestDeadLettersCommands(t *testing.T) {
	e := newAdminEnv(t)
	rc := newHookReceiver(t)
	rc.code.Store(http.StatusInternalServerError)
	e.crier(exitOK, "endpoints", "create", "--name", "flaky", "--url", rc.url)
	id := e.publish()
	first := rc.next(t)
	c, err := e.js.OrderedConsumer(context.Background(), e.top.DeadLetterStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{e.top.DeadLetterSubject("flaky")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Next(jetstream.FetchMaxWait(15 * time.Second)); err != nil {
		t.Fatalf("no dead letter: %v", err)
	}

	out, _ := e.crier(exitOK, "dead-letters", "list", "--endpoint", "flaky")
	m := regexp.MustCompile(`(?m)^(\d+)\s+flaky\s+\S+\s+msg_` + id + `\s+1\s+`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("dead-letters list:\n%s", out)
	}
	var list admin.DeadLetterList
	out, _ = e.crier(exitOK, "dead-letters", "list", "--json", "--limit", "1")
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.DeadLetters) != 1 || fmt.Sprint(list.DeadLetters[0].Seq) != m[1] {
		t.Errorf("dead-letters list --json: %v %s", err, out)
	}

	rc.code.Store(http.StatusOK)
	out, _ = e.crier(exitOK, "dead-letters", "replay", m[1])
	if !strings.Contains(out, "queued 1 dead letter(s)") {
		t.Errorf("replay SEQ: %s", out)
	}
	if h := rc.next(t); h.header.Get("webhook-id") != first.header.Get("webhook-id") || string(h.body) != string(first.body) {
		t.Errorf("replayed %s %s, want the first attempt's id and body", h.header.Get("webhook-id"), h.body)
	}
	out, _ = e.crier(exitOK, "dead-letters", "replay", "--since", "1h", "--endpoint", "flaky")
	if !strings.Contains(out, "queued 1 dead letter(s)") {
		t.Errorf("replay --since: %s", out)
	}
	rc.next(t)
}

func TestAdminCommandErrors(t *testing.T) {
	e := newAdminEnv(t)
	rc := newHookReceiver(t)
	e.crier(exitOK, "endpoints", "create", "--name", "taken", "--url", rc.url)
	for _, tc := range []struct {
		name    string
		environ []string // nil: e's
		args    []string
		code    int
		stderr  string
	}{
		{"wrong token", []string{e.environ[0], "CRIER_HTTP_ADMIN_TOKEN=nope"}, []string{"endpoints", "list"}, exitFailed, "missing or wrong bearer token (HTTP 401)"},
		{"no token", e.environ[:1], []string{"endpoints", "list"}, exitUsage, "no admin token"},
		{"server down", nil, []string{"endpoints", "list", "--server", "http://127.0.0.1:1"}, exitFailed, "connection refused"},
		{"bad server", nil, []string{"endpoints", "list", "--server", "127.0.0.1:1"}, exitUsage, "want an http or https URL"},
		{"duplicate", nil, []string{"endpoints", "create", "--name", "taken", "--url", rc.url}, exitFailed, "already exists"},
		{"refused address", nil, []string{"endpoints", "create", "--name", "a", "--url", "http://127.0.0.2:9/"}, exitFailed, "loopback"},
		{"unknown endpoint", nil, []string{"endpoints", "disable", "nope"}, exitFailed, "endpoint nope: not found"},
		{"no subcommand", nil, []string{"endpoints"}, exitUsage, "Usage: crier endpoints"},
		{"unknown subcommand", nil, []string{"dead-letters", "purge"}, exitUsage, `unknown command "purge"`},
		{"create without url", nil, []string{"endpoints", "create", "--name", "a"}, exitUsage, "--name and --url are required"},
		{"show without name", nil, []string{"endpoints", "show"}, exitUsage, "want 1 argument(s), got 0"},
		{"show two names", nil, []string{"endpoints", "show", "a", "b"}, exitUsage, "want 1 argument(s), got 2"},
		{"update nothing", nil, []string{"endpoints", "update", "taken"}, exitUsage, "nothing to change"},
		{"unknown flag", nil, []string{"endpoints", "list", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{"replay without from", nil, []string{"endpoints", "replay", "taken"}, exitUsage, "--from: a time is required"},
		{"replay bad from", nil, []string{"endpoints", "replay", "taken", "--from", "yesterday"}, exitUsage, "want an RFC 3339 time"},
		{"replay reversed", nil, []string{"endpoints", "replay", "taken", "--from", "1h", "--to", "2h"}, exitFailed, "ends before it starts"},
		{"dead letter replay nothing", nil, []string{"dead-letters", "replay"}, exitUsage, "give a sequence or --since"},
		{"dead letter replay both", nil, []string{"dead-letters", "replay", "5", "--since", "1h"}, exitUsage, "give a sequence or --since"},
		{"dead letter bad sequence", nil, []string{"dead-letters", "replay", "x"}, exitUsage, "no dead letter sequence"},
		{"dead letter unknown sequence", nil, []string{"dead-letters", "replay", "99"}, exitFailed, "dead letter 99"},
		{"bad limit", nil, []string{"dead-letters", "list", "--limit", "0"}, exitFailed, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			environ := tc.environ
			if environ == nil {
				environ = e.environ
			}
			code, _, errOut := runCrier(t, environ, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("status %d, want %d; stderr %q, want it to mention %q", code, tc.code, errOut, tc.stderr)
			}
			if strings.Contains(errOut, adminToken) {
				t.Error("the token was echoed")
			}
		})
	}
}
