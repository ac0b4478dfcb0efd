package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/app"
	"github.com/crier/crier/feeds"
	"github.com/crier/crier/subscribers"
	"github.com/crier/crier/websub"
)

// websubSubscriber plays a WebSub subscriber: it answers verifications of
// intent and checks and reports the content it receives.
type websubSubscriber struct {
	t        *testing.T
	secret   string
	mu       sync.Mutex
	down     bool
	verified chan string // hub.mode of each verification answered
	received chan websubDelivery
	failed   chan struct{}
}

type websubDelivery struct {
	feed *gofeed.Feed
	link string
	at   time.Time
}

func newWebSubSubscriber(t *testing.T, secret string) (*websubSubscriber, *httptest.Server) {
	s := &websubSubscriber{t: t, secret: secret, verified: make(chan string, 10), received: make(chan websubDelivery, 100), failed: make(chan struct{}, 100)}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *websubSubscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
		s.verified <- q.Get("hub.mode")
		return
	}
	body, _ := io.ReadAll(r.Body)
	at := time.Now()
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		w.WriteHeader(http.StatusServiceUnavailable)
		s.failed <- struct{}{}
		return
	}
	// Verified independently of crier's code.
	mac := hmac.New(sha256.New, []byte(s.secret))
	mac.Write(body)
	if got, want := r.Header.Get("X-Hub-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		s.t.Errorf("X-Hub-Signature %q, want %q", got, want)
		w.WriteHeader(http.StatusForbidden)
		return
	}
	feed, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		s.t.Errorf("delivered body is not a feed: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
	s.received <- websubDelivery{feed, r.Header.Get("Link"), at}
}

func (s *websubSubscriber) setDown(v bool) {
	s.mu.Lock()
	s.down = v
	s.mu.Unlock()
}

// awaitItem waits for a delivered feed holding the article id.
func (s *websubSubscriber) awaitItem(t *testing.T, id string) websubDelivery {
	t.Helper()
	return s.awaitFeed(t, "a feed with article "+id, func(f *gofeed.Feed) bool { return itemOf(f, id) != nil })
}

// awaitFeed waits for a delivered feed that ok accepts.
func (s *websubSubscriber) awaitFeed(t *testing.T, what string, ok func(*gofeed.Feed) bool) websubDelivery {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case d := <-s.received:
			if ok(d.feed) {
				return d
			}
		case <-timeout:
			t.Fatalf("no %s delivered", what)
		}
	}
}

// itemOf returns the feed's item of article id, nil when it has none.
func itemOf(f *gofeed.Feed, id string) *gofeed.Item {
	for _, it := range f.Items {
		if it.GUID == feeds.ItemID(id) {
			return it
		}
	}
	return nil
}

var hubLinkRE = regexp.MustCompile(`<(?:atom:)?link[^>]*rel="hub"[^>]*>`)
var hrefRE = regexp.MustCompile(`href="([^"]+)"`)

// linkHeader returns the URL of the Link header entry with relation rel.
func linkHeader(h http.Header, rel string) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			if strings.Contains(part, `rel="`+rel+`"`) {
				if i, j := strings.Index(part, "<"), strings.Index(part, ">"); i >= 0 && j > i {
					return part[i+1 : j]
				}
			}
		}
	}
	return ""
}

// bodyHub returns the href of the feed's rel="hub" link.
func bodyHub(body []byte) string {
	if m := hubLinkRE.Find(body); m != nil {
		if h := hrefRE.FindSubmatch(m); h != nil {
			return string(h[1])
		}
	}
	return ""
}

// publishArticle posts an article through the ingest API and returns its id;
// a second title posts a correction of it under that title.
func publishArticle(t *testing.T, a *app.App, title string, correction ...string) (string, time.Time) {
	t.Helper()
	shown := title
	if len(correction) > 0 {
		shown = correction[0]
	}
	body, _ := json.Marshal(map[string]string{
		"url": "https://example.org/" + url.PathEscape(title), "title": shown,
		"text":   "Le président a reçu lundi son homologue à Minsk pour des pourparlers sur " + title + ".\n\nLes deux dirigeants ont évoqué la défense et l'économie.",
		"source": "Exemple", "language": "fr", "published": "2022-12-19T18:00:00Z",
	})
	at := time.Now()
	return accepted(t, "http://"+a.HTTPAddr(), string(body)).ID, at
}

// hubRequest POSTs a subscription request to the hub and waits until the
// subscription is stored (or deleted) in the endpoints bucket.
func hubRequest(t *testing.T, a *app.App, hub string, form url.Values, sub *websubSubscriber) {
	t.Helper()
	// A subscription is live once stored; an unsubscription is done once
	// the endpoint's status, removed last of all, is deleted.
	bucket := subscribers.EndpointBucket
	if form.Get("hub.mode") == "unsubscribe" {
		bucket = subscribers.StatusBucket
	}
	kv, err := a.Broker.JS.KeyValue(context.Background(), bucket)
	if err != nil {
		t.Fatal(err)
	}
	name := websub.EndpointName(form.Get("hub.callback"), form.Get("hub.topic"))
	w, err := kv.Watch(context.Background(), name, jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	resp, err := http.PostForm(hub, form)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s: %s %s", form.Get("hub.mode"), resp.Status, msg)
	}
	if got := await(t, sub.verified, 1)[0]; got != form.Get("hub.mode") {
		t.Fatalf("verification of %s, want %s", got, form.Get("hub.mode"))
	}
	wantPut := form.Get("hub.mode") == "subscribe"
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-w.Updates():
			if e != nil && (e.Operation() == jetstream.KeyValuePut) == wantPut {
				return
			}
		case <-timeout:
			t.Fatalf("%s not applied", form.Get("hub.mode"))
		}
	}
}

// A subscriber discovers the hub from a feed, subscribes with a secret,
// and receives the signed feed on each new article: after a failure
// (retried), across a restart (durable), and never after unsubscribing.
func TestWebSubEndToEnd(t *testing.T) {
	rc, hook := newReceiver(t)
	inbox := t.TempDir()
	seedInbox(t, inbox)
	cfg := testConfig(t, t.TempDir(), inbox, hook.URL+"/hook")
	a, stop := start(t, cfg)
	// The inbox runs once delivery has started: its webhooks say crier is
	// ready.
	await(t, rc.delivered, 5)
	base := "http://" + a.HTTPAddr()
	local := func(u string) string { return strings.Replace(u, cfg.HTTP.BaseURL, base, 1) }

	// Discovery.
	topic := cfg.HTTP.BaseURL + "/feeds/all.atom"
	resp, err := http.Get(local(topic))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// WebSub 4: the hub and self links, as HTTP headers and in the feed.
	hub := linkHeader(resp.Header, "hub")
	if hub != cfg.HTTP.BaseURL+"/hub" || bodyHub(body) != hub {
		t.Fatalf("hub: Link header %q, in the feed %q", hub, bodyHub(body))
	}
	if self := linkHeader(resp.Header, "self"); self != topic {
		t.Fatalf("self: Link header %q, want %q", self, topic)
	}

	sub, callback := newWebSubSubscriber(t, "correct horse battery staple")
	form := url.Values{
		"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback.URL + "/websub"},
		"hub.secret": {sub.secret}, "hub.lease_seconds": {"86400"},
	}
	hubRequest(t, a, local(hub), form, sub)

	// A new article reaches the subscriber, signed, in the feed.
	id, published := publishArticle(t, a, "Premier article")
	d := sub.awaitItem(t, id)
	t.Logf("WebSub latency, ingest API call to signed feed received: %s", d.at.Sub(published))
	if want := `<` + cfg.HTTP.BaseURL + `/hub>; rel="hub", <` + topic + `>; rel="self"`; d.link != want {
		t.Errorf("Link %q, want %q", d.link, want)
	}
	await(t, rc.delivered, 1)

	// A correction brings the feed with the new title; a retraction, the
	// feed without the article.
	if fix, _ := publishArticle(t, a, "Premier article", "Premier article, corrigé"); fix != id {
		t.Fatalf("the correction has id %s, want %s", fix, id)
	}
	sub.awaitFeed(t, "the corrected feed", func(f *gofeed.Feed) bool {
		it := itemOf(f, id)
		return it != nil && it.Title == "Premier article, corrigé"
	})
	await(t, rc.delivered, 1)
	if _, err := a.Publisher.Retract(t.Context(), id, "Published by mistake"); err != nil {
		t.Fatal(err)
	}
	sub.awaitFeed(t, "the feed without the retracted article", func(f *gofeed.Feed) bool { return itemOf(f, id) == nil })
	await(t, rc.delivered, 1)

	// The subscriber is down, then back: the retry brings the feed.
	sub.setDown(true)
	id, _ = publishArticle(t, a, "Deuxième article")
	<-sub.failed
	sub.setDown(false)
	sub.awaitItem(t, id)
	await(t, rc.delivered, 1)

	// A restart keeps the subscription.
	stop()
	a, _ = start(t, cfg)
	base = "http://" + a.HTTPAddr()
	ready, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Feeds.WaitFor(ready, id); err != nil {
		t.Fatal(err)
	}
	id, _ = publishArticle(t, a, "Troisième article")
	sub.awaitItem(t, id)
	await(t, rc.delivered, 1)

	// Unsubscribing removes the subscription and its consumer.
	form.Set("hub.mode", "unsubscribe")
	hubRequest(t, a, local(hub), form, sub)
	name := websub.EndpointName(form.Get("hub.callback"), topic)
	if _, err := a.Broker.JS.Consumer(context.Background(), a.Topology.ArticleStream, "webhook-"+name); err == nil {
		t.Error("the consumer outlived the unsubscription")
	}
	id, _ = publishArticle(t, a, "Quatrième article")
	if got := await(t, rc.delivered, 1); got[0] != id {
		t.Fatalf("webhook got %s, want %s", got[0], id)
	}
	select {
	case d := <-sub.received:
		t.Errorf("delivered after unsubscribing: %d items", len(d.feed.Items))
	default:
	}
}

// With websub.enabled false, a subscription stored while it was true is
// still delivered until its lease ends, but names no hub: crier no longer
// has one (the feeds stop advertising it, and /hub is not served).
func TestWebSubSubscriptionOutlivesTheHub(t *testing.T) {
	rc, hook := newReceiver(t)
	inbox := t.TempDir()
	seedInbox(t, inbox)
	cfg := testConfig(t, t.TempDir(), inbox, hook.URL+"/hook")
	a, stop := start(t, cfg)
	await(t, rc.delivered, 5) // delivery has started
	base := "http://" + a.HTTPAddr()
	topic := cfg.HTTP.BaseURL + "/feeds/all.atom"
	sub, callback := newWebSubSubscriber(t, "a secret")
	form := url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.callback": {callback.URL + "/websub"}, "hub.secret": {sub.secret}}
	hubRequest(t, a, base+"/hub", form, sub)
	stop()

	cfg.WebSub.Enabled = false
	a, _ = start(t, cfg)
	base = "http://" + a.HTTPAddr()
	resp, err := http.Post(base+"/hub", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusAccepted {
		t.Errorf("POST /hub with the hub off: %s", resp.Status)
	}
	id, _ := publishArticle(t, a, "Sans hub")
	d := sub.awaitItem(t, id)
	await(t, rc.delivered, 1)
	if want := `<` + topic + `>; rel="self"`; d.link != want {
		t.Errorf("Link %q, want %q", d.link, want)
	}
}
