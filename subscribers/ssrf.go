package subscribers

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

// errRefused marks a connection the SSRF guard refused.
var errRefused = errors.New("subscribers: refused to dial")

// blockedRange is an address range webhooks may not reach unless the
// operator opens it with Options.AllowNetworks.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// dialGuard refuses connections to non-public addresses. It checks at dial
// time, after name resolution, so DNS tricks (a public name resolving to
// 127.0.0.1, rebinding between check and use) cannot get past it.
type dialGuard struct {
	allow   []netip.Prefix
	blocked []blockedRange
}

func newDialGuard(allow []netip.Prefix) *dialGuard {
	g := &dialGuard{}
	for _, p := range allow {
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

// dialer returns a net.Dialer that checks every address it connects to.
func (g *dialGuard) dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
}

// control runs after resolution and before connect, once per address tried.
func (g *dialGuard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w %s: not an IP address and port", errRefused, address)
	}
	if reason, ok := g.refuse(ap.Addr()); ok {
		return fmt.Errorf("%w %s: address is %s (not in subscribers.allow_networks)", errRefused, address, reason)
	}
	return nil
}

// checkURL resolves an endpoint URL's host and refuses it when any of its
// addresses is refused, so a bad endpoint is reported when it is created
// rather than at its first attempt. The dial-time check still runs on
// every attempt: a name can resolve differently later.
func (g *dialGuard) checkURL(ctx context.Context, r *net.Resolver, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: bad URL", ErrInvalid)
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
			return fmt.Errorf("%w: cannot resolve %s: %v", ErrInvalid, host, err)
		}
	}
	for _, a := range addrs {
		if reason, refused := g.refuse(a); refused {
			return fmt.Errorf("%w: %s resolves to %s, which is %s (not in subscribers.allow_networks)", ErrInvalid, host, a, reason)
		}
	}
	return nil
}

// refuse reports whether addr may not be dialled, and why.
func (g *dialGuard) refuse(addr netip.Addr) (reason string, refused bool) {
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
