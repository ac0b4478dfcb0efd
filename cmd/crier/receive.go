package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receive runs a webhook receiver for trying crier out: it verifies each
// delivery with the Standard Webhooks library (not crier's own signing code)
// and prints one line per delivery.
func receive(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "receive", "[--config FILE] [--webhook NAME] [--listen ADDR]",
		"Run a webhook receiver for testing: it listens where a configured webhook points,\nverifies every delivery's signature with the Standard Webhooks library, prints one\nline per delivery and answers 204 (401 when the signature is wrong).\nThe secret is read from the configuration (or CRIER_RECEIVE_SECRET), never from the command line.")
	path := fs.String("config", "", "YAML configuration `file` holding the webhook")
	name := fs.String("webhook", "", "the webhook's `name` (default: the first)")
	listen := fs.String("listen", "", "listen `address` (default: host and port of the webhook's URL)")
	if code, done := parse(fs, env, args); done {
		return code
	}
	// The receiver's own variable is not a config key: take it out first.
	secret, environ := takeEnv(env.environ, "CRIER_RECEIVE_SECRET")
	cfgEnv := *env
	cfgEnv.environ = environ
	cfg, log, ok := loadConfig(&cfgEnv, *path)
	if !ok {
		return exitUsage
	}
	addr := *listen
	route := "/"
	for _, w := range cfg.Subscribers.Webhooks {
		if *name != "" && w.Name != *name {
			continue
		}
		u, _ := url.Parse(w.URL) // validated by config
		if secret == "" {
			secret = w.Secret.Reveal()
		}
		if addr == "" {
			addr = u.Host
			if u.Port() == "" {
				addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
			}
		}
		route = u.Path
		break
	}
	if secret == "" || addr == "" {
		fmt.Fprintln(env.stderr, "crier receive: no webhook in the configuration (use --config) and no CRIER_RECEIVE_SECRET with --listen")
		return exitUsage
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		fmt.Fprintf(env.stderr, "crier receive: secret: %v\n", err)
		return exitUsage
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+route, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := wh.Verify(body, r.Header); err != nil {
			fmt.Fprintf(env.stdout, "REJECTED %s: %v\n", r.Header.Get("webhook-id"), err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev struct {
			Type string `json:"type"`
			Data struct {
				ID, Title, Language, Source string
				Reason                      string `json:"retraction_reason"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &ev)
		what := ev.Data.Title
		if ev.Data.Reason != "" {
			what = ev.Data.ID + " retracted: " + ev.Data.Reason
		}
		fmt.Fprintf(env.stdout, "verified %s %s [%s %s] %s\n", r.Header.Get("webhook-id"), ev.Type, ev.Data.Language, ev.Data.Source, what)
		w.WriteHeader(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Error("receiver", "error", err)
		return exitFailed
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("receiving webhooks", "address", "http://"+ln.Addr().String()+route)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Error("receiver", "error", err)
		return exitFailed
	}
	return exitOK
}

// takeEnv returns the value of key in environ and environ without it.
func takeEnv(environ []string, key string) (value string, rest []string) {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			value = v
			continue
		}
		rest = append(rest, kv)
	}
	return value, rest
}
