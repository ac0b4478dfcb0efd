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
}

// HTTP configures the web server (feeds, pages, ingest API).
type HTTP struct {
	Listen  string `yaml:"listen"`
	BaseURL string `yaml:"base_url"`
	// APIToken, when set, is required as a bearer token by POST
	// /api/articles; without it the ingest API takes only loopback clients.
	APIToken Secret `yaml:"api_token"`
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
	// Settle is how long a file must stay unmodified before it is read, so
	// a file still being written is never read half-way.
	Settle Duration `yaml:"settle"`
	// StoryWindow is the longest time between two articles of one story;
	// the story index keeps articles that long.
	StoryWindow Duration `yaml:"story_window"`
}

// Feeds configures the published feeds.
type Feeds struct {
	Title string `yaml:"title"`
	Limit int    `yaml:"limit"`
}

// Subscribers configures webhook delivery.
type Subscribers struct {
	Timeout Duration `yaml:"timeout"`
	// RetrySchedule is the delay before each retry; attempts = len + 1.
	RetrySchedule []Duration `yaml:"retry_schedule"`
	Concurrency   int        `yaml:"concurrency"`
	// AllowNetworks opens CIDR ranges that the SSRF guard refuses by default
	// (loopback, private, link-local...).
	AllowNetworks []string  `yaml:"allow_networks"`
	Webhooks      []Webhook `yaml:"webhooks"`
}

// Webhook is one endpoint.
type Webhook struct {
	Name      string   `yaml:"name"`
	URL       string   `yaml:"url"`
	Secret    Secret   `yaml:"secret"`
	Languages []string `yaml:"languages"`
	Sources   []string `yaml:"sources"`
}

// Default returns the configuration used where the file and the
// environment say nothing.
func Default() *Config {
	return &Config{
		DataDir:   "./data",
		LogLevel:  "info",
		LogFormat: "text",
		HTTP:      HTTP{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080"},
		NATS: NATS{
			Listen:           "127.0.0.1:4222",
			Stream:           "ARTICLES",
			SubjectPrefix:    "crier.articles",
			DeadLetterStream: "ARTICLES_DLQ",
			DeadLetterPrefix: "crier.deadletter",
			Replicas:         1,
		},
		Publisher: Publisher{
			Schedule:      "@every 1m",
			Inbox:         "./inbox",
			MaxInputBytes: 5 << 20,
			Settle:        Duration(2 * time.Second),
			StoryWindow:   Duration(7 * 24 * time.Hour),
		},
		Feeds: Feeds{Title: "crier", Limit: 50},
		Subscribers: Subscribers{
			Timeout: Duration(15 * time.Second),
			RetrySchedule: []Duration{
				Duration(5 * time.Second), Duration(5 * time.Minute), Duration(30 * time.Minute),
				Duration(2 * time.Hour), Duration(5 * time.Hour), Duration(10 * time.Hour), Duration(10 * time.Hour),
			},
			Concurrency: 4,
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
		if r.Subscribers.Webhooks[i].Secret != "" {
			r.Subscribers.Webhooks[i].Secret = "<secret>"
		}
	}
	if r.HTTP.APIToken != "" {
		r.HTTP.APIToken = "<secret>"
	}
	return r
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
