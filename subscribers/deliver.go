package subscribers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a dead-lettered message, besides Nats-Msg-Id.
const (
	HeaderEndpoint        = "Crier-Endpoint"
	HeaderError           = "Crier-Error"
	HeaderAttempts        = "Crier-Attempts"
	HeaderOriginalSubject = "Crier-Original-Subject"
	HeaderStreamSeq       = "Crier-Stream-Seq"
)

const (
	// maxResponseBytes is how much of a response body is read; the rest is
	// discarded with the connection rather than trusted to be small.
	maxResponseBytes = 4 << 10
	// maxSnippet is how much of an error response goes into the error.
	maxSnippet = 200
)

// deliver makes one attempt at msg for ep and settles it: Ack on success,
// NakWithDelay while attempts remain, dead letter and Term after the last.
func (m *Manager) deliver(ep *endpoint, msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		ep.log.Error("webhook: message without JetStream metadata", "error", err)
		_ = msg.Term()
		return
	}
	articleID := msg.Headers().Get(nats.MsgIdHdr)
	if articleID == "" {
		// Still stable across retries and restarts.
		articleID = "seq" + strconv.FormatUint(meta.Sequence.Stream, 10)
	}
	attempt := int(meta.NumDelivered)
	log := ep.log.With("article", articleID, "attempt", attempt)

	if attempt > m.attempts {
		// Past the last attempt (see consumerConfig): it never settled, or
		// its dead-letter publish failed.
		m.deadLetter(ep, msg, meta, articleID, m.attempts,
			errors.New("attempts exhausted; the last attempt was interrupted or its dead-letter publish failed"), log)
		return
	}

	start := m.o.Now()
	status, retryable, err := m.attempt(ep, "msg_"+articleID, msg.Data(), meta.Timestamp)
	log = log.With("status", status, "duration", m.o.Now().Sub(start))

	switch {
	case err == nil:
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		defer cancel()
		if err := msg.DoubleAck(ctx); err != nil {
			// The server will redeliver; receivers dedupe on webhook-id.
			log.Warn("webhook delivered but ack failed", "error", err)
			return
		}
		log.Info("webhook delivered")
	case retryable && attempt < m.attempts:
		delay := m.o.RetrySchedule[attempt-1]
		log.Warn("webhook attempt failed; will retry", "error", err, "retry_in", delay)
		if err := msg.NakWithDelay(delay); err != nil {
			log.Warn("webhook nak failed; redelivery after ack wait", "error", err)
		}
	default:
		m.deadLetter(ep, msg, meta, articleID, attempt, err, log)
	}
}

// attempt POSTs one signed request. It reports the HTTP status (0 when
// there was no response) and, on failure, whether trying again could help.
func (m *Manager) attempt(ep *endpoint, webhookID string, article []byte, streamTime time.Time) (status int, retryable bool, err error) {
	body, err := payload(streamTime, article)
	if err != nil {
		return 0, false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url.String(), bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("POST %s: %w", ep.safeURL, unwrapURLError(err))
	}
	ts := m.o.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", m.o.UserAgent)
	req.Header.Set("webhook-id", webhookID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(ep.key, webhookID, ts, body))

	resp, err := m.client.Do(req)
	if err != nil {
		err = unwrapURLError(err)
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, true, fmt.Errorf("POST %s: no response within %s: %w", ep.safeURL, m.o.Timeout, err)
		}
		return 0, true, fmt.Errorf("POST %s: %w", ep.safeURL, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	retryable, err = classify(resp.StatusCode, snippet)
	if err != nil {
		err = fmt.Errorf("POST %s: %w", ep.safeURL, err)
	}
	return resp.StatusCode, retryable, err
}

// classify turns an HTTP status into an outcome. Every failure is
// retryable: a 4xx is as often a receiver being redeployed or rotating
// credentials as a permanent refusal, and the schedule bounds the cost.
func classify(status int, body []byte) (retryable bool, err error) {
	switch {
	case status >= 200 && status < 300:
		return false, nil
	case status >= 300 && status < 400:
		return true, fmt.Errorf("HTTP %d %s (redirects are not followed)", status, http.StatusText(status))
	}
	err = fmt.Errorf("HTTP %d %s", status, http.StatusText(status))
	if s := snippet(body); s != "" {
		err = fmt.Errorf("%w: %s", err, s)
	}
	return true, err
}

// unwrapURLError drops *url.Error, whose message carries the full URL
// (query included), so callers can prefix the redacted one instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// snippet is the start of a response body on one line, fit for a log
// attribute or a NATS header.
func snippet(b []byte) string {
	if len(b) > maxSnippet {
		b = b[:maxSnippet]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return oneLine(string(b))
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

// deadLetter publishes the original message to the endpoint's dead-letter
// subject and, once the server has stored it, terminates the original.
func (m *Manager) deadLetter(ep *endpoint, msg jetstream.Msg, meta *jetstream.MsgMetadata, articleID string, attempts int, cause error, log *slog.Logger) {
	if cause == nil {
		cause = errors.New("unknown error")
	}
	dl := &nats.Msg{
		Subject: m.o.Topology.DeadLetterSubject(ep.Name),
		Data:    msg.Data(),
		Header:  nats.Header{},
	}
	dl.Header.Set(HeaderEndpoint, ep.Name)
	dl.Header.Set(HeaderError, oneLine(cause.Error()))
	dl.Header.Set(HeaderAttempts, strconv.Itoa(attempts))
	dl.Header.Set(HeaderOriginalSubject, msg.Subject())
	dl.Header.Set(HeaderStreamSeq, strconv.FormatUint(meta.Sequence.Stream, 10))
	// Dedupes a repeat after a crash between this publish and the Term.
	dl.Header.Set(nats.MsgIdHdr, ep.Name+":"+articleID)

	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if _, err := m.js.PublishMsg(ctx, dl); err != nil {
		log.Error("webhook dead-letter publish failed; will retry", "error", err, "cause", cause, "retry_in", deadLetterRetryDelay)
		if err := msg.NakWithDelay(deadLetterRetryDelay); err != nil {
			log.Error("webhook nak after failed dead-letter publish failed", "error", err)
		}
		return
	}
	if err := msg.TermWithReason("dead-lettered to " + dl.Subject); err != nil {
		log.Error("webhook dead-lettered but term failed", "error", err)
	}
	log.Error("webhook attempts exhausted; dead-lettered", "error", cause, "subject", dl.Subject, "attempts", attempts)
}
