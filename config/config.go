// Package config loads crier's configuration: one YAML file, every key
// overridable by an environment variable, defaults that run out of the box.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is crier's whole configuration.
type Config struct {
	// DataDir holds the embedded NATS server's files.
	DataDir     string      `yaml:"data_dir"`
	LogLevel    string      `yaml:"log_level"`
	LogFormat   string      `yaml:"log_format"`
	HTTP        HTTP        `yaml:"http"`
	NATS        NATS        `yaml:"nats"`
	Publisher   Publisher   `yaml:"publisher"`
	Feeds       Feeds       `yaml:"feeds"`
	Subscribers Subscribers `yaml:"subscribers"`
	WebSub      WebSub      `yaml:"websub"`
}

// WebSub configures crier's own WebSub hub (at <http.base_url>/hub) and
// the external hubs it pings.
type WebSub struct {
	// Enabled mounts the hub and advertises it in every feed.
	Enabled bool `yaml:"enabled"`
	// LeaseDefault is the lease of a subscription that asks for none;
	// LeaseMin and LeaseMax bound the leases granted.
	LeaseDefault Duration `yaml:"lease_default"`
	LeaseMin     Duration `yaml:"lease_min"`
	LeaseMax     Duration `yaml:"lease_max"`
	// MaxSubscriptions bounds the subscriptions; past it the hub answers
	// 503 with Retry-After.
	MaxSubscriptions int `yaml:"max_subscriptions"`
	// MaxPending bounds the verifications of intent in flight.
	MaxPending int `yaml:"max_pending"`
	// PublishTo are external hubs pinged (hub.mode=publish) with the
	// feeds each new article appears in.
	PublishTo []string `yaml:"publish_to"`
}

// HTTP configures the web server (feeds, pages, ingest API).
type HTTP struct {
	Listen  string `yaml:"listen"`
	BaseURL string `yaml:"base_url"`
	// APIToken, when set, is required as a bearer token by POST
	// /api/articles; without it the ingest API takes only loopback clients.
	APIToken Secret `yaml:"api_token"`
	// AdminToken, when set, turns on the admin API (/admin/...) and is
	// required as its bearer token, for /metrics too. Empty: no admin API,
	// and /metrics answers loopback clients only.
	AdminToken Secret `yaml:"admin_token"`
	// RateLimit is the requests per second each client IP may make to the
	// feeds and pages, in bursts of RateBurst; 0 (the default) is no limit.
	// Clients over it get 429 with Retry-After.
	RateLimit float64 `yaml:"rate_limit"`
	// RateBurst is how many requests a client may make at once under
	// RateLimit.
	RateBurst int `yaml:"rate_burst"`
}

// NATS says where the bus is and how crier's streams are named.
type NATS struct {
	// URL of an external NATS server or cluster; empty runs the embedded one.
	URL string `yaml:"url"`
	// Listen is the embedded server's client port; empty: in-process only.
	Listen           string `yaml:"listen"`
	Stream           string `yaml:"stream"`
	SubjectPrefix    string `yaml:"subject_prefix"`
	DeadLetterStream string `yaml:"dead_letter_stream"`
	DeadLetterPrefix string `yaml:"dead_letter_prefix"`
	// Replicas of each stream and bucket on a cluster.
	Replicas int `yaml:"replicas"`
	// CredsFile is a NATS credentials file for an external server.
	CredsFile string `yaml:"creds_file"`
}

// Publisher configures ingestion.
type Publisher struct {
	// Schedule is a robfig/cron/v3 spec ("@every 1m", "*/5 * * * *",
	// "CRON_TZ=Europe/Paris 0 * * * *").
	Schedule string `yaml:"schedule"`
	Inbox    string `yaml:"inbox"`
	// MaxInputBytes is the largest input accepted, file or HTTP body.
	MaxInputBytes int64 `yaml:"max_input_bytes"`
	// MinWords is the fewest words of body an input without a headline of
	// its own needs to be an article; shorter ones are refused (422, or
	// failed/). 0 accepts any.
	MinWords int `yaml:"min_words"`
	// Settle is how long a file must stay unmodified before it is read, so
	// a file still being written is never read half-way.
	Settle Duration `yaml:"settle"`
	// StoryWindow is the longest time between two articles of one story;
	// the story index keeps articles that long.
	StoryWindow Duration `yaml:"story_window"`
	// StoryMaxArticles bounds the articles whose story-index postings are
	// held in memory (publisher.Options.StoryMaxArticles); -1: the window
	// alone bounds them.
	StoryMaxArticles int `yaml:"story_max_articles"`
	// ProbeMedia asks each article's lead image for its type and byte
	// length (HEAD, else a one-byte range GET), which feed enclosures need.
	ProbeMedia bool `yaml:"probe_media"`
	// ProbeTimeout bounds one probe, redirects and fallback included.
	ProbeTimeout Duration `yaml:"probe_timeout"`
	// AllowNetworks opens CIDR ranges that the SSRF guard refuses to
	// probes by default (loopback, private, link-local...).
	AllowNetworks []string `yaml:"allow_networks"`
}

// Feeds configures the published feeds.
type Feeds struct {
	Title string `yaml:"title"`
	Limit int    `yaml:"limit"`
	// MaxArticles bounds the feeds index in memory (feeds.Options.MaxArticles);
	// -1 for no bound.
	MaxArticles int `yaml:"max_articles"`
}

// Subscribers configures webhook delivery.
type Subscribers struct {
	Timeout Duration `yaml:"timeout"`
	// RetrySchedule is the delay before each retry; attempts = len + 1.
	RetrySchedule []Duration `yaml:"retry_schedule"`
	Concurrency   int        `yaml:"concurrency"`
	// AllowNetworks opens CIDR ranges that the SSRF guard refuses by default
	// (loopback, private, link-local...).
	AllowNetworks []string `yaml:"allow_networks"`
	// Jitter spreads each retry delay by ± this fraction (0 to 0.9).
	Jitter float64 `yaml:"jitter"`
	// RetryAfterMax bounds a receiver's Retry-After on 429 and 503.
	RetryAfterMax Duration `yaml:"retry_after_max"`
	// SlowRetryFloor is the least wait after a timeout or a 429.
	SlowRetryFloor Duration `yaml:"slow_retry_floor"`
	// DisableAfter disables an endpoint that has kept failing this long.
	DisableAfter Duration `yaml:"disable_after"`
	// RotationGrace is how long a rotated-out secret keeps signing.
	RotationGrace Duration `yaml:"rotation_grace"`
	// BreakerThreshold failures in a row open an endpoint's circuit for
	// BreakerCooldown (doubling while it keeps failing, up to 10m).
	BreakerThreshold int      `yaml:"breaker_threshold"`
	BreakerCooldown  Duration `yaml:"breaker_cooldown"`
	// EventsWebhook receives endpoint.failing, endpoint.disabled and
	// endpoint.recovered events; off when its url is empty.
	EventsWebhook EventsWebhook `yaml:"events_webhook"`
	Webhooks      []Webhook     `yaml:"webhooks"`
}

// EventsWebhook is the operational webhook.
type EventsWebhook struct {
	URL    string `yaml:"url"`
	Secret Secret `yaml:"secret"`
}

// Webhook is one endpoint declared in the file.
type Webhook struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// Secret signs (v1); Secrets are more that sign too, for a rotation
	// done in the file. SigningKey (whsk_) adds an ed25519 v1a signature.
	Secret     Secret   `yaml:"secret"`
	Secrets    []Secret `yaml:"secrets"`
	SigningKey Secret   `yaml:"signing_key"`
	Languages  []string `yaml:"languages"`
	Sources    []string `yaml:"sources"`
	Tags       []string `yaml:"tags"`
	Stories    []string `yaml:"stories"`
	// EventTypes are the article events sent: article.published,
	// article.updated, article.retracted; empty sends all.
	EventTypes []string `yaml:"event_types"`
	// Payload is "full" (the default) or "thin".
	Payload     string  `yaml:"payload"`
	Concurrency int     `yaml:"concurrency"`
	RateLimit   float64 `yaml:"rate_limit"`
	StrictOrder bool    `yaml:"strict_order"`
}

// Default returns the configuration used where the file and the
// environment say nothing.
func Default() *Config {
	return &Config{
		DataDir:   "./data",
		LogLevel:  "info",
		LogFormat: "text",
		HTTP:      HTTP{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080", RateBurst: 20},
		NATS: NATS{
			Listen:           "127.0.0.1:4222",
			Stream:           "ARTICLES",
			SubjectPrefix:    "crier.articles",
			DeadLetterStream: "ARTICLES_DLQ",
			DeadLetterPrefix: "crier.deadletter",
			Replicas:         1,
		},
		Publisher: Publisher{
			Schedule:         "@every 1m",
			Inbox:            "./inbox",
			MaxInputBytes:    5 << 20,
			MinWords:         30,
			Settle:           Duration(2 * time.Second),
			StoryWindow:      Duration(7 * 24 * time.Hour),
			StoryMaxArticles: 30000,
			ProbeMedia:       true,
			ProbeTimeout:     Duration(3 * time.Second),
		},
		Feeds: Feeds{Title: "crier", Limit: 50, MaxArticles: 20000},
		Subscribers: Subscribers{
			Timeout: Duration(15 * time.Second),
			RetrySchedule: []Duration{
				Duration(5 * time.Second), Duration(5 * time.Minute), Duration(30 * time.Minute),
				Duration(2 * time.Hour), Duration(5 * time.Hour), Duration(10 * time.Hour), Duration(10 * time.Hour),
			},
			Concurrency:      4,
			Jitter:           0.2,
			RetryAfterMax:    Duration(time.Hour),
			SlowRetryFloor:   Duration(time.Minute),
			DisableAfter:     Duration(5 * 24 * time.Hour),
			RotationGrace:    Duration(24 * time.Hour),
			BreakerThreshold: 5,
			BreakerCooldown:  Duration(30 * time.Second),
		},
		WebSub: WebSub{
			Enabled:          true,
			LeaseDefault:     Duration(10 * 24 * time.Hour),
			LeaseMin:         Duration(time.Hour),
			LeaseMax:         Duration(30 * 24 * time.Hour),
			MaxSubscriptions: 10000,
			MaxPending:       100,
			PublishTo:        []string{}, // as the example file writes it
		},
	}
}

// EnvPrefix starts every environment variable crier reads.
const EnvPrefix = "CRIER"

// Load reads the file at path (none when empty), then the environment
// (os.Environ form), then validates. Every error names the key at fault.
func Load(path string, environ []string) (*Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := decode(data, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := applyEnv(cfg, environ); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg.HTTP.BaseURL = strings.TrimRight(cfg.HTTP.BaseURL, "/")
	return cfg, nil
}

// decode parses YAML strictly: unknown keys are errors naming their full
// path, which yaml.v3's KnownFields does not give.
func decode(data []byte, cfg *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return err
	}
	if len(root.Content) == 0 {
		return nil // empty file: defaults
	}
	if err := checkKeys(root.Content[0], cfg); err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Redacted returns a copy safe to print: secrets replaced.
func (c *Config) Redacted() Config {
	r := *c
	r.Subscribers.Webhooks = append([]Webhook(nil), c.Subscribers.Webhooks...)
	for i := range r.Subscribers.Webhooks {
		w := &r.Subscribers.Webhooks[i]
		redact(&w.Secret)
		redact(&w.SigningKey)
		w.Secrets = append([]Secret(nil), w.Secrets...)
		for j := range w.Secrets {
			redact(&w.Secrets[j])
		}
	}
	redact(&r.Subscribers.EventsWebhook.Secret)
	redact(&r.HTTP.APIToken)
	redact(&r.HTTP.AdminToken)
	return r
}

func redact(s *Secret) {
	if *s != "" {
		*s = "<secret>"
	}
}

// Secret is a string that never prints.
type Secret string

// String hides the value from fmt and logs.
func (Secret) String() string { return "<secret>" }

// Reveal returns the secret itself, for the code that signs with it.
func (s Secret) Reveal() string { return string(s) }

// Duration is a time.Duration written as "15s", "5m", "2h".
type Duration time.Duration

// UnmarshalText parses Go duration syntax.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("not a duration (like 15s, 5m, 2h): %q", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes Go duration syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
