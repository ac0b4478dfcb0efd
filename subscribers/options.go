package subscribers

import (
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"time"

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
	// Concurrency is the number of deliveries in flight per endpoint.
	// Default 4.
	Concurrency int
	// AllowNetworks opens address ranges the SSRF guard refuses by default
	// (loopback, private, link-local …).
	AllowNetworks []netip.Prefix
	// UserAgent is sent with every request. Default "crier".
	UserAgent string
	Logger    *slog.Logger
	// Now is the clock for webhook-timestamp. Default time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultTimeout     = 15 * time.Second
	DefaultConcurrency = 4
	DefaultUserAgent   = "crier"
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
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Concurrency < 0 {
		return o, errors.New("subscribers: negative concurrency")
	}
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
