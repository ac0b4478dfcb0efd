package websub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/internal/netguard"
	"github.com/crier/crier/subscribers"
)

// TopicLister names the feeds an article appears in (*feeds.Service).
type TopicLister interface {
	TopicURLs(a *article.Article) []string
}

// pingTimeout bounds one ping of an external hub.
const pingTimeout = 10 * time.Second

// Pinger tells external hubs that crier's feeds changed: for each new
// article, one POST hub.mode=publish with a hub.url per feed the article
// appears in, to each hub. Best effort: a failure is logged, not retried
// (the hub still polls).
type Pinger struct {
	hubs   []string
	client *http.Client
	topics TopicLister
	log    *slog.Logger
}

// NewPinger pings hubs through client (the subscribers' guarded client).
func NewPinger(hubs []string, client *http.Client, topics TopicLister, log *slog.Logger) *Pinger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pinger{hubs: hubs, client: client, topics: topics, log: log}
}

// Follow opens the consumer of the articles published from now on: an
// article published after Follow returns is pinged by Run.
func (p *Pinger) Follow(ctx context.Context, js jetstream.JetStream, stream string) (jetstream.MessagesContext, error) {
	msgs, err := broker.Follow(ctx, js, stream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return nil, fmt.Errorf("websub: %w", err)
	}
	return msgs, nil
}

// Run pings for each article of msgs (from Follow) until ctx ends.
func (p *Pinger) Run(ctx context.Context, msgs jetstream.MessagesContext) error {
	return broker.Each(ctx, msgs, p.log, func(msg jetstream.Msg) {
		var a article.Article
		if json.Unmarshal(msg.Data(), &a) != nil || a.ID == "" {
			return
		}
		p.Ping(ctx, p.topics.TopicURLs(&a))
	})
}

// Ping announces topics to every hub.
func (p *Pinger) Ping(ctx context.Context, topics []string) {
	form := url.Values{"hub.mode": {"publish"}, "hub.url": topics}.Encode()
	for _, hub := range p.hubs {
		// A hub URL may carry a key in its query: logs show it redacted.
		if err := p.ping(ctx, hub, form); err != nil {
			p.log.Warn("websub: ping of external hub failed", "hub", subscribers.RedactURL(hub), "topics", len(topics), "error", err)
		} else {
			p.log.Debug("websub: pinged external hub", "hub", subscribers.RedactURL(hub), "topics", len(topics))
		}
	}
}

func (p *Pinger) ping(ctx context.Context, hub, form string) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return netguard.StripURL(err) // not the hub's URL, which may hold a key
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
