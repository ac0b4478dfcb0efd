// Package subscribers delivers published articles to webhook endpoints,
// signed as Standard Webhooks v1 (and v1a), with retries, a circuit
// breaker, a dead-letter stream and replays.
//
// Each endpoint has its own durable JetStream pull consumer on the ARTICLES
// stream, named "webhook-<endpoint>", and one on the replay stream, named
// "replay-<endpoint>", so endpoints progress independently, replicas share
// the work, and a restart resumes exactly where the last process stopped.
// Endpoints come from the configuration file and from the admin API (a KV
// bucket every replica watches).
package subscribers

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// EventsEndpointName is the reserved name of Options.EventsWebhook.
const EventsEndpointName = "crier-events"

const (
	// ackTimeout bounds the acknowledgement and dead-letter round trips.
	ackTimeout = 5 * time.Second
	// reopenDelay paces re-creating a consumer the server dropped.
	reopenDelay = time.Second
	// maxPending caps an endpoint's unacknowledged messages, in flight or
	// waiting for a retry.
	maxPending = 1000
	// deadLetterRetryDelay is when a delivery past the last attempt retries
	// a failed dead-letter publish.
	deadLetterRetryDelay = time.Minute
)

// Manager runs webhook delivery: it keeps one runner per enabled endpoint,
// following the configuration's endpoints and the API's in the KV bucket.
type Manager struct {
	js       jetstream.JetStream
	o        Options
	attempts int
	client   *http.Client
	guard    *dialGuard
	log      *slog.Logger
	declared []Endpoint // from the configuration, validated
	metrics  *metrics
	// userAgent is Options.UserAgent as a header value, shared by every
	// request.
	userAgent []string

	mu       sync.Mutex
	state    int
	store    *store
	rec      *recorder
	runners  map[string]*runner
	api      map[string]Endpoint // the API's endpoints, as last watched
	statuses map[string]Status   // every endpoint's status, as last watched
	stopCtx  context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	draining sync.WaitGroup // runners replaced or stopped by a reconcile

	// sent is the SHA-256 of the last body each WebSub endpoint accepted
	// from this replica (see runner.unchanged).
	sentMu sync.Mutex
	sent   map[string][sha256.Size]byte
}

const (
	stateNew = iota
	stateRunning
	stateStopped
)

// New validates the options and the configuration's endpoints. Nothing
// touches NATS or the network until Start.
func New(js jetstream.JetStream, o Options, endpoints []Endpoint) (*Manager, error) {
	if js == nil {
		return nil, errors.New("subscribers: nil JetStream")
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	guard := newDialGuard(o.AllowNetworks)
	dialer := guard.Dialer(o.Timeout)
	dialer.Resolver = o.Resolver
	transport := &http.Transport{
		Proxy:             nil, // a proxy would dial on our behalf, past the guard
		DialContext:       dialer.DialContext,
		ForceAttemptHTTP2: true,
		// Endpoints often share a host: keep a connection per delivery in
		// flight, or every attempt dials anew (measured: 25,000 dials for
		// 50,000 deliveries to 10 endpoints on one host at 64).
		MaxIdleConns:          4096,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	m := &Manager{
		js:       js,
		o:        o,
		attempts: len(o.RetrySchedule) + 1,
		guard:    guard,
		client: &http.Client{
			Transport: transport,
			// A redirect is a failure: following it would let a receiver
			// steer signed requests to another (possibly internal) host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log:       o.Logger,
		userAgent: []string{o.UserAgent},
		runners:   make(map[string]*runner),
		api:       make(map[string]Endpoint),
		statuses:  make(map[string]Status),
		sent:      make(map[string][sha256.Size]byte),
	}
	seen := make(map[string]bool)
	for _, e := range endpoints {
		e.Origin = OriginConfig
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("subscribers: %w", err)
		}
		if seen[e.Name] || e.Name == EventsEndpointName {
			return nil, fmt.Errorf("subscribers: endpoint %q listed twice or reserved", e.Name)
		}
		seen[e.Name] = true
		m.declared = append(m.declared, e)
	}
	if o.EventsWebhook != nil {
		w := *o.EventsWebhook // the caller's value stays as it was
		w.Name, w.Origin = EventsEndpointName, OriginConfig
		if err := w.validate(); err != nil {
			return nil, fmt.Errorf("subscribers: events webhook: %w", err)
		}
		m.o.EventsWebhook = &w
	}
	if o.Registerer != nil {
		m.metrics = newMetrics(m)
		if err := m.metrics.register(o.Registerer); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Start opens the KV buckets, creates or updates every enabled endpoint's
// consumers, synchronously so that articles published after Start returns
// are never missed, then delivers in the background until Stop and follows
// endpoint changes made through the API by any replica. ctx bounds the
// setup only. A Manager starts once.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != stateNew {
		return errors.New("subscribers: manager already started")
	}
	ttl := max(7*24*time.Hour, m.o.retryHorizon()+24*time.Hour)
	st, err := openStore(ctx, m.js, m.o.Topology, ttl)
	if err != nil {
		return err
	}
	m.store = st
	m.stopCtx, m.stop = context.WithCancel(context.Background())

	// Read both buckets to the end before the first reconcile, then follow.
	for _, w := range []struct {
		kv    jetstream.KeyValue
		apply func(jetstream.KeyValueEntry)
	}{
		{st.endpoints, m.applyEndpoint},
		{st.status, m.applyStatus},
	} {
		watcher, err := w.kv.WatchAll(m.stopCtx)
		if err != nil {
			m.stop()
			return fmt.Errorf("subscribers: watch %s: %w", w.kv.Bucket(), err)
		}
		if err := readInitial(ctx, watcher, w.apply); err != nil {
			m.stop()
			return err
		}
		m.wg.Add(1)
		go m.follow(watcher, w.apply)
	}
	m.rec = newRecorder(m.js, m.o.Topology, m.log)
	if err := m.reconcileLocked(ctx); err != nil {
		m.stopRunnersLocked()
		m.stop()
		return err
	}
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.rec.run(m.stopCtx) }()
	m.state = stateRunning
	m.log.Info("webhook delivery started", "endpoints", len(m.runners), "attempts", m.attempts)
	return nil
}

// readInitial applies a watcher's current values, up to its nil marker.
func readInitial(ctx context.Context, w jetstream.KeyWatcher, apply func(jetstream.KeyValueEntry)) error {
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("subscribers: KV watcher closed")
			}
			if e == nil {
				return nil
			}
			apply(e)
		case <-ctx.Done():
			return fmt.Errorf("subscribers: reading endpoints: %w", ctx.Err())
		}
	}
}

// follow applies changes until Stop and reconciles after each.
func (m *Manager) follow(w jetstream.KeyWatcher, apply func(jetstream.KeyValueEntry)) {
	defer m.wg.Done()
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				continue
			}
			m.mu.Lock()
			apply(e)
			if m.state == stateRunning {
				if err := m.reconcileLocked(m.stopCtx); err != nil {
					m.log.Warn("webhook endpoints: reconcile failed", "error", err)
				}
			}
			m.mu.Unlock()
		case <-m.stopCtx.Done():
			return
		}
	}
}

// applyEndpoint records one API endpoint change. Callers hold m.mu, or
// run before Start returns. A record that does not validate (written by
// hand, or by another version) is left out here, once, rather than on
// every reconcile.
func (m *Manager) applyEndpoint(e jetstream.KeyValueEntry) {
	apply(m, m.api, e, func(ep Endpoint) error { return ep.validate() })
}

func (m *Manager) applyStatus(e jetstream.KeyValueEntry) {
	apply(m, m.statuses, e, nil)
}

// apply records one watched KV entry in a cache keyed like the bucket.
func apply[T any](m *Manager, cache map[string]T, e jetstream.KeyValueEntry, check func(T) error) {
	if e.Operation() != jetstream.KeyValuePut {
		delete(cache, e.Key())
		return
	}
	var v T
	err := json.Unmarshal(e.Value(), &v)
	if err == nil && check != nil {
		err = check(v)
	}
	if err != nil {
		delete(cache, e.Key())
		m.log.Error("webhook endpoints: unusable record in "+e.Bucket()+"; ignored", "key", e.Key(), "error", err)
		return
	}
	cache[e.Key()] = v
}

// desired returns every endpoint that should run, by name: the declared
// ones, the API's, and the events webhook.
func (m *Manager) desired() map[string]Endpoint {
	out := make(map[string]Endpoint, len(m.declared)+len(m.api)+1)
	now := m.o.Now()
	for name, ep := range m.api {
		if !ep.expired(now) { // a lease that ended waits for the sweeper
			out[name] = ep
		}
	}
	for _, ep := range m.declared {
		out[ep.Name] = ep // the file wins over a stale API record
	}
	if m.o.EventsWebhook != nil {
		out[EventsEndpointName] = *m.o.EventsWebhook
	}
	return out
}

// reconcileLocked starts, restarts and stops runners to match the desired
// endpoints and their status. Caller holds m.mu.
func (m *Manager) reconcileLocked(ctx context.Context) error {
	want := m.desired()
	var errs []error
	for name, r := range m.runners {
		ep, ok := want[name]
		if ok && !m.disabled(name) && r.same(ep) {
			continue
		}
		// Its attempts in flight finish in the background: an admin
		// request must not wait for a slow receiver's timeout. A new
		// runner may start at once; the consumer is shared.
		r.cancel()
		m.draining.Go(r.wg.Wait)
		delete(m.runners, name)
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if _, running := m.runners[name]; running || m.disabled(name) {
			continue
		}
		r, err := m.newRunner(want[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := r.start(ctx); err != nil {
			if !errors.Is(err, errEndpointGone) { // the watcher brings the deletion next
				errs = append(errs, err)
			}
			continue
		}
		m.runners[name] = r
	}
	for name, r := range m.runners {
		r.failingSince.Store(unixNano(m.statuses[name].FailingSince))
	}
	m.sentMu.Lock()
	for name := range m.sent {
		if _, ok := want[name]; !ok {
			delete(m.sent, name)
		}
	}
	m.sentMu.Unlock()
	return errors.Join(errs...)
}

// disabled reports whether an endpoint must not run; the events webhook
// always runs.
func (m *Manager) disabled(name string) bool {
	return name != EventsEndpointName && m.statuses[name].Disabled
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Stop stops fetching, waits for in-flight attempts (each bounded by
// Timeout) and returns. Messages fetched but not attempted are released at
// once; unacknowledged ones are redelivered later by JetStream, so nothing
// is lost.
func (m *Manager) Stop() {
	m.mu.Lock()
	if m.state != stateRunning {
		m.state = stateStopped
		m.mu.Unlock()
		return
	}
	m.state = stateStopped
	m.stopRunnersLocked()
	m.stop()
	m.mu.Unlock()
	m.wg.Wait()
	m.draining.Wait()
	m.rec.flushAll(context.Background())
	m.client.CloseIdleConnections()
	m.log.Info("webhook delivery stopped")
}

// stopRunnersLocked stops every runner concurrently and waits for them.
func (m *Manager) stopRunnersLocked() {
	var wg sync.WaitGroup
	for name, r := range m.runners {
		wg.Go(r.stop)
		delete(m.runners, name)
	}
	wg.Wait()
}

// RedactURL returns raw without userinfo, query and fragment, the usual
// homes of secrets, fit for logs; "<invalid url>" when it does not parse.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid url>"
	}
	return redactURL(u)
}

func redactURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
