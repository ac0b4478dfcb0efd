package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/crier/crier/broker"
	"github.com/crier/crier/internal/netguard"
	"github.com/crier/crier/subscribers"
)

var (
	streamRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	subjectRE = regexp.MustCompile(`^[a-z0-9_-]+(\.[a-z0-9_-]+)*$`)
)

// Validate checks every key and returns all problems, each naming its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log_format", "must be text or json, not %q", c.LogFormat)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen", "not a host:port address: %q", c.HTTP.Listen)
	}
	if err := checkHTTPURL(c.HTTP.BaseURL); err != nil {
		bad("http.base_url", "%v", err)
	}
	if c.HTTP.RateLimit < 0 || math.IsNaN(c.HTTP.RateLimit) || math.IsInf(c.HTTP.RateLimit, 0) {
		bad("http.rate_limit", "must be 0 (off) or a positive number of requests per second, not %v", c.HTTP.RateLimit)
	}
	if c.HTTP.RateLimit > 0 && c.HTTP.RateBurst < 1 {
		bad("http.rate_burst", "must be at least 1 when http.rate_limit is set, not %d", c.HTTP.RateBurst)
	}

	if c.NATS.URL != "" {
		for _, u := range strings.Split(c.NATS.URL, ",") {
			pu, err := url.Parse(strings.TrimSpace(u))
			if err != nil || pu.Host == "" || !oneOf(pu.Scheme, "nats", "tls", "ws", "wss") {
				bad("nats.url", "not a NATS URL (nats://host:4222, tls://, ws://, comma-separated for a cluster)")
				break
			}
		}
	}
	if c.NATS.Listen != "" {
		if _, _, err := net.SplitHostPort(c.NATS.Listen); err != nil {
			bad("nats.listen", "not a host:port address (or empty for in-process only): %q", c.NATS.Listen)
		}
	}
	for key, v := range map[string]string{"nats.stream": c.NATS.Stream, "nats.dead_letter_stream": c.NATS.DeadLetterStream} {
		if !streamRE.MatchString(v) {
			bad(key, "must match [A-Za-z0-9_-]{1,64}, not %q", v)
		}
	}
	if c.NATS.Stream == c.NATS.DeadLetterStream {
		bad("nats.dead_letter_stream", "must differ from nats.stream")
	}
	for key, v := range map[string]string{"nats.subject_prefix": c.NATS.SubjectPrefix, "nats.dead_letter_prefix": c.NATS.DeadLetterPrefix} {
		if !subjectRE.MatchString(v) {
			bad(key, "must be dot-separated tokens of [a-z0-9_-], not %q", v)
		}
	}
	if c.NATS.SubjectPrefix == c.NATS.DeadLetterPrefix || strings.HasPrefix(c.NATS.DeadLetterPrefix, c.NATS.SubjectPrefix+".") {
		bad("nats.dead_letter_prefix", "must not overlap nats.subject_prefix")
	}
	if c.NATS.Replicas < 1 || c.NATS.Replicas > 5 {
		bad("nats.replicas", "must be between 1 and 5, not %d", c.NATS.Replicas)
	}
	if c.NATS.Replicas > 1 && c.NATS.URL == "" {
		bad("nats.replicas", "more than 1 needs an external cluster (nats.url)")
	}
	if c.NATS.CredsFile != "" && c.NATS.URL == "" {
		bad("nats.creds_file", "only applies to an external server (nats.url)")
	}

	if _, err := cron.ParseStandard(c.Publisher.Schedule); err != nil {
		bad("publisher.schedule", "bad cron spec %q: %v", c.Publisher.Schedule, err)
	}
	if c.Publisher.Inbox == "" {
		bad("publisher.inbox", "must not be empty")
	}
	if c.Publisher.MinWords < 0 || c.Publisher.MinWords > 10000 {
		bad("publisher.min_words", "must be between 0 and 10000, not %d", c.Publisher.MinWords)
	}
	if c.Publisher.MaxInputBytes < 1024 || c.Publisher.MaxInputBytes > 100<<20 {
		bad("publisher.max_input_bytes", "must be between 1024 and 104857600, not %d", c.Publisher.MaxInputBytes)
	}
	if c.Publisher.StoryWindow < Duration(time.Hour) || c.Publisher.StoryWindow > Duration(90*24*time.Hour) {
		bad("publisher.story_window", "must be between 1h and 2160h (90 days)")
	}
	if m := c.Publisher.StoryMaxArticles; m != -1 && m < 1000 {
		bad("publisher.story_max_articles", "must be at least 1000, or -1 for no bound but the story window, not %d", m)
	}
	if c.Publisher.Settle < 0 {
		bad("publisher.settle", "must not be negative")
	}
	if c.Publisher.ProbeTimeout < Duration(100*time.Millisecond) || c.Publisher.ProbeTimeout > Duration(30*time.Second) {
		bad("publisher.probe_timeout", "must be between 100ms and 30s, not %v", c.Publisher.ProbeTimeout.D())
	}
	if _, err := ParseNetworks("publisher.allow_networks", c.Publisher.AllowNetworks); err != nil {
		errs = append(errs, err)
	}

	if c.Feeds.Limit < 1 || c.Feeds.Limit > 200 {
		bad("feeds.limit", "must be between 1 and 200, not %d", c.Feeds.Limit)
	}
	if m := c.Feeds.MaxArticles; m != -1 && (m < 1000 || m < 4*c.Feeds.Limit) {
		bad("feeds.max_articles", "must be at least 1000 (and four times feeds.limit), or -1 for no bound, not %d", m)
	}

	s := &c.Subscribers
	if s.Timeout.D() <= 0 {
		bad("subscribers.timeout", "must be positive")
	}
	for i, d := range s.RetrySchedule {
		if d.D() <= 0 {
			bad(fmt.Sprintf("subscribers.retry_schedule[%d]", i), "must be positive")
		}
	}
	if s.Concurrency < 1 || s.Concurrency > 1000 {
		bad("subscribers.concurrency", "must be between 1 and 1000, not %d", s.Concurrency)
	}
	if _, err := ParseNetworks("subscribers.allow_networks", s.AllowNetworks); err != nil {
		errs = append(errs, err)
	}
	if s.Jitter < 0 || s.Jitter > 0.9 {
		bad("subscribers.jitter", "must be between 0 and 0.9, not %v", s.Jitter)
	}
	for key, d := range map[string]Duration{
		"subscribers.retry_after_max": s.RetryAfterMax, "subscribers.slow_retry_floor": s.SlowRetryFloor,
		"subscribers.disable_after": s.DisableAfter, "subscribers.rotation_grace": s.RotationGrace,
		"subscribers.breaker_cooldown": s.BreakerCooldown,
	} {
		if d.D() <= 0 {
			bad(key, "must be positive")
		}
	}
	if s.BreakerThreshold < 1 {
		bad("subscribers.breaker_threshold", "must be at least 1, not %d", s.BreakerThreshold)
	}
	if ew := s.EventsWebhook; ew.URL != "" || ew.Secret != "" {
		if err := checkHTTPURL(ew.URL); err != nil {
			bad("subscribers.events_webhook.url", "%v", err)
		}
		if err := CheckSecret(ew.Secret.Reveal()); err != nil {
			bad("subscribers.events_webhook.secret", "%v", err)
		}
	}
	seen := map[string]bool{}
	for i, w := range s.Webhooks {
		key := fmt.Sprintf("subscribers.webhooks[%d]", i)
		switch {
		case !broker.ValidToken(w.Name) || len(w.Name) > 64:
			bad(key+".name", "must match [a-z0-9_-]{1,64}, not %q", w.Name)
		case seen[w.Name]:
			bad(key+".name", "%q is used by another webhook", w.Name)
		}
		seen[w.Name] = true
		if err := checkHTTPURL(w.URL); err != nil {
			bad(key+".url", "%v", err)
		}
		if w.Secret != "" || w.SigningKey == "" {
			if err := CheckSecret(w.Secret.Reveal()); err != nil {
				bad(key+".secret", "%v", err)
			}
		}
		for j, sec := range w.Secrets {
			if err := CheckSecret(sec.Reveal()); err != nil {
				bad(fmt.Sprintf("%s.secrets[%d]", key, j), "%v", err)
			}
		}
		if k := w.SigningKey.Reveal(); k != "" {
			if !strings.HasPrefix(k, subscribers.SigningKeyPrefix) {
				bad(key+".signing_key", "must start with whsk_ (crier secret --ed25519 prints a new key pair)")
			} else if _, err := subscribers.ParseSigningKey(k); err != nil {
				bad(key+".signing_key", "%v", err) // its errors never quote the key
			}
		}
		if !oneOf(w.Payload, "", "full", "thin") {
			bad(key+".payload", "must be full or thin, not %q", w.Payload)
		}
		if w.Concurrency < 0 || w.Concurrency > 256 {
			bad(key+".concurrency", "must be between 0 (the default) and 256, not %d", w.Concurrency)
		}
		if w.RateLimit < 0 {
			bad(key+".rate_limit", "must not be negative")
		}
		// Languages and sources are subject tokens; tags and stories are
		// compared by crier, and an empty one would match nothing.
		for j, l := range w.Languages {
			if !broker.ValidToken(l) {
				bad(fmt.Sprintf("%s.languages[%d]", key, j), "must be a lowercase language tag like fr or pt-br, not %q", l)
			}
		}
		for j, src := range w.Sources {
			if !broker.ValidToken(src) {
				bad(fmt.Sprintf("%s.sources[%d]", key, j), "must be a source slug of [a-z0-9_-], not %q", src)
			}
		}
		for j, tag := range w.Tags {
			if tag == "" {
				bad(fmt.Sprintf("%s.tags[%d]", key, j), "must not be empty")
			}
		}
		for j, story := range w.Stories {
			if story == "" {
				bad(fmt.Sprintf("%s.stories[%d]", key, j), "must not be empty")
			}
		}
		for j, t := range w.EventTypes {
			if !oneOf(t, "article.published", "article.updated", "article.retracted") {
				bad(fmt.Sprintf("%s.event_types[%d]", key, j), "must be article.published, article.updated or article.retracted, not %q", t)
			}
		}
	}

	ws := &c.WebSub
	// In the file's order: errors come out the same on every run.
	for _, l := range []struct {
		key string
		d   Duration
	}{{"websub.lease_default", ws.LeaseDefault}, {"websub.lease_min", ws.LeaseMin}, {"websub.lease_max", ws.LeaseMax}} {
		if l.d <= 0 {
			bad(l.key, "must be positive")
		}
	}
	if ws.LeaseMin > ws.LeaseDefault || ws.LeaseDefault > ws.LeaseMax {
		bad("websub.lease_default", "must be between websub.lease_min and websub.lease_max")
	}
	if ws.MaxSubscriptions < 1 {
		bad("websub.max_subscriptions", "must be at least 1, not %d", ws.MaxSubscriptions)
	}
	if ws.MaxPending < 1 || ws.MaxPending > 10000 {
		bad("websub.max_pending", "must be between 1 and 10000, not %d", ws.MaxPending)
	}
	for i, u := range ws.PublishTo {
		if err := checkHTTPURL(u); err != nil {
			bad(fmt.Sprintf("websub.publish_to[%d]", i), "%v", err)
		}
	}
	return errors.Join(errs...)
}

// ParseNetworks parses allow_networks entries, CIDR prefixes such as
// 127.0.0.0/8. The error names each entry that is not one as key[i].
func ParseNetworks(key string, networks []string) ([]netip.Prefix, error) {
	var (
		prefixes []netip.Prefix
		errs     []error
	)
	for i, n := range networks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s[%d]: not a CIDR prefix (like 127.0.0.0/8): %q", key, i, n))
			continue
		}
		prefixes = append(prefixes, p)
	}
	return prefixes, errors.Join(errs...)
}

// CheckSecret reports whether s is a secret subscribers.ParseSecret
// accepts ("whsec_" followed by the base64 of 24 to 64 bytes), and says
// why not in the words of the configuration. The error never quotes s.
func CheckSecret(s string) error {
	_, err := subscribers.ParseSecret(s)
	enc, prefixed := strings.CutPrefix(s, subscribers.SecretPrefix)
	switch {
	case err == nil:
		return nil
	case s == "":
		return errors.New("required: whsec_ followed by base64 of 24 to 64 random bytes (crier secret prints a new one)")
	case !prefixed:
		return errors.New("must start with whsec_ followed by base64")
	case errors.As(err, new(base64.CorruptInputError)):
		return errors.New("the part after whsec_ is not valid base64")
	}
	// The only rule left is the key's length.
	key, _ := base64.StdEncoding.DecodeString(enc)
	return fmt.Errorf("the key is %d bytes; it must be 24 to 64", len(key))
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("required")
	case err != nil:
		// Not the whole URL: it may carry a token.
		return fmt.Errorf("not a URL: %v", netguard.StripURL(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("must be an http or https URL, not %q", u.Scheme+":")
	case u.Host == "":
		return errors.New("has no host")
	case u.User != nil:
		return errors.New("must not carry credentials")
	}
	return nil
}

func oneOf(s string, set ...string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}
