package subscribers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// Operational event types, published on Topology.EventSubject(type).
const (
	EventEndpointFailing   = "endpoint.failing"
	EventEndpointDisabled  = "endpoint.disabled"
	EventEndpointEnabled   = "endpoint.enabled"
	EventEndpointRecovered = "endpoint.recovered"
)

// Event is the body of an operational event, in the same envelope as
// article webhooks so one receiver can take both.
type Event struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData says which endpoint and why.
type EventData struct {
	Endpoint     string    `json:"endpoint"`
	URL          string    `json:"url"`
	Reason       string    `json:"reason,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
}

// publishEvent publishes an event; its Nats-Msg-Id makes a repeat (two
// replicas seeing one transition) a no-op within the duplicates window.
func (m *Manager) publishEvent(ctx context.Context, typ string, ep Endpoint, data EventData, dedupe time.Time) error {
	data.Endpoint = ep.Name
	data.URL = RedactURL(ep.URL)
	ev := Event{Type: typ, Timestamp: m.o.Now().UTC(), Data: data}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	msg := &nats.Msg{Subject: m.o.Topology.EventSubject(typ), Data: b, Header: nats.Header{}}
	msg.Header.Set(nats.MsgIdHdr, typ+"."+ep.Name+"."+strconv.FormatInt(dedupe.UnixNano(), 10))
	msg.Header.Set(HeaderEndpoint, ep.Name)
	if _, err := m.js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("subscribers: publish %s event: %w", typ, err)
	}
	return nil
}

// failed tracks a failed attempt: the first time the breaker opens in a
// run of failures the endpoint is marked failing (endpoint.failing), and
// when it has been failing for Options.DisableAfter it is disabled.
func (r *runner) failed(now time.Time, log *slog.Logger) {
	opened, since := r.brk.failure(now)
	if r.events {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if opened && r.failingSince.Load() == 0 {
		st, won, err := r.m.store.updateStatus(ctx, r.ep.Name, func(st *Status) bool {
			if !st.FailingSince.IsZero() {
				return false
			}
			st.FailingSince = since.UTC()
			return true
		})
		if err != nil {
			log.Warn("webhook: cannot mark endpoint failing", "error", err)
			return
		}
		r.failingSince.Store(st.FailingSince.UnixNano())
		if won {
			log.Warn("webhook endpoint failing", "since", st.FailingSince)
			if err := r.m.publishEvent(ctx, EventEndpointFailing, r.ep, EventData{FailingSince: st.FailingSince, Reason: "circuit breaker opened"}, st.FailingSince); err != nil {
				log.Warn("webhook: event not published", "error", err)
			}
		}
	}
	if fs := r.failingSince.Load(); fs != 0 && now.Sub(time.Unix(0, fs)) >= r.m.o.DisableAfter {
		r.disable(log, fmt.Sprintf("failing since %s (subscribers.disable_after is %s)", time.Unix(0, fs).UTC().Format(time.RFC3339), r.m.o.DisableAfter))
	}
}

// recovered clears the failing mark after a success.
func (r *runner) recovered(log *slog.Logger) {
	if r.events {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	var since time.Time
	_, won, err := r.m.store.updateStatus(ctx, r.ep.Name, func(st *Status) bool {
		if st.FailingSince.IsZero() {
			return false
		}
		since, st.FailingSince = st.FailingSince, time.Time{}
		return true
	})
	if err != nil {
		log.Warn("webhook: cannot clear failing mark", "error", err)
		return
	}
	r.failingSince.Store(0)
	if won {
		log.Info("webhook endpoint recovered", "failing_since", since)
		if err := r.m.publishEvent(ctx, EventEndpointRecovered, r.ep, EventData{FailingSince: since}, since); err != nil {
			log.Warn("webhook: event not published", "error", err)
		}
	}
}

// disable stops delivery to the runner's endpoint on every replica.
func (r *runner) disable(log *slog.Logger, reason string) {
	if r.events {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if err := r.m.setDisabled(ctx, r.ep, true, reason); err != nil {
		log.Error("webhook: cannot disable endpoint", "error", err)
		return
	}
	// Stop pulling now; the reconcile that follows the status change
	// waits for the attempts in flight.
	r.cancel()
}

// setDisabled disables or enables an endpoint and publishes the event
// when this call made the change.
func (m *Manager) setDisabled(ctx context.Context, ep Endpoint, disabled bool, reason string) error {
	now := m.o.Now().UTC()
	st, won, err := m.store.updateStatus(ctx, ep.Name, func(st *Status) bool {
		if st.Disabled == disabled {
			return false
		}
		st.Disabled = disabled
		if disabled {
			st.DisabledReason, st.DisabledAt = reason, now
		} else {
			// A fresh start: the failing clock restarts too.
			st.DisabledReason, st.DisabledAt, st.FailingSince = "", time.Time{}, time.Time{}
		}
		return true
	})
	if err != nil || !won {
		return err
	}
	typ := EventEndpointEnabled
	if disabled {
		typ = EventEndpointDisabled
		m.log.Error("webhook endpoint disabled", "endpoint", ep.Name, "reason", reason)
	} else {
		m.log.Info("webhook endpoint enabled", "endpoint", ep.Name)
	}
	return m.publishEvent(ctx, typ, ep, EventData{Reason: reason, FailingSince: st.FailingSince}, now)
}
