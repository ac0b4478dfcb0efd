package subscribers

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// DeadLetter is the body of a message on the dead-letter stream: the
// message as it was published, and every attempt made at it.
type DeadLetter struct {
	// Seq is the dead letter's own sequence, filled in when listing.
	Seq        uint64    `json:"seq,omitempty"`
	Endpoint   string    `json:"endpoint"`
	WebhookID  string    `json:"webhook_id"`
	ArticleID  string    `json:"article_id"`
	Stream     string    `json:"stream"`
	StreamSeq  uint64    `json:"stream_seq"`
	Subject    string    `json:"subject"`
	StreamTime time.Time `json:"stream_time"`
	StoryID    string    `json:"story_id,omitempty"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"dead_lettered_at"`
	Attempts   []Attempt `json:"attempts"`
	// Message is the article (or event) exactly as published.
	Message json.RawMessage `json:"message"`
}

// deadLetter publishes the message and its attempts to the endpoint's
// dead-letter subject and, once the server has stored it, terminates the
// original and forgets its attempts.
func (r *runner) deadLetter(d *message, attempts []Attempt, reason string, log *slog.Logger) {
	m := r.m
	if reason == "" {
		reason = "unknown error"
	}
	msg := d.msg
	original := msg.Headers().Get(HeaderOriginalSubject)
	if original == "" {
		original = msg.Subject()
	}
	dl := DeadLetter{
		Endpoint:   r.ep.Name,
		WebhookID:  d.webhookID,
		ArticleID:  d.articleID,
		Stream:     d.src.stream,
		StreamSeq:  d.meta.Sequence.Stream,
		Subject:    original,
		StreamTime: d.streamTime.UTC(),
		StoryID:    msg.Headers().Get(HeaderStoryID),
		Reason:     reason,
		At:         m.o.Now().UTC(),
		Attempts:   attempts,
		Message:    json.RawMessage(msg.Data()),
	}
	if !json.Valid(dl.Message) {
		b, _ := json.Marshal(string(msg.Data()))
		dl.Message = b
	}
	body, err := json.Marshal(dl)
	if err != nil {
		log.Error("webhook: encode dead letter", "error", err)
		return
	}
	out := &nats.Msg{Subject: m.o.Topology.DeadLetterSubject(r.ep.Name), Data: body, Header: nats.Header{}}
	out.Header.Set(HeaderEndpoint, r.ep.Name)
	out.Header.Set(HeaderError, oneLine(reason))
	out.Header.Set(HeaderAttempts, strconv.Itoa(len(attempts)))
	out.Header.Set(HeaderOriginalSubject, original)
	out.Header.Set(HeaderStreamSeq, strconv.FormatUint(d.meta.Sequence.Stream, 10))
	out.Header.Set(HeaderArticleID, d.articleID)
	// Dedupes a repeat after a crash between this publish and the Term.
	out.Header.Set(nats.MsgIdHdr, r.ep.Name+":"+d.src.stream+":"+strconv.FormatUint(d.meta.Sequence.Stream, 10))

	ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
	defer cancel()
	if _, err := m.js.PublishMsg(ctx, out); err != nil {
		log.Error("webhook dead-letter publish failed; will retry", "error", err, "cause", reason, "retry_in", deadLetterRetryDelay)
		nak(log, msg, deadLetterRetryDelay)
		return
	}
	if err := msg.TermWithReason("dead-lettered to " + out.Subject); err != nil {
		log.Error("webhook dead-lettered but term failed", "error", err)
	}
	if err := m.store.forgetAttempts(ctx, d.key(r.ep.Name)); err != nil {
		log.Debug("webhook: forget attempts", "error", err)
	}
	if m.metrics != nil {
		m.metrics.deadLetters.WithLabelValues(r.ep.Name).Inc()
	}
	log.Error("webhook attempts exhausted; dead-lettered", "error", reason, "subject", out.Subject, "attempts", len(attempts))
}
