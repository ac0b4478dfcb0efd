// Package app wires crier's parts into one process: the bus, the publisher
// and its schedule, the feeds, the webhook subscribers and the HTTP server.
// The command line and the end-to-end tests both run it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/crier/crier/admin"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/config"
	"github.com/crier/crier/feeds"
	"github.com/crier/crier/internal/httpauth"
	"github.com/crier/crier/normalize"
	"github.com/crier/crier/publisher"
	"github.com/crier/crier/subscribers"
	"github.com/crier/crier/websub"
)

// App is a running crier.
type App struct {
	cfg       *config.Config
	version   string
	log       *slog.Logger
	Broker    *broker.Broker
	Topology  broker.Topology
	Publisher *publisher.Publisher
	Feeds     *feeds.Service
	subs      *subscribers.Manager
	hub       *websub.Hub    // nil when websub.enabled is false
	pinger    *websub.Pinger // nil without websub.publish_to
	metrics   *prometheus.Registry
	sched     *publisher.Scheduler
	http      *http.Server
	listener  net.Listener
}

// Topology returns the stream layout the configuration describes.
func Topology(cfg *config.Config) broker.Topology {
	t := broker.DefaultTopology()
	t.ArticleStream = cfg.NATS.Stream
	t.SubjectPrefix = cfg.NATS.SubjectPrefix
	t.DeadLetterStream = cfg.NATS.DeadLetterStream
	t.DeadLetterPrefix = cfg.NATS.DeadLetterPrefix
	t.Replicas = cfg.NATS.Replicas
	return t
}

// Connect starts or reaches NATS and makes sure crier's streams exist.
// listen overrides cfg.NATS.Listen for the embedded server.
func Connect(ctx context.Context, cfg *config.Config, listen string, log *slog.Logger) (*broker.Broker, broker.Topology, error) {
	b, err := broker.Start(ctx, broker.Options{
		URL:       cfg.NATS.URL,
		Listen:    listen,
		StoreDir:  filepath.Join(cfg.DataDir, "jetstream"),
		CredsFile: cfg.NATS.CredsFile,
		Name:      "crier",
		Logger:    log,
	})
	if err != nil {
		return nil, broker.Topology{}, err
	}
	top := Topology(cfg)
	if err := top.Ensure(ctx, b.JS); err != nil {
		b.Close()
		return nil, broker.Topology{}, err
	}
	return b, top, nil
}

// NewPublisher builds the publisher the configuration describes; version
// names crier in the media probe's User-Agent.
func NewPublisher(ctx context.Context, cfg *config.Config, b *broker.Broker, top broker.Topology, log *slog.Logger, version string) (*publisher.Publisher, error) {
	norm := normalize.New(normalize.Options{MaxBytes: cfg.Publisher.MaxInputBytes, MinWords: cfg.Publisher.MinWords})
	return publisher.New(ctx, b.JS, norm, publisher.Options{
		Topology:    top,
		EventSource: cfg.HTTP.BaseURL,
		Inbox: publisher.InboxOptions{
			Dir:      cfg.Publisher.Inbox,
			Settle:   cfg.Publisher.Settle.D(),
			MaxBytes: cfg.Publisher.MaxInputBytes,
		},
		StoryWindow:      cfg.Publisher.StoryWindow.D(),
		StoryMaxArticles: cfg.Publisher.StoryMaxArticles,
		Media:            mediaOptions(cfg.Publisher, version),
		Logger:           log.With("component", "publisher"),
	})
}

// mediaOptions are the lead-image probe options the configuration describes.
func mediaOptions(p config.Publisher, version string) publisher.MediaOptions {
	o := publisher.MediaOptions{Probe: p.ProbeMedia, Timeout: p.ProbeTimeout.D(), UserAgent: userAgent(version)}
	o.AllowNetworks, _ = config.ParseNetworks("publisher.allow_networks", p.AllowNetworks) // validated by config
	return o
}

// New starts the bus and builds every part, binding the HTTP listener so
// its address is known; Run starts the work. version names crier in its
// User-Agent.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, version string) (*App, error) {
	b, top, err := Connect(ctx, cfg, cfg.NATS.Listen, log.With("component", "nats"))
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, version: version, log: log, Broker: b, Topology: top, metrics: prometheus.NewRegistry()}
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := a.build(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	pub, err := NewPublisher(ctx, cfg, a.Broker, a.Topology, log, a.version)
	if err != nil {
		return err
	}
	a.Publisher = pub
	a.sched, err = publisher.NewScheduler(cfg.Publisher.Schedule, func(ctx context.Context) {
		_, _ = pub.RunInbox(ctx) // RunInbox logs what went wrong
	}, log.With("component", "scheduler"))
	if err != nil {
		return err
	}
	fo := FeedsOptions(cfg, log)
	a.Feeds = feeds.New(fo)

	// WebSub deliveries name the hub the feeds advertise: none when
	// websub.enabled is false. Subscriptions stored while it was true are
	// still delivered (without rel="hub") until their lease ends: the hub
	// that would renew them is gone, so they end on time.
	so := subscriberOptions(cfg, a.Topology, a.version, a.metrics, log)
	so.Content, so.HubURL = a.Feeds.Content, fo.HubURL
	a.subs, err = subscribers.New(a.Broker.JS, so, webhooks(cfg))
	if err != nil {
		return err
	}
	if err := a.buildWebSub(); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("/api/articles", pub.APIHandler(publisher.APIOptions{Token: cfg.HTTP.APIToken.Reveal(), BaseURL: cfg.HTTP.BaseURL}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if a.Broker.Conn.IsConnected() {
			_, _ = w.Write([]byte("ok\n"))
			return
		}
		http.Error(w, "nats disconnected", http.StatusServiceUnavailable)
	})
	if tok := cfg.HTTP.AdminToken.Reveal(); tok != "" {
		mux.Handle("/admin/", admin.Handler(a.subs, admin.Options{
			Token: tok, Logger: log.With("component", "admin"), Retractor: pub, Index: a.Feeds,
		}))
	}
	mux.Handle("GET /metrics", loopbackOrToken(cfg.HTTP.AdminToken.Reveal(),
		promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)})))
	if a.hub != nil {
		mux.Handle("/hub", a.hub)
	}
	mux.Handle("/", a.Feeds.Handler())
	a.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	a.listener, err = net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("app: http.listen %s: %w", cfg.HTTP.Listen, err)
	}
	return nil
}

// HTTPAddr is the address the HTTP server listens on.
func (a *App) HTTPAddr() string { return a.listener.Addr().String() }

// Run serves until ctx is done, then shuts down in order: stop taking work
// (schedule, HTTP), let in-flight deliveries finish, stop the feeds, and
// drain the bus so every ack reaches the server. Work not finished stays
// in the inbox or unacknowledged on the stream, and is picked up again.
func (a *App) Run(ctx context.Context) error {
	feedsCtx, stopFeeds := context.WithCancel(context.WithoutCancel(ctx))
	feedsDone := make(chan error, 1)
	go func() { feedsDone <- a.Feeds.Run(feedsCtx, a.Broker.JS, a.Topology.ArticleStream) }()

	// Consumers exist before the first inbox run and before the ingest API
	// answers, so no article is missed: until then the listener only
	// queues connections.
	httpDone := make(chan error, 1)
	err := a.subs.Start(ctx)
	var websubWG sync.WaitGroup
	websubCtx, stopWebSub := context.WithCancel(ctx)
	defer stopWebSub()
	if err == nil {
		go func() { httpDone <- a.http.Serve(a.listener) }()
		a.runWebSub(websubCtx, &websubWG)
		err = a.sched.Start(ctx)
	} else {
		a.listener.Close()
	}
	if err != nil && ctx.Err() != nil {
		err = nil // stopped while starting: a clean stop
	}
	if err == nil {
		select {
		case <-ctx.Done():
		case err = <-httpDone:
			err = fmt.Errorf("app: http server: %w", err)
		case ferr := <-feedsDone:
			err = fmt.Errorf("app: feeds stopped: %v", ferr)
			feedsDone <- nil // for the wait below
		}
	}

	a.log.Info("shutting down")
	a.sched.Stop()
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if herr := a.http.Shutdown(shutCtx); herr != nil && !errors.Is(herr, http.ErrServerClosed) {
		a.log.Warn("http shutdown", "error", herr)
	}
	stopWebSub()
	if a.hub != nil {
		a.hub.Close()
	}
	websubWG.Wait()
	a.subs.Stop()
	stopFeeds()
	<-feedsDone
	a.Broker.Close()
	a.log.Info("stopped")
	return err
}

// RunOnce makes one ingestion pass and returns what it did. It uses the
// embedded server in-process only, so it never opens the NATS port.
// version names crier in its User-Agent.
func RunOnce(ctx context.Context, cfg *config.Config, log *slog.Logger, version string) (publisher.RunStats, error) {
	b, top, err := Connect(ctx, cfg, "", log.With("component", "nats"))
	if err != nil {
		return publisher.RunStats{}, err
	}
	defer b.Close()
	pub, err := NewPublisher(ctx, cfg, b, top, log, version)
	if err != nil {
		return publisher.RunStats{}, err
	}
	return pub.RunInbox(ctx)
}

// buildWebSub builds the hub and the external hubs' pinger the
// configuration asks for.
func (a *App) buildWebSub() error {
	ws, log := a.cfg.WebSub, a.log.With("component", "websub")
	if ws.Enabled {
		hub, err := websub.New(a.subs, a.Feeds, websub.Options{
			LeaseDefault: ws.LeaseDefault.D(), LeaseMin: ws.LeaseMin.D(), LeaseMax: ws.LeaseMax.D(),
			MaxSubscriptions: ws.MaxSubscriptions, MaxPending: ws.MaxPending, Logger: log,
		})
		if err != nil {
			return err
		}
		a.hub = hub
	}
	if len(ws.PublishTo) > 0 {
		a.pinger = websub.NewPinger(ws.PublishTo, a.subs.HTTPClient(), a.Feeds, log)
	}
	return nil
}

// runWebSub starts the lease sweeper and the pinger until ctx ends.
func (a *App) runWebSub(ctx context.Context, wg *sync.WaitGroup) {
	if a.hub != nil {
		wg.Go(func() { a.hub.Run(ctx) })
	}
	if a.pinger == nil {
		return
	}
	msgs, err := a.pinger.Follow(ctx, a.Broker.JS, a.Topology.ArticleStream)
	if err != nil {
		a.log.Warn("websub: pinger stopped", "error", err)
		return
	}
	wg.Go(func() {
		if err := a.pinger.Run(ctx, msgs); err != nil {
			a.log.Warn("websub: pinger stopped", "error", err)
		}
	})
}

// subscriberOptions are the delivery options the configuration describes.
func subscriberOptions(cfg *config.Config, top broker.Topology, version string, reg prometheus.Registerer, log *slog.Logger) subscribers.Options {
	s := cfg.Subscribers
	allow, _ := config.ParseNetworks("subscribers.allow_networks", s.AllowNetworks) // validated by config
	retries := []time.Duration{}
	for _, d := range s.RetrySchedule {
		retries = append(retries, d.D())
	}
	jitter := s.Jitter
	if jitter == 0 {
		jitter = -1 // off, where the package's zero means its default
	}
	o := subscribers.Options{
		Topology:         top,
		Timeout:          s.Timeout.D(),
		RetrySchedule:    retries,
		Jitter:           jitter,
		MaxRetryAfter:    s.RetryAfterMax.D(),
		SlowRetryFloor:   s.SlowRetryFloor.D(),
		DisableAfter:     s.DisableAfter.D(),
		RotationGrace:    s.RotationGrace.D(),
		BreakerThreshold: s.BreakerThreshold,
		BreakerCooldown:  s.BreakerCooldown.D(),
		Concurrency:      s.Concurrency,
		AllowNetworks:    allow,
		BaseURL:          cfg.HTTP.BaseURL,
		UserAgent:        userAgent(version),
		Registerer:       reg,
		Logger:           log.With("component", "subscribers"),
	}
	if ew := s.EventsWebhook; ew.URL != "" {
		o.EventsWebhook = &subscribers.Endpoint{URL: ew.URL, Secret: ew.Secret.Reveal()}
	}
	return o
}

// userAgent names crier and its version in every request it makes:
// webhook and WebSub deliveries, verifications of intent, media probes.
func userAgent(version string) string {
	return "crier/" + version + " (+https://github.com/crier/crier)"
}

// webhooks are the endpoints the configuration declares.
func webhooks(cfg *config.Config) []subscribers.Endpoint {
	var eps []subscribers.Endpoint
	for _, w := range cfg.Subscribers.Webhooks {
		ep := subscribers.Endpoint{
			Name: w.Name, URL: w.URL, Secret: w.Secret.Reveal(), SigningKey: w.SigningKey.Reveal(),
			Languages: w.Languages, Sources: w.Sources, Tags: w.Tags, Stories: w.Stories,
			EventTypes: w.EventTypes, Payload: w.Payload, Concurrency: w.Concurrency, RateLimit: w.RateLimit, StrictOrder: w.StrictOrder,
		}
		for _, sec := range w.Secrets {
			ep.Secrets = append(ep.Secrets, subscribers.Secret{Value: sec.Reveal()})
		}
		eps = append(eps, ep)
	}
	return eps
}

// loopbackOrToken lets a request through when it carries the bearer token,
// or, with no token configured, when it comes from loopback.
func loopbackOrToken(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch httpauth.TokenOrLoopback(r, token) {
		case http.StatusUnauthorized:
			w.Header().Set("WWW-Authenticate", `Bearer realm="crier"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		case http.StatusForbidden:
			http.Error(w, "forbidden: set http.admin_token to reach this from another host", http.StatusForbidden)
		default:
			h.ServeHTTP(w, r)
		}
	})
}
