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
)

// Topology names crier's streams and subjects.
type Topology struct {
	ArticleStream    string
	SubjectPrefix    string
	DeadLetterStream string
	DeadLetterPrefix string
	Replicas         int
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

func orWildcard(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// Ensure creates or updates the article and dead-letter streams.
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
		},
		{
			Name:        t.DeadLetterStream,
			Description: "crier: webhook deliveries that exhausted their attempts",
			Subjects:    []string{t.DeadLetterPrefix + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
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
