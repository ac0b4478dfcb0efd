// Package netguard keeps crier's outgoing HTTP requests (webhooks, media
// probes) away from non-public addresses: loopback, private, link-local,
// metadata services and the like, unless the operator opens a range.
//
// The check runs at dial time, after name resolution, as a net.Dialer
// Control hook: DNS tricks (a public name resolving to 127.0.0.1, a name
// rebinding between a check and its use, a redirect to an internal host)
// cannot get past it. CheckURL adds an early check for URLs that are
// stored, so a bad one is reported when it is given, not at first use.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrRefused is wrapped by every refusal, whatever Options.Refused says.
var ErrRefused = errors.New("netguard: refused to dial")

// Options configures a Guard. The zero value refuses every listed range
// and names no configuration key.
type Options struct {
	// Allow opens ranges the guard refuses by default.
	Allow []netip.Prefix
	// Key is the configuration key that opens ranges, named in refusals
	// ("subscribers.allow_networks") so an operator knows what to change.
	Key string
	// Refused, when set, is the sentinel a dial refusal's text starts
	// with, so a package keeps its own error text and errors.Is target;
	// errors.Is(err, ErrRefused) holds as well. Nil means ErrRefused.
	Refused error
}

// blockedRange is an address range refused unless Options.Allow opens it.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// Guard refuses connections to non-public addresses. It is safe for
// concurrent use and never changes after New.
type Guard struct {
	allow   []netip.Prefix
	blocked []blockedRange
	key     string
	refused error
}

// New returns a Guard with the default refused ranges, minus o.Allow.
func New(o Options) *Guard {
	g := &Guard{key: o.Key, refused: o.Refused}
	if g.key == "" {
		g.key = "the allowed networks"
	}
	if g.refused == nil {
		g.refused = ErrRefused
	}
	for _, p := range o.Allow {
		g.allow = append(g.allow, p.Masked())
	}
	// Order matters: the first match names the reason, so specific ranges
	// come before the ones that contain them (broadcast before 240/4,
	// :: and ::1 before ::/96).
	for _, r := range []struct{ cidr, reason string }{
		{"0.0.0.0/32", "unspecified"},
		{"::/128", "unspecified"},
		{"127.0.0.0/8", "loopback"},
		{"::1/128", "loopback"},
		{"0.0.0.0/8", "in this-network range 0.0.0.0/8"},
		{"10.0.0.0/8", "private"},
		{"172.16.0.0/12", "private"},
		{"192.168.0.0/16", "private"},
		{"fc00::/7", "private"},
		{"169.254.0.0/16", "link-local"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local"},
		{"100.64.0.0/10", "shared address space (CGNAT)"},
		{"224.0.0.0/4", "multicast"},
		{"ff00::/8", "multicast"},
		{"255.255.255.255/32", "broadcast"},
		{"240.0.0.0/4", "reserved"},
		{"::/96", "reserved (IPv4-compatible IPv6)"},
		{"192.0.0.0/24", "reserved (IETF protocol assignments)"},
		{"198.18.0.0/15", "reserved (benchmarking)"},
		{"192.0.2.0/24", "documentation"},
		{"198.51.100.0/24", "documentation"},
		{"203.0.113.0/24", "documentation"},
		{"2001:db8::/32", "documentation"},
		{"3fff::/20", "documentation"},
		// NAT64 translates to arbitrary IPv4, internal addresses included.
		{"64:ff9b::/96", "NAT64"},
		{"64:ff9b:1::/48", "NAT64"},
	} {
		g.blocked = append(g.blocked, blockedRange{netip.MustParsePrefix(r.cidr), r.reason})
	}
	return g
}

// Dialer returns a net.Dialer that checks every address it connects to.
// Use it as the DialContext of an http.Transport whose Proxy is nil: a
// proxy would dial on the client's behalf, past the guard.
func (g *Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.Control}
}

// Control is a net.Dialer Control hook: it runs after resolution and
// before connect, once per address tried, and refuses what Refuse refuses.
func (g *Guard) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return g.refusal(fmt.Sprintf("%v %s: not an IP address and port", g.refused, address))
	}
	if reason, ok := g.Refuse(ap.Addr()); ok {
		return g.refusal(fmt.Sprintf("%v %s: address is %s (not in %s)", g.refused, address, reason, g.key))
	}
	return nil
}

// CheckURL resolves raw's host (with r, or the system's resolver when nil)
// and refuses it when any of its addresses is refused, so a stored URL is
// reported when it is given rather than at first use. The dial-time check
// still runs on every connection: a name can resolve differently later.
//
// Its errors read as the end of a sentence ("h resolves to 10.0.0.1, which
// is private (not in …)"): the caller prefixes its own context. A refusal
// wraps ErrRefused.
func (g *Guard) CheckURL(ctx context.Context, r *net.Resolver, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("bad URL") // url.Error would quote a URL's secrets
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if r == nil {
			r = net.DefaultResolver
		}
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return fmt.Errorf("cannot resolve %s: %v", host, err)
		}
	}
	for _, a := range addrs {
		if reason, refused := g.Refuse(a); refused {
			return g.refusal(fmt.Sprintf("%s resolves to %s, which is %s (not in %s)", host, a, reason, g.key))
		}
	}
	return nil
}

// Refuse reports whether addr may not be dialled, and why.
func (g *Guard) Refuse(addr netip.Addr) (reason string, refused bool) {
	// Prefix.Contains never matches a zoned address, and an IPv4-mapped
	// IPv6 address reaches the IPv4 host it embeds.
	addr = addr.WithZone("").Unmap()
	if !addr.IsValid() {
		return "invalid", true
	}
	for _, p := range g.allow {
		if p.Contains(addr) {
			return "", false
		}
	}
	for _, b := range g.blocked {
		if b.prefix.Contains(addr) {
			return b.reason, true
		}
	}
	return "", false
}

func (g *Guard) refusal(msg string) error {
	return &refusal{msg: msg, sentinels: []error{g.refused, ErrRefused}}
}

// refusal is a refused address: its text is complete, and it matches both
// the caller's sentinel and ErrRefused.
type refusal struct {
	msg       string
	sentinels []error
}

func (e *refusal) Error() string   { return e.msg }
func (e *refusal) Unwrap() []error { return e.sentinels }

// StripURL returns the error a *url.Error wraps, or err itself: its message
// quotes the whole URL, query and credentials included, so callers that
// name a URL in an error or a log name it themselves, redacted.
func StripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
