package subscribers

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the delivery metrics, registered on Options.Registerer.
type metrics struct {
	m              *Manager
	attempts       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	latency        *prometheus.HistogramVec
	deadLetters    *prometheus.CounterVec
	recordsDropped prometheus.Counter
	pendingDesc    *prometheus.Desc
	dlqDesc        *prometheus.Desc
	disabledDesc   *prometheus.Desc
}

func newMetrics(m *Manager) *metrics {
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	return &metrics{
		m: m,
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crier_webhook_attempts_total",
			Help: "Webhook delivery attempts, by endpoint and outcome (success, http_error, throttled, gone, redirect, timeout, connection, refused, invalid_body).",
		}, []string{"endpoint", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crier_webhook_attempt_duration_seconds",
			Help:    "Time from sending a webhook request to the end of its response, by endpoint.",
			Buckets: buckets,
		}, []string{"endpoint"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "crier_webhook_delivery_latency_seconds",
			Help:    "Time from an article entering the stream to its successful delivery, by endpoint (retries included).",
			Buckets: append(buckets, 60, 300, 1800, 7200, 36000),
		}, []string{"endpoint"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "crier_webhook_dead_lettered_total",
			Help: "Messages this process moved to the dead-letter stream, by endpoint.",
		}, []string{"endpoint"}),
		recordsDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "crier_webhook_attempt_records_dropped_total",
			Help: "Attempt records not written to the attempts stream because its queue was full.",
		}),
		pendingDesc: prometheus.NewDesc("crier_webhook_pending",
			"Messages not yet delivered to an endpoint: waiting, in flight or in retry (its consumers' pending plus unacknowledged).",
			[]string{"endpoint"}, nil),
		dlqDesc: prometheus.NewDesc("crier_webhook_dead_letters",
			"Messages in the dead-letter stream, by endpoint.", []string{"endpoint"}, nil),
		disabledDesc: prometheus.NewDesc("crier_webhook_endpoint_disabled",
			"1 when an endpoint is disabled.", []string{"endpoint"}, nil),
	}
}

func (mt *metrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{mt.attempts, mt.duration, mt.latency, mt.deadLetters, mt.recordsDropped, mt} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("subscribers: register metrics: %w", err)
		}
	}
	return nil
}

func (mt *metrics) observe(endpoint string, a Attempt, streamTime, now time.Time) {
	mt.attempts.WithLabelValues(endpoint, a.Outcome).Inc()
	if a.Outcome == OutcomeInvalidBody {
		return
	}
	mt.duration.WithLabelValues(endpoint).Observe(a.LatencyMS / 1000)
	if a.Outcome == OutcomeSuccess {
		mt.latency.WithLabelValues(endpoint).Observe(now.Sub(streamTime).Seconds())
	}
}

// Describe implements prometheus.Collector for the gauges read at scrape.
func (mt *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- mt.pendingDesc
	ch <- mt.dlqDesc
	ch <- mt.disabledDesc
}

// Collect reads the consumers and the dead-letter stream at scrape time:
// JetStream already counts them, for every replica at once.
func (mt *metrics) Collect(ch chan<- prometheus.Metric) {
	m := mt.m
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.mu.Lock()
	eps := m.desired()
	statuses := make(map[string]Status, len(m.statuses))
	for k, v := range m.statuses {
		statuses[k] = v
	}
	m.mu.Unlock()
	top := m.o.Topology
	var dlq map[string]uint64
	if s, err := m.js.Stream(ctx, top.DeadLetterStream); err == nil {
		if info, err := s.Info(ctx, jetstream.WithSubjectFilter(top.DeadLetterPrefix+".>")); err == nil {
			dlq = info.State.Subjects
		}
	}
	for name := range eps {
		disabled := 0.0
		if statuses[name].Disabled {
			disabled = 1
		}
		ch <- prometheus.MustNewConstMetric(mt.disabledDesc, prometheus.GaugeValue, disabled, name)
		ch <- prometheus.MustNewConstMetric(mt.dlqDesc, prometheus.GaugeValue, float64(dlq[top.DeadLetterSubject(name)]), name)
		var pending float64
		live, replay := consumersOf(top, name)
		for _, c := range []*consumerRef{&live, replay} {
			if c == nil {
				continue
			}
			info, err := m.js.Consumer(ctx, c.stream, c.name)
			if err != nil {
				continue
			}
			ci, err := info.Info(ctx)
			if err != nil {
				continue
			}
			pending += float64(ci.NumPending) + float64(ci.NumAckPending)
		}
		ch <- prometheus.MustNewConstMetric(mt.pendingDesc, prometheus.GaugeValue, pending, name)
	}
}
