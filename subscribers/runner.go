package subscribers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/time/rate"

	"github.com/crier/crier/broker"
)

// runner delivers to one endpoint: it pulls from the endpoint's consumers
// (new articles, and replays) with at most concurrency attempts in flight.
type runner struct {
	m           *Manager
	ep          Endpoint
	url         *url.URL
	safeURL     string // URL without userinfo, query and fragment
	sign        *signer
	events      bool // the operational events webhook: its own stream, body as is
	concurrency int
	limiter     *rate.Limiter // nil: unlimited
	brk         *breaker
	log         *slog.Logger
	// failingSince mirrors Status.FailingSince (Unix ns, 0 when healthy),
	// so the hot path never reads the status bucket.
	failingSince atomic.Int64

	sem    chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// consumerRef names one durable consumer on its stream.
type consumerRef struct {
	stream, name string
}

// consumersOf are an endpoint's durable consumers: new articles (or, for
// the events webhook, events) and replays. Runners, metrics and deletion
// all name them through this.
func consumersOf(top broker.Topology, endpoint string) (live consumerRef, replay *consumerRef) {
	if endpoint == EventsEndpointName {
		return consumerRef{top.EventStream, "webhook-" + endpoint}, nil
	}
	return consumerRef{top.ArticleStream, "webhook-" + endpoint}, &consumerRef{top.ReplayStream, "replay-" + endpoint}
}

// source is one consumer a runner pulls from.
type source struct {
	consumerRef
	cfg    jetstream.ConsumerConfig
	replay bool
}

func (m *Manager) newRunner(ep Endpoint) (*runner, error) {
	u, err := url.Parse(ep.URL)
	if err != nil {
		return nil, fmt.Errorf("subscribers: endpoint %s: bad URL", ep.Name)
	}
	sg, err := ep.signer()
	if err != nil {
		return nil, fmt.Errorf("subscribers: endpoint %s: %w", ep.Name, err)
	}
	conc := ep.Concurrency
	if conc == 0 {
		conc = m.o.Concurrency
	}
	if ep.StrictOrder {
		conc = 1
	}
	r := &runner{
		m:           m,
		ep:          ep,
		url:         u,
		safeURL:     redactURL(u),
		sign:        sg,
		events:      ep.Name == EventsEndpointName,
		concurrency: conc,
		brk:         &breaker{threshold: m.o.BreakerThreshold, cooldown: m.o.BreakerCooldown},
		sem:         make(chan struct{}, conc),
	}
	if ep.RateLimit > 0 {
		r.limiter = rate.NewLimiter(rate.Limit(ep.RateLimit), max(1, int(ep.RateLimit)))
	}
	r.log = m.log.With("endpoint", ep.Name, "url", r.safeURL)
	return r, nil
}

// same reports whether ep would run exactly like r.ep.
func (r *runner) same(ep Endpoint) bool {
	return reflect.DeepEqual(r.ep, ep)
}

// sources are the consumers of this runner: articles (or events) and
// replays.
func (r *runner) sources() []source {
	top := r.m.o.Topology
	live, replay := consumersOf(top, r.ep.Name)
	filters := filterSubjects(top, r.ep.Languages, r.ep.Sources)
	if r.events {
		filters = []string{top.EventPrefix + ".>"}
	}
	srcs := []source{{consumerRef: live, cfg: r.consumerConfig(live.name, filters, jetstream.DeliverNewPolicy)}}
	if replay != nil {
		srcs = append(srcs, source{
			consumerRef: *replay,
			cfg:         r.consumerConfig(replay.name, []string{top.ReplaySubject(r.ep.Name)}, jetstream.DeliverAllPolicy),
			replay:      true,
		})
	}
	return srcs
}

// consumerConfig describes one of the endpoint's durable consumers.
//
// DeliverNew: a new endpoint receives the articles published from the
// moment its consumer is created, not the stream's history (a replay of a
// time range back-fills it). An existing durable consumer keeps its
// position (the policy only applies at creation), so a restart resumes
// where the last process stopped.
//
// MaxDeliver is unlimited: crier, not the server, counts attempts (in the
// deliveries KV bucket) and decides when a message is dead. A message whose
// last attempt was interrupted comes back and reaches the dead-letter
// stream, where a server-side limit would drop it silently.
//
// AckWait covers one attempt plus its ack and dead-letter round trips: a
// message held by a process that stopped or crashed comes back after it.
//
// MaxAckPending is far above the concurrency, because messages waiting for
// a retry count as pending; in strict order it is 1, so nothing passes a
// message waiting for its retry.
func (r *runner) consumerConfig(name string, filters []string, policy jetstream.DeliverPolicy) jetstream.ConsumerConfig {
	pending := max(r.concurrency, maxPending)
	if r.ep.StrictOrder {
		pending = 1
	}
	return jetstream.ConsumerConfig{
		Durable:        name,
		Description:    "crier: webhook delivery to endpoint " + r.ep.Name,
		DeliverPolicy:  policy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        r.m.o.Timeout + 2*ackTimeout + 5*time.Second,
		MaxDeliver:     -1,
		MaxAckPending:  pending,
		FilterSubjects: filters,
	}
}

// filterSubjects is Languages × Sources as subject filters, duplicates
// removed because the server rejects overlapping filters.
func filterSubjects(t broker.Topology, langs, sources []string) []string {
	if len(langs) == 0 {
		langs = []string{""}
	}
	if len(sources) == 0 {
		sources = []string{""}
	}
	var out []string
	for _, l := range langs {
		for _, s := range sources {
			if f := t.ArticleFilter(l, s); !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// start creates or updates the consumers synchronously, then pulls in the
// background.
func (r *runner) start(ctx context.Context) error {
	var its []jetstream.MessagesContext
	srcs := r.sources()
	for _, src := range srcs {
		it, err := r.open(ctx, src)
		if err != nil {
			for _, it := range its {
				it.Stop()
			}
			return err
		}
		its = append(its, it)
	}
	r.ctx, r.cancel = context.WithCancel(r.m.stopCtx)
	for i, src := range srcs {
		r.wg.Add(1)
		go r.run(src, its[i])
	}
	r.log.Debug("webhook endpoint running", "concurrency", r.concurrency, "strict_order", r.ep.StrictOrder)
	return nil
}

// stop ends pulling and waits for the attempts in flight.
func (r *runner) stop() {
	r.cancel()
	r.wg.Wait()
}

// errEndpointGone reports that a runner's endpoint was deleted from the
// endpoints bucket: its consumer must not be opened again.
var errEndpointGone = errors.New("endpoint deleted")

func (r *runner) open(ctx context.Context, src source) (jetstream.MessagesContext, error) {
	cons, err := r.m.js.CreateOrUpdateConsumer(ctx, src.stream, src.cfg)
	if err != nil {
		return nil, fmt.Errorf("subscribers: consumer %s on stream %s: %w", src.name, src.stream, err)
	}
	if err := r.stillStored(ctx, src); err != nil {
		return nil, err
	}
	// A short pull expiry bounds a stall seen under load, where the
	// iterator waited for its pull request to expire before asking again.
	it, err := cons.Messages(jetstream.PullMaxMessages(pullBatch(r.concurrency)), jetstream.PullExpiry(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("subscribers: consumer %s: pull: %w", src.name, err)
	}
	return it, nil
}

// stillStored checks, after creating src's consumer, that an API or
// WebSub endpoint is still in the endpoints bucket, and deletes the
// consumer again when it is not. Whoever deletes an endpoint deletes its
// record first and its consumers next (removeEndpoint), while this
// runner may be starting or re-opening from a watched copy that is not
// yet told: checking after creating means that either the remover's
// consumer deletion comes after this creation, or this check sees the
// record gone. Either way no consumer outlives its endpoint.
func (r *runner) stillStored(ctx context.Context, src source) error {
	if r.ep.Origin == OriginConfig || r.events {
		return nil // declared in the file: no record to lose
	}
	_, _, err := r.m.store.getEndpoint(ctx, r.ep.Name)
	if !errors.Is(err, ErrNotFound) {
		return nil // stored, or unknown: a reconcile settles it later
	}
	if err := r.m.js.DeleteConsumer(ctx, src.stream, src.name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("subscribers: consumer %s of deleted endpoint %s: %w", src.name, r.ep.Name, err)
	}
	return fmt.Errorf("subscribers: consumer %s: %w", src.name, errEndpointGone)
}

// pullBatch is how many messages a consumer buffers: enough that workers
// never wait for a pull round trip, and fewer pull requests per message.
// A message that then waits for a slot gets its AckWait restarted (work).
func pullBatch(concurrency int) int { return max(2*concurrency, 32) }

// run pulls one source until stop, re-opening the consumer if the server
// drops it.
func (r *runner) run(src source, it jetstream.MessagesContext) {
	defer r.wg.Done()
	for {
		err := r.work(src, it)
		if r.ctx.Err() != nil {
			return
		}
		r.log.Warn("webhook consumer interrupted; re-opening", "consumer", src.name, "error", err)
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-time.After(reopenDelay):
			}
			ctx, cancel := context.WithTimeout(r.ctx, ackTimeout)
			it, err = r.open(ctx, src)
			cancel()
			if err == nil {
				break
			}
			if errors.Is(err, errEndpointGone) {
				// The reconcile that follows the deletion stops the
				// runner; until then there is nothing to pull.
				r.log.Debug("webhook consumer not re-opened: endpoint deleted", "consumer", src.name)
				return
			}
			r.log.Warn("webhook consumer re-open failed", "consumer", src.name, "error", err)
		}
	}
}

// work runs the source's workers on one iterator until stop (nil) or
// until the iterator fails (its error). Each worker takes the next message
// and delivers it itself: no hand-off between goroutines on the hot path.
// The sources of a runner share its semaphore, taken once a message is in
// hand, so together they keep to the endpoint's concurrency.
func (r *runner) work(src source, it jetstream.MessagesContext) error {
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range r.concurrency {
		wg.Go(func() {
			for {
				msg, err := it.Next(jetstream.NextContext(r.ctx))
				if err != nil {
					switch {
					case r.ctx.Err() != nil:
						return
					case errors.Is(err, jetstream.ErrNoHeartbeat):
						// The iterator recovers by itself.
						r.log.Debug("webhook consumer missed heartbeats", "error", err)
						continue
					}
					once.Do(func() { firstErr = err; it.Stop() })
					return
				}
				if !r.acquire(msg) {
					nak(r.log, msg, 0)
					return
				}
				r.deliver(src, msg)
				<-r.sem
			}
		})
	}
	wg.Wait()
	if r.ctx.Err() != nil {
		release(r.log, it)
		return nil
	}
	return firstErr
}

// acquire takes a slot of the endpoint's concurrency for msg; false when
// the runner stops first.
func (r *runner) acquire(msg jetstream.Msg) bool {
	select {
	case r.sem <- struct{}{}:
		return true // the usual case: no clock read
	default:
	}
	waitStart := time.Now()
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return false
	}
	if time.Since(waitStart) > time.Second {
		// It waited behind slow attempts: restart its AckWait, or the
		// server would hand it to another worker meanwhile.
		_ = msg.InProgress()
	}
	return true
}

// release stops pulling and hands the buffered, unattempted messages back
// to the server for immediate redelivery (rather than after AckWait).
func release(log *slog.Logger, it jetstream.MessagesContext) {
	it.Drain()
	for {
		msg, err := it.Next(jetstream.NextMaxWait(ackTimeout))
		if err != nil {
			return
		}
		if err := msg.Nak(); err != nil {
			log.Debug("webhook release failed", "error", err)
		}
	}
}
