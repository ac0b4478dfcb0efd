package subscribers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/crier/crier/broker"
)

// Payload modes of an endpoint.
const (
	// PayloadFull sends the whole article (the default).
	PayloadFull = "full"
	// PayloadThin sends its id, title, URL and links to its JSON and HTML,
	// for receivers with small body limits.
	PayloadThin = "thin"
)

// Origins of an endpoint.
const (
	// OriginConfig marks an endpoint declared in the configuration file:
	// it changes only with the file.
	OriginConfig = "config"
	// OriginAPI marks an endpoint created through the admin API, persisted
	// in the endpoints KV bucket.
	OriginAPI = "api"
	// OriginWebSub marks a WebSub subscription made through crier's hub,
	// persisted in the endpoints KV bucket like an API endpoint.
	OriginWebSub = "websub"
)

// Protocols of an endpoint.
const (
	// ProtocolWebhook ("") POSTs each article as a Standard Webhooks event.
	ProtocolWebhook = ""
	// ProtocolWebSub POSTs the topic's current feed document, as a WebSub
	// hub distributes content (W3C WebSub §7), for each matching article.
	ProtocolWebSub = "websub"
)

// MaxHubSecret is the bound of hub.secret: "MUST be less than 200 bytes".
const MaxHubSecret = 199

// Endpoint is one webhook receiver and how to deliver to it.
type Endpoint struct {
	// Name is a [a-z0-9_-]+ token; the consumer is "webhook-<name>" and
	// dead letters go to Topology.DeadLetterSubject(name).
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// URL is the http or https address articles are POSTed to. Userinfo is
	// sent as basic auth; it and the query are redacted from logs and errors.
	URL string `json:"url"`
	// Secret is shorthand for one entry of Secrets without expiry.
	Secret string `json:"-"`
	// Secrets are "whsec_" HMAC secrets (see ParseSecret). Every one not
	// expired signs each attempt.
	Secrets []Secret `json:"secrets,omitempty"`
	// SigningKey, a "whsk_" ed25519 key, adds a v1a signature.
	SigningKey string `json:"signing_key,omitempty"`
	// Filters; an empty list matches all. Languages and Sources are subject
	// tokens (the server filters); Tags and Stories are matched by crier.
	Languages []string `json:"languages,omitempty"`
	Sources   []string `json:"sources,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Stories   []string `json:"stories,omitempty"`
	// EventTypes are the article events sent (EventTypes lists them); an
	// empty list sends all.
	EventTypes []string `json:"event_types,omitempty"`
	// Payload is PayloadFull (default) or PayloadThin.
	Payload string `json:"payload,omitempty"`
	// Concurrency bounds this endpoint's attempts in flight; 0 is
	// Options.Concurrency.
	Concurrency int `json:"concurrency,omitempty"`
	// RateLimit caps attempts per second (per replica); 0 is unlimited.
	RateLimit float64 `json:"rate_limit,omitempty"`
	// StrictOrder delivers one article at a time in stream order: a failing
	// article holds back the ones after it.
	StrictOrder bool `json:"strict_order,omitempty"`

	// Protocol is ProtocolWebhook ("") or ProtocolWebSub. A WebSub
	// endpoint takes the same articles through the same filters, retries
	// and dead letters, but each attempt POSTs the feed named by Topic, as
	// Options.Content renders it, signed with HubSecret (X-Hub-Signature).
	Protocol string `json:"protocol,omitempty"`
	// Topic is the canonical (self) URL of the feed a WebSub endpoint
	// subscribed to.
	Topic string `json:"topic,omitempty"`
	// HubSecret is the subscriber's hub.secret (any bytes, fewer than 200);
	// empty sends no X-Hub-Signature. Never logged; redacted by Redacted.
	HubSecret string `json:"hub_secret,omitempty"`
	// Expires ends a WebSub lease: from then on nothing is delivered and
	// the endpoint is deleted. Zero never expires.
	Expires time.Time `json:"expires,omitzero"`

	Origin  string    `json:"origin,omitempty"`
	Created time.Time `json:"created,omitzero"`
	Updated time.Time `json:"updated,omitzero"`
}

// Secret is one HMAC secret of an endpoint.
type Secret struct {
	Value   string    `json:"value"`
	Created time.Time `json:"created,omitzero"`
	// Expires ends a secret replaced by a rotation; zero never expires.
	Expires time.Time `json:"expires,omitzero"`
}

// Status is an endpoint's runtime state, shared by every replica.
type Status struct {
	Disabled       bool      `json:"disabled,omitempty"`
	DisabledReason string    `json:"disabled_reason,omitempty"`
	DisabledAt     time.Time `json:"disabled_at,omitzero"`
	// FailingSince is the first failure of the current run of failures,
	// set when the circuit breaker first opens; zero when healthy.
	FailingSince time.Time `json:"failing_since,omitzero"`
}

// Validation errors, for callers that map them to HTTP statuses.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrConflict reports a change made meanwhile by another request or
	// replica; read again and retry.
	ErrConflict = errors.New("changed meanwhile; read it again and retry")
	// ErrDeclared refuses to change an endpoint the config file declares.
	ErrDeclared = errors.New("endpoint is declared in the configuration file")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// secrets returns Secret and Secrets as one list.
func (e *Endpoint) secrets() []Secret {
	if e.Secret == "" {
		return e.Secrets
	}
	return append([]Secret{{Value: e.Secret}}, e.Secrets...)
}

// validate checks an endpoint without touching the network. Its errors
// never quote a secret or the URL (which may hold credentials).
func (e *Endpoint) validate() error {
	if !broker.ValidToken(e.Name) {
		return invalid("endpoint name %q: want [a-z0-9_-]+", e.Name)
	}
	if !absoluteHTTP(e.URL) {
		return invalid("endpoint %s: URL must be an absolute http or https URL", e.Name)
	}
	switch e.Protocol {
	case ProtocolWebhook:
		if len(e.secrets()) == 0 && e.SigningKey == "" {
			return invalid("endpoint %s: needs a secret or a signing key", e.Name)
		}
		if e.Topic != "" || e.HubSecret != "" {
			return invalid("endpoint %s: topic and hub secret are for WebSub endpoints", e.Name)
		}
	case ProtocolWebSub:
		if err := e.validateWebSub(); err != nil {
			return err
		}
	default:
		return invalid("endpoint %s: protocol %q: want %q or %q", e.Name, e.Protocol, ProtocolWebhook, ProtocolWebSub)
	}
	if _, err := e.signer(); err != nil {
		return fmt.Errorf("%w: endpoint %s: %w", ErrInvalid, e.Name, err)
	}
	for _, v := range slices.Concat(e.Languages, e.Sources) {
		if !broker.ValidToken(v) {
			return invalid("endpoint %s: filter value %q: want [a-z0-9_-]+", e.Name, v)
		}
	}
	for _, v := range slices.Concat(e.Tags, e.Stories) {
		if v == "" {
			return invalid("endpoint %s: empty tag or story filter", e.Name)
		}
	}
	for _, v := range e.EventTypes {
		if !slices.Contains(EventTypes, v) {
			return invalid("endpoint %s: event type %q: want one of %s", e.Name, v, strings.Join(EventTypes, ", "))
		}
	}
	switch e.Payload {
	case "", PayloadFull, PayloadThin:
	default:
		return invalid("endpoint %s: payload %q: want %q or %q", e.Name, e.Payload, PayloadFull, PayloadThin)
	}
	if e.Concurrency < 0 || e.Concurrency > 256 {
		return invalid("endpoint %s: concurrency %d: want 0 to 256", e.Name, e.Concurrency)
	}
	if e.RateLimit < 0 {
		return invalid("endpoint %s: negative rate limit", e.Name)
	}
	return nil
}

// signer builds the keys that sign this endpoint's attempts.
func (e *Endpoint) signer() (*signer, error) {
	s := &signer{}
	for _, sec := range e.secrets() {
		k, err := ParseSecret(sec.Value)
		if err != nil {
			return nil, err
		}
		s.hmacKeys = append(s.hmacKeys, newExpiringKey(k, sec.Expires))
	}
	if e.SigningKey != "" {
		k, err := ParseSigningKey(e.SigningKey)
		if err != nil {
			return nil, err
		}
		s.edKey = k
	}
	return s, nil
}

// Redacted returns a copy with every secret replaced by a hint, fit to show
// after creation: the admin API never shows a secret twice.
func (e Endpoint) Redacted() Endpoint {
	r := e
	r.Secret = ""
	r.Secrets = nil
	for _, s := range e.secrets() {
		r.Secrets = append(r.Secrets, Secret{Value: redactSecret(s.Value), Created: s.Created, Expires: s.Expires})
	}
	if e.SigningKey != "" {
		if pub, err := PublicKey(e.SigningKey); err == nil {
			r.SigningKey = pub // the public half is no secret
		} else {
			r.SigningKey = SigningKeyPrefix + "…"
		}
	}
	r.URL = RedactURL(e.URL)
	if e.HubSecret != "" {
		// The subscriber's hub.secret is any bytes, not a whsec_ key:
		// its fingerprint alone.
		r.HubSecret = strings.TrimPrefix(redactSecret(e.HubSecret), SecretPrefix)
	}
	return r
}

// redactSecret names a secret by a fingerprint (the start of its SHA-256),
// so an operator can tell secrets apart without seeing any of one.
func redactSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return SecretPrefix + "…sha256:" + hex.EncodeToString(sum[:4])
}

// validateWebSub checks what a WebSub endpoint needs: a topic, a short hub
// secret, and none of the Standard Webhooks keys or payload modes, which
// it would not use.
func (e *Endpoint) validateWebSub() error {
	if !absoluteHTTP(e.Topic) {
		return invalid("endpoint %s: topic must be an absolute http or https URL", e.Name)
	}
	if len(e.HubSecret) > MaxHubSecret {
		return invalid("endpoint %s: hub secret must be less than 200 bytes", e.Name)
	}
	if len(e.secrets()) > 0 || e.SigningKey != "" || e.Payload != "" {
		return invalid("endpoint %s: a WebSub endpoint takes no whsec_ secret, signing key or payload mode", e.Name)
	}
	return nil
}

// absoluteHTTP reports whether s is an http or https URL with a host.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ended reports whether something that expires (zero: never) has ended at
// now: a lease, a secret, a signing key.
func ended(expires, now time.Time) bool {
	return !expires.IsZero() && !now.Before(expires)
}

// expired reports whether a lease has ended at now.
func (e *Endpoint) expired(now time.Time) bool { return ended(e.Expires, now) }

// pruneSecrets drops the secrets expired at now.
func (e *Endpoint) pruneSecrets(now time.Time) {
	e.Secrets = slices.DeleteFunc(e.Secrets, func(s Secret) bool { return ended(s.Expires, now) })
}
