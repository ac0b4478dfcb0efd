package subscribers

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crier/crier/broker"
)

// Options tune delivery. The zero value of every field picks its default.
type Options struct {
	// Topology names the streams; zero means broker.DefaultTopology().
	Topology broker.Topology
	// Timeout bounds one attempt, response included. Default 15s.
	Timeout time.Duration
	// RetrySchedule is the delay before attempt 2, 3, …; there are
	// len(RetrySchedule)+1 attempts. Nil means DefaultRetrySchedule; a
	// non-nil empty slice means a single attempt.
	RetrySchedule []time.Duration
	// Jitter spreads each retry delay by ± this fraction. Default 0.2;
	// negative turns it off.
	Jitter float64
	// MaxRetryAfter bounds the wait a receiver can ask for with
	// Retry-After on 429 and 503. Default 1h.
	MaxRetryAfter time.Duration
	// SlowRetryFloor is the least wait after a timeout or a 429.
	// Default 1m.
	SlowRetryFloor time.Duration
	// DisableAfter disables an endpoint that has kept failing this long.
	// Default 5 days.
	DisableAfter time.Duration
	// RotationGrace is how long a rotated-out secret keeps signing.
	// Default 24h.
	RotationGrace time.Duration
	// BreakerThreshold is the failures in a row that open an endpoint's
	// circuit breaker (default 5); BreakerCooldown its first open period
	// (default 30s, doubling up to 10 minutes while probes fail).
	BreakerThreshold int
	BreakerCooldown  time.Duration
	// Concurrency is the default number of deliveries in flight per
	// endpoint. Default 4.
	Concurrency int
	// AllowNetworks opens address ranges the SSRF guard refuses by default
	// (loopback, private, link-local …).
	AllowNetworks []netip.Prefix
	// Resolver resolves endpoint host names (nil: the system's). Tests
	// point it at a DNS server on loopback.
	Resolver *net.Resolver
	// BaseURL is where crier's pages are served, for the links of thin
	// payloads.
	BaseURL string
	// Content renders a WebSub endpoint's body: the current document of
	// the feed at topic (its canonical URL) once that revision of the
	// article articleID is in it, with its Content-Type. It should wait
	// (bounded by ctx) for the revision to be indexed. Nil: WebSub
	// endpoints cannot be delivered to (their attempts fail as
	// invalid_body).
	Content func(ctx context.Context, topic, articleID string, revision int) (body []byte, contentType string, err error)
	// HubURL is the WebSub hub advertised in the Link header of every
	// WebSub delivery (rel="hub"); empty sends rel="self" alone.
	HubURL string
	// EventsWebhook, when set, receives the operational events
	// (endpoint.failing, endpoint.disabled, endpoint.recovered). It is
	// never disabled and raises no events of its own.
	EventsWebhook *Endpoint
	// UserAgent is sent with every request. Default "crier".
	UserAgent string
	// Registerer gets the delivery metrics; nil registers none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Now is the clock for webhook-timestamp. Default time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultTimeout          = 15 * time.Second
	DefaultConcurrency      = 4
	DefaultUserAgent        = "crier"
	DefaultJitter           = 0.2
	DefaultMaxRetryAfter    = time.Hour
	DefaultSlowRetryFloor   = time.Minute
	DefaultDisableAfter     = 5 * 24 * time.Hour
	DefaultRotationGrace    = 24 * time.Hour
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
)

// DefaultRetrySchedule returns the delays between attempts used when
// Options.RetrySchedule is nil: 8 attempts over about 28 hours.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{
		5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
	}
}

func (o Options) withDefaults() (Options, error) {
	if o.Topology.ArticleStream == "" {
		o.Topology = broker.DefaultTopology()
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Timeout < 0 {
		return o, errors.New("subscribers: negative timeout")
	}
	if o.RetrySchedule == nil {
		o.RetrySchedule = DefaultRetrySchedule()
	}
	o.RetrySchedule = slices.Clone(o.RetrySchedule)
	for _, d := range o.RetrySchedule {
		if d < 0 {
			return o, errors.New("subscribers: negative delay in retry schedule")
		}
	}
	switch {
	case o.Jitter == 0:
		o.Jitter = DefaultJitter
	case o.Jitter < 0:
		o.Jitter = 0
	case o.Jitter >= 1:
		return o, errors.New("subscribers: jitter must be below 1")
	}
	o.MaxRetryAfter = orDefault(o.MaxRetryAfter, DefaultMaxRetryAfter)
	o.SlowRetryFloor = orDefault(o.SlowRetryFloor, DefaultSlowRetryFloor)
	o.DisableAfter = orDefault(o.DisableAfter, DefaultDisableAfter)
	o.RotationGrace = orDefault(o.RotationGrace, DefaultRotationGrace)
	o.BreakerCooldown = orDefault(o.BreakerCooldown, DefaultBreakerCooldown)
	if o.BreakerThreshold == 0 {
		o.BreakerThreshold = DefaultBreakerThreshold
	}
	if o.MaxRetryAfter < 0 || o.SlowRetryFloor < 0 || o.DisableAfter < 0 || o.RotationGrace < 0 || o.BreakerCooldown < 0 || o.BreakerThreshold < 0 {
		return o, errors.New("subscribers: negative duration or threshold")
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Concurrency < 0 {
		return o, errors.New("subscribers: negative concurrency")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// retryHorizon is the longest a message can stay in retries.
func (o Options) retryHorizon() time.Duration {
	var sum time.Duration
	for _, d := range o.RetrySchedule {
		sum += d
	}
	return sum
}
