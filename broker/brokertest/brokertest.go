// Package brokertest starts a real embedded NATS server with JetStream for
// tests, one per test, in a temporary directory.
package brokertest

import (
	"cmp"
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
)

// Start returns a broker on a fresh in-process embedded server with crier's
// streams created. It is closed when the test ends.
func Start(t testing.TB) (*broker.Broker, broker.Topology) {
	t.Helper()
	return StartWith(t, broker.Options{})
}

// StartAt is Start with a chosen store directory (to restart a server on the
// same data) and client listen address ("" for in-process only).
func StartAt(t testing.TB, storeDir, listen string) (*broker.Broker, broker.Topology) {
	t.Helper()
	return StartWith(t, broker.Options{StoreDir: storeDir, Listen: listen})
}

// StartWith is Start with chosen options, such as a lower MaxPayload. An
// empty StoreDir is a temporary directory.
func StartWith(t testing.TB, o broker.Options) (*broker.Broker, broker.Topology) {
	t.Helper()
	if o.StoreDir == "" {
		o.StoreDir = t.TempDir()
	}
	o.Name = cmp.Or(o.Name, t.Name())
	ctx := context.Background()
	b, err := broker.Start(ctx, o)
	if err != nil {
		t.Fatalf("start nats: %v", err)
	}
	t.Cleanup(b.Close)
	top := broker.DefaultTopology()
	if err := top.Ensure(ctx, b.JS); err != nil {
		t.Fatalf("ensure streams: %v", err)
	}
	return b, top
}

// StreamMsgs returns how many messages a stream holds.
func StreamMsgs(t testing.TB, js jetstream.JetStream, stream string) uint64 {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	return info.State.Msgs
}
