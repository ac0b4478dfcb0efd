package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
)

// EndpointInfo is an endpoint as the admin API shows it: secrets
// redacted, with its status.
type EndpointInfo struct {
	Endpoint
	Status Status `json:"status"`
}

// EndpointUpdate changes the fields it sets (nil leaves a field alone).
type EndpointUpdate struct {
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	Languages   *[]string `json:"languages,omitempty"`
	Sources     *[]string `json:"sources,omitempty"`
	Tags        *[]string `json:"tags,omitempty"`
	Stories     *[]string `json:"stories,omitempty"`
	EventTypes  *[]string `json:"event_types,omitempty"`
	Payload     *string   `json:"payload,omitempty"`
	Concurrency *int      `json:"concurrency,omitempty"`
	RateLimit   *float64  `json:"rate_limit,omitempty"`
	StrictOrder *bool     `json:"strict_order,omitempty"`
}

// errNotStarted guards the admin operations, which need the KV buckets.
var errNotStarted = errors.New("subscribers: not started")

func (m *Manager) running() (*store, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != stateRunning {
		return nil, errNotStarted
	}
	return m.store, nil
}

// lookup finds an endpoint by name: declared, from the API, or the events
// webhook.
func (m *Manager) lookup(ctx context.Context, name string) (Endpoint, error) {
	st, err := m.running()
	if err != nil {
		return Endpoint{}, err
	}
	if ep, ok := m.fileEndpoint(name); ok {
		return ep, nil
	}
	if !broker.ValidToken(name) {
		// No endpoint can have it; nor can a KV key.
		return Endpoint{}, fmt.Errorf("endpoint %q: %w", name, ErrNotFound)
	}
	ep, _, err := st.getEndpoint(ctx, name)
	return ep, err
}

// fileEndpoint finds an endpoint the configuration file declares: one of
// its webhooks, or the events webhook.
func (m *Manager) fileEndpoint(name string) (Endpoint, bool) {
	if i := slices.IndexFunc(m.declared, func(e Endpoint) bool { return e.Name == name }); i >= 0 {
		return m.declared[i], true
	}
	if name == EventsEndpointName && m.o.EventsWebhook != nil {
		return *m.o.EventsWebhook, true
	}
	return Endpoint{}, false
}

// fileOwned reports whether the API must leave name alone: the file
// declares it, or it is the events webhook's (reserved even when off).
func (m *Manager) fileOwned(name string) bool {
	_, ok := m.fileEndpoint(name)
	return ok || name == EventsEndpointName
}

// Endpoints lists every endpoint, by name.
func (m *Manager) Endpoints(ctx context.Context) ([]EndpointInfo, error) {
	st, err := m.running()
	if err != nil {
		return nil, err
	}
	api, err := st.listEndpoints(ctx)
	if err != nil {
		return nil, err
	}
	all := slices.Concat(m.declared, api)
	if m.o.EventsWebhook != nil {
		all = append(all, *m.o.EventsWebhook)
	}
	seen := make(map[string]bool)
	var out []EndpointInfo
	for _, ep := range all {
		if seen[ep.Name] {
			continue // a stale API record shadowed by the file
		}
		seen[ep.Name] = true
		s, _, err := st.getStatus(ctx, ep.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, EndpointInfo{Endpoint: ep.Redacted(), Status: s})
	}
	slices.SortFunc(out, func(a, b EndpointInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Endpoint returns one endpoint, secrets redacted.
func (m *Manager) Endpoint(ctx context.Context, name string) (EndpointInfo, error) {
	ep, err := m.lookup(ctx, name)
	if err != nil {
		return EndpointInfo{}, err
	}
	s, _, err := m.store.getStatus(ctx, name)
	if err != nil {
		return EndpointInfo{}, err
	}
	return EndpointInfo{Endpoint: ep.Redacted(), Status: s}, nil
}

// CreateEndpoint stores a new endpoint and creates its consumers before it
// returns, so it receives every article published afterwards. Without a
// secret or signing key, a secret is generated. The result holds the
// secrets in clear: the only time they are shown.
func (m *Manager) CreateEndpoint(ctx context.Context, ep Endpoint) (Endpoint, error) {
	st, err := m.running()
	if err != nil {
		return Endpoint{}, err
	}
	if m.fileOwned(ep.Name) {
		return Endpoint{}, fmt.Errorf("endpoint %s: %w", ep.Name, ErrExists)
	}
	now := m.o.Now().UTC()
	ep.Secrets = ep.secrets()
	ep.Secret = ""
	if len(ep.Secrets) == 0 && ep.SigningKey == "" {
		s, err := GenerateSecret()
		if err != nil {
			return Endpoint{}, err
		}
		ep.Secrets = []Secret{{Value: s}}
	}
	for i := range ep.Secrets {
		if ep.Secrets[i].Created.IsZero() {
			ep.Secrets[i].Created = now
		}
	}
	ep.Origin, ep.Created, ep.Updated = OriginAPI, now, now
	if err := m.check(ctx, ep); err != nil {
		return Endpoint{}, err
	}
	if _, _, err := st.getEndpoint(ctx, ep.Name); err == nil {
		return Endpoint{}, fmt.Errorf("endpoint %s: %w", ep.Name, ErrExists)
	}
	if err := m.createConsumers(ctx, ep); err != nil {
		return Endpoint{}, err
	}
	if err := st.putEndpoint(ctx, ep, 0); err != nil {
		return Endpoint{}, err
	}
	m.log.Info("webhook endpoint created", "endpoint", ep.Name, "url", RedactURL(ep.URL))
	return ep, nil
}

// check validates an endpoint and resolves its host through the SSRF
// guard.
func (m *Manager) check(ctx context.Context, ep Endpoint) error {
	if err := ep.validate(); err != nil {
		return err
	}
	if err := m.CheckURL(ctx, ep.URL); err != nil {
		return fmt.Errorf("endpoint %s: %w", ep.Name, err)
	}
	return nil
}

func (m *Manager) createConsumers(ctx context.Context, ep Endpoint) error {
	r, err := m.newRunner(ep)
	if err != nil {
		return err
	}
	for _, src := range r.sources() {
		if _, err := m.js.CreateOrUpdateConsumer(ctx, src.stream, src.cfg); err != nil {
			return fmt.Errorf("subscribers: consumer %s: %w", src.name, err)
		}
	}
	return nil
}

// apiEndpoint reads an endpoint that the API may change.
func (m *Manager) apiEndpoint(ctx context.Context, name string) (*store, Endpoint, uint64, error) {
	st, err := m.running()
	if err != nil {
		return nil, Endpoint{}, 0, err
	}
	if m.fileOwned(name) {
		return nil, Endpoint{}, 0, fmt.Errorf("endpoint %s: %w (edit the file instead)", name, ErrDeclared)
	}
	ep, rev, err := st.getEndpoint(ctx, name)
	return st, ep, rev, err
}

// UpdateEndpoint changes an API endpoint; every replica's runner restarts
// with the new settings, and the consumers keep their position.
func (m *Manager) UpdateEndpoint(ctx context.Context, name string, u EndpointUpdate) (EndpointInfo, error) {
	st, ep, rev, err := m.apiEndpoint(ctx, name)
	if err != nil {
		return EndpointInfo{}, err
	}
	set(&ep.URL, u.URL)
	set(&ep.Description, u.Description)
	set(&ep.Languages, u.Languages)
	set(&ep.Sources, u.Sources)
	set(&ep.Tags, u.Tags)
	set(&ep.Stories, u.Stories)
	set(&ep.EventTypes, u.EventTypes)
	set(&ep.Payload, u.Payload)
	set(&ep.Concurrency, u.Concurrency)
	set(&ep.RateLimit, u.RateLimit)
	set(&ep.StrictOrder, u.StrictOrder)
	ep.Updated = m.o.Now().UTC()
	if err := m.check(ctx, ep); err != nil {
		return EndpointInfo{}, err
	}
	if err := st.putEndpoint(ctx, ep, rev); err != nil {
		return EndpointInfo{}, err
	}
	return m.Endpoint(ctx, name)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// DeleteEndpoint removes an API endpoint, its consumers, status and queued
// replays. Its dead letters stay until the stream's limits remove them.
func (m *Manager) DeleteEndpoint(ctx context.Context, name string) error {
	st, _, _, err := m.apiEndpoint(ctx, name)
	if err != nil {
		return err
	}
	if err := st.endpoints.Delete(ctx, name); err != nil {
		return fmt.Errorf("subscribers: delete endpoint %s: %w", name, err)
	}
	return m.removeEndpoint(ctx, st, name)
}

// removeEndpoint removes what a deleted endpoint leaves: its consumers,
// queued replays and status.
func (m *Manager) removeEndpoint(ctx context.Context, st *store, name string) error {
	top := m.o.Topology
	live, replay := consumersOf(top, name)
	for _, c := range []consumerRef{live, *replay} {
		if err := m.js.DeleteConsumer(ctx, c.stream, c.name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return fmt.Errorf("subscribers: delete consumer %s: %w", c.name, err)
		}
	}
	if s, err := m.js.Stream(ctx, top.ReplayStream); err == nil {
		_ = s.Purge(ctx, jetstream.WithPurgeSubject(top.ReplaySubject(name)))
	}
	if err := st.status.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("subscribers: delete status of %s: %w", name, err)
	}
	m.log.Info("webhook endpoint deleted", "endpoint", name)
	return nil
}

// DisableEndpoint stops delivery to an endpoint on every replica; its
// articles wait in its consumer until it is enabled again.
func (m *Manager) DisableEndpoint(ctx context.Context, name, reason string) error {
	if name == EventsEndpointName {
		return fmt.Errorf("endpoint %s: %w: the events webhook is never disabled (remove subscribers.events_webhook instead)", name, ErrDeclared)
	}
	ep, err := m.lookup(ctx, name)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "disabled by an operator"
	}
	return m.setDisabled(ctx, ep, true, reason)
}

// EnableEndpoint resumes delivery, backlog first.
func (m *Manager) EnableEndpoint(ctx context.Context, name string) error {
	ep, err := m.lookup(ctx, name)
	if err != nil {
		return err
	}
	return m.setDisabled(ctx, ep, false, "")
}

// RotateSecret adds a new secret to an API endpoint and returns it. The
// others keep signing for Options.RotationGrace, so receivers can switch
// to the new one without losing a delivery.
func (m *Manager) RotateSecret(ctx context.Context, name string) (string, error) {
	st, ep, rev, err := m.apiEndpoint(ctx, name)
	if err != nil {
		return "", err
	}
	now := m.o.Now().UTC()
	ep.pruneSecrets(now)
	for i := range ep.Secrets {
		if ep.Secrets[i].Expires.IsZero() || ep.Secrets[i].Expires.After(now.Add(m.o.RotationGrace)) {
			ep.Secrets[i].Expires = now.Add(m.o.RotationGrace)
		}
	}
	s, err := GenerateSecret()
	if err != nil {
		return "", err
	}
	ep.Secrets = append(ep.Secrets, Secret{Value: s, Created: now})
	ep.Updated = now
	if err := st.putEndpoint(ctx, ep, rev); err != nil {
		return "", err
	}
	m.log.Info("webhook secret rotated", "endpoint", name, "grace", m.o.RotationGrace)
	return s, nil
}

// Attempts returns an endpoint's most recent attempts, newest first.
func (m *Manager) Attempts(ctx context.Context, name string, limit int) ([]Attempt, error) {
	if _, err := m.lookup(ctx, name); err != nil {
		return nil, err
	}
	// Every batch holds at least one attempt: the last limit batches hold
	// the last limit attempts.
	batches, err := m.tail(ctx, m.o.Topology.AttemptStream, m.o.Topology.AttemptSubject(name), limit)
	if err != nil {
		return nil, err
	}
	var out []Attempt
	for _, msg := range batches {
		var batch []Attempt
		if json.Unmarshal(msg.Data(), &batch) == nil {
			out = append(out, batch...)
		}
	}
	slices.Reverse(out)
	return out[:min(len(out), max(limit, 0))], nil
}

// DeadLetters returns the most recent dead letters, newest first, of one
// endpoint or of all ("").
func (m *Manager) DeadLetters(ctx context.Context, endpoint string, limit int) ([]DeadLetter, error) {
	if _, err := m.running(); err != nil {
		return nil, err
	}
	top := m.o.Topology
	filter, err := m.deadLetterFilter(endpoint)
	if err != nil {
		return nil, err
	}
	msgs, err := m.tail(ctx, top.DeadLetterStream, filter, limit)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	for _, msg := range msgs {
		if dl, ok := decodeDeadLetter(msg); ok {
			out = append(out, dl)
		}
	}
	slices.Reverse(out)
	return out, nil
}

// tail returns the last n messages of a stream on filter, oldest first.
// It reads a window back from the stream's end and widens it until the
// window holds n or reaches the start, so a listing costs about what it
// shows, not the whole history.
func (m *Manager) tail(ctx context.Context, stream, filter string, n int) ([]jetstream.Msg, error) {
	if n <= 0 {
		return nil, nil
	}
	s, err := m.js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("subscribers: read %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscribers: read %s: %w", stream, err)
	}
	first, last := info.State.FirstSeq, info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil, nil
	}
	for window := uint64(4 * n); ; window *= 4 {
		start := first
		if last-first >= window {
			start = last - window + 1
		}
		var msgs []jetstream.Msg
		cfg := jetstream.OrderedConsumerConfig{
			FilterSubjects: []string{filter},
			DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
			OptStartSeq:    start,
		}
		err := m.scan(ctx, stream, cfg, func(msg jetstream.Msg) bool {
			meta, err := msg.Metadata()
			if err == nil && meta.Sequence.Stream > last {
				return false // newer than the window
			}
			msgs = append(msgs, msg)
			return true
		})
		if err != nil {
			return nil, err
		}
		if len(msgs) >= n || start == first {
			return msgs[max(0, len(msgs)-n):], nil
		}
	}
}

// deadLetterFilter is the subject filter of one endpoint's dead letters,
// or of all (""). A name is one subject token: a wildcard would widen the
// filter to other endpoints.
func (m *Manager) deadLetterFilter(endpoint string) (string, error) {
	top := m.o.Topology
	switch {
	case endpoint == "":
		return top.DeadLetterPrefix + ".>", nil
	case !broker.ValidToken(endpoint):
		return "", invalid("endpoint %q: want [a-z0-9_-]+", endpoint)
	}
	return top.DeadLetterSubject(endpoint), nil
}

// scanDeadLetters calls fn with each dead letter of endpoint ("": all)
// dead-lettered at or after since. The consumer starts at since by stream
// time, which only narrows the read: a dead letter is stored after its At
// (crier's clock), so one stored just after since may have been
// dead-lettered before it, and At decides.
func (m *Manager) scanDeadLetters(ctx context.Context, endpoint string, since time.Time, fn func(DeadLetter)) error {
	if _, err := m.running(); err != nil {
		return err
	}
	filter, err := m.deadLetterFilter(endpoint)
	if err != nil {
		return err
	}
	return m.scan(ctx, m.o.Topology.DeadLetterStream, sinceTime([]string{filter}, since), func(msg jetstream.Msg) bool {
		if dl, ok := decodeDeadLetter(msg); ok && !dl.At.Before(since) {
			fn(dl)
		}
		return true
	})
}

func decodeDeadLetter(msg jetstream.Msg) (DeadLetter, bool) {
	var dl DeadLetter
	if err := json.Unmarshal(msg.Data(), &dl); err != nil || dl.Endpoint == "" {
		return dl, false
	}
	if meta, err := msg.Metadata(); err == nil {
		dl.Seq = meta.Sequence.Stream
	}
	return dl, true
}

// sinceTime reads filters from a time (zero: the start).
func sinceTime(filters []string, since time.Time) jetstream.OrderedConsumerConfig {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: filters}
	if !since.IsZero() {
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	}
	return cfg
}

// scan reads a stream's messages as cfg says, until fn returns false or
// the messages present at the start are read.
func (m *Manager) scan(ctx context.Context, stream string, cfg jetstream.OrderedConsumerConfig, fn func(jetstream.Msg) bool) error {
	cons, err := m.js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return fmt.Errorf("subscribers: read %s: %w", stream, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("subscribers: read %s: %w", stream, err)
	}
	left := info.NumPending
	for left > 0 {
		batch, err := cons.Fetch(int(min(left, 256)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return fmt.Errorf("subscribers: read %s: %w", stream, err)
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			left--
			if !fn(msg) {
				return nil
			}
			if meta, err := msg.Metadata(); err == nil && meta.NumPending == 0 {
				left = 0
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("subscribers: read %s: %w", stream, err)
		}
		if n == 0 {
			break
		}
	}
	return nil
}
