package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/nats-io/nats.go/jetstream"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/crier/crier/app"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/config"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// receiver is a webhook endpoint that verifies every delivery with the
// Standard Webhooks library and reports verified article ids.
type receiver struct {
	t         *testing.T
	wh        *standardwebhooks.Webhook
	mu        sync.Mutex
	fail      bool
	ids       map[string]string // article id and revision -> webhook-id
	events    []webhookEvent    // every delivery accepted, in order
	delivered chan string
}

// webhookEvent is one delivery a receiver accepted.
type webhookEvent struct {
	webhookID, typ, title string
	revision              int
}

func newReceiver(t *testing.T) (*receiver, *httptest.Server) {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, wh: wh, ids: map[string]string{}, delivered: make(chan string, 100)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := rc.wh.Verify(body, r.Header); err != nil {
		rc.t.Errorf("signature rejected by the Standard Webhooks library: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}
	var a struct {
		ID, Title string
		Revision  int
		Retracted time.Time
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Timestamp.IsZero() || json.Unmarshal(ev.Data, &a) != nil || a.ID == "" {
		rc.t.Errorf("bad payload: %s", body)
	}
	want := map[bool]string{false: "article.published", true: "article.updated"}[a.Revision > 1]
	if !a.Retracted.IsZero() {
		want = "article.retracted"
	}
	if ev.Type != want {
		rc.t.Errorf("revision %d sent as %q, want %q", a.Revision, ev.Type, want)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	key := fmt.Sprintf("%s revision %d", a.ID, max(a.Revision, 1))
	if prev, ok := rc.ids[key]; ok && prev != r.Header.Get("webhook-id") {
		rc.t.Errorf("article %s redelivered with another webhook-id: %s then %s", key, prev, r.Header.Get("webhook-id"))
	}
	rc.ids[key] = r.Header.Get("webhook-id")
	rc.events = append(rc.events, webhookEvent{r.Header.Get("webhook-id"), ev.Type, a.Title, a.Revision})
	w.WriteHeader(http.StatusNoContent)
	rc.delivered <- a.ID
}

func (rc *receiver) setFailing(v bool) {
	rc.mu.Lock()
	rc.fail = v
	rc.mu.Unlock()
}

func seedInbox(t *testing.T, dir string) {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS("../examples/inbox")); err != nil {
		t.Fatalf("seeds: %v", err)
	}
	if seeds, err := filepath.Glob(filepath.Join(dir, "*.txt")); err != nil || len(seeds) != 5 {
		t.Fatalf("seeds: %v %v", seeds, err)
	}
}

func testConfig(t *testing.T, dataDir, inbox, hookURL string) *config.Config {
	t.Helper()
	env := []string{
		"CRIER_DATA_DIR=" + dataDir,
		"CRIER_HTTP_LISTEN=127.0.0.1:0",
		"CRIER_HTTP_BASE_URL=http://crier.test",
		"CRIER_NATS_LISTEN=",
		"CRIER_PUBLISHER_SCHEDULE=@every 1h",
		"CRIER_PUBLISHER_INBOX=" + inbox,
		"CRIER_PUBLISHER_SETTLE=0s",
		// No probe: no test input can make crier reach past loopback.
		"CRIER_PUBLISHER_PROBE_MEDIA=false",
		"CRIER_SUBSCRIBERS_TIMEOUT=2s", // AckWait follows: a stopped process's messages return within 17 s
		"CRIER_SUBSCRIBERS_RETRY_SCHEDULE=50ms,50ms,50ms,50ms,50ms,50ms,50ms,50ms,50ms,50ms",
		"CRIER_SUBSCRIBERS_ALLOW_NETWORKS=127.0.0.0/8",
		"CRIER_SUBSCRIBERS_WEBHOOKS_0_NAME=test",
		"CRIER_SUBSCRIBERS_WEBHOOKS_0_URL=" + hookURL,
		"CRIER_SUBSCRIBERS_WEBHOOKS_0_SECRET=" + secret,
	}
	cfg, err := config.Load("", env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Publisher.ProbeMedia {
		t.Fatal("test config: publisher.probe_media must be false")
	}
	return cfg
}

// start runs crier; stop cancels it and waits for a clean exit.
func start(t *testing.T, cfg *config.Config) (a *app.App, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "test")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return a, stop
}

func await(t *testing.T, ch <-chan string, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case id := <-ch:
			got = append(got, id)
		case <-timeout:
			t.Fatalf("got %d of %d events", len(got), n)
		}
	}
	return got
}

// ingestAnswer is the ingest API's answer to a POST.
type ingestAnswer struct {
	ID, Status string
	Revision   int
}

// ingest POSTs a JSON article to crier's ingest API at base and returns the
// HTTP status and the decoded answer; an unreadable answer fails the test.
func ingest(t *testing.T, base, body string) (int, ingestAnswer) {
	t.Helper()
	resp, err := http.Post(base+"/api/articles", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer ingestAnswer
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("ingest API: %s, unreadable answer: %v", resp.Status, err)
	}
	return resp.StatusCode, answer
}

// accepted is ingest that fails the test unless the API answered 202.
func accepted(t *testing.T, base, body string) ingestAnswer {
	t.Helper()
	status, answer := ingest(t, base, body)
	if status != http.StatusAccepted {
		t.Fatalf("ingest API: status %d, want 202", status)
	}
	return answer
}

// getFeed fetches a feed and parses it with gofeed.
func getFeed(t *testing.T, url string) *gofeed.Feed {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	feed, err := gofeed.NewParser().Parse(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return feed
}

func TestSeedsEndToEnd(t *testing.T) {
	rc, hook := newReceiver(t)
	inbox := t.TempDir()
	seedInbox(t, inbox)
	a, _ := start(t, testConfig(t, t.TempDir(), inbox, hook.URL+"/hook"))

	ids := await(t, rc.delivered, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range ids {
		if err := a.Feeds.WaitFor(ctx, id); err != nil {
			t.Fatalf("article %s not in the feeds: %v", id, err)
		}
	}

	// A new article through the ingest API, while crier runs.
	base := "http://" + a.HTTPAddr()
	posted := accepted(t, base,
		`{"url":"https://example.org/minsk","title":"Loukachenko reçoit Poutine","text":"Le président bélarusse a reçu lundi son homologue russe à Minsk pour des pourparlers.\n\nLes deux dirigeants ont évoqué la défense et l'économie.","source":"Exemple","language":"fr","published":"2022-12-19T18:00:00Z"}`)
	if err := a.Feeds.WaitFor(ctx, posted.ID); err != nil {
		t.Fatalf("posted article not in the feeds: %v", err)
	}
	if got := await(t, rc.delivered, 1); got[0] != posted.ID {
		t.Fatalf("webhook got %s, want the posted %s", got[0], posted.ID)
	}
	ids = append(ids, posted.ID)

	// Feeds, parsed back by gofeed.
	for _, ext := range []string{"rss", "atom", "json"} {
		feed := getFeed(t, base+"/feeds/all."+ext)
		var got []string
		for _, it := range feed.Items {
			got = append(got, strings.TrimPrefix(it.GUID, "urn:crier:"))
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(ids))
		if !slices.Equal(got, want) {
			t.Errorf("all.%s items %v, want %v", ext, got, want)
		}
	}
	resp, err := http.Get(base + "/feeds/lang/fr.atom")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("per-language feed: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	// NATS: the messages with their headers, readable by any consumer.
	cons := readStream(ctx, t, a)
	batch, err := cons.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	stories := map[string]string{} // seed number -> story id
	for m := range batch.Messages() {
		n++
		h := m.Headers()
		var art struct {
			ID       string `json:"id"`
			Schema   int    `json:"schema"`
			Language string `json:"language"`
			Origin   string `json:"origin"`
			StoryID  string `json:"story_id"`
		}
		if err := json.Unmarshal(m.Data(), &art); err != nil {
			t.Fatal(err)
		}
		if h.Get("Nats-Msg-Id") != art.ID || h.Get("ce-id") != art.ID || h.Get("ce-specversion") != "1.0" || h.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v for article %s", h, art.ID)
		}
		if art.Schema != 1 || art.Language != "fr" {
			t.Errorf("article %s: schema %d language %q", art.ID, art.Schema, art.Language)
		}
		if h.Get("Crier-Story-Id") != art.StoryID || art.StoryID == "" {
			t.Errorf("article %s: story header %q, body %q", art.ID, h.Get("Crier-Story-Id"), art.StoryID)
		}
		if seed, ok := strings.CutPrefix(art.Origin, "file:"); ok {
			stories[seed[:3]] = art.StoryID
		}
	}
	if n != 6 {
		t.Errorf("stream holds %d messages, want 6", n)
	}
	// One event reported four times; 004 is the same leaders seventeen
	// months later.
	if s := stories["000"]; s == "" || stories["001"] != s || stories["002"] != s || stories["003"] != s || stories["004"] == s {
		t.Errorf("seed stories %v: want 000-003 in one story, 004 apart", stories)
	}
}

// A correction posted through the API reaches every reader: one feed item
// with the new title and the same id, an article.updated webhook with a
// webhook-id of its own, and nothing to an endpoint that chose
// article.published only.
func TestCorrectionEndToEnd(t *testing.T) {
	rc, hook := newReceiver(t)
	firstOnly, firstHook := newReceiver(t)
	cfg := testConfig(t, t.TempDir(), t.TempDir(), hook.URL+"/hook")
	only := cfg.Subscribers.Webhooks[0]
	only.Name, only.URL, only.EventTypes = "first-only", firstHook.URL+"/hook", []string{"article.published"}
	cfg.Subscribers.Webhooks = append(cfg.Subscribers.Webhooks, only)
	a, _ := start(t, cfg)
	base := "http://" + a.HTTPAddr()

	post := func(title string) ingestAnswer {
		t.Helper()
		return accepted(t, base,
			`{"url":"https://example.org/minsk?utm_medium=rss","title":"`+title+`","text":"Le président bélarusse a reçu lundi son homologue russe à Minsk pour des pourparlers.\n\nLes deux dirigeants ont évoqué la défense et l'économie.","source":"Exemple","language":"fr","published":"2022-12-19T18:00:00Z"}`)
	}
	first := post("Loukachenko reçoit Poutine")
	await(t, rc.delivered, 1)
	await(t, firstOnly.delivered, 1)
	fix := post("Loukachenko reçoit Poutine à Minsk")
	if first.Status != "published" || fix.Status != "updated" || fix.ID != first.ID || fix.Revision != 2 {
		t.Fatalf("answers %+v then %+v, want published then updated revision 2 of one id", first, fix)
	}
	if again := post("Loukachenko reçoit Poutine à Minsk"); again.Status != "duplicate" || again.Revision != 2 {
		t.Errorf("the correction again: %+v, want a duplicate of revision 2", again)
	}
	await(t, rc.delivered, 1)

	rc.mu.Lock()
	evs := slices.Clone(rc.events)
	rc.mu.Unlock()
	if len(evs) != 2 || evs[0].typ != "article.published" || evs[1].typ != "article.updated" ||
		evs[1].revision != 2 || evs[0].webhookID == evs[1].webhookID || evs[1].title != "Loukachenko reçoit Poutine à Minsk" {
		t.Errorf("webhooks %+v, want article.published then article.updated (revision 2) with two webhook-ids", evs)
	}

	// Feeds: one item, the correction, under the first id.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := a.Feeds.WaitForRevision(ctx, first.ID, 2); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"rss", "atom", "json"} {
		feed := getFeed(t, base+"/feeds/all."+ext)
		if len(feed.Items) != 1 || feed.Items[0].Title != "Loukachenko reçoit Poutine à Minsk" || feed.Items[0].GUID != "urn:crier:"+first.ID {
			t.Errorf("all.%s: %d items, the first %q %s; want the correction alone, urn:crier:%s", ext, len(feed.Items), feed.Items[0].Title, feed.Items[0].GUID, first.ID)
		}
	}
	firstOnly.mu.Lock()
	defer firstOnly.mu.Unlock()
	if len(firstOnly.events) != 1 || firstOnly.events[0].typ != "article.published" {
		t.Errorf("the article.published-only endpoint got %+v", firstOnly.events)
	}
}

// A retraction through the admin API reaches every reader: an
// article.retracted webhook, a 410 page with the reason, an Atom
// deleted-entry; a new input of the article is refused.
func TestRetractionEndToEnd(t *testing.T) {
	rc, hook := newReceiver(t)
	cfg := testConfig(t, t.TempDir(), t.TempDir(), hook.URL+"/hook")
	cfg.HTTP.AdminToken = "admin-secret"
	a, _ := start(t, cfg)
	base := "http://" + a.HTTPAddr()
	body := `{"url":"https://example.org/faux","title":"Un faux article","text":"Ce texte publié par erreur ne devait jamais paraître dans les flux de la rédaction.\n\nIl sera retiré.","language":"fr"}`
	posted := accepted(t, base, body)
	await(t, rc.delivered, 1)

	req, _ := http.NewRequest(http.MethodPost, base+"/admin/articles/"+posted.ID+"/retract", strings.NewReader(`{"reason":"Published by mistake"}`))
	req.Header.Set("Authorization", "Bearer admin-secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Status           string
		Revision         int
		RetractionReason string `json:"retraction_reason"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != http.StatusOK || st.Status != "retracted" || st.Revision != 2 || st.RetractionReason != "Published by mistake" {
		t.Fatalf("retract: %s %+v %v", resp.Status, st, err)
	}
	resp.Body.Close()
	await(t, rc.delivered, 1)
	rc.mu.Lock()
	evs := slices.Clone(rc.events)
	rc.mu.Unlock()
	if len(evs) != 2 || evs[1].typ != "article.retracted" || evs[1].webhookID == evs[0].webhookID {
		t.Errorf("webhooks %+v, want article.published then article.retracted with its own webhook-id", evs)
	}

	page, err := http.Get(base + "/articles/" + posted.ID)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusGone || !strings.Contains(string(text), "Published by mistake") {
		t.Errorf("page: %s %s, want 410 with the reason", page.Status, text)
	}
	feed, err := http.Get(base + "/feeds/all.atom")
	if err != nil {
		t.Fatal(err)
	}
	atom, _ := io.ReadAll(feed.Body)
	feed.Body.Close()
	if !strings.Contains(string(atom), `<at:deleted-entry ref="urn:crier:`+posted.ID+`"`) {
		t.Errorf("all.atom announces no deletion:\n%s", atom)
	}
	if status, _ := ingest(t, base, body); status != http.StatusConflict {
		t.Errorf("the retracted article posted again: %d, want 409", status)
	}
}

func TestRestartInTheMiddleOfARun(t *testing.T) {
	rc, hook := newReceiver(t)
	rc.setFailing(true) // deliveries are in retry when crier stops
	inbox, data := t.TempDir(), t.TempDir()
	seedInbox(t, inbox)
	cfg := testConfig(t, data, inbox, hook.URL+"/hook")
	// Retries slower than the first run lasts, so no article can use up its
	// attempts (and be dead-lettered) before the restart.
	cfg.Subscribers.RetrySchedule = slices.Repeat([]config.Duration{config.Duration(time.Second)}, 10)

	a, stop := start(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Stop as soon as the first article is out: the rest of the run is
	// handed back (left in the inbox) and the delivery is unacknowledged.
	first := waitFirstArticle(ctx, t, a)
	stop()
	rc.setFailing(false)

	a, _ = start(t, cfg)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dead letters: %d, articles: %d", brokertest.StreamMsgs(t, a.Broker.JS, a.Topology.DeadLetterStream), brokertest.StreamMsgs(t, a.Broker.JS, a.Topology.ArticleStream))
			if c, err := a.Broker.JS.Consumer(context.Background(), a.Topology.ArticleStream, "webhook-test"); err == nil {
				info, _ := c.Info(context.Background())
				t.Logf("consumer: delivered %+v acked %+v pending %d ackpending %d redelivered %d", info.Delivered, info.AckFloor, info.NumPending, info.NumAckPending, info.NumRedelivered)
			}
		}
	})
	ids := await(t, rc.delivered, 5)
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != 5 || !seen[first] {
		t.Fatalf("delivered %v, want the 5 articles including %s", ids, first)
	}
	if n := brokertest.StreamMsgs(t, a.Broker.JS, a.Topology.ArticleStream); n != 5 {
		t.Fatalf("stream holds %d articles after the restart, want 5 (none twice)", n)
	}
}

// readStream opens an ordered consumer on the article stream, from its start.
func readStream(ctx context.Context, t *testing.T, a *app.App) jetstream.Consumer {
	t.Helper()
	stream, err := a.Broker.JS.Stream(ctx, a.Topology.ArticleStream)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return cons
}

func waitFirstArticle(ctx context.Context, t *testing.T, a *app.App) string {
	t.Helper()
	cons := readStream(ctx, t, a)
	m, err := cons.Next(jetstream.FetchMaxWait(20 * time.Second))
	if err != nil {
		t.Fatalf("no article published: %v", err)
	}
	return m.Headers().Get("Nats-Msg-Id")
}

func TestReplicasShareAnExternalServer(t *testing.T) {
	ext, _ := brokertest.StartAt(t, t.TempDir(), "127.0.0.1:0") // stands for a NATS cluster
	rc, hook := newReceiver(t)
	inbox := t.TempDir()
	seedInbox(t, inbox)

	var replicas []*app.App
	for range 2 {
		cfg := testConfig(t, t.TempDir(), inbox, hook.URL+"/hook")
		cfg.NATS.URL = ext.ClientURL
		a, _ := start(t, cfg)
		if a.Broker.Embedded() {
			t.Fatal("nats.url is set, yet an embedded server was started")
		}
		replicas = append(replicas, a)
	}

	ids := await(t, rc.delivered, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range replicas {
		for _, id := range ids {
			if err := a.Feeds.WaitFor(ctx, id); err != nil {
				t.Fatalf("replica at %s lacks %s: %v", a.HTTPAddr(), id, err)
			}
		}
	}
	if unique := len(slices.Compact(slices.Sorted(slices.Values(ids)))); unique != 5 {
		t.Errorf("delivered %v: %d distinct articles, want 5", ids, unique)
	}
	if n := brokertest.StreamMsgs(t, ext.JS, "ARTICLES"); n != 5 {
		t.Errorf("stream holds %d articles, want 5: both replicas read the same inbox, each article once", n)
	}
}

// TestAdminEndpointSurvivesRestart creates an endpoint through the admin
// API of a running crier, restarts crier on the same data, and sees an
// article posted to the ingest API reach the endpoint; /metrics counts it.
func TestAdminEndpointSurvivesRestart(t *testing.T) {
	dataDir, inbox := t.TempDir(), t.TempDir()
	_, declaredSrv := newReceiver(t)
	cfg := testConfig(t, dataDir, inbox, declaredSrv.URL)
	cfg.HTTP.AdminToken = "admin-token-for-tests"

	a, stop := start(t, cfg)
	base := "http://" + a.HTTPAddr()
	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+cfg.HTTP.AdminToken.Reveal())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	rc, srv := newReceiver(t)
	code, body := call("POST", "/admin/endpoints", `{"name":"created","url":"`+srv.URL+`/hook","secrets":[{"value":"`+secret+`"}]}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	stop()

	a2, _ := start(t, cfg)
	base = "http://" + a2.HTTPAddr()
	code, body = call("GET", "/admin/endpoints/created", "")
	if code != http.StatusOK || strings.Contains(string(body), secret[6:]) {
		t.Fatalf("after restart: %d %s", code, body)
	}
	req, _ := http.NewRequest("POST", base+"/api/articles", strings.NewReader("Un titre de test\n\nUne première phrase assez longue pour être un paragraphe de l'article publié.\n\nUne seconde phrase, elle aussi assez longue pour compter dans le corps du texte."))
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("ingest: %d", resp.StatusCode)
	}
	select {
	case <-rc.delivered:
	case <-time.After(30 * time.Second):
		t.Fatal("the endpoint created before the restart got nothing")
	}
	// /metrics, with the admin token (set here, so it is required): the
	// counter may lag the receipt by the time the attempt is recorded, so
	// read it after the delivery.
	code, body = call("GET", "/metrics", "")
	if code != http.StatusOK || !strings.Contains(string(body), `crier_webhook_endpoint_disabled{endpoint="created"} 0`) {
		t.Errorf("/metrics: %d\n%s", code, body)
	}
}

// TestAdminOffWithoutToken: no http.admin_token, no admin API.
func TestAdminOffWithoutToken(t *testing.T) {
	_, srv := newReceiver(t)
	a, _ := start(t, testConfig(t, t.TempDir(), t.TempDir(), srv.URL))
	resp, err := http.Get("http://" + a.HTTPAddr() + "/admin/endpoints")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /admin/endpoints without a configured token: %d, want 404", resp.StatusCode)
	}
}

// An article out of the feeds index (feeds.max_articles) keeps its page,
// through the publisher's record: its newest revision, or 410 with the
// reason once retracted; the day's archive shows it corrected; and the
// same after a restart, which replays only the stream's tail.
func TestArticlesOutOfTheIndexEndToEnd(t *testing.T) {
	rc, hook := newReceiver(t)
	cfg := testConfig(t, t.TempDir(), t.TempDir(), hook.URL+"/hook")
	cfg.HTTP.AdminToken = "admin-secret"
	cfg.Feeds.MaxArticles = 1 // below what the configuration accepts, to evict at once
	a, stop := start(t, cfg)
	base := "http://" + a.HTTPAddr()
	texts := []string{
		"Le conseil municipal a voté mardi le budget des écoles après un long débat.\n\nLes travaux commenceront au printemps.",
		"La rivière a débordé dans la nuit et trois villages sont coupés du reste de la vallée.\n\nLes secours sont sur place.",
		"Le club local a remporté la finale régionale au terme d'un match serré.\n\nLes joueurs seront reçus à la mairie.",
		"Une exposition consacrée aux vitraux anciens ouvre ses portes samedi au musée.\n\nElle durera tout l'été.",
	}
	post := func(i int, title, text string) ingestAnswer {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"url": fmt.Sprintf("https://example.org/n/%d", i), "title": title, "text": text, "language": "fr", "source": "Exemple"})
		return accepted(t, base, string(body))
	}
	gone := post(0, "Un article retiré", texts[0])
	fixed := post(1, "La rivière déborde", texts[1])
	await(t, rc.delivered, 2)
	if fix := post(1, "La rivière déborde : trois villages isolés", texts[1]); fix.Revision != 2 {
		t.Fatalf("correction: %+v", fix)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/articles/"+gone.ID+"/retract", strings.NewReader(`{"reason":"Published by mistake"}`))
	req.Header.Set("Authorization", "Bearer admin-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("retract: %v %v", resp, err)
	}
	resp.Body.Close()
	post(2, "Victoire en finale", texts[2])
	last := post(3, "Les vitraux au musée", texts[3])
	await(t, rc.delivered, 4)

	check := func(when string, a *app.App) {
		t.Helper()
		base := "http://" + a.HTTPAddr()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := a.Feeds.WaitFor(ctx, last.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(a.Feeds.Latest(10)); n != 1 {
			t.Errorf("%s: the index holds %d articles, want 1", when, n)
		}
		status, page := httpGet(t, base+"/articles/"+gone.ID)
		if status != http.StatusGone || !strings.Contains(page, "Published by mistake") {
			t.Errorf("%s: retracted article's page: %d %s, want 410 with the reason", when, status, page)
		}
		status, page = httpGet(t, base+"/articles/"+fixed.ID+".json")
		if status != http.StatusOK || !strings.Contains(page, `"revision": 2`) || !strings.Contains(page, "trois villages isolés") {
			t.Errorf("%s: corrected article's JSON: %d %s, want revision 2", when, status, page)
		}
		day := time.Now().UTC().Format("2006-01-02")
		feed := getFeed(t, base+"/feeds/archive/"+day+"/all.atom")
		var titles []string
		for _, it := range feed.Items {
			titles = append(titles, it.Title)
		}
		if len(titles) != 3 || !slices.Contains(titles, "La rivière déborde : trois villages isolés") {
			t.Errorf("%s: today's archive: %q, want the three articles not retracted, corrected", when, titles)
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/admin/articles/"+gone.ID, nil)
		req.Header.Set("Authorization", "Bearer admin-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(st), `"status":"retracted"`) {
			t.Errorf("%s: admin show of the retracted article: %s", when, st)
		}
	}
	check("following", a)
	stop()
	restarted, _ := start(t, cfg)
	check("restarted", restarted)

	// Today is not over: its archive, read from the stream, gains what
	// comes next.
	base = "http://" + restarted.HTTPAddr()
	news := post(4, "Le marché de Noël ouvre", "Les chalets du marché de Noël ouvrent vendredi sur la place centrale.\n\nIls resteront jusqu'au premier janvier.")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := restarted.Feeds.WaitFor(ctx, news.ID); err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Format("2006-01-02")
	if feed := getFeed(t, base+"/feeds/archive/"+day+"/all.atom"); len(feed.Items) != 4 || feed.Items[0].Title != "Le marché de Noël ouvre" {
		t.Errorf("today's archive after one more article: %d items, want 4, the newest first", len(feed.Items))
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
