package subscribers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// errContentLater reports that a WebSub endpoint's feed could not be
// rendered yet (the article is not indexed): the message comes back
// without an attempt being counted.
var errContentLater = errors.New("feed not ready")

// content renders a WebSub endpoint's body for d into d.body. A permanent
// failure leaves d.body nil for websubRequest to report; a transient one
// returns errContentLater.
func (r *runner) content(d *message) error {
	if r.m.o.Content == nil {
		return nil
	}
	// The body's id, not the message id: a replay or a foreign publisher
	// may set another Nats-Msg-Id.
	var a struct {
		ID       string `json:"id"`
		Revision int    `json:"revision"`
	}
	if json.Unmarshal(d.msg.Data(), &a) != nil || a.ID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.m.o.Timeout)
	defer cancel()
	body, ct, err := r.m.o.Content(ctx, r.ep.Topic, a.ID, max(a.Revision, 1))
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %v", errContentLater, err)
	case err != nil:
		d.contentErr = err // reported by websubRequest
		return nil
	}
	d.body, d.contentType = body, ct
	return nil
}

// websubRequest is the body and headers of a WebSub content distribution
// (W3C WebSub §7): the topic's feed, Link rel="hub" and rel="self", and
// X-Hub-Signature when the subscriber gave a secret.
func (r *runner) websubRequest(d *message) ([]byte, http.Header, error) {
	switch {
	case r.m.o.Content == nil:
		return nil, nil, errors.New("websub: no content renderer configured")
	case d.contentErr != nil:
		return nil, nil, fmt.Errorf("websub: %w", d.contentErr)
	case d.body == nil:
		return nil, nil, errors.New("websub: message body is not an article with an id")
	}
	link := "<" + r.ep.Topic + `>; rel="self"`
	if r.m.o.HubURL != "" {
		link = "<" + r.m.o.HubURL + `>; rel="hub", ` + link
	}
	h := http.Header{
		"Content-Type": {d.contentType},
		"User-Agent":   r.m.userAgent,
		"Link":         {link},
	}
	if r.ep.HubSecret != "" {
		h["X-Hub-Signature"] = []string{HubSignature([]byte(r.ep.HubSecret), d.body)}
	}
	return d.body, h, nil
}

// HubSignature is the X-Hub-Signature value of a WebSub delivery:
// "sha256=" and the hex HMAC-SHA256 of body keyed with the hub.secret.
func HubSignature(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// HTTPClient is the client deliveries use: every dial checked by the SSRF
// guard, no proxy, redirects not followed. The WebSub hub verifies intent
// with it. Requests need a deadline of their own (a context).
func (m *Manager) HTTPClient() *http.Client { return m.client }

// CheckURL resolves raw's host and refuses it when one of its addresses is
// refused by the SSRF guard (unless subscribers.allow_networks opens it).
// Its error wraps ErrInvalid and is fit to show to whoever gave the URL.
func (m *Manager) CheckURL(ctx context.Context, raw string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return m.guard.checkURL(ctx, m.o.Resolver, raw)
}

// Subscriptions counts the WebSub endpoints, as this replica last watched
// them.
func (m *Manager) Subscriptions() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, ep := range m.api {
		if ep.Protocol == ProtocolWebSub {
			n++
		}
	}
	return n
}

// PutSubscription creates a WebSub endpoint, or renews it (lease, secret,
// filters) when one with its name exists; a renewal keeps the consumer's
// position. Every replica picks the change up through the KV bucket.
//
// The caller has verified the subscriber's intent: a subscription that
// was disabled (by subscribers.disable_after, or by an operator) is
// enabled again, so a subscriber that comes back and subscribes anew
// receives content again.
func (m *Manager) PutSubscription(ctx context.Context, ep Endpoint) (created bool, err error) {
	created, err = m.putSubscription(ctx, ep)
	if err != nil {
		return created, err
	}
	if err := m.setDisabled(ctx, ep, false, ""); err != nil {
		return created, fmt.Errorf("subscribers: subscription %s saved but not enabled: %w", ep.Name, err)
	}
	return created, nil
}

func (m *Manager) putSubscription(ctx context.Context, ep Endpoint) (created bool, err error) {
	st, err := m.running()
	if err != nil {
		return false, err
	}
	if m.fileOwned(ep.Name) {
		return false, fmt.Errorf("endpoint %s: %w", ep.Name, ErrDeclared)
	}
	ep.Protocol, ep.Origin = ProtocolWebSub, OriginWebSub
	if err := m.check(ctx, ep); err != nil {
		return false, err
	}
	now := m.o.Now().UTC()
	for range 10 {
		old, rev, err := st.getEndpoint(ctx, ep.Name)
		switch {
		case errors.Is(err, ErrNotFound):
			ep.Created, ep.Updated = now, now
			if err := m.createConsumers(ctx, ep); err != nil {
				return false, err
			}
			err = st.putEndpoint(ctx, ep, 0)
			if errors.Is(err, ErrExists) {
				continue // created meanwhile: renew it
			}
			if err == nil {
				m.noteSubscription(ep)
			}
			return err == nil, err
		case err != nil:
			return false, err
		case old.Protocol != ProtocolWebSub:
			return false, fmt.Errorf("endpoint %s: %w (not a WebSub subscription)", ep.Name, ErrExists)
		}
		ep.Created, ep.Updated = old.Created, now
		err = st.putEndpoint(ctx, ep, rev)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return false, err
	}
	return false, fmt.Errorf("endpoint %s: %w", ep.Name, ErrConflict)
}

// noteSubscription records a subscription just written in the watched
// cache, so Subscriptions counts it before the watcher brings it back.
func (m *Manager) noteSubscription(ep Endpoint) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.api[ep.Name]; !ok {
		m.api[ep.Name] = ep
	}
}

// ExpireSubscriptions deletes the WebSub endpoints whose lease ended at
// now and returns their names. Any replica may run it: a deletion checks
// the record's revision, so a renewal written meanwhile survives, and
// deleting twice is harmless.
func (m *Manager) ExpireSubscriptions(ctx context.Context, now time.Time) ([]string, error) {
	st, err := m.running()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	var due []string
	for name, ep := range m.api {
		if ep.Protocol == ProtocolWebSub && ep.expired(now) {
			due = append(due, name)
		}
	}
	m.mu.Unlock()
	var done []string
	var errs []error
	for _, name := range due {
		ep, rev, err := st.getEndpoint(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ep.Protocol != ProtocolWebSub || !ep.expired(now) {
			continue // renewed meanwhile
		}
		if err := st.endpoints.Delete(ctx, name, jetstream.LastRevision(rev)); err != nil {
			// A renewal (or another replica's sweep) won the race, or the
			// server failed: only the last is an error.
			if again, _, gerr := st.getEndpoint(ctx, name); gerr == nil && again.expired(now) {
				errs = append(errs, fmt.Errorf("subscribers: expire %s: %w", name, err))
			}
			continue
		}
		m.forgetSubscription(name, now)
		if err := m.removeEndpoint(ctx, st, name); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, name)
	}
	return done, errors.Join(errs...)
}

// forgetSubscription drops a subscription just expired from the watched
// cache, so Subscriptions stops counting it before the watcher sees the
// deletion. A renewal the watcher already brought back has a lease that
// has not ended, and stays.
func (m *Manager) forgetSubscription(name string, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ep, ok := m.api[name]; ok && ep.expired(now) {
		delete(m.api, name)
	}
}

// unsubscribeGone deletes the runner's subscription after its callback
// answered 410 Gone. WebSub §7 lets a hub take a 410 to a content
// distribution as the subscription's deletion; a webhook endpoint is
// disabled instead (an operator made it, an operator enables it). The
// subscriber subscribes again to receive content again. A renewal saved
// since this runner started is a newer intent, and stays. It reports
// whether the subscription (and the message's consumer) is gone.
func (r *runner) unsubscribeGone(log *slog.Logger) bool {
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	deleted, err := r.m.deleteSubscription(ctx, r.ep)
	switch {
	case err != nil:
		log.Error("websub: cannot delete the subscription after 410 Gone; disabling it", "error", err)
		r.disable(log, "the subscriber answered 410 Gone")
		return false
	case deleted:
		log.Info("websub: the subscriber answered 410 Gone; subscription deleted")
	default:
		log.Info("websub: the subscriber answered 410 Gone, but renewed its subscription since; kept")
	}
	// Stop pulling now; the reconcile that follows the deletion (or the
	// renewal) waits for the attempts in flight.
	r.cancel()
	return deleted
}

// deleteSubscription deletes a WebSub endpoint as ep describes it and
// reports whether it did: one saved since (a renewal) is left alone.
func (m *Manager) deleteSubscription(ctx context.Context, ep Endpoint) (bool, error) {
	st := m.store
	cur, rev, err := st.getEndpoint(ctx, ep.Name)
	switch {
	case errors.Is(err, ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	case !cur.Updated.Equal(ep.Updated):
		return false, nil // renewed meanwhile
	}
	if err := st.endpoints.Delete(ctx, ep.Name, jetstream.LastRevision(rev)); err != nil {
		return false, fmt.Errorf("subscribers: delete subscription %s: %w", ep.Name, err)
	}
	return true, m.removeEndpoint(ctx, st, ep.Name)
}

// unchanged reports whether d's rendered feed is byte for byte the last
// one the endpoint accepted from this replica. A burst of articles gives
// one message each, and by the time the first is delivered the feed
// often holds them all: the messages after it would POST the same
// document again. Each message stays the durable unit (one POST per
// article when the feed changed in between); an unchanged one is
// settled without a request. The hash lives in memory: after a restart,
// or on another replica, one duplicate may still go out.
func (r *runner) unchanged(d *message) bool {
	if d.body == nil {
		return false
	}
	d.sum = sha256.Sum256(d.body)
	r.m.sentMu.Lock()
	defer r.m.sentMu.Unlock()
	last, ok := r.m.sent[r.ep.Name]
	return ok && last == d.sum
}

// accepted records the body of d as the endpoint's last.
func (r *runner) accepted(d *message) {
	if d.body == nil {
		return
	}
	r.m.sentMu.Lock()
	r.m.sent[r.ep.Name] = d.sum
	r.m.sentMu.Unlock()
}
