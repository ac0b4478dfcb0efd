package subscribers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/subscribers"
)

// Knobs of BenchmarkFanout, for exploring beyond the defaults.
var (
	fanoutConcurrency = flag.Int("fanout.concurrency", 0,
		"BenchmarkFanout: Options.Concurrency per endpoint (0: the Manager default)")
	fanoutRate = flag.Float64("fanout.rate", 0,
		"BenchmarkFanout: articles published per second (0: as fast as the publisher can, a burst)")
)

// BenchmarkFanout publishes b.N articles and measures crier delivering each
// to K endpoints served by one fast local receiver (the same httptest
// server under paths /k0 … /k9, the same secret), then, in the same run,
// a plain Go loop POSTing the same signed bodies to the same receiver with
// as many goroutines as crier has deliveries in flight (K × Concurrency):
// the limit of this machine, against which crier's rate is judged.
//
// Metrics: deliveries/s (first publish to last receipt), p50-ms and p99-ms
// (publish to receipt, over every delivery), plain-deliveries/s, ratio
// (crier/plain), and the TCP connections each side opened (crier-conns,
// plain-conns). ns/op is crier's time per article. Server and manager
// start-up, and the plain loop, are outside the timer.
//
// The articles go out in a burst unless -fanout.rate paces them, so p50
// and p99 then include the time an article waits behind the burst; paced
// below capacity they are the latency of one article. Run with
//
//	go test -run '^$' -bench Fanout -benchtime 20000x -count 5 -timeout 30m ./subscribers/
//
// (about 2 minutes on 2 cores); shorter runs weigh the consumers' first
// pulls and connections more. The manager's goroutines carry the profiler
// label side=crier, the plain loop's side=plain and the receiver's
// side=receiver: split a -cpuprofile with pprof -tagfocus side=crier.
func BenchmarkFanout(b *testing.B) {
	for _, k := range []int{1, 10} {
		b.Run("k="+strconv.Itoa(k), func(b *testing.B) {
			benchFanout(b, k, *fanoutConcurrency, *fanoutRate)
		})
	}
}

func benchFanout(b *testing.B, k, concurrency int, rate float64) {
	if concurrency == 0 {
		concurrency = subscribers.DefaultConcurrency
	}
	br, top := brokertest.Start(b)
	rc := newFanoutReceiver(b)

	eps := make([]subscribers.Endpoint, k)
	for j := range eps {
		eps[j] = subscribers.Endpoint{Name: fmt.Sprintf("k%d", j), URL: rc.url(j), Secret: testSecret}
	}
	m, err := subscribers.New(br.JS, subscribers.Options{
		Topology:      top,
		Concurrency:   concurrency,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:        slog.New(slog.DiscardHandler), // a log line per delivery would dominate
	}, eps)
	if err != nil {
		b.Fatal(err)
	}
	// DeliverNew: the consumers must exist before the first publish. The
	// manager's goroutines inherit the profiler label side=crier, so a
	// -cpuprofile can be split with pprof -tagfocus.
	pprof.Do(context.Background(), pprof.Labels("side", "crier"), func(ctx context.Context) {
		err = m.Start(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Stop)

	arts := fanoutArticles(b, b.N)
	subject := top.ArticleSubject("fr", "bench")
	published := make([]time.Time, b.N)
	round := rc.arm(b.N, k)
	var pace <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer t.Stop()
		pace = t.C
	}

	b.ResetTimer()
	start := time.Now()
	futures := make([]jetstream.PubAckFuture, b.N)
	for i, a := range arts {
		if pace != nil && i > 0 {
			<-pace
		}
		published[i] = time.Now()
		futures[i], err = br.JS.PublishAsync(subject, a.raw, jetstream.WithMsgID(a.id))
		if err != nil {
			b.Fatalf("publish %d: %v", i, err)
		}
	}
	round.wait(b, fanoutTimeout(b.N*k))
	elapsed := time.Since(start)
	b.StopTimer()

	checkPubAcks(b, futures)
	m.Stop() // before the plain loop, so it has the machine to itself
	crierConns := round.conns()

	lat := make([]time.Duration, 0, b.N*k)
	for i := range b.N {
		for j := range k {
			lat = append(lat, round.at(i, j).Sub(published[i]))
		}
	}
	slices.Sort(lat)

	plainElapsed, plainConns := plainFanout(b, rc, arts, k, k*concurrency)

	crierRate := float64(b.N*k) / elapsed.Seconds()
	plainRate := float64(b.N*k) / plainElapsed.Seconds()
	b.ReportMetric(crierRate, "deliveries/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(plainRate, "plain-deliveries/s")
	b.ReportMetric(crierRate/plainRate, "ratio")
	b.ReportMetric(float64(crierConns), "crier-conns")
	b.ReportMetric(float64(plainConns), "plain-conns")
}

// fanoutArticle is one benchmark article with its webhook body signed as
// crier would sign it for any endpoint (they share the secret).
type fanoutArticle struct {
	id        string
	raw       []byte // the article JSON as published
	webhookID string
	body      []byte // the webhook envelope around raw
	timestamp string
	signature string
}

// fanoutArticles builds n articles of an ordinary size (about 2 KB of JSON),
// numbered from 1 so the receiver can index them by their id.
func fanoutArticles(b *testing.B, n int) []fanoutArticle {
	key, err := subscribers.ParseSecret(testSecret)
	if err != nil {
		b.Fatal(err)
	}
	para := strings.Repeat("Une phrase ordinaire d'une dépêche, avec des accents et des chiffres 2026. ", 4)
	now := time.Now().UTC()
	ts := now.Truncate(time.Second)
	out := make([]fanoutArticle, n)
	for i := range out {
		a := article.Article{
			Schema:    article.SchemaVersion,
			ID:        formatID(int64(i + 1)),
			Title:     fmt.Sprintf("Article %d du banc d'essai", i+1),
			Body:      []string{para, para, para},
			BodyHTML:  "<p>" + para + "</p><p>" + para + "</p><p>" + para + "</p>",
			Published: now,
			Ingested:  now,
			Source:    "bench",
			Language:  "fr",
		}
		raw, err := json.Marshal(a)
		if err != nil {
			b.Fatal(err)
		}
		// The same envelope crier builds (see payload.go).
		body := fmt.Appendf(nil, `{"type":%q,"timestamp":%q,"data":%s}`,
			subscribers.EventArticlePublished, now.Format(time.RFC3339Nano), raw)
		wid := "msg_" + a.ID
		out[i] = fanoutArticle{
			id: a.ID, raw: raw, webhookID: wid, body: body,
			timestamp: strconv.FormatInt(ts.Unix(), 10),
			signature: subscribers.Sign(key, wid, ts, body),
		}
	}
	return out
}

// plainFanout POSTs every article to every endpoint path from g goroutines
// sharing one client, the receiver's best case, and returns how long the
// n×k requests took and how many connections they opened.
func plainFanout(b *testing.B, rc *fanoutReceiver, arts []fanoutArticle, k, g int) (time.Duration, int64) {
	client := &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        max(100, g),
		MaxIdleConnsPerHost: g,
		IdleConnTimeout:     90 * time.Second,
	}}
	defer client.CloseIdleConnections()
	urls := make([]string, k)
	for j := range urls {
		urls[j] = rc.url(j)
	}
	total := len(arts) * k
	round := rc.arm(len(arts), k)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, g)
	start := time.Now()
	labels := pprof.WithLabels(context.Background(), pprof.Labels("side", "plain"))
	for range g {
		wg.Go(func() {
			pprof.SetGoroutineLabels(labels)
			for {
				n := int(next.Add(1)) - 1
				if n >= total {
					return
				}
				a := arts[n/k]
				if err := plainPost(client, urls[n%k], a); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	round.wait(b, fanoutTimeout(total)) // all answered, so all recorded
	return elapsed, round.conns()
}

func plainPost(client *http.Client, url string, a fanoutArticle) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(a.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "plain")
	req.Header.Set("webhook-id", a.webhookID)
	req.Header.Set("webhook-timestamp", a.timestamp)
	req.Header.Set("webhook-signature", a.signature)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("plain POST %s: HTTP %d", url, resp.StatusCode)
	}
	return nil
}

// fanoutReceiver is one fast local webhook receiver: it reads the body,
// records when (article, endpoint path) arrived and answers 204. It does
// not verify signatures: that would be its cost, not crier's; the
// delivery tests verify them.
type fanoutReceiver struct {
	srv     *httptest.Server
	labels  context.Context // side=receiver, for its handlers in a CPU profile
	current atomic.Pointer[fanoutRound]
	conns   atomic.Int64
}

func newFanoutReceiver(b *testing.B) *fanoutReceiver {
	rc := &fanoutReceiver{labels: pprof.WithLabels(context.Background(), pprof.Labels("side", "receiver"))}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(rc.serve))
	rc.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rc.conns.Add(1)
		}
	}
	rc.srv.Start()
	b.Cleanup(rc.srv.Close)
	return rc
}

// url is endpoint j's address.
func (rc *fanoutReceiver) url(j int) string { return rc.srv.URL + "/k" + strconv.Itoa(j) }

func (rc *fanoutReceiver) serve(w http.ResponseWriter, r *http.Request) {
	pprof.SetGoroutineLabels(rc.labels)
	_, err := io.Copy(io.Discard, r.Body)
	now := time.Now()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if round := rc.current.Load(); round != nil {
		round.record(r.Header.Get("webhook-id"), r.URL.Path, now)
	}
	w.WriteHeader(http.StatusNoContent)
}

// arm starts a round expecting n articles at k endpoints.
func (rc *fanoutReceiver) arm(n, k int) *fanoutRound {
	round := &fanoutRound{
		n: n, k: k,
		received:   make([]atomic.Int64, n*k),
		done:       make(chan struct{}),
		connsStart: rc.conns.Load(),
		rc:         rc,
	}
	round.left.Store(int64(n * k))
	rc.current.Store(round)
	return round
}

// fanoutRound collects the receipt times of one run.
type fanoutRound struct {
	n, k       int
	received   []atomic.Int64 // UnixNano of the first receipt, by article*k+endpoint
	left       atomic.Int64
	done       chan struct{} // closed when every delivery arrived
	strays     atomic.Int64  // unknown ids or paths, and repeats
	connsStart int64
	rc         *fanoutReceiver
}

func (f *fanoutRound) record(webhookID, path string, at time.Time) {
	n, err1 := strconv.ParseUint(strings.TrimPrefix(webhookID, "msg_"), 16, 64)
	j, err2 := strconv.Atoi(strings.TrimPrefix(path, "/k"))
	if err1 != nil || err2 != nil || n < 1 || n > uint64(f.n) || j < 0 || j >= f.k {
		f.strays.Add(1)
		return
	}
	if !f.received[int(n-1)*f.k+j].CompareAndSwap(0, at.UnixNano()) {
		f.strays.Add(1) // a redelivery
		return
	}
	if f.left.Add(-1) == 0 {
		close(f.done)
	}
}

// wait blocks until every delivery arrived, or fails the benchmark after d.
func (f *fanoutRound) wait(b *testing.B, d time.Duration) {
	select {
	case <-f.done:
	case <-time.After(d):
		b.Fatalf("%d of %d deliveries missing after %s", f.left.Load(), f.n*f.k, d)
	}
	if s := f.strays.Load(); s > 0 {
		b.Logf("%d stray or repeated requests", s)
	}
}

func (f *fanoutRound) at(i, j int) time.Time { return time.Unix(0, f.received[i*f.k+j].Load()) }

// conns is how many connections the receiver accepted since arm.
func (f *fanoutRound) conns() int64 { return f.rc.conns.Load() - f.connsStart }

// fanoutTimeout bounds a round of n deliveries generously: at 100/s it
// would still pass, so a failure means lost deliveries, not a slow machine.
func fanoutTimeout(n int) time.Duration { return 30*time.Second + time.Duration(n)*10*time.Millisecond }

// checkPubAcks fails the benchmark if the server refused any publish.
func checkPubAcks(b *testing.B, futures []jetstream.PubAckFuture) {
	for i, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			b.Fatalf("publish %d: %v", i, err)
		case <-time.After(waitFor):
			b.Fatalf("publish %d: no ack within %s", i, waitFor)
		}
	}
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
