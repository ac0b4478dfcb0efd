package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/crier/crier/app"
	"github.com/crier/crier/config"
	"github.com/crier/crier/subscribers"
)

func serve(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "serve", "[--config FILE]", "Run crier until SIGINT or SIGTERM: the NATS server (embedded unless nats.url is set),\nthe scheduled inbox runs, the feeds and pages, the ingest API and the webhook subscribers.")
	path := fs.String("config", "", "YAML configuration `file` (default: built-in defaults)")
	if code, done := parse(fs, env, args); done {
		return code
	}
	cfg, log, ok := loadConfig(env, *path)
	if !ok {
		return exitUsage
	}
	a, err := app.New(ctx, cfg, log, currentVersion())
	if err != nil {
		log.Error("cannot start", "error", err)
		return exitFailed
	}
	banner(env.stderr, cfg, a, *path)
	if err := a.Run(ctx); err != nil {
		log.Error("stopped on error", "error", err)
		return exitFailed
	}
	return exitOK
}

// banner tells a new user where to look.
func banner(w io.Writer, cfg *config.Config, a *app.App, path string) {
	base := cfg.HTTP.BaseURL
	fmt.Fprintf(w, "\ncrier %s is running (Ctrl-C to stop)\n", currentVersion())
	fmt.Fprintf(w, "  pages     %s/\n", base)
	fmt.Fprintf(w, "  feeds     %s/feeds/all.rss  all.atom  all.json  (and /feeds/lang/<lang>.<ext>, /feeds/source/<source>.<ext>)\n", base)
	fmt.Fprintf(w, "  ingest    POST %s/api/articles\n", base)
	fmt.Fprintf(w, "  inbox     %s  (%s; failed inputs go to %s/failed)\n", cfg.Publisher.Inbox, cfg.Publisher.Schedule, strings.TrimRight(cfg.Publisher.Inbox, "/"))
	switch {
	case !a.Broker.Embedded():
		fmt.Fprintf(w, "  nats      %s  stream %s, subjects %s.<lang>.<source>\n", a.Broker.Conn.ConnectedUrlRedacted(), cfg.NATS.Stream, cfg.NATS.SubjectPrefix)
	case a.Broker.ClientURL != "":
		fmt.Fprintf(w, "  nats      embedded at %s  stream %s, subjects %s.<lang>.<source>\n", a.Broker.ClientURL, cfg.NATS.Stream, cfg.NATS.SubjectPrefix)
		fmt.Fprintf(w, "            e.g. nats sub -s %s '%s.>'\n", a.Broker.ClientURL, cfg.NATS.SubjectPrefix)
	default:
		fmt.Fprintf(w, "  nats      embedded, in-process only (nats.listen is empty)\n")
	}
	for _, wh := range cfg.Subscribers.Webhooks {
		fmt.Fprintf(w, "  webhook   %s -> %s\n", wh.Name, subscribers.RedactURL(wh.URL))
	}
	if len(cfg.Subscribers.Webhooks) > 0 {
		cfgFlag := ""
		if path != "" {
			cfgFlag = " --config " + path
		}
		fmt.Fprintf(w, "            watch deliveries: crier receive%s --webhook %s\n", cfgFlag, cfg.Subscribers.Webhooks[0].Name)
	}
	fmt.Fprintln(w)
}
