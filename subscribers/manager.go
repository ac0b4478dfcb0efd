// Package subscribers delivers published articles to webhook endpoints,
// signed as Standard Webhooks v1, with retries and a dead-letter stream.
//
// Each endpoint has its own durable JetStream pull consumer on the ARTICLES
// stream, named "webhook-<endpoint>", so endpoints progress independently
// and a restart resumes exactly where the previous process left off.
package subscribers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
)

// Endpoint is one webhook receiver.
type Endpoint struct {
	// Name is a [a-z0-9_-]+ token; the consumer is "webhook-<name>" and
	// dead letters go to Topology.DeadLetterSubject(name).
	Name string
	// URL is the http or https address articles are POSTed to. Userinfo is
	// sent as basic auth; it and the query are redacted from logs and errors.
	URL string
	// Secret is "whsec_" + base64 of the signing key (see ParseSecret).
	Secret string
	// Languages and Sources filter articles by language and source slug;
	// an empty list matches all.
	Languages []string
	Sources   []string
}

const (
	// ackTimeout bounds the acknowledgement and dead-letter round trips.
	ackTimeout = 5 * time.Second
	// reopenDelay paces re-creating a consumer the server dropped.
	reopenDelay = time.Second
	// maxPending caps an endpoint's unacknowledged messages, in flight or
	// waiting for a retry.
	maxPending = 1000
	// deadLetterRetryDelay is when a delivery past the last attempt retries a failed
	// dead-letter publish.
	deadLetterRetryDelay = time.Minute
)

// Manager runs webhook delivery for a fixed set of endpoints.
type Manager struct {
	js        jetstream.JetStream
	o         Options
	attempts  int
	endpoints []*endpoint
	client    *http.Client
	log       *slog.Logger

	mu      sync.Mutex
	state   int
	stopCtx context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup
}

const (
	stateNew = iota
	stateRunning
	stateStopped
)

// endpoint is an Endpoint with its parsed, derived values.
type endpoint struct {
	Endpoint
	key      []byte
	url      *url.URL
	safeURL  string // URL without userinfo, query and fragment
	consumer string
	filters  []string
	log      *slog.Logger
}

// New validates the options and endpoints. Nothing touches NATS or the
// network until Start.
func New(js jetstream.JetStream, o Options, endpoints []Endpoint) (*Manager, error) {
	if js == nil {
		return nil, errors.New("subscribers: nil JetStream")
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	guard := newDialGuard(o.AllowNetworks)
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf, past the guard
		DialContext:           guard.dialer(o.Timeout).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   o.Concurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	m := &Manager{
		js:       js,
		o:        o,
		attempts: len(o.RetrySchedule) + 1,
		client: &http.Client{
			Transport: transport,
			// A redirect is a failure: following it would let a receiver
			// steer signed requests to another (possibly internal) host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		log: o.Logger,
	}
	seen := make(map[string]bool)
	for _, e := range endpoints {
		ep, err := m.newEndpoint(e)
		if err != nil {
			return nil, err
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("subscribers: endpoint %q listed twice", e.Name)
		}
		seen[e.Name] = true
		m.endpoints = append(m.endpoints, ep)
	}
	return m, nil
}

func (m *Manager) newEndpoint(e Endpoint) (*endpoint, error) {
	if !broker.ValidToken(e.Name) {
		return nil, fmt.Errorf("subscribers: endpoint name %q: want [a-z0-9_-]+", e.Name)
	}
	u, err := url.Parse(e.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The URL may hold credentials: never quote it.
		return nil, fmt.Errorf("subscribers: endpoint %s: URL must be an absolute http or https URL", e.Name)
	}
	key, err := ParseSecret(e.Secret)
	if err != nil {
		return nil, fmt.Errorf("subscribers: endpoint %s: %w", e.Name, err)
	}
	for _, v := range slices.Concat(e.Languages, e.Sources) {
		if !broker.ValidToken(v) {
			return nil, fmt.Errorf("subscribers: endpoint %s: filter value %q: want [a-z0-9_-]+", e.Name, v)
		}
	}
	safe := redactURL(u)
	return &endpoint{
		Endpoint: e,
		key:      key,
		url:      u,
		safeURL:  safe,
		consumer: "webhook-" + e.Name,
		filters:  filterSubjects(m.o.Topology, e.Languages, e.Sources),
		log:      m.log.With("endpoint", e.Name, "url", safe),
	}, nil
}

// filterSubjects is Languages × Sources as subject filters, duplicates
// removed because the server rejects overlapping filters.
func filterSubjects(t broker.Topology, langs, sources []string) []string {
	if len(langs) == 0 {
		langs = []string{""}
	}
	if len(sources) == 0 {
		sources = []string{""}
	}
	var out []string
	for _, l := range langs {
		for _, s := range sources {
			if f := t.ArticleFilter(l, s); !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
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

// consumerConfig describes an endpoint's durable consumer.
//
// DeliverNew: a new endpoint receives the articles published from the
// moment its consumer is created, not the stream's history. An existing
// durable consumer keeps its position (the policy only applies at
// creation), so a restart resumes where the last process stopped.
//
// MaxDeliver is unlimited: crier, not the server, decides when a message
// is dead. A delivery past the last attempt only dead-letters, so a message
// whose last attempt was interrupted (crash, stop, lost ack) or whose
// dead-letter publish failed comes back and reaches the dead-letter stream,
// where a server-side limit would drop it silently.
//
// AckWait covers one attempt plus its ack and dead-letter round trips: a
// message held by a process that stopped or crashed comes back after it.
//
// MaxAckPending is far above Concurrency: messages waiting for a retry
// count as pending, and a handful of articles that one receiver rejects
// must not hold back the rest of its queue for hours. Concurrency bounds
// the attempts in flight, not the messages in back-off.
func (m *Manager) consumerConfig(ep *endpoint) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:        ep.consumer,
		Description:    "crier: webhook delivery to endpoint " + ep.Name,
		DeliverPolicy:  jetstream.DeliverNewPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        m.o.Timeout + 2*ackTimeout + 5*time.Second,
		MaxDeliver:     -1,
		MaxAckPending:  max(m.o.Concurrency, maxPending),
		FilterSubjects: ep.filters,
	}
}

// Start creates or updates every endpoint's consumer, synchronously so that
// articles published after Start returns are never missed, then delivers in
// the background until Stop. ctx bounds the setup only. A Manager starts
// once.
func (m *Manager) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != stateNew {
		return errors.New("subscribers: manager already started")
	}
	its := make([]jetstream.MessagesContext, 0, len(m.endpoints))
	for _, ep := range m.endpoints {
		it, err := m.open(ctx, ep)
		if err != nil {
			for _, it := range its {
				it.Stop()
			}
			return err
		}
		its = append(its, it)
	}
	m.stopCtx, m.stop = context.WithCancel(context.Background())
	m.state = stateRunning
	for i, ep := range m.endpoints {
		m.wg.Add(1)
		go m.run(ep, its[i])
	}
	m.log.Info("webhook delivery started", "endpoints", len(m.endpoints), "attempts", m.attempts)
	return nil
}

// open creates or updates the endpoint's consumer and starts pulling.
func (m *Manager) open(ctx context.Context, ep *endpoint) (jetstream.MessagesContext, error) {
	cons, err := m.js.CreateOrUpdateConsumer(ctx, m.o.Topology.ArticleStream, m.consumerConfig(ep))
	if err != nil {
		return nil, fmt.Errorf("subscribers: consumer %s on stream %s: %w", ep.consumer, m.o.Topology.ArticleStream, err)
	}
	// Pull no more than the workers can take: the rest stays on the server,
	// where another replica's consumer can have it.
	it, err := cons.Messages(jetstream.PullMaxMessages(m.o.Concurrency))
	if err != nil {
		return nil, fmt.Errorf("subscribers: consumer %s: pull: %w", ep.consumer, err)
	}
	return it, nil
}

// Stop stops fetching, waits for in-flight attempts (each bounded by
// Timeout) and returns. Messages fetched but not attempted are released at
// once; unacknowledged ones are redelivered later by JetStream, so nothing
// is lost. Such an interrupted delivery counts towards the attempts.
func (m *Manager) Stop() {
	m.mu.Lock()
	if m.state != stateRunning {
		m.state = stateStopped
		m.mu.Unlock()
		return
	}
	m.state = stateStopped
	m.stop()
	m.mu.Unlock()
	m.wg.Wait()
	m.client.CloseIdleConnections()
	m.log.Info("webhook delivery stopped")
}

// run pulls an endpoint's messages until Stop, with at most Concurrency
// deliveries in flight, re-opening the consumer if the server drops it.
func (m *Manager) run(ep *endpoint, it jetstream.MessagesContext) {
	defer m.wg.Done()
	sem := make(chan struct{}, m.o.Concurrency)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		err := m.pull(ep, it, sem, &inflight)
		if m.stopCtx.Err() != nil {
			return
		}
		ep.log.Warn("webhook consumer interrupted; re-opening", "consumer", ep.consumer, "error", err)
		for {
			select {
			case <-m.stopCtx.Done():
				return
			case <-time.After(reopenDelay):
			}
			ctx, cancel := context.WithTimeout(m.stopCtx, ackTimeout)
			it, err = m.open(ctx, ep)
			cancel()
			if err == nil {
				break
			}
			ep.log.Warn("webhook consumer re-open failed", "consumer", ep.consumer, "error", err)
		}
	}
}

// pull hands messages to delivery goroutines until Stop (nil) or until the
// iterator fails (its error).
func (m *Manager) pull(ep *endpoint, it jetstream.MessagesContext, sem chan struct{}, inflight *sync.WaitGroup) error {
	for {
		select {
		case sem <- struct{}{}:
		case <-m.stopCtx.Done():
			m.release(ep, it)
			return nil
		}
		msg, err := it.Next(jetstream.NextContext(m.stopCtx))
		if err != nil {
			<-sem
			switch {
			case m.stopCtx.Err() != nil:
				m.release(ep, it)
				return nil
			case errors.Is(err, jetstream.ErrNoHeartbeat):
				// The iterator recovers by itself.
				ep.log.Debug("webhook consumer missed heartbeats", "error", err)
				continue
			default:
				it.Stop()
				return err
			}
		}
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer func() { <-sem }()
			m.deliver(ep, msg)
		}()
	}
}

// release stops pulling and hands the buffered, unattempted messages back
// to the server for immediate redelivery (rather than after AckWait).
func (m *Manager) release(ep *endpoint, it jetstream.MessagesContext) {
	it.Drain()
	for {
		msg, err := it.Next(jetstream.NextMaxWait(ackTimeout))
		if err != nil {
			return
		}
		if err := msg.Nak(); err != nil {
			ep.log.Debug("webhook release failed", "error", err)
		}
	}
}
