package subscribers

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Outcomes of an attempt, the "outcome" label of the attempts metric.
const (
	OutcomeSuccess     = "success"
	OutcomeHTTPError   = "http_error"   // a 4xx or 5xx other than the ones below
	OutcomeThrottled   = "throttled"    // 429, or 503 with Retry-After
	OutcomeGone        = "gone"         // 410: the endpoint is disabled (a WebSub subscription deleted)
	OutcomeRedirect    = "redirect"     // 3xx, never followed
	OutcomeTimeout     = "timeout"      // no response within Options.Timeout
	OutcomeConnection  = "connection"   // refused, reset, DNS, TLS
	OutcomeRefused     = "refused"      // the SSRF guard refused the address
	OutcomeInvalidBody = "invalid_body" // the message could not become a payload
)

// retryDelay is the wait before the next attempt after attempt n (1-based)
// failed: the schedule's delay with jitter, or the receiver's Retry-After
// within bounds, and at least a minute after a timeout or a 429.
func (m *Manager) retryDelay(n int, outcome string, status int, retryAfter time.Duration) time.Duration {
	d := m.o.RetrySchedule[min(n, len(m.o.RetrySchedule))-1]
	if m.o.Jitter > 0 && d > 0 {
		// Spread retries of many messages that failed together.
		f := 1 + m.o.Jitter*(2*rand.Float64()-1)
		d = time.Duration(float64(d) * f)
	}
	if retryAfter > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		d = min(retryAfter, m.o.MaxRetryAfter)
	}
	if outcome == OutcomeTimeout || status == http.StatusTooManyRequests {
		// The receiver is overloaded: a quick retry adds to its load.
		d = max(d, m.o.SlowRetryFloor)
	}
	return d
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. Zero when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(365*24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// breaker is one endpoint's circuit breaker, per replica. After Threshold
// failures in a row it opens: messages wait without an attempt until the
// cool-down ends, then one probe goes out. A success closes it; a failed
// probe opens it again for twice as long, up to maxCooldown. A receiver's
// Retry-After on 429/503 pauses the endpoint the same way.
type breaker struct {
	threshold int
	cooldown  time.Duration

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	wait      time.Duration // the current cool-down
	probing   bool
	since     time.Time // first failure of the current run
}

const maxCooldown = 10 * time.Minute

// allow reports whether an attempt may go out at now; when not, how long
// until the breaker lets a probe through.
func (b *breaker) allow(now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Before(b.openUntil) {
		return false, b.openUntil.Sub(now)
	}
	if b.failures >= b.threshold {
		// Half open: one probe at a time.
		if b.probing {
			return false, max(b.cooldown/4, time.Second)
		}
		b.probing = true
	}
	return true, 0
}

// success records a delivered attempt; it reports whether the endpoint was
// failing (so it just recovered).
func (b *breaker) success() (recovered bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	recovered = b.failures >= b.threshold
	b.failures, b.probing, b.wait = 0, false, 0
	b.openUntil, b.since = time.Time{}, time.Time{}
	return recovered
}

// failure records a failed attempt at now; it reports whether the breaker
// opened now for the first time in this run of failures, and when the run
// began.
func (b *breaker) failure(now time.Time) (opened bool, since time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures == 0 {
		b.since = now
	}
	b.failures++
	b.probing = false
	if b.failures < b.threshold {
		return false, b.since
	}
	opened = b.wait == 0
	if b.wait == 0 {
		b.wait = b.cooldown
	} else {
		b.wait = min(2*b.wait, max(maxCooldown, b.cooldown))
	}
	b.openUntil = now.Add(b.wait)
	return opened, b.since
}

// pause holds every attempt until now+d (a receiver's Retry-After).
func (b *breaker) pause(now time.Time, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := now.Add(d); t.After(b.openUntil) {
		b.openUntil = t
	}
}

// releaseProbe gives the probe slot back when an allowed attempt did not
// happen (the message was filtered out or the endpoint stopped).
func (b *breaker) releaseProbe() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}
