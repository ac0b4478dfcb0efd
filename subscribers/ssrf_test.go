package subscribers

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/crier/crier/internal/netguard"
)

// TestDialGuard checks what webhooks add to netguard (whose tests cover
// every range and the allow list): refusals name
// subscribers.allow_networks and wrap errRefused, the allow list reaches
// the guard. It calls the dialer hook directly, as net.Dialer does before
// connect; nothing is dialled.
func TestDialGuard(t *testing.T) {
	def := newDialGuard(nil)
	err := def.Control("tcp4", "127.0.0.2:8080", nil)
	want := "subscribers: refused to dial 127.0.0.2:8080: address is loopback (not in subscribers.allow_networks)"
	if err == nil || err.Error() != want {
		t.Errorf("Control = %v, want %q", err, want)
	}
	if !errors.Is(err, errRefused) || !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("Control = %v, want it to wrap errRefused and netguard.ErrRefused", err)
	}
	if err := def.Control("tcp4", "93.184.215.14:443", nil); err != nil {
		t.Errorf("Control refused a public address: %v", err)
	}

	opened := newDialGuard([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")})
	if err := opened.Control("tcp4", "127.0.0.1:8080", nil); err != nil {
		t.Errorf("127.0.0.1 opened: Control = %v", err)
	}
	if err := opened.Control("tcp4", "127.0.0.2:8080", nil); !errors.Is(err, errRefused) {
		t.Errorf("127.0.0.1 opened: Control(127.0.0.2) = %v, want a refusal", err)
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
