package subscribers

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
)

const (
	// recordFlush is how often recorded attempts are written, in one
	// message per endpoint: one publish per delivery would double the
	// work of the bus on the hot path.
	recordFlush = 250 * time.Millisecond
	// recordBatch caps the attempts in one message.
	recordBatch = 200
	// recordQueue bounds the attempts waiting to be written; past it they
	// are dropped (and counted), never blocking a delivery.
	recordQueue = 8192
)

// recorder writes attempts to the attempts stream, batched per endpoint.
type recorder struct {
	js      jetstream.JetStream
	top     broker.Topology
	log     *slog.Logger
	in      chan Attempt
	pending map[string][]Attempt
}

func newRecorder(js jetstream.JetStream, top broker.Topology, log *slog.Logger) *recorder {
	return &recorder{js: js, top: top, log: log, in: make(chan Attempt, recordQueue), pending: make(map[string][]Attempt)}
}

// add queues an attempt; false when the queue is full.
func (rc *recorder) add(a Attempt) bool {
	select {
	case rc.in <- a:
		return true
	default:
		return false
	}
}

// run writes batches until ctx ends; flushAll writes what is left.
func (rc *recorder) run(ctx context.Context) {
	tick := time.NewTicker(recordFlush)
	defer tick.Stop()
	for {
		select {
		case a := <-rc.in:
			if rc.hold(a) >= recordBatch {
				rc.flush(ctx, a.Endpoint)
			}
		case <-tick.C:
			for ep := range rc.pending {
				rc.flush(ctx, ep)
			}
		case <-ctx.Done():
			return
		}
	}
}

// flushAll drains the queue and writes every batch; for Stop.
func (rc *recorder) flushAll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	for drained := false; !drained; {
		select {
		case a := <-rc.in:
			rc.hold(a)
		default:
			drained = true
		}
	}
	for ep := range rc.pending {
		rc.flush(ctx, ep)
	}
}

// hold adds an attempt to its endpoint's batch and returns the batch size.
func (rc *recorder) hold(a Attempt) int {
	rc.pending[a.Endpoint] = append(rc.pending[a.Endpoint], a)
	return len(rc.pending[a.Endpoint])
}

func (rc *recorder) flush(ctx context.Context, endpoint string) {
	batch := rc.pending[endpoint]
	delete(rc.pending, endpoint)
	for len(batch) > 0 {
		n := min(len(batch), recordBatch)
		b, err := json.Marshal(batch[:n])
		batch = batch[n:]
		if err != nil {
			continue
		}
		if _, err := rc.js.Publish(ctx, rc.top.AttemptSubject(endpoint), b); err != nil {
			rc.log.Warn("webhook: attempts not recorded", "endpoint", endpoint, "error", err)
		}
	}
}

// record counts an attempt in the metrics and queues it for the log.
func (m *Manager) record(r *runner, d *message, a Attempt) {
	if m.metrics != nil {
		m.metrics.observe(r.ep.Name, a, d.streamTime, m.o.Now())
	}
	if !m.rec.add(a) && m.metrics != nil {
		m.metrics.recordsDropped.Inc()
	}
}
