package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
)

// KV buckets of the subscribers.
const (
	// EndpointBucket holds the endpoints created through the admin API,
	// one JSON Endpoint per key (the name).
	EndpointBucket = "crier_endpoints"
	// StatusBucket holds every endpoint's Status, one per key (the name).
	StatusBucket = "crier_endpoint_status"
	// DeliveryBucket holds the attempts of each message still being
	// retried, key "<endpoint>.<stream>.<sequence>".
	DeliveryBucket = "crier_deliveries"
)

// store is the shared state of the subscribers in JetStream KV buckets.
type store struct {
	endpoints  jetstream.KeyValue
	status     jetstream.KeyValue
	deliveries jetstream.KeyValue
}

func openStore(ctx context.Context, js jetstream.JetStream, top broker.Topology, deliveryTTL time.Duration) (*store, error) {
	eps, err := top.KV(ctx, js, EndpointBucket, "crier: webhook endpoints created through the admin API")
	if err != nil {
		return nil, err
	}
	st, err := top.KV(ctx, js, StatusBucket, "crier: webhook endpoints' status (disabled, failing)")
	if err != nil {
		return nil, err
	}
	dl, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      DeliveryBucket,
		Description: "crier: attempts of webhook messages being retried",
		Storage:     jetstream.FileStorage,
		Replicas:    max(top.Replicas, 1),
		// A record outlives the retry schedule; one left by a message that
		// vanished (stream limits) expires by itself.
		TTL: deliveryTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("subscribers: kv bucket %s: %w", DeliveryBucket, err)
	}
	return &store{endpoints: eps, status: st, deliveries: dl}, nil
}

// getEndpoint returns an API endpoint and its revision.
func (s *store) getEndpoint(ctx context.Context, name string) (Endpoint, uint64, error) {
	e, err := s.endpoints.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Endpoint{}, 0, fmt.Errorf("endpoint %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return Endpoint{}, 0, fmt.Errorf("subscribers: read endpoint %s: %w", name, err)
	}
	var ep Endpoint
	if err := json.Unmarshal(e.Value(), &ep); err != nil {
		return Endpoint{}, 0, fmt.Errorf("subscribers: endpoint %s: stored record: %w", name, err)
	}
	return ep, e.Revision(), nil
}

// listEndpoints returns every API endpoint.
func (s *store) listEndpoints(ctx context.Context) ([]Endpoint, error) {
	lister, err := s.endpoints.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscribers: list endpoints: %w", err)
	}
	var out []Endpoint
	for k := range lister.Keys() {
		ep, _, err := s.getEndpoint(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ep)
	}
	return out, nil
}

// putEndpoint creates (rev 0) or updates (at rev) an API endpoint.
func (s *store) putEndpoint(ctx context.Context, ep Endpoint, rev uint64) error {
	b, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if rev == 0 {
		_, err = s.endpoints.Create(ctx, ep.Name, b)
		if errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("endpoint %s: %w", ep.Name, ErrExists)
		}
	} else {
		_, err = s.endpoints.Update(ctx, ep.Name, b, rev)
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return fmt.Errorf("endpoint %s: %w", ep.Name, ErrConflict)
		}
	}
	if err != nil {
		return fmt.Errorf("subscribers: save endpoint %s: %w", ep.Name, err)
	}
	return nil
}

// getStatus returns an endpoint's status and its revision (0: none yet).
func (s *store) getStatus(ctx context.Context, name string) (Status, uint64, error) {
	e, err := s.status.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Status{}, 0, nil
	}
	if err != nil {
		return Status{}, 0, fmt.Errorf("subscribers: read status of %s: %w", name, err)
	}
	var st Status
	if err := json.Unmarshal(e.Value(), &st); err != nil {
		return Status{}, 0, fmt.Errorf("subscribers: status of %s: %w", name, err)
	}
	return st, e.Revision(), nil
}

// updateStatus applies change to an endpoint's status with compare and
// set, retrying on a concurrent write. change reports whether it changed
// anything; the result says whether this call made the write, so exactly
// one replica acts on a transition (and publishes its event).
func (s *store) updateStatus(ctx context.Context, name string, change func(*Status) bool) (Status, bool, error) {
	for range 10 {
		st, rev, err := s.getStatus(ctx, name)
		if err != nil {
			return st, false, err
		}
		if !change(&st) {
			return st, false, nil
		}
		b, err := json.Marshal(st)
		if err != nil {
			return st, false, err
		}
		if rev == 0 {
			_, err = s.status.Create(ctx, name, b)
		} else {
			_, err = s.status.Update(ctx, name, b, rev)
		}
		if err == nil {
			return st, true, nil
		}
		// A lost race: another replica created or changed it; read again.
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return st, false, fmt.Errorf("subscribers: write status of %s: %w", name, err)
		}
	}
	return Status{}, false, fmt.Errorf("subscribers: status of %s: too many concurrent writers", name)
}

// deliveryKey names the attempts record of one message for one endpoint.
func deliveryKey(endpoint, stream string, seq uint64) string {
	return fmt.Sprintf("%s.%s.%d", endpoint, stream, seq)
}

// attempts returns the attempts recorded for a message.
func (s *store) attempts(ctx context.Context, key string) ([]Attempt, uint64, error) {
	e, err := s.deliveries.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("subscribers: read attempts %s: %w", key, err)
	}
	var as []Attempt
	if err := json.Unmarshal(e.Value(), &as); err != nil {
		return nil, 0, fmt.Errorf("subscribers: attempts %s: %w", key, err)
	}
	return as, e.Revision(), nil
}

// saveAttempts writes a message's attempts. A lost race means another
// replica attempted the same message meanwhile (a redelivery after
// AckWait); the later write wins, which at worst forgets one attempt.
func (s *store) saveAttempts(ctx context.Context, key string, as []Attempt) error {
	b, err := json.Marshal(as)
	if err != nil {
		return err
	}
	if _, err := s.deliveries.Put(ctx, key, b); err != nil {
		return fmt.Errorf("subscribers: save attempts %s: %w", key, err)
	}
	return nil
}

func (s *store) forgetAttempts(ctx context.Context, key string) error {
	if err := s.deliveries.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("subscribers: forget attempts %s: %w", key, err)
	}
	return nil
}
