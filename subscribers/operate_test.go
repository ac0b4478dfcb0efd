package subscribers_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/internal/dnstest"
	"github.com/crier/crier/subscribers"
)

// events follows the operational events stream.
func (e *env) events() <-chan subscribers.Event {
	e.t.Helper()
	return follow[subscribers.Event](e, e.top.EventStream, e.top.EventPrefix+".>")
}

// attempts follows an endpoint's attempt records.
func (e *env) attempts(name string) <-chan subscribers.Attempt {
	e.t.Helper()
	batches := follow[[]subscribers.Attempt](e, e.top.AttemptStream, e.top.AttemptSubject(name))
	out := make(chan subscribers.Attempt, 1000)
	go func() {
		for b := range batches {
			for _, a := range b {
				out <- a
			}
		}
	}()
	return out
}

// follow decodes every message of a stream on a filter, from its start.
func follow[T any](e *env, stream, filter string) <-chan T {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	c, err := e.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		e.t.Fatal(err)
	}
	out := make(chan T, 1000)
	go func() {
		defer close(out)
		it, err := c.Messages()
		if err != nil {
			return
		}
		defer it.Stop()
		go func() { <-ctx.Done(); it.Stop() }()
		for {
			msg, err := it.Next()
			if err != nil {
				return
			}
			var v T
			if json.Unmarshal(msg.Data(), &v) == nil {
				out <- v
			}
		}
	}()
	return out
}

// next waits for the next value on ch.
func next[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("no %s within %s", what, waitFor)
		var zero T
		return zero
	}
}

func status410Then200(gone *atomic.Bool) func(http.ResponseWriter, *http.Request, hit) {
	return func(w http.ResponseWriter, _ *http.Request, _ hit) {
		if gone.Load() {
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func TestGoneDisablesThenEnableDeliversBacklog(t *testing.T) {
	e := newEnv(t)
	var gone atomic.Bool
	gone.Store(true)
	rc := newReceiver(t, "", status410Then200(&gone))
	ops := newReceiver(t, "", status(http.StatusNoContent))
	o := e.options()
	o.EventsWebhook = &subscribers.Endpoint{URL: ops.srv.URL + "/ops", Secret: testSecret}
	m := e.start(o, rc.endpoint("leaving"))
	events := e.events()

	p := e.publish("fr", "euronews")
	if h := rc.next(t); h.id != "msg_"+p.id {
		t.Fatalf("first request %s", h.id)
	}
	ev := next(t, events, "event")
	if ev.Type != subscribers.EventEndpointDisabled || ev.Data.Endpoint != "leaving" || !strings.Contains(ev.Data.Reason, "410") {
		t.Fatalf("event %+v, want endpoint.disabled for leaving naming the 410", ev)
	}
	// The operational webhook gets the same event, signed.
	oh := ops.next(t)
	var got subscribers.Event
	if err := json.Unmarshal(oh.body, &got); err != nil || got.Type != subscribers.EventEndpointDisabled {
		t.Errorf("operational webhook body %s (%v)", oh.body, err)
	}
	if !strings.HasPrefix(oh.id, "evt_") {
		t.Errorf("operational webhook-id %q", oh.id)
	}
	info, err := m.Endpoint(context.Background(), "leaving")
	if err != nil || !info.Status.Disabled {
		t.Fatalf("status %+v (%v), want disabled", info.Status, err)
	}

	// Articles wait while it is disabled, and arrive once it is enabled.
	q := e.publish("fr", "euronews")
	gone.Store(false)
	if err := m.EnableEndpoint(context.Background(), "leaving"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, events, "event"); ev.Type != subscribers.EventEndpointEnabled {
		t.Errorf("event %s, want endpoint.enabled", ev.Type)
	}
	var ids []string
	for !slices.Contains(ids, p.id) || !slices.Contains(ids, q.id) {
		ids = append(ids, strings.TrimPrefix(rc.next(t).id, "msg_"))
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, h hit) {
		if h.n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e.start(e.options(), rc.endpoint("busy"))
	attempts := e.attempts("busy")
	p := e.publish("fr", "euronews")
	first, second := rc.next(t), rc.next(t)
	// The schedule says 50ms; the receiver asked for a second.
	if gap := second.at.Sub(first.at); gap < time.Second {
		t.Errorf("retry after %s, before the receiver's Retry-After of 1s", gap)
	}
	a := next(t, attempts, "attempt")
	if a.Outcome != subscribers.OutcomeThrottled || a.Status != 429 || a.ArticleID != p.id {
		t.Errorf("first attempt %+v", a)
	}
	if d := a.NextRetry.Sub(a.At); d < time.Second || d > time.Second+time.Second/2 {
		t.Errorf("next retry planned %s after the attempt, want about 1s", d)
	}
}

func TestBreakerOpensEventsAndRecovers(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", failFirst(3, http.StatusBadGateway))
	o := e.options()
	o.BreakerThreshold = 2
	o.BreakerCooldown = 100 * time.Millisecond
	o.RetrySchedule = slices.Repeat([]time.Duration{10 * time.Millisecond}, 10)
	m := e.start(o, rc.endpoint("flaky"))
	events := e.events()
	p := e.publish("fr", "euronews")

	if ev := next(t, events, "event"); ev.Type != subscribers.EventEndpointFailing || ev.Data.FailingSince.IsZero() {
		t.Fatalf("event %+v, want endpoint.failing with its start", ev)
	}
	if ev := next(t, events, "event"); ev.Type != subscribers.EventEndpointRecovered {
		t.Fatalf("event %+v, want endpoint.recovered", ev)
	}
	if got := rc.until(t, p.id); len(got) != 1 {
		t.Fatalf("received %v", got)
	}
	if n := rc.count.Load(); n < 4 {
		t.Errorf("%d requests, want 3 failures then a success", n)
	}
	info, err := m.Endpoint(context.Background(), "flaky")
	if err != nil || !info.Status.FailingSince.IsZero() || info.Status.Disabled {
		t.Errorf("status after recovery %+v (%v)", info.Status, err)
	}
}

func TestKeepsFailingIsDisabled(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusInternalServerError))
	o := e.options()
	o.BreakerThreshold = 1
	o.BreakerCooldown = 10 * time.Millisecond
	o.DisableAfter = time.Nanosecond
	o.RetrySchedule = slices.Repeat([]time.Duration{10 * time.Millisecond}, 10)
	m := e.start(o, rc.endpoint("dead"))
	events := e.events()
	e.publish("fr", "euronews")
	if ev := next(t, events, "event"); ev.Type != subscribers.EventEndpointFailing {
		t.Fatalf("event %s, want endpoint.failing", ev.Type)
	}
	ev := next(t, events, "event")
	if ev.Type != subscribers.EventEndpointDisabled || !strings.Contains(ev.Data.Reason, "disable_after") {
		t.Fatalf("event %+v, want endpoint.disabled naming disable_after", ev)
	}
	if info, _ := m.Endpoint(context.Background(), "dead"); !info.Status.Disabled {
		t.Errorf("status %+v", info.Status)
	}
}

func TestReceiverDownThenBack(t *testing.T) {
	e := newEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // down: connections are refused
	o := e.options()
	o.RetrySchedule = slices.Repeat([]time.Duration{100 * time.Millisecond}, 50)
	e.start(o, subscribers.Endpoint{Name: "later", URL: "http://" + addr + "/hook", Secret: testSecret})
	attempts := e.attempts("later")
	p := e.publish("fr", "euronews")
	if a := next(t, attempts, "attempt"); a.Outcome != subscribers.OutcomeConnection {
		t.Fatalf("attempt while down: %+v", a)
	}
	rc := newReceiver(t, addr, status(http.StatusOK)) // back
	if got := rc.until(t, p.id); got[0] != p.id {
		t.Errorf("received %v", got)
	}
}

func TestAPIEndpointSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	b1, top := brokertest.StartAt(t, dir, "")
	e := &env{t: t, js: b1.JS, top: top}
	m1 := e.start(e.options())
	ep, err := m1.CreateEndpoint(context.Background(), subscribers.Endpoint{Name: "created", URL: "http://127.0.0.1:1/placeholder"})
	if err != nil {
		t.Fatal(err)
	}
	secret := ep.Secrets[0].Value
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("generated secret %q", secret)
	}
	rc := newReceiverWith(t, secret, "", status(http.StatusOK))
	url := rc.srv.URL + "/hook"
	if _, err := m1.UpdateEndpoint(context.Background(), "created", subscribers.EndpointUpdate{URL: &url}); err != nil {
		t.Fatal(err)
	}
	m1.Stop()
	b1.Close()

	b2, _ := brokertest.StartAt(t, dir, "")
	e2 := &env{t: t, js: b2.JS, top: top}
	m2 := e2.start(e.options()) // no endpoint in the "config"
	list, err := m2.Endpoints(context.Background())
	if err != nil || len(list) != 1 || list[0].Name != "created" || list[0].Origin != subscribers.OriginAPI {
		t.Fatalf("endpoints after restart %+v (%v)", list, err)
	}
	if strings.Contains(list[0].Secrets[0].Value, secret[6:]) {
		t.Error("the list shows the secret")
	}
	p := e2.publish("fr", "euronews")
	if got := rc.until(t, p.id); len(got) != 1 {
		t.Errorf("received %v", got)
	}
}

func TestRotationSignsWithEverySecretInGrace(t *testing.T) {
	for _, tc := range []struct {
		name     string
		grace    time.Duration
		oldValid bool
	}{
		{"in the grace period", 24 * time.Hour, true},
		{"after the grace period", time.Nanosecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			o := e.options()
			o.RotationGrace = tc.grace
			m := e.start(o)
			rc := newReceiverWith(t, testSecret, "", status(http.StatusOK))
			// The receiver's own check is the old secret only when it is
			// still valid; both are checked below.
			rc.skipVerify = !tc.oldValid
			ctx := context.Background()
			if _, err := m.CreateEndpoint(ctx, subscribers.Endpoint{Name: "rot", URL: rc.srv.URL + "/hook", Secret: testSecret}); err != nil {
				t.Fatal(err)
			}
			newSecret, err := m.RotateSecret(ctx, "rot")
			if err != nil || newSecret == testSecret {
				t.Fatalf("rotate: %q, %v", newSecret, err)
			}
			checkSecretCount(t, m, "rot", 2)
			// Each replica's runner restarts with the rotated secrets when
			// its KV watch sees them, a moment after RotateSecret returns:
			// publish until a delivery verifies with the new secret, then
			// check the old one on it. Each wait is on a delivery; on a
			// loaded machine the watch can lag behind dozens of them, so
			// the bound is a generous deadline, not a number of articles.
			newWH, _ := standardwebhooks.NewWebhook(newSecret)
			var h hit
			deadline := time.Now().Add(30 * time.Second)
			for i := 0; ; i++ {
				if time.Now().After(deadline) {
					t.Fatalf("no delivery signed with the new secret after %d articles", i)
				}
				p := e.publish("fr", "euronews")
				for h.id != "msg_"+p.id {
					h = rc.next(t)
				}
				if newWH.Verify(h.body, h.header) == nil {
					break
				}
			}
			for _, c := range []struct {
				secret string
				want   bool
			}{{newSecret, true}, {testSecret, tc.oldValid}} {
				wh, _ := standardwebhooks.NewWebhook(c.secret)
				if err := wh.Verify(h.body, h.header); (err == nil) != c.want {
					t.Errorf("verify with the %s secret: %v, want valid=%v", map[bool]string{true: "new", false: "old"}[c.secret == newSecret], err, c.want)
				}
			}
		})
	}
}

// checkSecretCount asserts that the endpoint lists n secrets.
func checkSecretCount(t *testing.T, m *subscribers.Manager, name string, n int) {
	t.Helper()
	info, err := m.Endpoint(context.Background(), name)
	if err != nil || len(info.Secrets) != n {
		t.Fatalf("endpoint %s: %d secrets (%v), want %d", name, len(info.Secrets), err, n)
	}
}

func TestEd25519Signature(t *testing.T) {
	e := newEnv(t)
	sk, pk, err := subscribers.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	rc := newReceiver(t, "", status(http.StatusOK))
	ep := rc.endpoint("asym")
	ep.SigningKey = sk
	e.start(e.options(), ep)
	p := e.publish("fr", "euronews")
	h := rc.next(t)
	pub, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(pk, "whpk_"))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		t.Fatalf("public key %q: %v", pk, err)
	}
	var v1a int
	for _, sig := range strings.Fields(h.header.Get("webhook-signature")) {
		raw, ok := strings.CutPrefix(sig, "v1a,")
		if !ok {
			continue
		}
		v1a++
		b, _ := base64.StdEncoding.DecodeString(raw)
		signed := h.id + "." + h.header.Get("webhook-timestamp") + "." + string(h.body)
		if !ed25519.Verify(pub, []byte(signed), b) {
			t.Error("v1a signature does not verify with the public key")
		}
	}
	if v1a != 1 || h.id != "msg_"+p.id {
		t.Errorf("%d v1a signatures in %q", v1a, h.header.Get("webhook-signature"))
	}
}

func TestThinPayload(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	ep := rc.endpoint("thin")
	ep.Payload = subscribers.PayloadThin
	o := e.options()
	o.BaseURL = "https://news.example/"
	e.start(o, ep)
	p := e.publish("fr", "euronews")
	h := rc.next(t)
	var body struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(h.body, &body); err != nil {
		t.Fatal(err)
	}
	var thin subscribers.ThinArticle
	if err := json.Unmarshal(body.Data, &thin); err != nil {
		t.Fatal(err)
	}
	var orig article.Article
	if err := json.Unmarshal(p.raw, &orig); err != nil {
		t.Fatal(err)
	}
	want := subscribers.ThinArticle{
		ID: p.id, Title: orig.Title, Language: "fr", Source: "euronews", Published: orig.Published, Revision: 1,
		JSONURL: "https://news.example/articles/" + p.id + ".json", HTMLURL: "https://news.example/articles/" + p.id,
	}
	if !thin.Published.Equal(want.Published) {
		t.Errorf("published %v, want %v", thin.Published, want.Published)
	}
	thin.Published = want.Published // compared above, zone aside
	if thin != want || strings.Contains(string(body.Data), "Second paragraph") {
		t.Errorf("thin data %s", body.Data)
	}
}

func TestTagAndStoryFilters(t *testing.T) {
	e := newEnv(t)
	tags := newReceiver(t, "", status(http.StatusOK))
	story := newReceiver(t, "", status(http.StatusOK))
	epTags := tags.endpoint("tags")
	epTags.Tags = []string{"Paris"}
	epStory := story.endpoint("story")
	epStory.Stories = []string{"s1"}
	e.start(e.options(), epTags, epStory)
	a := e.publishWith("fr", "x", func(a *article.Article) { a.Tags = []string{"paris", "Seine"} })
	b := e.publishWith("fr", "x", func(a *article.Article) { a.StoryID = "s1" })
	e.publishWith("fr", "x", func(a *article.Article) { a.StoryID = "s2"; a.Tags = []string{"Lyon"} })
	end := e.publishWith("fr", "x", func(a *article.Article) { a.StoryID = "s1"; a.Tags = []string{"PARIS"} })
	if got := tags.until(t, end.id); !slices.Equal(got, []string{a.id, end.id}) {
		t.Errorf("tag filter received %v", got)
	}
	if got := story.until(t, end.id); !slices.Equal(got, []string{b.id, end.id}) {
		t.Errorf("story filter received %v", got)
	}
}

func TestStrictOrder(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", failFirst(2, http.StatusInternalServerError))
	ep := rc.endpoint("ordered")
	ep.StrictOrder = true
	ep.Concurrency = 8 // strict order overrides it
	o := e.options()
	o.RetrySchedule = slices.Repeat([]time.Duration{20 * time.Millisecond}, 5)
	e.start(o, ep)
	p1, p2, p3 := e.publish("fr", "x"), e.publish("fr", "x"), e.publish("fr", "x")
	if got := rc.until(t, p3.id); !slices.Equal(got, []string{p1.id, p1.id, p1.id, p2.id, p3.id}) {
		t.Errorf("received %v, want p1 three times, then p2, p3", got)
	}
}

func TestSSRFRefusesLoopbackNameAndAddress(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "127.0.0.2:0", status(http.StatusOK))
	port := rc.srv.URL[strings.LastIndex(rc.srv.URL, ":")+1:]
	o := e.options()
	o.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	o.RetrySchedule = []time.Duration{}
	o.Resolver = dnstest.Start(t, map[string][]netip.Addr{"receiver.test": {netip.MustParseAddr("127.0.0.2")}})
	byAddr := subscribers.Endpoint{Name: "by-addr", URL: "http://127.0.0.2:" + port + "/hook", Secret: testSecret}
	byName := subscribers.Endpoint{Name: "by-name", URL: "http://receiver.test:" + port + "/hook", Secret: testSecret}
	m := e.start(o, byAddr, byName) // declared in the file: refused at dial time

	for _, ep := range []subscribers.Endpoint{byAddr, byName} {
		ep.Name = "api-" + ep.Name
		_, err := m.CreateEndpoint(context.Background(), ep)
		if !errors.Is(err, subscribers.ErrInvalid) || !strings.Contains(err.Error(), "127.0.0.2, which is loopback") {
			t.Errorf("create %s: %v, want a refusal naming 127.0.0.2 as loopback", ep.Name, err)
		}
	}
	e.publish("fr", "euronews")
	for _, name := range []string{"by-addr", "by-name"} {
		dl := e.deadLetter(name)
		if got := dl.Headers().Get("Crier-Error"); !strings.Contains(got, "refused to dial 127.0.0.2:"+port) {
			t.Errorf("%s: Crier-Error %q", name, got)
		}
		if a := deadLetterBody(t, dl).Attempts; len(a) != 1 || a[0].Outcome != subscribers.OutcomeRefused {
			t.Errorf("%s: attempts %+v", name, a)
		}
	}
	if n := rc.conns.Load(); n != 0 {
		t.Errorf("receiver on 127.0.0.2 saw %d connections", n)
	}
}

func TestReplayRangeBackfillsANewEndpoint(t *testing.T) {
	e := newEnv(t)
	m := e.start(e.options())
	from := time.Now().Add(-time.Second)
	old := []published{e.publish("fr", "a"), e.publish("en", "b"), e.publish("fr", "c")}
	rc := newReceiver(t, "", status(http.StatusOK))
	ep := rc.endpoint("late")
	ep.Languages = []string{"fr"}
	ctx := context.Background()
	if _, err := m.CreateEndpoint(ctx, ep); err != nil {
		t.Fatal(err)
	}
	n, err := m.ReplayRange(ctx, "late", from, time.Now())
	if err != nil || n != 2 {
		t.Fatalf("ReplayRange = %d, %v; want the 2 French articles", n, err)
	}
	for _, p := range []published{old[0], old[2]} {
		h := rc.next(t)
		checkBody(t, h, p) // same webhook-id and body as a live delivery
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	o := e.options()
	reg := prometheus.NewRegistry()
	o.Registerer = reg
	e.start(o, rc.endpoint("metered"))
	attempts := e.attempts("metered")
	e.publish("fr", "euronews")
	rc.next(t)
	next(t, attempts, "attempt") // recorded after the metrics
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			key := f.GetName()
			for _, l := range mt.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case mt.Counter != nil:
				got[key] = mt.GetCounter().GetValue()
			case mt.Gauge != nil:
				got[key] = mt.GetGauge().GetValue()
			case mt.Histogram != nil:
				got[key] = float64(mt.GetHistogram().GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		"crier_webhook_attempts_total,endpoint=metered,outcome=success": 1,
		"crier_webhook_attempt_duration_seconds,endpoint=metered":       1,
		"crier_webhook_delivery_latency_seconds,endpoint=metered":       1,
		"crier_webhook_pending,endpoint=metered":                        0,
		"crier_webhook_dead_letters,endpoint=metered":                   0,
		"crier_webhook_endpoint_disabled,endpoint=metered":              0,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}

func TestEventsWebhookIsNeverDisabled(t *testing.T) {
	e := newEnv(t)
	ops := newReceiver(t, "", status(http.StatusNoContent))
	o := e.options()
	o.EventsWebhook = &subscribers.Endpoint{URL: ops.srv.URL + "/ops", Secret: testSecret}
	m := e.start(o)
	err := m.DisableEndpoint(context.Background(), subscribers.EventsEndpointName, "")
	if !errors.Is(err, subscribers.ErrDeclared) {
		t.Errorf("disable the events webhook: %v, want ErrDeclared", err)
	}
	if _, err := m.RotateSecret(context.Background(), subscribers.EventsEndpointName); !errors.Is(err, subscribers.ErrDeclared) {
		t.Errorf("rotate the events webhook: %v, want ErrDeclared", err)
	}
}

func TestConcurrentUpdateIsAConflict(t *testing.T) {
	e := newEnv(t)
	m := e.start(e.options())
	ctx := context.Background()
	if _, err := m.CreateEndpoint(ctx, subscribers.Endpoint{Name: "busy", URL: "http://127.0.0.1:1/x"}); err != nil {
		t.Fatal(err)
	}
	// Many writers at once: each either wins or gets ErrConflict, never
	// another error.
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			d := "writer " + string(rune('a'+i))
			_, err := m.UpdateEndpoint(ctx, "busy", subscribers.EndpointUpdate{Description: &d})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil && !errors.Is(err, subscribers.ErrConflict) {
			t.Errorf("concurrent update: %v", err)
		}
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	ep := rc.endpoint("slow-down")
	ep.RateLimit = 2 // a burst of 2, then one every 500 ms
	ep.Concurrency = 4
	e.start(e.options(), ep)
	for range 4 {
		e.publish("fr", "x")
	}
	first := rc.next(t)
	var lastAt time.Time
	for range 3 {
		lastAt = rc.next(t).at
	}
	// A lower bound, not a speed figure: the 4th request may not come
	// before the limiter allows it.
	if gap := lastAt.Sub(first.at); gap < 900*time.Millisecond {
		t.Errorf("4 requests within %s at 2 per second", gap)
	}
}

// TestDeadLettersListsTheLatest reads the newest dead letters of one
// endpoint even when many of another's came after them (the listing reads
// a widening window back from the end of the stream).
func TestDeadLettersListsTheLatest(t *testing.T) {
	e := newEnv(t)
	m := e.start(e.options(), subscribers.Endpoint{Name: "a", URL: "http://127.0.0.1:1/a", Secret: testSecret})
	ctx := context.Background()
	put := func(ep string, n int) {
		for i := range n {
			b, _ := json.Marshal(subscribers.DeadLetter{Endpoint: ep, ArticleID: ep + strconv.Itoa(i), Message: json.RawMessage(`{}`)})
			if _, err := e.js.Publish(ctx, e.top.DeadLetterSubject(ep), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("a", 30)
	put("b", 300)
	got, err := m.DeadLetters(ctx, "a", 5)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, dl := range got {
		ids = append(ids, dl.ArticleID)
	}
	if want := []string{"a29", "a28", "a27", "a26", "a25"}; !slices.Equal(ids, want) {
		t.Errorf("DeadLetters(a, 5) = %v, want %v", ids, want)
	}
	if all, _ := m.DeadLetters(ctx, "", 3); len(all) != 3 || all[0].ArticleID != "b299" {
		t.Errorf("DeadLetters(all, 3) = %+v", all)
	}
	if few, _ := m.DeadLetters(ctx, "a", 100); len(few) != 30 {
		t.Errorf("DeadLetters(a, 100) returned %d, want all 30", len(few))
	}
}

// TestAttemptsCountedByCrier: messages held by an open breaker come back
// from the server again and again without an attempt; the dead letter
// still comes after exactly the scheduled attempts, each a real request.
func TestAttemptsCountedByCrier(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusInternalServerError))
	o := e.options()
	o.BreakerThreshold = 1
	o.BreakerCooldown = 30 * time.Millisecond
	o.RetrySchedule = []time.Duration{time.Millisecond, time.Millisecond}
	e.start(o, rc.endpoint("held"))
	e.publish("fr", "euronews")
	dl := deadLetterBody(t, e.deadLetter("held"))
	if len(dl.Attempts) != 3 || rc.count.Load() != 3 {
		t.Errorf("dead-lettered after %d attempts and %d requests, want 3 and 3", len(dl.Attempts), rc.count.Load())
	}
	for i, a := range dl.Attempts {
		if a.N != i+1 || a.Status != http.StatusInternalServerError {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
	}
}

// TestDeadLetterFilterRefusesWildcards: an endpoint name becomes one
// subject token of the dead-letter filter; a wildcard would widen it.
func TestDeadLetterFilterRefusesWildcards(t *testing.T) {
	e := newEnv(t)
	m := e.start(e.options())
	ctx := context.Background()
	for _, name := range []string{">", "*", "a.b", "a.>"} {
		if _, err := m.DeadLetters(ctx, name, 10); !errors.Is(err, subscribers.ErrInvalid) {
			t.Errorf("DeadLetters(%q): %v, want ErrInvalid", name, err)
		}
		if _, err := m.ReplayFailures(ctx, name, time.Now()); !errors.Is(err, subscribers.ErrInvalid) {
			t.Errorf("ReplayFailures(%q): %v, want ErrInvalid", name, err)
		}
		if _, err := m.Endpoint(ctx, name); !errors.Is(err, subscribers.ErrNotFound) {
			t.Errorf("Endpoint(%q): %v, want ErrNotFound", name, err)
		}
	}
}

// TestResponseKeptTo4KB: an attempt keeps the first 4 KB of the response,
// cut back to whole UTF-8 characters.
func TestResponseKeptTo4KB(t *testing.T) {
	e := newEnv(t)
	long := "x" + strings.Repeat("é", 5000) // byte 4,096 is the first half of a character
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, _ hit) {
		http.Error(w, long, http.StatusInternalServerError)
	})
	o := e.options()
	o.RetrySchedule = []time.Duration{}
	e.start(o, rc.endpoint("verbose"))
	e.publish("fr", "euronews")
	a := deadLetterBody(t, e.deadLetter("verbose")).Attempts
	if len(a) != 1 {
		t.Fatalf("%d attempts", len(a))
	}
	if got := a[0].Response; len(got) != 4095 || !strings.HasPrefix(long, got) {
		t.Errorf("kept %d bytes of the response, want the first 4,095 (x and 2,047 whole characters)", len(got))
	}
}

// TestDeleteEndpointRemovesItsConsumers checks what the README says of
// DELETE: the consumers and queued replays go with the endpoint.
func TestDeleteEndpointRemovesItsConsumers(t *testing.T) {
	e := newEnv(t)
	m := e.start(e.options())
	ctx := context.Background()
	if _, err := m.CreateEndpoint(ctx, subscribers.Endpoint{Name: "gone", URL: "http://127.0.0.1:1/x"}); err != nil {
		t.Fatal(err)
	}
	e.publish("fr", "x")
	if n, err := m.ReplayRange(ctx, "gone", time.Now().Add(-time.Minute), time.Now()); err != nil || n != 1 {
		t.Fatalf("ReplayRange = %d, %v", n, err)
	}
	consumers := []struct{ stream, name string }{{e.top.ArticleStream, "webhook-gone"}, {e.top.ReplayStream, "replay-gone"}}
	for _, c := range consumers {
		if _, err := e.js.Consumer(ctx, c.stream, c.name); err != nil {
			t.Fatalf("consumer %s before delete: %v", c.name, err)
		}
	}
	if err := m.DeleteEndpoint(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		if _, err := e.js.Consumer(ctx, c.stream, c.name); !errors.Is(err, jetstream.ErrConsumerNotFound) {
			t.Errorf("consumer %s after delete: %v, want not found", c.name, err)
		}
	}
	s, err := e.js.Stream(ctx, e.top.ReplayStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(e.top.ReplaySubject("gone")))
	if err != nil || info.State.Subjects[e.top.ReplaySubject("gone")] != 0 {
		t.Errorf("queued replays after delete: %v (%v)", info.State.Subjects, err)
	}
}
