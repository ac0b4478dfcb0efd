package app

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/crier/crier/config"
)

// TestMetricsAccess: with http.admin_token set, /metrics needs that bearer
// token from any client; without one, it answers loopback clients only.
func TestMetricsAccess(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, tc := range []struct {
		name, token, remote, auth string
		want                      int
	}{
		{"token, right bearer, remote client", "tok", "192.0.2.1:4000", "Bearer tok", http.StatusOK},
		{"token, no bearer, loopback client", "tok", "127.0.0.1:4000", "", http.StatusUnauthorized},
		{"token, wrong bearer", "tok", "127.0.0.1:4000", "Bearer nope", http.StatusUnauthorized},
		{"no token, loopback client", "", "127.0.0.1:4000", "", http.StatusOK},
		{"no token, IPv6 loopback client", "", "[::1]:4000", "", http.StatusOK},
		{"no token, remote client", "", "192.0.2.1:4000", "", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			r.RemoteAddr = tc.remote
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			w := httptest.NewRecorder()
			loopbackOrToken(tc.token, ok).ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("status %d, want %d", w.Code, tc.want)
			}
		})
	}
}

// TestSubscriberOptions: subscribers.jitter 0 turns jitter off (the
// package's own zero means its default), and the User-Agent is the one
// the README documents.
func TestSubscriberOptions(t *testing.T) {
	cfg, err := config.Load("", []string{"CRIER_SUBSCRIBERS_JITTER=0"})
	if err != nil {
		t.Fatal(err)
	}
	o := subscriberOptions(cfg, Topology(cfg), "v1.2.3", nil, slog.New(slog.DiscardHandler))
	if o.Jitter >= 0 {
		t.Errorf("jitter 0 gave Options.Jitter %v, want negative (off)", o.Jitter)
	}
	if want := "crier/v1.2.3 (+https://github.com/crier/crier)"; o.UserAgent != want {
		t.Errorf("User-Agent %q, want %q", o.UserAgent, want)
	}
	cfg, err = config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o := subscriberOptions(cfg, Topology(cfg), "v1.2.3", nil, slog.New(slog.DiscardHandler)); o.Jitter != 0.2 {
		t.Errorf("default jitter %v, want 0.2", o.Jitter)
	}
}
