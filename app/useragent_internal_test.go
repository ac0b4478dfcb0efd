package app

import (
	"log/slog"
	"testing"

	"github.com/crier/crier/config"
)

// The media probe names crier and its version, like webhook deliveries.
func TestMediaProbeUserAgent(t *testing.T) {
	const want = "crier/1.2.3 (+https://github.com/crier/crier)"
	if got := mediaOptions(config.Publisher{}, "1.2.3").UserAgent; got != want {
		t.Errorf("probe User-Agent %q, want %q", got, want)
	}
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := subscriberOptions(cfg, Topology(cfg), "1.2.3", nil, slog.New(slog.DiscardHandler)).UserAgent; got != want {
		t.Errorf("delivery User-Agent %q, want %q", got, want)
	}
}
