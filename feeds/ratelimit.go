package feeds

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxClients bounds the per-IP limiter map; past it, idle entries are
// dropped first, then the oldest.
const maxClients = 10000

// limiter is a token bucket per client IP (the connection's address: put
// crier behind a proxy and every client shares the proxy's bucket).
type limiter struct {
	rate  rate.Limit
	burst int
	// idle is how long a client's bucket takes to refill: after that,
	// forgetting it loses nothing.
	idle time.Duration
	now  func() time.Time

	mu      sync.Mutex
	clients map[string]*client
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	burst = max(burst, 1)
	return &limiter{
		rate:    rate.Limit(perSecond),
		burst:   burst,
		idle:    time.Duration(float64(burst)/perSecond*float64(time.Second)) + time.Second,
		now:     time.Now,
		clients: make(map[string]*client),
	}
}

// wrap answers 429 with Retry-After (whole seconds, rounded up, from the
// limiter's reservation) to a client over its rate.
func (l *limiter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if wait := l.reserve(clientIP(r)); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// reserve takes a token for ip and returns 0, or how long until one would
// be free (the reservation is then cancelled: a refused request costs
// nothing).
func (l *limiter) reserve(ip string) time.Duration {
	now := l.now()
	l.mu.Lock()
	c := l.clients[ip]
	if c == nil {
		if len(l.clients) >= maxClients {
			l.evict(now)
		}
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[ip] = c
	}
	c.seen = now
	l.mu.Unlock()
	res := c.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second // cannot happen with burst >= 1
	}
	d := res.DelayFrom(now)
	if d > 0 {
		res.CancelAt(now)
	}
	return d
}

// evict drops the clients idle long enough to have a full bucket and, if
// none is, the least recently seen tenth; l.mu is held.
func (l *limiter) evict(now time.Time) {
	for ip, c := range l.clients {
		if now.Sub(c.seen) >= l.idle {
			delete(l.clients, ip)
		}
	}
	if len(l.clients) < maxClients {
		return
	}
	var oldest time.Time
	n := 0
	for _, c := range l.clients {
		if n == 0 || c.seen.Before(oldest) {
			oldest = c.seen
		}
		n++
	}
	cut := oldest.Add(now.Sub(oldest) / 10)
	for ip, c := range l.clients {
		if !c.seen.After(cut) {
			delete(l.clients, ip)
		}
	}
}

// clientIP is the host part of the connection's remote address.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
