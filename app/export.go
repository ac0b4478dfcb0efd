package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/crier/crier/config"
	"github.com/crier/crier/feeds"
	"github.com/crier/crier/publisher"
)

// FeedsOptions are the feeds options the configuration describes, the same
// for crier serve and crier export so both send the same bytes.
func FeedsOptions(cfg *config.Config, log *slog.Logger) feeds.Options {
	o := feeds.Options{
		BaseURL: cfg.HTTP.BaseURL, Title: cfg.Feeds.Title, Limit: cfg.Feeds.Limit,
		MaxAge:    feedMaxAge(publisher.ScheduleInterval(cfg.Publisher.Schedule, time.Now())),
		RateLimit: cfg.HTTP.RateLimit, RateBurst: cfg.HTTP.RateBurst,
		Logger:      log.With("component", "feeds"),
		AwaitReplay: true, // Run follows the stream from its first message
		MaxArticles: cfg.Feeds.MaxArticles, ArticlesBucket: publisher.ArticlesBucket,
	}
	if cfg.WebSub.Enabled {
		o.HubURL = cfg.HTTP.BaseURL + "/hub"
	}
	return o
}

// feedMaxAge is the Cache-Control max-age of feeds and pages: the time
// between inbox runs, since nothing changes in between but ingest API
// posts, bounded so those show within the hour and a reader polling a
// busy schedule is not told to hammer.
func feedMaxAge(interval time.Duration) time.Duration {
	return min(max(interval, 10*time.Second), time.Hour)
}

// Export reads the article stream up to its end, then writes every feed
// and page under dir (feeds.Service.Export). It uses the embedded server
// in-process only (or nats.url), like RunOnce.
func Export(ctx context.Context, cfg *config.Config, log *slog.Logger, dir string) (feeds.ExportStats, error) {
	b, top, err := Connect(ctx, cfg, "", log.With("component", "nats"))
	if err != nil {
		return feeds.ExportStats{}, err
	}
	defer b.Close()
	o := FeedsOptions(cfg, log)
	o.MaxArticles = -1 // every article's page and archive is written
	svc := feeds.New(o)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx, b.JS, top.ArticleStream) }()
	select {
	case <-svc.CaughtUp():
	case err := <-done:
		if err == nil {
			err = ctx.Err()
		}
		return feeds.ExportStats{}, fmt.Errorf("app: export: %w", err)
	case <-ctx.Done():
		return feeds.ExportStats{}, ctx.Err()
	}
	st, err := svc.Export(ctx, dir)
	stop()
	<-done
	return st, err
}
