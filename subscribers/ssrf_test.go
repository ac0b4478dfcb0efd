package subscribers

import (
	"net/netip"
	"strings"
	"testing"
)

// TestDialGuardPolicy checks the address policy only: no socket is opened.
func TestDialGuardPolicy(t *testing.T) {
	def := newDialGuard(nil)
	for _, tc := range []struct {
		addr   string
		reason string // "" means allowed
	}{
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "in this-network range 0.0.0.0/8"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fec0::1", "site-local"},
		{"100.64.0.1", "shared address space (CGNAT)"},
		{"100.127.255.254", "shared address space (CGNAT)"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "broadcast"},
		{"240.0.0.1", "reserved"},
		{"254.1.2.3", "reserved"},
		{"192.0.0.8", "reserved (IETF protocol assignments)"},
		{"198.18.0.1", "reserved (benchmarking)"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"2001:db8::1", "documentation"},
		{"3fff::1", "documentation"},
		{"64:ff9b::a00:1", "NAT64"},
		{"::127.0.0.1", "reserved (IPv4-compatible IPv6)"},
		// IPv4-mapped IPv6 is judged as the IPv4 address it carries.
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.1.2.3", "private"},
		{"::ffff:169.254.169.254", "link-local"},
		// Public addresses pass.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.63.255.255", ""},
		{"100.128.0.0", ""},
		{"172.15.255.255", ""},
		{"172.32.0.0", ""},
		{"11.0.0.1", ""},
		{"223.255.255.255", ""},
		{"::ffff:8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4007:80e::200e", ""},
	} {
		addr := netip.MustParseAddr(tc.addr)
		reason, refused := def.refuse(addr)
		if refused != (tc.reason != "") || reason != tc.reason {
			t.Errorf("refuse(%s) = %q, %v; want %q", tc.addr, reason, refused, tc.reason)
		}
	}
}

func TestDialGuardAllowNetworks(t *testing.T) {
	g := newDialGuard([]netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("10.1.0.0/16"),
		netip.MustParsePrefix("fd00::/8"),
	})
	for _, tc := range []struct {
		addr    string
		refused bool
	}{
		{"127.0.0.1", false},
		{"::ffff:127.0.0.1", false},
		{"127.0.0.2", true},
		{"10.1.2.3", false},
		{"10.2.0.1", true},
		{"fd00::5", false},
		{"fc00::5", true},
		{"169.254.169.254", true},
		{"8.8.8.8", false},
	} {
		if _, refused := g.refuse(netip.MustParseAddr(tc.addr)); refused != tc.refused {
			t.Errorf("refuse(%s) = %v, want %v", tc.addr, refused, tc.refused)
		}
	}
}

// TestDialGuardControl calls the dialer hook directly, as net.Dialer does
// before connect; nothing is dialled.
func TestDialGuardControl(t *testing.T) {
	g := newDialGuard(nil)
	err := g.control("tcp4", "127.0.0.2:8080", nil)
	want := "subscribers: refused to dial 127.0.0.2:8080: address is loopback (not in subscribers.allow_networks)"
	if err == nil || err.Error() != want {
		t.Errorf("control = %v, want %q", err, want)
	}
	if err := g.control("tcp6", "[fe80::1%eth0]:443", nil); err == nil || !strings.Contains(err.Error(), "link-local") {
		t.Errorf("control(fe80::1%%eth0) = %v", err)
	}
	if err := g.control("tcp4", "not-an-address", nil); err == nil {
		t.Error("control accepted a non-address")
	}
	if err := g.control("tcp4", "93.184.215.14:443", nil); err != nil {
		t.Errorf("control refused a public address: %v", err)
	}
}
