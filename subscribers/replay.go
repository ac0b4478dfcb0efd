package subscribers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// replay is one message queued for redelivery to one endpoint.
type replay struct {
	endpoint   string
	articleID  string
	msgID      string // the original Nats-Msg-Id
	subject    string
	streamSeq  uint64
	streamTime time.Time
	storyID    string
	data       []byte
}

// replayable refuses replays to the events webhook, which has no replay
// consumer, and to unknown endpoints.
func (m *Manager) replayable(ctx context.Context, endpoint string) (Endpoint, error) {
	if endpoint == EventsEndpointName {
		return Endpoint{}, fmt.Errorf("%w: the events webhook takes no replays", ErrInvalid)
	}
	return m.lookup(ctx, endpoint)
}

// enqueue publishes replays to their endpoints' replay subjects and waits
// for the server to store them all.
func (m *Manager) enqueue(ctx context.Context, rs []replay) (int, error) {
	var futures []jetstream.PubAckFuture
	for _, r := range rs {
		msg := &nats.Msg{Subject: m.o.Topology.ReplaySubject(r.endpoint), Data: r.data, Header: nats.Header{}}
		// The message id travels in its own header: as Nats-Msg-Id it
		// would make the server drop a second replay as a duplicate.
		msg.Header.Set(HeaderArticleID, r.articleID)
		msg.Header.Set(HeaderMsgID, r.msgID)
		msg.Header.Set(HeaderStreamTime, r.streamTime.UTC().Format(time.RFC3339Nano))
		msg.Header.Set(HeaderOriginalSubject, r.subject)
		msg.Header.Set(HeaderStreamSeq, strconv.FormatUint(r.streamSeq, 10))
		if r.storyID != "" {
			msg.Header.Set(HeaderStoryID, r.storyID)
		}
		f, err := m.js.PublishMsgAsync(msg)
		if err != nil {
			return 0, fmt.Errorf("subscribers: queue replay: %w", err)
		}
		futures = append(futures, f)
	}
	n := 0
	for _, f := range futures {
		select {
		case <-f.Ok():
			n++
		case err := <-f.Err():
			return n, fmt.Errorf("subscribers: queue replay: %w", err)
		case <-ctx.Done():
			return n, fmt.Errorf("subscribers: queue replay: %w", ctx.Err())
		}
	}
	return n, nil
}

// ReplayDeadLetter queues one dead letter, by its sequence in the
// dead-letter stream, for redelivery to its endpoint. The receiver gets
// the same body and webhook-id as on the first attempts.
func (m *Manager) ReplayDeadLetter(ctx context.Context, seq uint64) error {
	if _, err := m.running(); err != nil {
		return err
	}
	s, err := m.js.Stream(ctx, m.o.Topology.DeadLetterStream)
	if err != nil {
		return fmt.Errorf("subscribers: dead letters: %w", err)
	}
	raw, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return fmt.Errorf("dead letter %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("subscribers: dead letter %d: %w", seq, err)
	}
	var dl DeadLetter
	if err := json.Unmarshal(raw.Data, &dl); err != nil || dl.Endpoint == "" {
		return fmt.Errorf("%w: dead letter %d is not one crier wrote", ErrInvalid, seq)
	}
	if _, err := m.replayable(ctx, dl.Endpoint); err != nil {
		return err
	}
	_, err = m.enqueue(ctx, []replay{fromDeadLetter(dl)})
	return err
}

func fromDeadLetter(dl DeadLetter) replay {
	return replay{
		endpoint: dl.Endpoint, articleID: dl.ArticleID, subject: dl.Subject,
		msgID:     cmp.Or(strings.TrimPrefix(dl.WebhookID, "msg_"), dl.ArticleID),
		streamSeq: dl.StreamSeq, streamTime: dl.StreamTime, storyID: dl.StoryID, data: dl.Message,
	}
}

// ReplayFailures queues every dead letter since a time, of one endpoint or
// of all (""), for redelivery. It returns how many were queued.
func (m *Manager) ReplayFailures(ctx context.Context, endpoint string, since time.Time) (int, error) {
	if _, err := m.deadLetterFilter(endpoint); err != nil {
		return 0, err
	}
	if endpoint != "" {
		if _, err := m.replayable(ctx, endpoint); err != nil {
			return 0, err
		}
	}
	var rs []replay
	err := m.scanDeadLetters(ctx, endpoint, since, func(dl DeadLetter) {
		if dl.Endpoint != EventsEndpointName {
			rs = append(rs, fromDeadLetter(dl))
		}
	})
	if err != nil {
		return 0, err
	}
	return m.enqueue(ctx, rs)
}

// ReplayRange queues the articles that entered the stream in [from, to]
// and match the endpoint's filters, for delivery to that endpoint alone:
// a new endpoint can back-fill history. It returns how many were queued.
func (m *Manager) ReplayRange(ctx context.Context, endpoint string, from, to time.Time) (int, error) {
	ep, err := m.replayable(ctx, endpoint)
	if err != nil {
		return 0, err
	}
	if to.Before(from) {
		return 0, fmt.Errorf("%w: the range ends before it starts", ErrInvalid)
	}
	top := m.o.Topology
	var rs []replay
	total := 0
	var queueErr error
	err = m.scan(ctx, top.ArticleStream, sinceTime(filterSubjects(top, ep.Languages, ep.Sources), from), func(msg jetstream.Msg) bool {
		meta, err := msg.Metadata()
		if err != nil || meta.Timestamp.After(to) {
			return false
		}
		h := msg.Headers()
		id := cmp.Or(h.Get(nats.MsgIdHdr), "seq"+strconv.FormatUint(meta.Sequence.Stream, 10))
		rs = append(rs, replay{
			endpoint: endpoint, articleID: cmp.Or(h.Get("ce-subject"), id), msgID: id, subject: msg.Subject(), streamSeq: meta.Sequence.Stream,
			streamTime: meta.Timestamp, storyID: msg.Headers().Get(HeaderStoryID), data: msg.Data(),
		})
		if len(rs) == 1000 {
			n, qerr := m.enqueue(ctx, rs)
			total += n
			rs = rs[:0]
			if qerr != nil {
				queueErr = qerr
				return false
			}
		}
		return true
	})
	if err = errors.Join(err, queueErr); err != nil {
		return total, err
	}
	n, err := m.enqueue(ctx, rs)
	return total + n, err
}
