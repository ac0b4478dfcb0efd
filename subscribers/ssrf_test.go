package subscribers

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// TestDialGuardPolicy checks that webhooks get netguard's policy (its
// tests cover every range); no socket is opened.
func TestDialGuardPolicy(t *testing.T) {
	def := newDialGuard(nil)
	for _, tc := range []struct {
		addr   string
		reason string // "" means allowed
	}{
		{"127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"169.254.169.254", "link-local"},
		{"::ffff:127.0.0.1", "loopback"},
		{"8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
	} {
		addr := netip.MustParseAddr(tc.addr)
		reason, refused := def.refuse(addr)
		if refused != (tc.reason != "") || reason != tc.reason {
			t.Errorf("refuse(%s) = %q, %v; want %q", tc.addr, reason, refused, tc.reason)
		}
	}
}

// TestDialGuardCheckURL checks the creation-time refusal keeps webhooks'
// error text and ErrInvalid.
func TestDialGuardCheckURL(t *testing.T) {
	g := newDialGuard(nil)
	err := g.checkURL(context.Background(), nil, "http://10.0.0.7:8080/hook")
	want := "10.0.0.7 resolves to 10.0.0.7, which is private (not in subscribers.allow_networks)"
	if !errors.Is(err, ErrInvalid) || !strings.HasSuffix(err.Error(), ": "+want) {
		t.Errorf("checkURL = %v, want ErrInvalid: …%s", err, want)
	}
	if err := g.checkURL(context.Background(), nil, "http://8.8.8.8/hook"); err != nil {
		t.Errorf("checkURL(public) = %v", err)
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
