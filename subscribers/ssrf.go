package subscribers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/crier/crier/internal/netguard"
)

// errRefused marks a connection the SSRF guard refused.
var errRefused = errors.New("subscribers: refused to dial")

// dialGuard is the SSRF guard (internal/netguard) as webhooks use it: its
// refusals name subscribers.allow_networks and wrap errRefused, and
// checkURL's wrap ErrInvalid. Dialer, Control and Refuse are netguard's.
type dialGuard struct {
	*netguard.Guard
}

func newDialGuard(allow []netip.Prefix) *dialGuard {
	return &dialGuard{netguard.New(netguard.Options{
		Allow: allow, Key: "subscribers.allow_networks", Refused: errRefused,
	})}
}

// checkURL resolves an endpoint URL's host and refuses it when any of its
// addresses is refused, so a bad endpoint is reported when it is created
// rather than at its first attempt.
func (g *dialGuard) checkURL(ctx context.Context, r *net.Resolver, raw string) error {
	if err := g.CheckURL(ctx, r, raw); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}
