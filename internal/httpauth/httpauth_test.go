package httpauth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTokenOrLoopback(t *testing.T) {
	for _, tc := range []struct {
		name, token, remote, auth string
		want                      int
	}{
		{"no token, loopback v4", "", "127.0.0.1:5000", "", 0},
		{"no token, loopback v6", "", "[::1]:5000", "", 0},
		{"no token, v4-mapped loopback", "", "[::ffff:127.0.0.1]:5000", "", 0},
		{"no token, remote", "", "192.0.2.7:5000", "", http.StatusForbidden},
		{"no token, remote with a header", "", "192.0.2.7:5000", "Bearer x", http.StatusForbidden},
		{"token, right", "s3cret", "192.0.2.7:5000", "Bearer s3cret", 0},
		{"token, scheme in lower case", "s3cret", "192.0.2.7:5000", "bearer s3cret", 0},
		{"token, loopback still needs it", "s3cret", "127.0.0.1:5000", "", http.StatusUnauthorized},
		{"token, wrong", "s3cret", "192.0.2.7:5000", "Bearer s3cret!", http.StatusUnauthorized},
		{"token, prefix of the right one", "s3cret", "192.0.2.7:5000", "Bearer s3cre", http.StatusUnauthorized},
		{"token, basic scheme", "s3cret", "192.0.2.7:5000", "Basic s3cret", http.StatusUnauthorized},
		{"token, no scheme", "s3cret", "192.0.2.7:5000", "s3cret", http.StatusUnauthorized},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil) // no packet is sent
		r.RemoteAddr = tc.remote
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		if got := TokenOrLoopback(r, tc.token); got != tc.want {
			t.Errorf("%s: TokenOrLoopback = %d, want %d", tc.name, got, tc.want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer ")
	if Bearer(r, "") {
		t.Error("an empty token matched an empty bearer")
	}
}
