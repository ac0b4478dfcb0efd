package subscribers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/subscribers"
)

func TestNewRejectsBadEndpoints(t *testing.T) {
	e := newEnv(t)
	good := subscribers.Endpoint{Name: "ok", URL: "https://hooks.example.com/x", Secret: testSecret}
	for _, tc := range []struct {
		name   string
		mutate func(*subscribers.Endpoint)
		errHas string
		leak   string
	}{
		{"bad name", func(ep *subscribers.Endpoint) { ep.Name = "Bad.Name" }, "endpoint name", ""},
		{"relative URL", func(ep *subscribers.Endpoint) { ep.URL = "/hook" }, "absolute http or https", ""},
		{"ftp URL", func(ep *subscribers.Endpoint) { ep.URL = "ftp://u:topsecret@example.com/" }, "absolute http or https", "topsecret"},
		{"bad secret", func(ep *subscribers.Endpoint) { ep.Secret = "whsec_c2VjcmV0LXNob3J0" }, "secret key is", "c2VjcmV0LXNob3J0"},
		{"secret without prefix", func(ep *subscribers.Endpoint) { ep.Secret = "hunter2hunter2" }, "must start with", "hunter2"},
		{"bad filter", func(ep *subscribers.Endpoint) { ep.Languages = []string{"f.r"} }, "filter value", ""},
	} {
		ep := good
		tc.mutate(&ep)
		_, err := subscribers.New(e.js, e.options(), []subscribers.Endpoint{ep})
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.errHas)
			continue
		}
		if tc.leak != "" && strings.Contains(err.Error(), tc.leak) {
			t.Errorf("%s: error %q leaks %q", tc.name, err, tc.leak)
		}
	}
	if _, err := subscribers.New(e.js, e.options(), []subscribers.Endpoint{good, good}); err == nil {
		t.Error("duplicate endpoint names accepted")
	}
	if _, err := subscribers.New(e.js, e.options(), []subscribers.Endpoint{good}); err != nil {
		t.Errorf("good endpoint rejected: %v", err)
	}
}

func TestConsumerConfig(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	o.Timeout = 10 * time.Second
	o.Concurrency = 3
	o.RetrySchedule = []time.Duration{time.Second, time.Minute}
	ep := subscribers.Endpoint{Name: "cfg", URL: "https://hooks.example.com/x", Secret: testSecret, Sources: []string{"afp"}}
	m := e.start(o, ep)

	c, err := e.js.Consumer(context.Background(), e.top.ArticleStream, "webhook-cfg")
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.CachedInfo().Config
	if cfg.Durable != "webhook-cfg" || cfg.DeliverPolicy != jetstream.DeliverNewPolicy ||
		cfg.AckPolicy != jetstream.AckExplicitPolicy || cfg.MaxAckPending != 1000 ||
		cfg.MaxDeliver != -1 || cfg.AckWait <= o.Timeout ||
		len(cfg.FilterSubjects) != 1 || cfg.FilterSubjects[0] != "crier.articles.*.afp" {
		t.Errorf("consumer config %+v", cfg)
	}
	if err := m.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}
	m.Stop()
	m.Stop() // idempotent

	// A restart with changed filters updates the durable consumer in place.
	ep.Sources = []string{"afp", "euronews"}
	e.start(o, ep)
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Config.FilterSubjects) != 2 {
		t.Errorf("filters not updated: %v", info.Config.FilterSubjects)
	}
}
