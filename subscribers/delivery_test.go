package subscribers_test

import (
	"context"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crier/crier/subscribers"
)

func TestDeliveryFiltered(t *testing.T) {
	e := newEnv(t)
	fr := newReceiver(t, "", status(http.StatusOK))
	euronews := newReceiver(t, "", status(http.StatusNoContent))
	combo := newReceiver(t, "", status(http.StatusAccepted))
	epFr := fr.endpoint("fr")
	epFr.Languages = []string{"fr"}
	epEuronews := euronews.endpoint("euronews")
	epEuronews.Sources = []string{"euronews"}
	epCombo := combo.endpoint("combo")
	epCombo.Languages = []string{"fr", "de"}
	epCombo.Sources = []string{"euronews", "afp"}
	// Concurrency 1 keeps stream order, so the sentinel comes last.
	e.start(e.options(), epFr, epEuronews, epCombo)

	a1 := e.publish("fr", "lexpression")
	a2 := e.publish("en", "euronews")
	a3 := e.publish("fr", "euronews")
	a4 := e.publish("de", "afp")
	e.publish("en", "afp")
	e.publish("de", "lexpression")
	end := e.publish("fr", "euronews")

	for _, tc := range []struct {
		name string
		rc   *receiver
		want []string
	}{
		{"fr", fr, []string{a1.id, a3.id, end.id}},
		{"euronews", euronews, []string{a2.id, a3.id, end.id}},
		{"combo", combo, []string{a3.id, a4.id, end.id}},
	} {
		if got := tc.rc.until(t, end.id); !slices.Equal(got, tc.want) {
			t.Errorf("%s received %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBodyAndHeaders(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	e.start(e.options(), rc.endpoint("one"))
	p := e.publish("fr", "euronews")
	checkBody(t, rc.next(t), p)
}

func TestNewEndpointStartsAtNewArticles(t *testing.T) {
	e := newEnv(t)
	old := e.publish("fr", "euronews")
	rc := newReceiver(t, "", status(http.StatusOK))
	e.start(e.options(), rc.endpoint("late"))
	p := e.publish("fr", "euronews")
	if got := rc.until(t, p.id); !slices.Equal(got, []string{p.id}) {
		t.Errorf("received %v, want only %s (not the older %s)", got, p.id, old.id)
	}
}

func TestRetryThenSuccess(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", failFirst(3, http.StatusInternalServerError))
	o := e.options()
	o.RetrySchedule = []time.Duration{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}
	e.start(o, rc.endpoint("flaky"))
	p := e.publish("fr", "euronews")

	var hits []hit
	for range 4 {
		h := rc.next(t)
		checkBody(t, h, p)
		hits = append(hits, h)
	}
	for _, h := range hits[1:] {
		if h.id != hits[0].id {
			t.Errorf("webhook-id changed across retries: %q then %q", hits[0].id, h.id)
		}
		if string(h.body) != string(hits[0].body) {
			t.Errorf("body changed across retries")
		}
	}
	// The next article is published after the success: a fifth attempt at
	// the first would show up before it.
	q := e.publish("fr", "euronews")
	if got := rc.until(t, q.id); !slices.Equal(got, []string{q.id}) {
		t.Errorf("after success received %v, want only %s", got, q.id)
	}
	if n := rc.count.Load(); n != 5 {
		t.Errorf("receiver got %d requests, want 4 attempts + 1", n)
	}
}

func TestRedirectIsFailureNotFollowed(t *testing.T) {
	e := newEnv(t)
	target := newReceiver(t, "", status(http.StatusOK))
	rc := newReceiver(t, "", func(w http.ResponseWriter, r *http.Request, _ hit) {
		http.Redirect(w, r, target.srv.URL+"/elsewhere", http.StatusFound)
	})
	e.start(e.options(), rc.endpoint("redirect"))
	p := e.publish("fr", "euronews")

	dl := e.deadLetter("redirect")
	if got := dl.Headers().Get("Crier-Error"); !strings.Contains(got, "302") {
		t.Errorf("Crier-Error %q does not name the 302", got)
	}
	if n := rc.count.Load(); n != 2 {
		t.Errorf("redirecting endpoint got %d requests, want 2 attempts", n)
	}
	if n := target.count.Load(); n != 0 {
		t.Errorf("redirect target received %d requests", n)
	}
	if got := deadLetterBody(t, dl); got.ArticleID != p.id || len(got.Attempts) != 2 || got.Attempts[0].Outcome != subscribers.OutcomeRedirect {
		t.Errorf("dead letter %+v", got)
	}
}

func TestExhaustedAttemptsDeadLetter(t *testing.T) {
	e := newEnv(t)
	var bad atomic.Value
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, h hit) {
		if h.id == bad.Load() {
			http.Error(w, "boom\r\nInjected: header", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	o := e.options()
	o.RetrySchedule = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}
	e.start(o, rc.endpoint("down"))
	bad.Store("msg_" + e.peekID())
	p := e.publish("fr", "euronews")

	dl := e.deadLetter("down")
	h := dl.Headers()
	for k, want := range map[string]string{
		"Crier-Endpoint":         "down",
		"Crier-Attempts":         "3",
		"Crier-Original-Subject": "crier.articles.fr.euronews",
		"Crier-Stream-Seq":       strconv.FormatUint(p.seq, 10),
		"Nats-Msg-Id":            "down:ARTICLES:" + strconv.FormatUint(p.seq, 10),
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got := h.Get("Crier-Error"); !strings.Contains(got, "HTTP 500") || strings.ContainsAny(got, "\r\n") {
		t.Errorf("Crier-Error %q", got)
	}
	body := deadLetterBody(t, dl)
	if string(body.Message) != string(p.raw) {
		t.Errorf("dead letter message differs from the original")
	}
	if body.WebhookID != "msg_"+p.id || body.StreamSeq != p.seq || len(body.Attempts) != 3 {
		t.Errorf("dead letter %+v", body)
	}
	for i, a := range body.Attempts {
		if a.N != i+1 || a.Status != 500 || a.Outcome != subscribers.OutcomeHTTPError || !strings.HasPrefix(a.Response, "boom") {
			t.Errorf("attempt %d: %+v", i+1, a)
		}
	}
	// The original was terminated: the next article arrives, and the dead
	// one never comes back.
	q := e.publish("fr", "euronews")
	if got := rc.until(t, q.id); !slices.Equal(got, []string{p.id, p.id, p.id, q.id}) {
		t.Errorf("received %v, want 3 attempts at %s then %s", got, p.id, q.id)
	}
}

// peekID is the id the next publish will use.
func (e *env) peekID() string { return formatID(e.seq.Load() + 1) }

func TestTimeoutIsAFailure(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", func(_ http.ResponseWriter, r *http.Request, _ hit) { <-r.Context().Done() })
	o := e.options()
	o.Timeout = 200 * time.Millisecond
	o.RetrySchedule = []time.Duration{10 * time.Millisecond}
	e.start(o, rc.endpoint("hang"))
	e.publish("fr", "euronews")
	dl := e.deadLetter("hang")
	if got := dl.Headers().Get("Crier-Error"); !strings.Contains(got, "no response within 200ms") {
		t.Errorf("Crier-Error %q", got)
	}
}

func TestSlowEndpointDoesNotDelayOthers(t *testing.T) {
	e := newEnv(t)
	release := newGate(t)
	var slowTimedOut atomic.Bool
	slow := newReceiver(t, "", func(w http.ResponseWriter, r *http.Request, _ hit) {
		select {
		case <-r.Context().Done():
			slowTimedOut.Store(true)
		case <-release.ch:
		}
	})
	fast := newReceiver(t, "", status(http.StatusOK))
	o := e.options()
	o.Timeout = 5 * time.Second
	o.Concurrency = 2
	e.start(o, slow.endpoint("slow"), fast.endpoint("fast"))
	t.Cleanup(release.open) // before Stop: in-flight attempts end at once

	var want []string
	for range 6 {
		want = append(want, e.publish("fr", "euronews").id)
	}
	var got []string
	for range 6 {
		got = append(got, strings.TrimPrefix(fast.next(t).id, "msg_"))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("fast endpoint received %v, want %v", got, want)
	}
	if slowTimedOut.Load() {
		t.Errorf("the fast endpoint waited for the slow one's timeout")
	}
	// Concurrency holds for the slow endpoint too.
	slow.next(t)
	slow.next(t)
	if n := slow.count.Load(); n != 2 {
		t.Errorf("slow endpoint has %d requests in flight, want 2", n)
	}
}

func TestRestartLosesNothing(t *testing.T) {
	e := newEnv(t)
	var failing atomic.Bool
	failing.Store(true)
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, _ hit) {
		if failing.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	o := e.options()
	o.Concurrency = 2
	o.RetrySchedule = slices.Repeat([]time.Duration{20 * time.Millisecond}, 30)
	ep := rc.endpoint("restart")

	first := e.start(o, ep)
	want := map[string]bool{}
	for range 6 {
		want[e.publish("fr", "euronews").id] = true
	}
	for range 5 {
		rc.next(t)
	}
	first.Stop()
	// Published while nobody delivers: the durable consumer keeps them.
	for range 4 {
		want[e.publish("en", "afp").id] = true
	}
	failing.Store(false)
	for len(rc.hits) > 0 { // failures from before the restart
		<-rc.hits
	}
	e.start(o, ep)
	got := map[string]bool{}
	for len(got) < len(want) {
		h := rc.next(t)
		id := strings.TrimPrefix(h.id, "msg_")
		if !want[id] {
			t.Fatalf("unexpected article %s", id)
		}
		got[id] = true
	}
}

func TestSSRFGuardRefusesUnlistedLoopback(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "127.0.0.2:0", status(http.StatusOK))
	o := e.options()
	o.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	o.RetrySchedule = []time.Duration{10 * time.Millisecond}
	ep := rc.endpoint("internal")
	ep.URL = strings.Replace(rc.srv.URL, "http://", "http://user:hunter2@", 1) + "/hook?token=sekrit"
	e.start(o, ep)
	e.publish("fr", "euronews")

	dl := e.deadLetter("internal")
	got := dl.Headers().Get("Crier-Error")
	if !strings.Contains(got, "subscribers: refused to dial 127.0.0.2:") ||
		!strings.Contains(got, "address is loopback (not in subscribers.allow_networks)") {
		t.Errorf("Crier-Error %q does not report the refusal", got)
	}
	if strings.Contains(got, "hunter2") || strings.Contains(got, "sekrit") || strings.Contains(got, "user") {
		t.Errorf("Crier-Error %q leaks URL credentials", got)
	}
	if n := rc.conns.Load(); n != 0 {
		t.Errorf("receiver saw %d connections", n)
	}
}

func TestSSRFGuardDefaultRefusesLoopback(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	o := e.options()
	o.AllowNetworks = nil
	o.RetrySchedule = []time.Duration{} // a single attempt
	e.start(o, rc.endpoint("local"))
	e.publish("fr", "euronews")

	dl := e.deadLetter("local")
	if got := dl.Headers().Get("Crier-Error"); !strings.Contains(got, "refused to dial 127.0.0.1:") {
		t.Errorf("Crier-Error %q", got)
	}
	if got := dl.Headers().Get("Crier-Attempts"); got != "1" {
		t.Errorf("Crier-Attempts %q, want 1", got)
	}
	if n := rc.conns.Load(); n != 0 {
		t.Errorf("receiver saw %d connections", n)
	}
}

// A delivery past the last attempt, as after a stop or crash during the
// last one, goes to the dead-letter stream without another request.
// (TestConsumerConfig checks that no server-side limit drops it instead.)
func TestDeliveryPastLastAttemptDeadLetters(t *testing.T) {
	e := newEnv(t)
	first, release := make(chan struct{}), newGate(t)
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, _ hit) {
		close(first) // a second request would panic: there must be none
		<-release.ch
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	o := e.options() // two attempts
	m := e.start(o, rc.endpoint("cut"))
	p := e.publish("fr", "euronews")
	<-first
	stopped := make(chan struct{})
	go func() { m.Stop(); close(stopped) }()
	release.open() // the attempt fails while the manager stops
	<-stopped

	o.RetrySchedule = []time.Duration{} // one attempt: the next delivery is past it
	e.start(o, rc.endpoint("cut"))
	dl := e.deadLetter("cut")
	if got := dl.Headers().Get("Crier-Stream-Seq"); got != strconv.FormatUint(p.seq, 10) {
		t.Errorf("dead letter for seq %s, want %d", got, p.seq)
	}
	if n := rc.count.Load(); n != 1 {
		t.Errorf("receiver got %d requests, want only the first attempt", n)
	}
}

// A WebSub message whose article the feeds never index becomes a dead
// letter, with the reason, after a bounded number of waits: it does not
// come back forever.
func TestWebSubContentNeverReadyIsDeadLettered(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.Timeout = 50 * time.Millisecond
	// The feeds never index the article: every render waits to its end.
	o.Content = func(ctx context.Context, topic, id string, _ int) ([]byte, string, error) {
		<-ctx.Done()
		return nil, "", ctx.Err()
	}
	m := e.start(o)
	rc := newReceiver(t, "", status(http.StatusNoContent))
	ep := subscribers.Endpoint{Name: "never", URL: rc.srv.URL + "/cb", Topic: "http://crier.test/feeds/all.atom", Concurrency: 1}
	if _, err := m.PutSubscription(context.Background(), ep); err != nil {
		t.Fatal(err)
	}
	p := e.publish("fr", "le-monde")
	dl := deadLetterBody(t, e.deadLetter("never"))
	if dl.ArticleID != p.id || !strings.Contains(dl.Reason, "never appeared in crier's feeds") || len(dl.Attempts) != 0 {
		t.Errorf("dead letter %+v, want article %s never in the feeds, no attempt", dl, p.id)
	}
	if n := rc.count.Load(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}
