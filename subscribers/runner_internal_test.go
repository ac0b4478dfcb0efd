package subscribers

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker/brokertest"
)

// startedManager runs a manager on a fresh server until the test ends.
func startedManager(t *testing.T) *Manager {
	t.Helper()
	b, top := brokertest.Start(t)
	m, err := New(b.JS, Options{
		Topology: top,
		Timeout:  5 * time.Second,
		Logger:   slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return m
}

// A runner that starts (or re-opens) from a watched copy of an endpoint
// whose record was deleted meanwhile, after its consumers were removed,
// leaves no consumer behind: the race of a sweep or an unsubscription on
// one replica with a runner starting on another.
func TestRunnerOfADeletedEndpointLeavesNoConsumer(t *testing.T) {
	for _, origin := range []string{OriginAPI, OriginWebSub} {
		t.Run(origin, func(t *testing.T) {
			m := startedManager(t)
			ep := Endpoint{Name: "gone", URL: "http://127.0.0.1:1/hook", Origin: origin}
			if origin == OriginWebSub {
				ep.Protocol, ep.Topic = ProtocolWebSub, "http://crier.test/feeds/all.atom"
			} else {
				ep.Secret = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
			}
			r, err := m.newRunner(ep)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := r.start(ctx); !errors.Is(err, errEndpointGone) {
				if err == nil {
					r.stop()
				}
				t.Errorf("start: %v, want %v", err, errEndpointGone)
			}
			live, replay := consumersOf(m.o.Topology, ep.Name)
			for _, c := range []consumerRef{live, *replay} {
				if _, err := m.js.Consumer(ctx, c.stream, c.name); !errors.Is(err, jetstream.ErrConsumerNotFound) {
					t.Errorf("consumer %s of the deleted endpoint: %v, want none", c.name, err)
				}
			}
		})
	}
}

// A declared endpoint has no record to check: its runner starts.
func TestRunnerOfADeclaredEndpointStarts(t *testing.T) {
	m := startedManager(t)
	r, err := m.newRunner(Endpoint{Name: "file", URL: "http://127.0.0.1:1/hook", Origin: OriginConfig,
		Secret: "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.stop()
}
