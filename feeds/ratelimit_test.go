package feeds

import (
	"strconv"
	"testing"
	"time"
)

// The limiter's map of clients never grows past maxClients: a new client
// past it drops the idle clients or, when none is, the least recently seen.
func TestLimiterBoundsClients(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	ip := func(i int) string { return "192.0.2." + strconv.Itoa(i) }
	// fill makes maxClients clients, one per millisecond.
	fill := func() *limiter {
		l := newLimiter(1, 1)
		l.now = func() time.Time { return now }
		for i := range maxClients {
			now = now.Add(time.Millisecond)
			l.reserve(ip(i))
		}
		return l
	}

	l := fill() // every client seen within the last 10 s, none idle
	now = now.Add(time.Millisecond)
	l.reserve("new")
	if n := len(l.clients); n > maxClients*9/10 {
		t.Errorf("%d clients after the bound, want at most %d", n, maxClients*9/10)
	}
	if l.clients[ip(0)] != nil || l.clients[ip(maxClients-1)] == nil || l.clients["new"] == nil {
		t.Error("did not drop the least recently seen clients first")
	}

	l = fill()
	now = now.Add(l.idle) // every bucket refilled
	l.reserve("later")
	if n := len(l.clients); n != 1 {
		t.Errorf("%d clients, want the idle ones dropped", n)
	}
}
