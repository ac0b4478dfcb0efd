package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestMinimalFileAcceptedAsIs(t *testing.T) {
	cfg, err := Load("testdata/minimal.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "" || cfg.NATS.Listen != "127.0.0.1:4222" || cfg.Publisher.Inbox != "./inbox" {
		t.Errorf("unexpected values: %+v", cfg)
	}
	if len(cfg.Subscribers.Webhooks) != 1 || cfg.Subscribers.Webhooks[0].Secret.Reveal() != secret {
		t.Errorf("webhooks: %+v", cfg.Subscribers.Webhooks)
	}
	if cfg.Subscribers.Timeout.D() != 15*time.Second || len(cfg.Subscribers.RetrySchedule) != 7 {
		t.Errorf("defaults not kept: %+v", cfg.Subscribers)
	}
}

func TestExampleConfigsLoad(t *testing.T) {
	for _, f := range []string{"crier.example.yaml", "demo.yaml", "docker.yaml"} {
		if _, err := Load(f, nil); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestNoFileRunsOnDefaults(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.Feeds.Limit != 50 {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestPublisherProbeKeys(t *testing.T) {
	def, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := def.Publisher; !p.ProbeMedia || p.ProbeTimeout.D() != 3*time.Second || p.AllowNetworks != nil {
		t.Errorf("defaults: probe_media %v, probe_timeout %v, allow_networks %v", p.ProbeMedia, p.ProbeTimeout, p.AllowNetworks)
	}
	cfg, err := Load("", []string{
		"CRIER_PUBLISHER_PROBE_MEDIA=false",
		"CRIER_PUBLISHER_PROBE_TIMEOUT=500ms",
		"CRIER_PUBLISHER_ALLOW_NETWORKS=127.0.0.1/32,fd00::/8",
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Publisher; p.ProbeMedia || p.ProbeTimeout.D() != 500*time.Millisecond || len(p.AllowNetworks) != 2 || p.AllowNetworks[1] != "fd00::/8" {
		t.Errorf("overrides: probe_media %v, probe_timeout %v, allow_networks %v", p.ProbeMedia, p.ProbeTimeout, p.AllowNetworks)
	}
}

func TestEnvOverrides(t *testing.T) {
	env := []string{
		"PATH=/bin",
		"CRIER_HTTP_LISTEN=127.0.0.1:9999",
		"CRIER_NATS_LISTEN=", // set but empty: in-process only
		"CRIER_PUBLISHER_SETTLE=0s",
		"CRIER_SUBSCRIBERS_RETRY_SCHEDULE=1s, 2m",
		"CRIER_SUBSCRIBERS_ALLOW_NETWORKS=127.0.0.0/8,::1/128",
		"CRIER_SUBSCRIBERS_WEBHOOKS_0_SECRET=whsec_" + strings.Repeat("A", 40),
		"CRIER_SUBSCRIBERS_WEBHOOKS_1_NAME=second",
		"CRIER_SUBSCRIBERS_WEBHOOKS_1_URL=https://example.org/hook",
		"CRIER_SUBSCRIBERS_WEBHOOKS_1_SECRET=" + secret,
		"CRIER_SUBSCRIBERS_WEBHOOKS_1_LANGUAGES=fr,en",
	}
	cfg, err := Load("testdata/minimal.yaml", env)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Subscribers
	switch {
	case cfg.HTTP.Listen != "127.0.0.1:9999":
		t.Errorf("http.listen = %q", cfg.HTTP.Listen)
	case cfg.NATS.Listen != "":
		t.Errorf("nats.listen = %q, want empty", cfg.NATS.Listen)
	case cfg.Publisher.Settle != 0:
		t.Errorf("settle = %v", cfg.Publisher.Settle)
	case len(s.RetrySchedule) != 2 || s.RetrySchedule[1].D() != 2*time.Minute:
		t.Errorf("retry_schedule = %v", s.RetrySchedule)
	case len(s.AllowNetworks) != 2:
		t.Errorf("allow_networks = %v", s.AllowNetworks)
	case len(s.Webhooks) != 2 || s.Webhooks[0].Name != "demo" || s.Webhooks[1].Languages[1] != "en":
		t.Errorf("webhooks = %+v", s.Webhooks)
	case s.Webhooks[0].Secret.Reveal() == secret:
		t.Errorf("env secret not applied")
	}
}

func TestBadConfigNamesKey(t *testing.T) {
	base, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		env            []string
		wantKey        string
	}{
		{name: "unknown key", from: "  listen: 127.0.0.1:8080", to: "  listen: 127.0.0.1:8080\n  lisen: x", wantKey: "http.lisen: unknown key"},
		{name: "unknown top key", from: "data_dir:", to: "colour: red\ndata_dir:", wantKey: "colour: unknown key"},
		{name: "unknown webhook key", from: "    - name: demo", to: "    - name: demo\n      secert: x", wantKey: "subscribers.webhooks[0].secert: unknown key"},
		{name: "bad cron", from: `"@every 1m"`, to: `"every minute"`, wantKey: "publisher.schedule: bad cron spec"},
		{name: "feeds index too small", from: "data_dir:", to: "feeds:\n  max_articles: 10\ndata_dir:", wantKey: "feeds.max_articles: must be at least 1000"},
		{name: "story index too small", from: `schedule: "@every 1m"`, to: "schedule: \"@every 1m\"\n  story_max_articles: 10", wantKey: "publisher.story_max_articles: must be at least 1000"},
		{name: "story window too short", from: `schedule: "@every 1m"`, to: "schedule: \"@every 1m\"\n  story_window: 10m", wantKey: "publisher.story_window: must be between"},
		{name: "bad cron fields", from: `"@every 1m"`, to: `"61 * * * *"`, wantKey: "publisher.schedule"},
		{name: "bad webhook url", from: "http://127.0.0.1:9000/hook", to: "ftp://127.0.0.1/hook", wantKey: "subscribers.webhooks[0].url: must be an http or https URL"},
		{name: "relative webhook url", from: "http://127.0.0.1:9000/hook", to: "/hook", wantKey: "subscribers.webhooks[0].url"},
		{name: "bad base url", from: "base_url: http://127.0.0.1:8080", to: "base_url: 127.0.0.1:8080", wantKey: "http.base_url"},
		{name: "secret without prefix", from: secret, to: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", wantKey: "subscribers.webhooks[0].secret: must start with whsec_"},
		{name: "secret not base64", from: secret, to: "whsec_not*base64!", wantKey: "subscribers.webhooks[0].secret: the part after whsec_ is not valid base64"},
		{name: "secret too short", from: secret, to: "whsec_c2hvcnQ=", wantKey: "subscribers.webhooks[0].secret: the key is 5 bytes"},
		{name: "bad nats url", from: `url: ""`, to: `url: "http://nats"`, wantKey: "nats.url"},
		{name: "bad duration env", env: []string{"CRIER_SUBSCRIBERS_TIMEOUT=soon"}, wantKey: "subscribers.timeout (from CRIER_SUBSCRIBERS_TIMEOUT)"},
		{name: "unknown env", env: []string{"CRIER_HTTP_LISEN=x"}, wantKey: "CRIER_HTTP_LISEN: unknown environment variable"},
		{name: "bad allow network", env: []string{"CRIER_SUBSCRIBERS_ALLOW_NETWORKS=localhost"}, wantKey: "subscribers.allow_networks[0]"},
		{name: "bad publisher allow network", env: []string{"CRIER_PUBLISHER_ALLOW_NETWORKS=127.0.0.0/8,10.0.0.1"}, wantKey: `publisher.allow_networks[1]: not a CIDR prefix (like 127.0.0.0/8): "10.0.0.1"`},
		{name: "probe timeout too long", env: []string{"CRIER_PUBLISHER_PROBE_TIMEOUT=1m"}, wantKey: "publisher.probe_timeout: must be between 100ms and 30s, not 1m0s"},
		{name: "probe timeout zero", from: `schedule: "@every 1m"`, to: "schedule: \"@every 1m\"\n  probe_timeout: 0s", wantKey: "publisher.probe_timeout: must be between"},
		{name: "probe_media not a bool", env: []string{"CRIER_PUBLISHER_PROBE_MEDIA=sometimes"}, wantKey: "publisher.probe_media"},
		{name: "duplicate name", env: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_1_NAME=demo", "CRIER_SUBSCRIBERS_WEBHOOKS_1_URL=http://127.0.0.1:9001/", "CRIER_SUBSCRIBERS_WEBHOOKS_1_SECRET=" + secret}, wantKey: `subscribers.webhooks[1].name: "demo" is used by another webhook`},
		{name: "signing key not base64", env: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_0_SIGNING_KEY=whsk_garbage"}, wantKey: "subscribers.webhooks[0].signing_key: subscribers: signing key is not valid standard base64"},
		{name: "signing key too short", env: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_0_SIGNING_KEY=whsk_c2hvcnQ="}, wantKey: "subscribers.webhooks[0].signing_key: subscribers: signing key is 5 bytes"},
		{name: "empty tag", env: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_0_TAGS=Paris,"}, wantKey: "subscribers.webhooks[0].tags[1]: must not be empty"},
		{name: "language with a dot", env: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_0_LANGUAGES=fr.be"}, wantKey: "subscribers.webhooks[0].languages[0]: must be a lowercase language tag"},
		{name: "long name", from: "name: demo", to: "name: " + strings.Repeat("a", 65), wantKey: "subscribers.webhooks[0].name: must match [a-z0-9_-]{1,64}"},
		{name: "wrong shape", from: "  listen: 127.0.0.1:8080", to: "  listen: {a: b}", wantKey: "http.listen: expected a single value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := string(base)
			if tc.from != "" {
				if !strings.Contains(data, tc.from) {
					t.Fatalf("fixture lacks %q", tc.from)
				}
				data = strings.Replace(data, tc.from, tc.to, 1)
			}
			path := filepath.Join(t.TempDir(), "crier.yaml")
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, tc.env)
			if err == nil {
				t.Fatalf("accepted a bad config")
			}
			if !strings.Contains(err.Error(), tc.wantKey) {
				t.Errorf("error %q does not name %q", err, tc.wantKey)
			}
			if strings.Contains(err.Error(), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") {
				t.Errorf("error echoes the secret: %q", err)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	cfg, err := Load("testdata/minimal.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{cfg.Subscribers.Webhooks[0].Secret.String(), func() string { r := cfg.Redacted(); return r.Subscribers.Webhooks[0].Secret.Reveal() }()} {
		if strings.Contains(s, "whsec_") {
			t.Errorf("secret printed: %q", s)
		}
	}
	if cfg.Subscribers.Webhooks[0].Secret.Reveal() != secret {
		t.Error("Redacted changed the original")
	}
}

func TestBaseURLTrailingSlashTrimmed(t *testing.T) {
	cfg, err := Load("", []string{"CRIER_HTTP_BASE_URL=https://news.example.org/crier/"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.BaseURL != "https://news.example.org/crier" {
		t.Errorf("base_url = %q", cfg.HTTP.BaseURL)
	}
}

// TestExampleListsEveryKeyWithItsDefault backs the README: the example
// file names every key of Config (webhook items aside, which it shows in a
// comment) and loads to exactly the defaults.
func TestExampleListsEveryKeyWithItsDefault(t *testing.T) {
	data, err := os.ReadFile("crier.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	var walkNode func(n *yaml.Node, path string)
	walkNode = func(n *yaml.Node, path string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := join(path, n.Content[i].Value)
			listed[key] = true
			walkNode(n.Content[i+1], key)
		}
	}
	walkNode(root.Content[0], "")
	var walkType func(t reflect.Type, path string)
	walkType = func(rt reflect.Type, path string) {
		for name, f := range yamlFields(rt) {
			key := join(path, name)
			if !listed[key] {
				t.Errorf("crier.example.yaml lacks %s", key)
			}
			if f.Type.Kind() == reflect.Struct {
				walkType(f.Type, key)
			}
		}
	}
	walkType(reflect.TypeFor[Config](), "")

	example, err := Load("crier.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The file writes empty lists as []; the defaults leave them nil.
	example.Subscribers.AllowNetworks, example.Subscribers.Webhooks = defaults.Subscribers.AllowNetworks, defaults.Subscribers.Webhooks
	example.Publisher.AllowNetworks = defaults.Publisher.AllowNetworks
	if !reflect.DeepEqual(example, defaults) {
		t.Errorf("crier.example.yaml loads to\n%+v\nthe defaults are\n%+v", example.Redacted(), defaults.Redacted())
	}
}
