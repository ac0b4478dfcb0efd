package broker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of the wire contract.
const (
	DefaultArticleStream    = "ARTICLES"
	DefaultSubjectPrefix    = "crier.articles"
	DefaultDeadLetterStream = "ARTICLES_DLQ"
	DefaultDeadLetterPrefix = "crier.deadletter"
	DefaultReplayStream     = "WEBHOOK_REPLAYS"
	DefaultReplayPrefix     = "crier.replay"
	DefaultAttemptStream    = "WEBHOOK_ATTEMPTS"
	DefaultAttemptPrefix    = "crier.attempts"
	DefaultEventStream      = "CRIER_EVENTS"
	DefaultEventPrefix      = "crier.events"
)

// Topology names crier's streams and subjects.
type Topology struct {
	ArticleStream    string
	SubjectPrefix    string
	DeadLetterStream string
	DeadLetterPrefix string
	// ReplayStream holds articles queued for redelivery to one endpoint,
	// on <ReplayPrefix>.<endpoint>; a work queue.
	ReplayStream string
	ReplayPrefix string
	// AttemptStream keeps recent delivery attempts, on
	// <AttemptPrefix>.<endpoint>.
	AttemptStream string
	AttemptPrefix string
	// EventStream carries operational events such as endpoint.disabled, on
	// <EventPrefix>.<event type>.
	EventStream string
	EventPrefix string
	Replicas    int
	// Duplicates is the window in which the server drops a message whose
	// Nats-Msg-Id it has already stored.
	Duplicates time.Duration
}

// DefaultTopology returns the stream layout crier uses out of the box.
func DefaultTopology() Topology {
	return Topology{
		ArticleStream:    DefaultArticleStream,
		SubjectPrefix:    DefaultSubjectPrefix,
		DeadLetterStream: DefaultDeadLetterStream,
		DeadLetterPrefix: DefaultDeadLetterPrefix,
		ReplayStream:     DefaultReplayStream,
		ReplayPrefix:     DefaultReplayPrefix,
		AttemptStream:    DefaultAttemptStream,
		AttemptPrefix:    DefaultAttemptPrefix,
		EventStream:      DefaultEventStream,
		EventPrefix:      DefaultEventPrefix,
		Replicas:         1,
		Duplicates:       10 * time.Minute,
	}
}

// ArticleSubject is the subject an article is published on:
// <prefix>.<language>.<source>, both tokens already slugs.
func (t Topology) ArticleSubject(lang, source string) string {
	return t.SubjectPrefix + "." + lang + "." + source
}

// ArticleFilter is the subject filter for articles in a language and from a
// source; an empty value matches any.
func (t Topology) ArticleFilter(lang, source string) string {
	return t.ArticleSubject(orWildcard(lang), orWildcard(source))
}

// DeadLetterSubject is where an endpoint's undeliverable messages go.
func (t Topology) DeadLetterSubject(endpoint string) string {
	return t.DeadLetterPrefix + "." + endpoint
}

// ReplaySubject is where articles queued for redelivery to an endpoint go.
func (t Topology) ReplaySubject(endpoint string) string {
	return t.ReplayPrefix + "." + endpoint
}

// AttemptSubject is where an endpoint's delivery attempts are recorded.
func (t Topology) AttemptSubject(endpoint string) string {
	return t.AttemptPrefix + "." + endpoint
}

// EventSubject is where an operational event of a type (such as
// "endpoint.disabled") is published.
func (t Topology) EventSubject(eventType string) string {
	return t.EventPrefix + "." + eventType
}

func orWildcard(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// Ensure creates or updates crier's streams: articles, dead letters,
// replays, attempts and events.
func (t Topology) Ensure(ctx context.Context, js jetstream.JetStream) error {
	replicas := max(t.Replicas, 1)
	streams := []jetstream.StreamConfig{
		{
			Name:        t.ArticleStream,
			Description: "crier: every normalized article, the system of record",
			Subjects:    []string{t.SubjectPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Duplicates:  t.Duplicates,
			Replicas:    replicas,
			// Direct gets: the feeds read articles out of their index
			// by sequence, in batches (feeds/history.go).
			AllowDirect: true,
		},
		{
			Name:        t.DeadLetterStream,
			Description: "crier: webhook deliveries that exhausted their attempts",
			Subjects:    []string{t.DeadLetterPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Replicas:    replicas,
		},
		{
			Name:        t.ReplayStream,
			Description: "crier: articles queued for redelivery to one webhook endpoint",
			Subjects:    []string{t.ReplayPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.WorkQueuePolicy,
			Replicas:    replicas,
		},
		{
			Name:        t.AttemptStream,
			Description: "crier: recent webhook delivery attempts, in batches, per endpoint",
			Subjects:    []string{t.AttemptPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			// Recent history only: a bounded number of batches per endpoint.
			MaxMsgsPerSubject: 200,
			MaxAge:            7 * 24 * time.Hour,
			Discard:           jetstream.DiscardOld,
			Replicas:          replicas,
		},
		{
			Name:        t.EventStream,
			Description: "crier: operational events (endpoint.failing, endpoint.disabled, endpoint.recovered)",
			Subjects:    []string{t.EventPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      30 * 24 * time.Hour,
			Duplicates:  10 * time.Minute,
			Replicas:    replicas,
		},
	}
	for _, sc := range streams {
		if _, err := js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("broker: stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// KV opens or creates a key-value bucket with the topology's replicas.
func (t Topology) KV(ctx context.Context, js jetstream.JetStream, bucket, description string) (jetstream.KeyValue, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: description,
		Storage:     jetstream.FileStorage,
		Replicas:    max(t.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("broker: kv bucket %s: %w", bucket, err)
	}
	return kv, nil
}

// ValidToken reports whether s can stand as one subject token in crier's
// contract: [a-z0-9_-]+.
func ValidToken(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == ""
}
