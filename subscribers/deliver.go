package subscribers

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/internal/netguard"
)

// Headers crier sets on the messages it writes besides articles: dead
// letters, replays and events.
const (
	HeaderEndpoint        = "Crier-Endpoint"
	HeaderError           = "Crier-Error"
	HeaderAttempts        = "Crier-Attempts"
	HeaderOriginalSubject = "Crier-Original-Subject"
	HeaderStreamSeq       = "Crier-Stream-Seq"
	// HeaderArticleID carries the article id on a replay and a dead
	// letter.
	HeaderArticleID = "Crier-Article-Id"
	// HeaderMsgID carries the original Nats-Msg-Id on a replay (whose own
	// must differ, or the server would drop it as a duplicate): the
	// revision's key, from which the webhook-id is made.
	HeaderMsgID = "Crier-Msg-Id"
	// HeaderStreamTime is the original stream time of a replayed message,
	// so its body (and webhook-id) is the one of the first delivery.
	HeaderStreamTime = "Crier-Stream-Time"
	// HeaderStoryID is the publisher's story header, read for filters.
	HeaderStoryID = "Crier-Story-Id"
)

const (
	// maxResponseBytes is how much of a response body is read and kept
	// with the attempt; the rest is discarded with the connection.
	maxResponseBytes = 4 << 10
	// maxSnippet is how much of an error response goes into the error.
	maxSnippet = 200
	// maxRateWait is the longest an attempt waits for the rate limiter
	// in its goroutine; a longer wait goes back to the server.
	maxRateWait = 5 * time.Second
	// storeRetryDelay is when a message comes back after the deliveries
	// bucket could not be read or written.
	storeRetryDelay = 5 * time.Second
	// maxContentWaits bounds how many times a WebSub message waits (each
	// up to Options.Timeout, then as long again before it comes back) for
	// its article to appear in crier's feeds. The feeds index the same
	// stream in the same process, within milliseconds, or a restart's
	// catch-up; an article they never index (an id they refuse, a message
	// that is not theirs) becomes a dead letter instead of waiting
	// forever. The count is of deliveries without an attempt (JetStream
	// keeps no other per-message counter), so breaker and rate-limit waits
	// count too: a message held long by an open breaker meets this bound
	// sooner if the feeds do not have its article when it comes back.
	maxContentWaits = 10
)

// contentTypeJSON is shared by every request; net/http does not change a
// request's headers.
var contentTypeJSON = []string{"application/json"}

// responseBuffers hold the start of responses while an attempt reads them.
var responseBuffers = sync.Pool{New: func() any { return new([maxResponseBytes]byte) }}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	Endpoint  string    `json:"endpoint"`
	WebhookID string    `json:"webhook_id"`
	ArticleID string    `json:"article_id,omitempty"`
	N         int       `json:"attempt"`
	At        time.Time `json:"at"`
	Outcome   string    `json:"outcome"`
	Status    int       `json:"status,omitempty"`
	LatencyMS float64   `json:"latency_ms"`
	Error     string    `json:"error,omitempty"`
	// Response is the start of the response body (up to 4 KB).
	Response  string    `json:"response,omitempty"`
	Replay    bool      `json:"replay,omitempty"`
	NextRetry time.Time `json:"next_retry,omitzero"`
}

// message is what deliver learns of one JetStream message.
type message struct {
	msg        jetstream.Msg
	meta       *jetstream.MsgMetadata
	src        source
	articleID  string // the article's id, on every revision
	webhookID  string
	event      string // the webhook type, EventArticlePublished or EventArticleUpdated
	streamTime time.Time
	// body and contentType are a WebSub endpoint's content, rendered
	// before the attempt.
	body        []byte
	sum         [sha256.Size]byte // of body, set by runner.unchanged
	contentType string
	contentErr  error
}

// key names the message's attempts record in the deliveries bucket; only
// a redelivery or a failure needs it.
func (d *message) key(endpoint string) string {
	return deliveryKey(endpoint, d.src.stream, d.meta.Sequence.Stream)
}

func (r *runner) inspect(src source, msg jetstream.Msg) (*message, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return nil, err
	}
	h := msg.Headers()
	d := &message{msg: msg, meta: meta, src: src, streamTime: meta.Timestamp}
	// The message's key: a replay's original Nats-Msg-Id (one written
	// before revisions has only the article id), or its own.
	key := cmp.Or(h.Get(HeaderMsgID), h.Get(HeaderArticleID), h.Get(nats.MsgIdHdr),
		"seq"+strconv.FormatUint(meta.Sequence.Stream, 10)) // still stable across retries and restarts
	d.articleID = cmp.Or(h.Get(HeaderArticleID), h.Get("ce-subject"), key)
	if v := h.Get(HeaderStreamTime); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			d.streamTime = t
		}
	}
	// webhook-id is the receiver's idempotency key: the same for every
	// attempt and every replay of one revision to one endpoint.
	d.webhookID = "msg_" + key
	if r.events {
		d.webhookID = "evt_" + key
	} else {
		d.event = eventType(msg.Data())
	}
	return d, nil
}

// deliver makes at most one attempt at msg and settles it: Ack on success
// (or when the endpoint's filters skip it), NakWithDelay while attempts
// remain, dead letter and Term after the last.
func (r *runner) deliver(src source, msg jetstream.Msg) {
	m := r.m
	d, err := r.inspect(src, msg)
	if err != nil {
		r.log.Error("webhook: message without JetStream metadata", "error", err)
		_ = msg.Term()
		return
	}
	// Attributes are added where something is logged: a logger per
	// delivery was measurable on the hot path.
	log := r.log
	if !r.ep.Expires.IsZero() && r.ep.expired(m.o.Now()) {
		// The lease ended: nothing is due to this subscriber any more, and
		// the hub's sweeper deletes the endpoint.
		if err := msg.Ack(); err != nil {
			log.Debug("websub: ack after the lease ended failed", "error", err)
		}
		return
	}
	if !r.events && !r.wants(d) {
		if err := msg.Ack(); err != nil {
			log.Debug("webhook: ack of a filtered message failed", "error", err)
		}
		return
	}
	now := m.o.Now()
	if ok, wait := r.brk.allow(now); !ok {
		// The breaker is open: the message waits, no attempt is counted.
		nak(log, msg, spread(wait))
		return
	}
	if r.limiter != nil {
		res := r.limiter.ReserveN(now, 1)
		if wait := res.DelayFrom(now); wait > 0 {
			if wait > maxRateWait {
				res.CancelAt(now)
				r.brk.releaseProbe()
				nak(log, msg, wait)
				return
			}
			select {
			case <-time.After(wait):
			case <-r.ctx.Done():
				res.Cancel()
				r.brk.releaseProbe()
				nak(log, msg, 0)
				return
			}
		}
	}

	var prior []Attempt
	if d.meta.NumDelivered > 1 {
		// A redelivery: a retry, a breaker wait, or an interrupted attempt.
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		prior, err = m.store.attempts(ctx, d.key(r.ep.Name))
		cancel()
		if err != nil {
			r.brk.releaseProbe()
			log.Warn("webhook: cannot read attempts; will retry", "article", d.articleID, "error", err)
			nak(log, msg, storeRetryDelay)
			return
		}
	}
	n := len(prior) + 1
	if n > m.attempts {
		r.brk.releaseProbe()
		r.deadLetter(d, prior, "attempts exhausted; the last attempt was interrupted or its dead-letter publish failed", log.With("article", d.articleID))
		return
	}

	if r.ep.Protocol == ProtocolWebSub {
		if err := r.content(d); errors.Is(err, errContentLater) {
			// crier has not indexed the article yet: no request was made,
			// so no attempt is counted, up to a bound.
			r.brk.releaseProbe()
			if waits := d.meta.NumDelivered - uint64(len(prior)); waits >= maxContentWaits {
				r.deadLetter(d, prior, fmt.Sprintf("websub: article %s never appeared in crier's feeds (%d waits of %s)", d.articleID, waits, m.o.Timeout), log.With("article", d.articleID))
				return
			}
			log.Warn("websub: feed not ready; will retry", "article", d.articleID, "error", err)
			nak(log, msg, min(storeRetryDelay, m.o.Timeout))
			return
		}
		if !d.src.replay && r.unchanged(d) { // a replay is asked for: always sent
			r.brk.releaseProbe()
			r.settleUnchanged(d, n, log)
			return
		}
	}

	a, retryAfter := r.attempt(d, n)
	retry := a.Outcome != OutcomeSuccess && a.Outcome != OutcomeGone && a.Outcome != OutcomeInvalidBody && n < m.attempts
	var delay time.Duration
	if retry {
		delay = m.retryDelay(n, a.Outcome, a.Status, retryAfter)
		a.NextRetry = a.At.Add(delay)
	}
	m.record(r, d, a)
	if a.Outcome != OutcomeSuccess {
		log = log.With("article", d.articleID, "attempt", n, "status", a.Status, "latency_ms", a.LatencyMS)
	}

	switch {
	case a.Outcome == OutcomeSuccess:
		r.accepted(d)
		if err := msg.Ack(); err != nil {
			// The server will redeliver; receivers dedupe on webhook-id.
			log.Warn("webhook delivered but ack failed", "article", d.articleID, "error", err)
		} else {
			log.Debug("webhook delivered", "article", d.articleID, "attempt", n)
		}
		if n > 1 {
			ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
			defer cancel()
			if err := m.store.forgetAttempts(ctx, d.key(r.ep.Name)); err != nil {
				log.Debug("webhook: forget attempts", "article", d.articleID, "error", err)
			}
		}
		if r.brk.success() || r.failingSince.Load() != 0 {
			r.recovered(log)
		}
	case a.Outcome == OutcomeGone && r.ep.Protocol == ProtocolWebSub:
		if !r.unsubscribeGone(log) {
			nak(log, msg, 0) // disabled instead: it waits for a new subscribe
		}
	case a.Outcome == OutcomeGone:
		r.saveAttempts(d, append(prior, a), log)
		// Disabling stops this runner before the message comes back: it
		// waits for the endpoint to be enabled again.
		r.disable(log, "the receiver answered 410 Gone")
		nak(log, msg, 0)
	case retry:
		r.saveAttempts(d, append(prior, a), log)
		log.Warn("webhook attempt failed; will retry", "error", a.Error, "retry_in", delay)
		nak(log, msg, delay)
		if retryAfter > 0 && a.Outcome == OutcomeThrottled {
			r.brk.pause(now, min(retryAfter, m.o.MaxRetryAfter))
		}
		r.failed(now, log)
	default:
		r.deadLetter(d, append(prior, a), a.Error, log)
		if a.Outcome == OutcomeInvalidBody {
			// The message is at fault, not the endpoint.
			r.brk.releaseProbe()
		} else {
			r.failed(now, log)
		}
	}
}

// settleUnchanged acks a WebSub message whose feed the endpoint already
// has, and forgets the attempts of a retried one.
func (r *runner) settleUnchanged(d *message, n int, log *slog.Logger) {
	if err := d.msg.Ack(); err != nil {
		log.Debug("websub: ack of an unchanged feed failed", "article", d.articleID, "error", err)
	} else {
		log.Debug("websub: feed unchanged since the last delivery; not sent again", "article", d.articleID)
	}
	if n > 1 {
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		defer cancel()
		if err := r.m.store.forgetAttempts(ctx, d.key(r.ep.Name)); err != nil {
			log.Debug("webhook: forget attempts", "article", d.articleID, "error", err)
		}
	}
}

func (r *runner) saveAttempts(d *message, as []Attempt, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if err := r.m.store.saveAttempts(ctx, d.key(r.ep.Name), as); err != nil {
		// The attempt is not counted: one more than the schedule, at worst.
		log.Warn("webhook: cannot record attempt", "error", err)
	}
}

func nak(log *slog.Logger, msg jetstream.Msg, delay time.Duration) {
	if err := msg.NakWithDelay(delay); err != nil {
		log.Warn("webhook nak failed; redelivery after ack wait", "error", err)
	}
}

// spread adds up to 10% to d, so messages held by an open breaker do not
// all come back in the same instant.
func spread(d time.Duration) time.Duration {
	return d + time.Duration(rand.Int64N(int64(d/10)+1))
}

// wants applies the filters the server cannot: tags and stories.
func (r *runner) wants(d *message) bool {
	if len(r.ep.EventTypes) > 0 && !slices.Contains(r.ep.EventTypes, d.event) {
		return false
	}
	if len(r.ep.Tags) == 0 && len(r.ep.Stories) == 0 {
		return true
	}
	msg := d.msg
	var a struct {
		Tags    []string `json:"tags"`
		StoryID string   `json:"story_id"`
	}
	_ = json.Unmarshal(msg.Data(), &a)
	if a.StoryID == "" {
		a.StoryID = msg.Headers().Get(HeaderStoryID)
	}
	if len(r.ep.Stories) > 0 && !slices.Contains(r.ep.Stories, a.StoryID) {
		return false
	}
	same := strings.EqualFold
	if r.ep.Protocol == ProtocolWebSub {
		// A topic names a tag by its slug (/feeds/tag/emile-zola), as the
		// feeds index it.
		same = func(want, t string) bool { return article.Slug(want) == article.Slug(t) }
	}
	if len(r.ep.Tags) > 0 && !slices.ContainsFunc(a.Tags, func(t string) bool {
		return slices.ContainsFunc(r.ep.Tags, func(want string) bool { return same(want, t) })
	}) {
		return false
	}
	return true
}

// attempt POSTs one signed request and describes what happened, with the
// receiver's Retry-After when it sent one.
func (r *runner) attempt(d *message, n int) (Attempt, time.Duration) {
	m := r.m
	a := Attempt{
		Endpoint:  r.ep.Name,
		WebhookID: d.webhookID,
		ArticleID: d.articleID,
		N:         n,
		At:        m.o.Now().UTC(),
		Replay:    d.src.replay,
	}
	var (
		body   []byte
		header http.Header
		err    error
	)
	if r.ep.Protocol == ProtocolWebSub {
		body, header, err = r.websubRequest(d)
	} else {
		body, err = r.payload(d)
		if err == nil {
			ts := m.o.Now()
			header = http.Header{
				"Content-Type":      contentTypeJSON,
				"User-Agent":        m.userAgent,
				"Webhook-Id":        {d.webhookID},
				"Webhook-Timestamp": {strconv.FormatInt(ts.Unix(), 10)},
				"Webhook-Signature": {r.sign.header(d.webhookID, ts, body)},
			}
		}
	}
	if err != nil {
		a.Outcome, a.Error = OutcomeInvalidBody, err.Error()
		return a, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
	defer cancel()
	u := *r.url
	// Built by hand: http.NewRequest would parse the URL and canonicalize
	// each header name on every attempt. A *bytes.Reader (in a NopCloser)
	// lets net/http send the headers and the body in one write.
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           &u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		GetBody:       func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		ContentLength: int64(len(body)),
		Host:          u.Host,
	}).WithContext(ctx)

	start := time.Now()
	resp, err := m.client.Do(req)
	a.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		err = netguard.StripURL(err)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			a.Outcome, a.Error = OutcomeTimeout, fmt.Sprintf("POST %s: no response within %s", r.safeURL, m.o.Timeout)
		case errors.Is(err, errRefused):
			a.Outcome, a.Error = OutcomeRefused, fmt.Sprintf("POST %s: %v", r.safeURL, err)
		default:
			a.Outcome, a.Error = OutcomeConnection, fmt.Sprintf("POST %s: %v", r.safeURL, err)
		}
		return a, 0
	}
	defer resp.Body.Close()
	buf := responseBuffers.Get().(*[maxResponseBytes]byte)
	defer responseBuffers.Put(buf)
	n, rerr := io.ReadFull(resp.Body, buf[:])
	if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
		rerr = nil // a body shorter than the buffer
	}
	got := buf[:n]
	a.Status = resp.StatusCode
	a.Response = validPrefix(got)
	a.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	a.Outcome = classify(resp.StatusCode, resp.Header.Get("Retry-After") != "")
	if a.Outcome != OutcomeSuccess {
		a.Error = fmt.Sprintf("POST %s: %s", r.safeURL, describe(resp.StatusCode, got))
	} else if rerr != nil && errors.Is(rerr, context.DeadlineExceeded) {
		// A 2xx is a delivery even if its body was slow.
		r.log.Debug("webhook response body cut short", "error", rerr)
	}
	return a, parseRetryAfter(resp.Header.Get("Retry-After"), m.o.Now())
}

// classify turns an HTTP status into an outcome. Every failure but 410 is
// retried: a 4xx is as often a receiver being redeployed or rotating
// credentials as a permanent refusal, and the schedule bounds the cost.
func classify(status int, retryAfter bool) string {
	switch {
	case status >= 200 && status < 300:
		return OutcomeSuccess
	case status >= 300 && status < 400:
		return OutcomeRedirect
	case status == http.StatusGone:
		return OutcomeGone
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable && retryAfter:
		return OutcomeThrottled
	}
	return OutcomeHTTPError
}

// describe is a failed response as one line: status and body snippet.
func describe(status int, body []byte) string {
	s := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if status >= 300 && status < 400 {
		return s + " (redirects are not followed)"
	}
	if sn := snippet(body); sn != "" {
		s += ": " + sn
	}
	return s
}

// validPrefix is the longest valid UTF-8 start of b, as a string: a
// rune cut by the read limit, or a binary body, ends it.
func validPrefix(b []byte) string {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return string(b[:i])
		}
		i += size
	}
	return string(b)
}

// snippet is the start of a response body on one line, fit for a log
// attribute or a NATS header.
func snippet(b []byte) string {
	if len(b) > maxSnippet {
		b = b[:maxSnippet]
	}
	return oneLine(validPrefix(b))
}

// oneLine replaces control characters and collapses white space: a CR or
// LF would corrupt a NATS header.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
