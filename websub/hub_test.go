package websub_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/feeds"
	"github.com/crier/crier/subscribers"
	"github.com/crier/crier/websub"
)

const (
	base    = "http://crier.test"
	hubURL  = base + "/hub"
	waitFor = 15 * time.Second
)

// env is a real NATS server, a feeds service following it and a
// subscribers manager delivering from it, with the hub in front.
type env struct {
	t     *testing.T
	js    jetstream.JetStream
	top   broker.Topology
	feeds *feeds.Service
	m     *subscribers.Manager
	hub   *websub.Hub
}

func newEnv(t *testing.T, allowLoopback bool, o websub.Options) *env {
	t.Helper()
	b, top := brokertest.Start(t)
	e := &env{t: t, js: b.JS, top: top}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.feeds = feeds.New(feeds.Options{BaseURL: base, HubURL: hubURL})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.feeds.Run(ctx, b.JS, top.ArticleStream) }()
	t.Cleanup(func() { cancel(); <-done })

	so := subscribers.Options{
		Topology:      top,
		Timeout:       5 * time.Second,
		RetrySchedule: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond},
		Content:       e.feeds.Content,
		HubURL:        hubURL,
		Logger:        log,
	}
	if allowLoopback {
		so.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	m, err := subscribers.New(b.JS, so, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	e.m = m
	o.Logger = log
	e.hub, err = websub.New(m, e.feeds, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.hub.Close)
	return e
}

// post sends a subscription request to the hub's handler.
func (e *env) post(form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, hubURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.hub.ServeHTTP(rec, req)
	return rec
}

func TestRequestValidation(t *testing.T) {
	open := newEnv(t, true, websub.Options{})
	closed := newEnv(t, false, websub.Options{})
	ok := url.Values{
		"hub.mode":     {"subscribe"},
		"hub.topic":    {base + "/feeds/all.atom"},
		"hub.callback": {"http://127.0.0.1:1/cb"},
	}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ok {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		e      *env
		form   url.Values
		status int
		reason string
	}{
		{"valid", open, ok, http.StatusAccepted, "verification of intent follows"},
		{"no mode", open, with("hub.mode", ""), 400, "hub.mode is required"},
		{"publish mode", open, with("hub.mode", "publish"), 400, "not supported"},
		{"no topic", open, with("hub.topic", ""), 400, "hub.topic is required"},
		{"foreign topic", open, with("hub.topic", "http://example.org/feed.atom"), 400, "not a feed of this hub"},
		{"page topic", open, with("hub.topic", base+"/articles/x"), 400, "not a feed of this hub"},
		{"no callback", open, with("hub.callback", ""), 400, "hub.callback is required"},
		{"ftp callback", open, with("hub.callback", "ftp://127.0.0.1/cb"), 400, "absolute http or https"},
		{"relative callback", open, with("hub.callback", "/cb"), 400, "absolute http or https"},
		{"long callback", open, with("hub.callback", "http://127.0.0.1/"+strings.Repeat("a", 3000)), 400, "longer than"},
		{"ssrf callback", closed, with("hub.callback", "http://127.0.0.2:8080/cb"), 400, "loopback"},
		{"private callback", closed, with("hub.callback", "http://10.1.2.3/cb"), 400, "private"},
		{"secret of 200 bytes", open, with("hub.secret", strings.Repeat("s", 200)), 400, "less than 200 bytes"},
		{"secret of 199 bytes", open, with("hub.secret", strings.Repeat("s", 199)), http.StatusAccepted, ""},
		{"bad lease", open, with("hub.lease_seconds", "soon"), 400, "hub.lease_seconds"},
		{"negative lease", open, with("hub.lease_seconds", "-5"), 400, "hub.lease_seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.e.post(tc.form)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.reason) {
				t.Errorf("got %d %q, want %d with %q", rec.Code, rec.Body.String(), tc.status, tc.reason)
			}
		})
	}

	req := httptest.NewRequest(http.MethodGet, hubURL, nil)
	rec := httptest.NewRecorder()
	open.hub.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}
	req = httptest.NewRequest(http.MethodPost, hubURL, strings.NewReader(ok.Encode()))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	open.hub.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("JSON body: %d", rec.Code)
	}
}

// subscriber is a WebSub subscriber on loopback: it answers verifications
// (or refuses them) and reports what it receives.
type subscriber struct {
	srv    *httptest.Server
	refuse bool
	// status answers content distributions; 0 is 200 OK.
	status atomic.Int32
	// held content distributions, and verifications when holdVerify,
	// wait for gate to close; a held verification reports on arrived.
	held, holdVerify atomic.Bool
	gate             chan struct{}
	openGate         func() // closes gate, once
	arrived          chan struct{}
	verified         chan url.Values
	received         chan delivery
}

type delivery struct {
	header http.Header
	body   []byte
	at     time.Time
}

func newSubscriber(t *testing.T) *subscriber {
	s := &subscriber{verified: make(chan url.Values, 10), received: make(chan delivery, 100), gate: make(chan struct{}), arrived: make(chan struct{}, 10)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if s.holdVerify.Load() {
				s.arrived <- struct{}{}
				<-s.gate
			}
			q := r.URL.Query()
			if s.refuse {
				http.NotFound(w, r)
			} else {
				_, _ = io.WriteString(w, q.Get("hub.challenge"))
			}
			s.verified <- q
			return
		}
		body, _ := io.ReadAll(r.Body)
		if s.held.Load() {
			<-s.gate
		}
		if code := s.status.Load(); code != 0 {
			w.WriteHeader(int(code))
		}
		s.received <- delivery{r.Header.Clone(), body, time.Now()}
	}))
	t.Cleanup(s.srv.Close)
	s.openGate = sync.OnceFunc(func() { close(s.gate) })
	t.Cleanup(s.openGate) // before s.srv.Close, which waits for held requests
	return s
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("no %s within %s", what, waitFor)
		panic("unreachable")
	}
}

func TestLeaseClamping(t *testing.T) {
	e := newEnv(t, true, websub.Options{LeaseDefault: 10 * 24 * time.Hour, LeaseMin: time.Hour, LeaseMax: 30 * 24 * time.Hour})
	s := newSubscriber(t)
	s.refuse = true // the lease is in the verification request; nothing is stored
	for _, tc := range []struct{ asked, want string }{
		{"", "864000"},
		{"60", "3600"},
		{"7200", "7200"},
		{"999999999999", "2592000"},
	} {
		form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {base + "/feeds/lang/fr.rss"}, "hub.callback": {s.srv.URL + "/cb?x=1"}}
		if tc.asked != "" {
			form.Set("hub.lease_seconds", tc.asked)
		}
		if rec := e.post(form); rec.Code != http.StatusAccepted {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		q := recv(t, s.verified, "verification")
		if got := q.Get("hub.lease_seconds"); got != tc.want {
			t.Errorf("asked %q: lease %s, want %s", tc.asked, got, tc.want)
		}
		if q.Get("x") != "1" || q.Get("hub.mode") != "subscribe" || q.Get("hub.topic") != base+"/feeds/lang/fr.rss" || len(q.Get("hub.challenge")) < 16 {
			t.Errorf("verification query %v", q)
		}
	}
	if n := e.m.Subscriptions(); n != 0 {
		t.Errorf("refused verifications left %d subscriptions", n)
	}
}

// subscribe makes a verified subscription and waits until it is stored.
func (e *env) subscribe(s *subscriber, topic, secret string) string {
	e.t.Helper()
	kv, err := e.js.KeyValue(context.Background(), subscribers.EndpointBucket)
	if err != nil {
		e.t.Fatal(err)
	}
	callback := s.srv.URL + "/cb"
	name := websub.EndpointName(callback, topic)
	w, err := kv.Watch(context.Background(), name, jetstream.UpdatesOnly())
	if err != nil {
		e.t.Fatal(err)
	}
	defer w.Stop()
	rec := e.post(url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback}, "hub.secret": {secret}})
	if rec.Code != http.StatusAccepted {
		e.t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	recv(e.t, s.verified, "verification")
	for entry := range w.Updates() {
		if entry != nil && entry.Operation() == jetstream.KeyValuePut {
			return name
		}
	}
	e.t.Fatal("watch ended")
	return ""
}

func (e *env) publish(a *article.Article) {
	e.t.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.js.Publish(context.Background(), e.top.ArticleSubject(a.LanguageSlug(), a.SourceSlug()), raw, jetstream.WithMsgID(a.ID)); err != nil {
		e.t.Fatal(err)
	}
}

func newArticle(id, title string, tags ...string) *article.Article {
	return &article.Article{
		Schema: article.SchemaVersion, ID: id, Title: title, Tags: tags,
		Body:      []string{"First paragraph of " + title + "."},
		Published: time.Now().UTC(), Ingested: time.Now().UTC(),
		Source: "Le Monde", Language: "fr",
	}
}

// A tag topic gets the tag feed, signed with the subscriber's secret, for
// an article whose tag only matches by slug; other articles send nothing.
func TestSignedDeliveryOfATagTopic(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	s := newSubscriber(t)
	const secret = "a subscriber's secret"
	topic := base + "/feeds/tag/emile-zola.atom"
	name := e.subscribe(s, topic, secret)

	e.publish(newArticle("other", "Sans rapport", "Politique"))
	e.publish(newArticle("zola", "Zola à Médan", "Émile Zola"))
	d := recv(t, s.received, "delivery")

	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(d.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); d.header.Get("X-Hub-Signature") != want {
		t.Errorf("X-Hub-Signature %q, want %q", d.header.Get("X-Hub-Signature"), want)
	}
	if got, want := d.header.Get("Link"), `<`+hubURL+`>; rel="hub", <`+topic+`>; rel="self"`; got != want {
		t.Errorf("Link %q, want %q", got, want)
	}
	if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	feed, err := gofeed.NewParser().ParseString(string(d.body))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 || feed.Items[0].GUID != feeds.ItemID("zola") {
		t.Fatalf("feed items %v, want only the Zola article", feed.Items)
	}

	// One attempt at a time, in stream order: once the delivery for a
	// later article arrives, the article outside the topic has been
	// settled. It was filtered out if it made neither a delivery (with
	// the Zola feed in it) nor a dead letter (the tag feed not rendered
	// yet).
	e.publish(newArticle("zola2", "Zola encore", "EMILE ZOLA"))
	d = recv(t, s.received, "delivery of the second Zola article")
	feed, err = gofeed.NewParser().ParseString(string(d.body))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range feed.Items {
		ids = append(ids, it.GUID)
	}
	if want := []string{feeds.ItemID("zola2"), feeds.ItemID("zola")}; !slices.Equal(ids, want) {
		t.Errorf("second delivery holds %v, want %v", ids, want)
	}
	dead, err := e.m.DeadLetters(context.Background(), name, 10)
	if err != nil || len(dead) != 0 {
		t.Errorf("dead letters %v (%v), want none", dead, err)
	}
}

// An expired lease delivers nothing and is swept away with its consumer.
func TestExpiredLeaseIsSwept(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	e := newEnv(t, true, websub.Options{Now: clock, LeaseMin: time.Hour, LeaseDefault: time.Hour, SweepInterval: time.Hour})
	s := newSubscriber(t)
	name := e.subscribe(s, base+"/feeds/all.json", "")
	// A delivery shows the manager runs the subscription: its runner will
	// not open the consumer again after the sweep deleted it.
	e.publish(newArticle("before", "Avant la fin du bail"))
	recv(t, s.received, "delivery before the lease ended")

	// Two hours later, by the hub's clock: the sweep deletes it.
	now = now.Add(2 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	kv, _ := e.js.KeyValue(context.Background(), subscribers.EndpointBucket)
	w, err := kv.Watch(context.Background(), name, jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	go func() { e.hub.Run(ctx); close(done) }()
	deleted := func() bool {
		for {
			select {
			case entry := <-w.Updates():
				if entry != nil && entry.Operation() != jetstream.KeyValuePut {
					return true
				}
			case <-time.After(waitFor):
				return false
			}
		}
	}()
	cancel()
	<-done
	if !deleted {
		t.Fatalf("the expired subscription was not deleted within %s", waitFor)
	}
	if _, err := e.js.Consumer(context.Background(), e.top.ArticleStream, "webhook-"+name); err == nil {
		t.Error("the expired subscription's consumer is still there")
	}
	if n := e.m.Subscriptions(); n != 0 {
		t.Errorf("%d subscriptions left", n)
	}
}

func TestMaxSubscriptions(t *testing.T) {
	e := newEnv(t, true, websub.Options{MaxSubscriptions: 1})
	s := newSubscriber(t)
	e.subscribe(s, base+"/feeds/all.atom", "")
	rec := e.post(url.Values{"hub.mode": {"subscribe"}, "hub.topic": {base + "/feeds/all.rss"}, "hub.callback": {s.srv.URL + "/cb"}})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over the limit: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	// A renewal of the existing one passes.
	e.subscribe(s, base+"/feeds/all.atom", "new secret")
}

// The pinger tells an external hub about every feed a new article is in.
func TestPingerAnnouncesTopics(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	got := make(chan url.Values, 10)
	ext := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got <- r.PostForm
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(ext.Close)
	p := websub.NewPinger([]string{ext.URL}, e.m.HTTPClient(), e.feeds, nil)
	ctx, cancel := context.WithCancel(context.Background())
	msgs, err := p.Follow(ctx, e.js, e.top.ArticleStream)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, msgs) }()
	t.Cleanup(func() { cancel(); <-done })

	// The consumer exists once Follow returns: this article is announced.
	e.publish(newArticle("ping", "Zola", "Émile Zola"))
	var form url.Values
	select {
	case form = <-got:
	case <-time.After(waitFor):
		t.Fatal("no ping")
	}
	urls := strings.Join(form["hub.url"], " ")
	for _, want := range []string{base + "/feeds/all.atom", base + "/feeds/lang/fr.rss", base + "/feeds/source/le-monde.json", base + "/feeds/tag/emile-zola.atom"} {
		if form.Get("hub.mode") != "publish" || !strings.Contains(urls, want) {
			t.Errorf("ping %v lacks %s", form, want)
		}
	}
}

// awaitDeletion waits until a deletion comes through w.
func (e *env) awaitDeletion(w jetstream.KeyWatcher) {
	e.t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case entry := <-w.Updates():
			if entry != nil && entry.Operation() != jetstream.KeyValuePut {
				return
			}
		case <-timeout:
			e.t.Fatalf("no deletion within %s", waitFor)
		}
	}
}

// A 410 Gone to a content distribution deletes the subscription (WebSub
// §7) with its consumer; subscribing again starts it anew.
func TestGoneDeletesTheSubscription(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	s := newSubscriber(t)
	topic := base + "/feeds/all.json"
	name := e.subscribe(s, topic, "")
	// The endpoint's status is deleted last of all, after its consumers.
	kv, err := e.js.KeyValue(context.Background(), subscribers.StatusBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(context.Background(), name, jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	s.status.Store(http.StatusGone)
	e.publish(newArticle("gone1", "Le dernier envoi"))
	recv(t, s.received, "delivery answered 410")
	e.awaitDeletion(w)
	if _, err := e.m.Endpoint(context.Background(), name); !errors.Is(err, subscribers.ErrNotFound) {
		t.Errorf("after 410: %v, want the subscription deleted", err)
	}
	if _, err := e.js.Consumer(context.Background(), e.top.ArticleStream, "webhook-"+name); err == nil {
		t.Error("the consumer outlived the subscription")
	}

	s.status.Store(0)
	e.subscribe(s, topic, "")
	e.publish(newArticle("gone2", "Le retour"))
	d := recv(t, s.received, "delivery after subscribing again")
	if !strings.Contains(string(d.body), feeds.ItemID("gone2")) {
		t.Errorf("delivery after subscribing again lacks the new article: %s", d.body)
	}
}

// A subscription disabled (by subscribers.disable_after or an operator:
// the same status) is enabled again by a verified subscribe.
func TestResubscribeEnablesADisabledSubscription(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	s := newSubscriber(t)
	topic := base + "/feeds/all.json"
	name := e.subscribe(s, topic, "")
	ctx := context.Background()
	kv, err := e.js.KeyValue(ctx, subscribers.StatusBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, name, jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	disabled := func() bool {
		t.Helper()
		entry := recv(t, w.Updates(), "status change")
		var st subscribers.Status
		if err := json.Unmarshal(entry.Value(), &st); err != nil {
			t.Fatal(err)
		}
		return st.Disabled
	}

	if err := e.m.DisableEndpoint(ctx, name, "failing for too long"); err != nil {
		t.Fatal(err)
	}
	if !disabled() {
		t.Fatal("not disabled")
	}
	e.subscribe(s, topic, "")
	if disabled() {
		t.Fatal("a verified subscribe left the subscription disabled")
	}
	e.publish(newArticle("back", "De retour"))
	d := recv(t, s.received, "delivery after subscribing again")
	if !strings.Contains(string(d.body), feeds.ItemID("back")) {
		t.Errorf("delivery lacks the new article: %s", d.body)
	}
}

// A burst of articles before the subscriber answers sends each distinct
// feed once: a message whose feed is the one the subscriber last
// accepted is settled without a request.
func TestBurstSendsNoFeedTwice(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	s := newSubscriber(t)
	name := e.subscribe(s, base+"/feeds/all.json", "")
	s.held.Store(true)
	var ids []string
	for i := range 5 {
		id := "burst" + strconv.Itoa(i)
		ids = append(ids, id)
		e.publish(newArticle(id, "Rafale "+strconv.Itoa(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := e.feeds.WaitFor(ctx, ids[4]); err != nil {
		t.Fatal(err)
	}
	s.openGate() // the subscriber answers now, with every article in the feed

	// Every message of the burst settled: nothing pending, nothing in
	// flight.
	cons, err := e.js.Consumer(ctx, e.top.ArticleStream, "webhook-"+name)
	if err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		info, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream >= 5 {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("the burst was not settled within %s: %+v", waitFor, info)
		}
	}
	var bodies []string
	for len(s.received) > 0 {
		bodies = append(bodies, string((<-s.received).body))
	}
	if len(bodies) == 0 {
		t.Fatal("nothing delivered for the burst")
	}
	for i, b := range bodies {
		if j := slices.Index(bodies[:i], b); j >= 0 {
			t.Errorf("deliveries %d and %d of %d are the same feed", j+1, i+1, len(bodies))
		}
	}
	for _, id := range ids {
		if last := bodies[len(bodies)-1]; !strings.Contains(last, feeds.ItemID(id)) {
			t.Errorf("the last delivery of the burst lacks %s", id)
		}
	}
	t.Logf("%d articles, %d deliveries", len(ids), len(bodies))
}

// Close lets a verification in flight finish: a subscriber that answers
// its challenge while the hub shuts down has its subscription saved.
// Requests that come after Close began get 503.
func TestCloseFinishesVerificationsInFlight(t *testing.T) {
	e := newEnv(t, true, websub.Options{})
	s := newSubscriber(t)
	s.holdVerify.Store(true)
	topic := base + "/feeds/all.atom"
	callback := s.srv.URL + "/cb"
	if rec := e.post(url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback}}); rec.Code != http.StatusAccepted {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	recv(t, s.arrived, "verification request")

	closed := make(chan struct{})
	go func() { e.hub.Close(); close(closed) }()
	// Close has begun once the hub refuses requests.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(waitFor)
	for {
		rec := e.post(url.Values{})
		if rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") != "" {
			break
		}
		select {
		case <-tick.C:
		case <-timeout:
			t.Fatalf("the hub still answers %d after Close", rec.Code)
		}
	}
	select {
	case <-closed:
		t.Fatal("Close returned before the verification in flight ended")
	default:
	}
	s.openGate() // the subscriber answers its challenge
	recv(t, closed, "Close")
	if _, err := e.m.Endpoint(context.Background(), websub.EndpointName(callback, topic)); err != nil {
		t.Errorf("subscription verified during Close: %v", err)
	}
}

// New refuses options it cannot run with: a negative interval would panic
// in Run's ticker, a negative bound would refuse every request.
func TestNewRefusesBadOptions(t *testing.T) {
	e := newEnv(t, false, websub.Options{})
	for name, o := range map[string]websub.Options{
		"lease min above default": {LeaseMin: 2 * time.Hour, LeaseDefault: time.Hour},
		"negative subscriptions":  {MaxSubscriptions: -1},
		"negative pending":        {MaxPending: -1},
		"negative verify timeout": {VerifyTimeout: -time.Second},
		"negative sweep interval": {SweepInterval: -time.Second},
	} {
		if _, err := websub.New(e.m, e.feeds, o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}
