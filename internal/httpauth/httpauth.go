// Package httpauth holds crier's one rule for its protected HTTP routes:
// a bearer token compared in constant time, and loopback-only access where
// no token is configured.
package httpauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strings"
)

// Bearer reports whether r carries "Authorization: Bearer <token>". An
// empty token matches nothing. Digests are compared, in constant time:
// comparing the tokens themselves would leak their length.
func Bearer(r *http.Request, token string) bool {
	if token == "" {
		return false
	}
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	want := sha256.Sum256([]byte(token))
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
}

// FromLoopback reports whether r comes from a loopback address.
func FromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// TokenOrLoopback applies the rule of routes that work without
// configuration on one machine: with a token, the bearer token is required
// from every client; without one, only loopback clients are let in. It
// returns 0 when r may pass, else the status to answer (401 or 403).
func TokenOrLoopback(r *http.Request, token string) int {
	switch {
	case token != "" && !Bearer(r, token):
		return http.StatusUnauthorized
	case token == "" && !FromLoopback(r):
		return http.StatusForbidden
	}
	return 0
}
