package subscribers_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/subscribers"
)

// reconnectWait bounds the wait for the deliveries after the restart: a
// settlement lost with the old server's connection comes back only after
// the consumer's AckWait (Timeout + 15s), which is longer than waitFor.
const reconnectWait = time.Minute

// heldRequest is a request the receiver holds until the test answers it.
type heldRequest struct {
	hit
	answer chan int // the status to send
}

// TestNATSReconnectMidDeliveryLosesNothing restarts the NATS server under a
// running manager whose client reaches it over TCP: the messages waiting for
// a retry, and attempts in flight whose Nak or Ack is sent while the client
// is disconnected, are all delivered after the client reconnects and
// acknowledged on the new server, and the consumers still deliver articles
// published after it.
func TestNATSReconnectMidDeliveryLosesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// The server side: its own in-process client publishes, like the
	// publisher would. brokertest closes it at the end too; Close twice is
	// harmless.
	srv1, top := brokertest.StartAt(t, dir, "127.0.0.1:0")
	natsURL := srv1.ClientURL
	addr := strings.TrimPrefix(natsURL, "nats://")
	pub := &env{t: t, js: srv1.JS, top: top}

	// crier's side: a separate client over TCP, which reconnects forever.
	e := &env{t: t, top: top}
	o := e.options()
	o.Timeout = 2 * time.Second // AckWait 17s
	o.Concurrency = 4
	o.RetrySchedule = slices.Repeat([]time.Duration{200 * time.Millisecond}, 50)
	client, err := broker.Start(ctx, broker.Options{URL: natsURL, Name: t.Name() + "-crier", Logger: o.Logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	if client.Embedded() {
		t.Fatal("the manager's client runs its own server")
	}
	e.js = client.JS
	status := client.Conn.StatusChanged(nats.RECONNECTING, nats.CONNECTED)

	var healthy atomic.Bool
	var toHold atomic.Int64
	held := make(chan heldRequest, o.Concurrency)
	delivered := make(chan hit, 1000)
	cleanup := newGate(t) // unblocks held requests if the test fails first
	rc := newReceiver(t, "", func(w http.ResponseWriter, _ *http.Request, h hit) {
		code := http.StatusInternalServerError
		if toHold.Add(-1) >= 0 {
			hr := heldRequest{hit: h, answer: make(chan int, 1)}
			held <- hr
			select {
			case code = <-hr.answer:
			case <-cleanup.ch:
			}
		} else if healthy.Load() {
			code = http.StatusNoContent
		}
		w.WriteHeader(code)
		if code/100 == 2 {
			delivered <- h
		}
	})

	m, err := subscribers.New(e.js, o, []subscribers.Endpoint{rc.endpoint("flaky")})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)

	const articles = 6
	byID := map[string]published{}
	for range articles {
		p := pub.publish("fr", "euronews")
		byID[p.id] = p
	}

	// Every article has failed at least once, and keeps being retried.
	failed := map[string]bool{}
	for len(failed) < articles {
		failed[strings.TrimPrefix(rc.next(t).id, "msg_")] = true
	}
	// Hold the next attempts, one per slot (different articles: a message
	// is in one attempt at a time), while the server goes away. The flush
	// makes sure the server has every earlier Nak before it stops.
	toHold.Store(int64(o.Concurrency))
	var holds []heldRequest
	for range o.Concurrency {
		holds = append(holds, next(t, held, "held request"))
	}
	if err := client.Conn.Flush(); err != nil {
		t.Fatal(err)
	}

	srv1.Close() // the server only; the manager and its client keep running
	if s := next(t, status, "client disconnect"); s != nats.RECONNECTING {
		t.Fatalf("client status %v, want RECONNECTING", s)
	}
	// Settle the held attempts while disconnected: half failed (Nak), half
	// delivered (Ack).
	for i, hr := range holds {
		code := http.StatusInternalServerError
		if i%2 == 1 {
			code = http.StatusNoContent
		}
		hr.answer <- code
		t.Logf("server down; held %s answered %d", hr.id, code)
	}

	srv2, _ := brokertest.StartAt(t, dir, addr)
	// Cleanups run last first: stop the manager and its client while the
	// new server is still up, so neither waits on a server that is gone.
	t.Cleanup(func() {
		m.Stop()
		client.Close()
	})
	if s := next(t, status, "client reconnect"); s != nats.CONNECTED {
		t.Fatalf("client status %v, want CONNECTED", s)
	}
	healthy.Store(true)

	// A new article, published on the new server after the reconnect.
	pub2 := &env{t: t, js: srv2.JS, top: top}
	pub2.seq.Store(pub.seq.Load())
	p := pub2.publish("fr", "euronews")
	byID[p.id] = p

	ok := map[string]int{}
	deadline := time.After(reconnectWait)
	for len(ok) < len(byID) {
		select {
		case h := <-delivered:
			id := strings.TrimPrefix(h.id, "msg_")
			p, known := byID[id]
			if !known {
				t.Fatalf("delivered unknown webhook-id %q", h.id)
			}
			checkBody(t, h, p)
			ok[id]++
		case <-rc.hits: // attempts; the 2xx ones also come on delivered
		case <-deadline:
			var missing []string
			for id := range byID {
				if ok[id] == 0 {
					missing = append(missing, id)
				}
			}
			t.Fatalf("not delivered within %s of the reconnect: %v", reconnectWait, missing)
		}
	}
	for id, n := range ok {
		if n > 1 {
			// At least once: allowed, but worth seeing.
			t.Logf("article %s delivered %d times", id, n)
		}
	}

	// Every 2xx was acknowledged on the new server, the one sent while
	// disconnected included: stopping waits for the attempts in flight,
	// closing drains the client's acks to the server.
	m.Stop()
	client.Close()
	cons, err := srv2.JS.Consumer(ctx, top.ArticleStream, "webhook-flaky")
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.NumAckPending != 0 || info.NumPending != 0 || info.AckFloor.Stream != p.seq {
		t.Errorf("consumer after delivery: %d awaiting ack, %d pending, ack floor %d; want 0, 0, %d",
			info.NumAckPending, info.NumPending, info.AckFloor.Stream, p.seq)
	}
}
