// Package websub is crier's own WebSub hub (W3C WebSub, 2018): it takes
// subscribe and unsubscribe requests for crier's feeds, verifies the
// subscriber's intent, and keeps each subscription, with its lease and
// hub.secret, as a subscribers.Endpoint of protocol "websub". Content
// distribution is the subscribers package's: the same durable consumers,
// retries, circuit breaker and dead letters as webhooks, each attempt
// POSTing the topic's current feed signed with X-Hub-Signature.
//
// The hub keeps no state of its own: a subscription is a record in the
// endpoints KV bucket, so every replica delivers to it, answers for it,
// and may expire it.
package websub

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/crier/crier/feeds"
	"github.com/crier/crier/internal/netguard"
	"github.com/crier/crier/subscribers"
)

// Topics resolves the URLs of crier's feeds (*feeds.Service).
type Topics interface {
	Topic(rawURL string) (feeds.Topic, bool)
}

// Options tune the hub. The zero value of every field picks its default.
type Options struct {
	// LeaseDefault is the lease of a request without hub.lease_seconds;
	// LeaseMin and LeaseMax bound the leases granted.
	LeaseDefault, LeaseMin, LeaseMax time.Duration
	// MaxSubscriptions bounds the subscriptions; a new one past it gets
	// 503 with Retry-After.
	MaxSubscriptions int
	// MaxPending bounds the verifications of intent in flight; a request
	// past it gets 503 with Retry-After.
	MaxPending int
	// VerifyTimeout bounds one verification request, response included.
	VerifyTimeout time.Duration
	// SweepInterval is how often Run deletes the subscriptions whose
	// lease ended.
	SweepInterval time.Duration
	Logger        *slog.Logger
	// Now is the clock of leases. Default time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultLeaseDefault     = 10 * 24 * time.Hour
	DefaultLeaseMin         = time.Hour
	DefaultLeaseMax         = 30 * 24 * time.Hour
	DefaultMaxSubscriptions = 10000
	DefaultMaxPending       = 100
	DefaultVerifyTimeout    = 10 * time.Second
	DefaultSweepInterval    = time.Minute
)

const (
	// maxForm bounds a subscription request's body.
	maxForm = 16 << 10
	// maxCallback bounds hub.callback; longer URLs are refused.
	maxCallback = 2048
	// retryAfter is the Retry-After of a 503, in seconds.
	retryAfter = "60"
	// saveTimeout bounds saving (or deleting) a verified subscription.
	saveTimeout = 10 * time.Second
)

// Hub is crier's WebSub hub. Mount it at the URL the feeds advertise as
// rel="hub".
type Hub struct {
	o       Options
	m       *subscribers.Manager
	topics  Topics
	log     *slog.Logger
	pending chan struct{}

	mu     sync.Mutex
	closed bool           // Close was called: requests get 503
	wg     sync.WaitGroup // verifications in flight
}

// New returns a hub keeping its subscriptions in m, for the feeds topics
// resolves.
func New(m *subscribers.Manager, topics Topics, o Options) (*Hub, error) {
	if m == nil || topics == nil {
		return nil, errors.New("websub: nil manager or topics")
	}
	o.LeaseDefault = cmp.Or(o.LeaseDefault, DefaultLeaseDefault)
	o.LeaseMin = cmp.Or(o.LeaseMin, DefaultLeaseMin)
	o.LeaseMax = cmp.Or(o.LeaseMax, DefaultLeaseMax)
	o.VerifyTimeout = cmp.Or(o.VerifyTimeout, DefaultVerifyTimeout)
	o.SweepInterval = cmp.Or(o.SweepInterval, DefaultSweepInterval)
	o.MaxSubscriptions = cmp.Or(o.MaxSubscriptions, DefaultMaxSubscriptions)
	o.MaxPending = cmp.Or(o.MaxPending, DefaultMaxPending)
	if o.LeaseMin < 0 || o.LeaseMin > o.LeaseDefault || o.LeaseDefault > o.LeaseMax {
		return nil, errors.New("websub: leases must satisfy 0 < min <= default <= max")
	}
	if o.MaxSubscriptions < 0 || o.MaxPending < 0 || o.VerifyTimeout < 0 || o.SweepInterval < 0 {
		return nil, errors.New("websub: negative bound or interval")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Hub{o: o, m: m, topics: topics, log: o.Logger, pending: make(chan struct{}, o.MaxPending)}, nil
}

// Close refuses new requests (503 with Retry-After) and waits for the
// verifications in flight, each bounded by VerifyTimeout, to end: a
// subscriber that answered its challenge has its subscription saved
// before the process stops, not dropped after the hub told it 202
// Accepted. Call it before stopping the subscribers manager.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.wg.Wait()
}

// track counts a verification about to start; false once Close began.
func (h *Hub) track() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	return true
}

// request is a subscription request that passed validation.
type request struct {
	mode     string // "subscribe" or "unsubscribe"
	callback string
	topicArg string // hub.topic as the subscriber sent it
	topic    feeds.Topic
	lease    time.Duration
	secret   string
}

// name is the endpoint of a callback and topic: one subscription per
// pair, so a new subscribe renews it.
func (q *request) name() string { return EndpointName(q.callback, q.topic.Self) }

// EndpointName is the subscribers endpoint name of the subscription of
// callback to the topic whose canonical URL is topic.
func EndpointName(callback, topic string) string {
	sum := sha256.Sum256([]byte(callback + "\n" + topic))
	return "websub-" + hex.EncodeToString(sum[:8])
}

// badRequest is a refusal with its HTTP status and a plain-text reason
// for the subscriber's developer (WebSub §5.1.2).
type badRequest struct {
	status int
	reason string
}

func (e *badRequest) Error() string { return e.reason }

func refuse(status int, format string, args ...any) error {
	return &badRequest{status, fmt.Sprintf(format, args...)}
}

// ServeHTTP takes a subscription request (POST, form-encoded), answers
// 202 Accepted and verifies the subscriber's intent in the background.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		unavailable(w, "the hub is shutting down; retry later")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "a WebSub hub takes POST requests (application/x-www-form-urlencoded)", http.StatusMethodNotAllowed)
		return
	}
	q, err := h.parse(r.Context(), w, r)
	if err == nil {
		err = h.admit(r.Context(), q)
	}
	var br *badRequest
	switch {
	case errors.As(err, &br):
		if br.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, br.reason, br.status)
		return
	case err != nil:
		h.log.Error("websub: request failed", "error", err)
		unavailable(w, "the hub cannot take requests right now")
		return
	}
	select {
	case h.pending <- struct{}{}:
	default:
		unavailable(w, "too many verifications in progress; retry later")
		return
	}
	if !h.track() {
		<-h.pending
		unavailable(w, "the hub is shutting down; retry later")
		return
	}
	go func() {
		defer h.wg.Done()
		defer func() { <-h.pending }()
		h.verify(q)
	}()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, q.mode+" request accepted; verification of intent follows\n")
}

// unavailable answers 503 with Retry-After: the subscriber may try again.
func unavailable(w http.ResponseWriter, reason string) {
	w.Header().Set("Retry-After", retryAfter)
	http.Error(w, reason, http.StatusServiceUnavailable)
}

// parse validates a request's parameters (WebSub §5.1).
func (h *Hub) parse(ctx context.Context, w http.ResponseWriter, r *http.Request) (*request, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return nil, refuse(http.StatusUnsupportedMediaType, "the body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return nil, refuse(http.StatusBadRequest, "cannot read the form: %v", err)
	}
	f := r.PostForm
	q := &request{mode: f.Get("hub.mode"), callback: f.Get("hub.callback"), topicArg: f.Get("hub.topic"), secret: f.Get("hub.secret")}
	switch q.mode {
	case "subscribe", "unsubscribe":
	case "":
		return nil, refuse(http.StatusBadRequest, "hub.mode is required: subscribe or unsubscribe")
	default:
		return nil, refuse(http.StatusBadRequest, "hub.mode %q is not supported: subscribe or unsubscribe", q.mode)
	}
	if q.topicArg == "" {
		return nil, refuse(http.StatusBadRequest, "hub.topic is required")
	}
	t, ok := h.topics.Topic(q.topicArg)
	if !ok {
		return nil, refuse(http.StatusBadRequest, "hub.topic %q is not a feed of this hub", q.topicArg)
	}
	q.topic = t
	if err := checkCallback(q.callback); err != nil {
		return nil, err
	}
	if err := h.m.CheckURL(ctx, q.callback); err != nil {
		return nil, refuse(http.StatusBadRequest, "hub.callback: %v", err)
	}
	if len(q.secret) > subscribers.MaxHubSecret {
		return nil, refuse(http.StatusBadRequest, "hub.secret must be less than 200 bytes")
	}
	q.lease = h.o.LeaseDefault
	if v := f.Get("hub.lease_seconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, refuse(http.StatusBadRequest, "hub.lease_seconds must be a non-negative integer")
		}
		q.lease = time.Duration(min(n, int64(h.o.LeaseMax/time.Second))) * time.Second
	}
	q.lease = min(max(q.lease, h.o.LeaseMin), h.o.LeaseMax)
	return q, nil
}

// checkCallback refuses a callback that is not an absolute http or https
// URL. The SSRF guard checks its addresses next.
func checkCallback(raw string) error {
	if raw == "" {
		return refuse(http.StatusBadRequest, "hub.callback is required")
	}
	if len(raw) > maxCallback {
		return refuse(http.StatusBadRequest, "hub.callback is longer than %d bytes", maxCallback)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return refuse(http.StatusBadRequest, "hub.callback must be an absolute http or https URL without a fragment")
	}
	return nil
}

// admit applies the hub's bound on subscriptions; a renewal always
// passes.
func (h *Hub) admit(ctx context.Context, q *request) error {
	if q.mode != "subscribe" || h.m.Subscriptions() < h.o.MaxSubscriptions {
		return nil
	}
	if _, err := h.m.Endpoint(ctx, q.name()); err == nil {
		return nil
	}
	return refuse(http.StatusServiceUnavailable, "this hub has reached its limit of %d subscriptions", h.o.MaxSubscriptions)
}

// verify asks the callback to confirm the request (WebSub §5.3) and, when
// it does, applies it. A failed verification changes nothing: an existing
// subscription keeps its lease and secret.
func (h *Hub) verify(q *request) {
	log := h.log.With("mode", q.mode, "callback", subscribers.RedactURL(q.callback), "topic", q.topic.Self)
	ctx, cancel := context.WithTimeout(context.Background(), h.o.VerifyTimeout)
	err := h.challenge(ctx, q)
	cancel()
	if err != nil {
		log.Info("websub: verification of intent failed; nothing changed", "error", err)
		return
	}
	// The change gets its own bound: the challenge may have used up
	// VerifyTimeout.
	ctx, cancel = context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	if q.mode == "unsubscribe" {
		err := h.m.DeleteEndpoint(ctx, q.name())
		if err != nil && !errors.Is(err, subscribers.ErrNotFound) {
			log.Error("websub: unsubscribe verified but not applied", "error", err)
			return
		}
		log.Info("websub: unsubscribed")
		return
	}
	ep := subscribers.Endpoint{
		Name:        q.name(),
		Description: "WebSub subscription to " + q.topic.Self,
		URL:         q.callback,
		Protocol:    subscribers.ProtocolWebSub,
		Topic:       q.topic.Self,
		HubSecret:   q.secret,
		Expires:     h.o.Now().Add(q.lease).UTC(),
		Languages:   q.topic.Languages,
		Sources:     q.topic.Sources,
		Tags:        q.topic.Tags,
		Stories:     q.topic.Stories,
		// One feed document at a time: a subscriber that keeps the latest
		// document it received never sees an older one after a newer.
		Concurrency: 1,
	}
	created, err := h.m.PutSubscription(ctx, ep)
	if err != nil {
		log.Error("websub: subscription verified but not saved", "error", err)
		return
	}
	log.Info("websub: subscribed", "endpoint", ep.Name, "renewal", !created, "lease", q.lease, "signed", q.secret != "")
}

// challenge sends the verification GET and checks that the callback
// echoes the challenge with a 2xx; anything else is a refusal.
func (h *Hub) challenge(ctx context.Context, q *request) error {
	u, err := url.Parse(q.callback)
	if err != nil {
		return err
	}
	challenge := rand.Text()
	v := url.Values{
		"hub.mode":      {q.mode},
		"hub.topic":     {q.topicArg},
		"hub.challenge": {challenge},
	}
	if q.mode == "subscribe" {
		v.Set("hub.lease_seconds", strconv.FormatInt(int64(q.lease/time.Second), 10))
	}
	// The callback's own query is kept; the hub's parameters follow it.
	if u.RawQuery != "" {
		u.RawQuery += "&" + v.Encode()
	} else {
		u.RawQuery = v.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := h.m.HTTPClient().Do(req)
	if err != nil {
		return netguard.StripURL(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(len(challenge))+1))
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	case err != nil:
		return fmt.Errorf("reading the callback's answer: %w", err)
	case string(body) != challenge:
		return errors.New("callback did not echo hub.challenge")
	}
	return nil
}

// Run deletes the subscriptions whose lease ended, now and then every
// SweepInterval, until ctx ends. Every replica may run it.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.o.SweepInterval)
	defer t.Stop()
	for {
		h.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepTimeout bounds one sweep.
const sweepTimeout = time.Minute

// sweep deletes the subscriptions whose lease ended. A sweep started runs
// to its end even if ctx ends meanwhile, so no subscription is left half
// removed (its record gone, its consumer still there).
func (h *Hub) sweep(ctx context.Context) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sweepTimeout)
	defer cancel()
	names, err := h.m.ExpireSubscriptions(sctx, h.o.Now())
	if err != nil {
		h.log.Warn("websub: expiring leases", "error", err)
	}
	if len(names) > 0 {
		h.log.Info("websub: leases ended", "subscriptions", len(names))
	}
}
