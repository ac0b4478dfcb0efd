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

// getJSON reads the JSON record at key and its revision: a zero T and
// revision 0 (KV revisions start at 1) when there is none. Errors name
// the record as what and key.
func getJSON[T any](ctx context.Context, kv jetstream.KeyValue, key, what string) (T, uint64, error) {
	var v T
	e, err := kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return v, 0, nil
	case err != nil:
		return v, 0, fmt.Errorf("subscribers: read %s %s: %w", what, key, err)
	}
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		var zero T
		return zero, 0, fmt.Errorf("subscribers: %s %s: stored record: %w", what, key, err)
	}
	return v, e.Revision(), nil
}

// getEndpoint returns an API endpoint and its revision.
func (s *store) getEndpoint(ctx context.Context, name string) (Endpoint, uint64, error) {
	ep, rev, err := getJSON[Endpoint](ctx, s.endpoints, name, "endpoint")
	if err == nil && rev == 0 {
		return Endpoint{}, 0, fmt.Errorf("endpoint %s: %w", name, ErrNotFound)
	}
	return ep, rev, err
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
	return getJSON[Status](ctx, s.status, name, "status of")
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
func (s *store) attempts(ctx context.Context, key string) ([]Attempt, error) {
	as, _, err := getJSON[[]Attempt](ctx, s.deliveries, key, "attempts")
	return as, err
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
