package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/crier/crier/article"
)

// What the index window (window.go) no longer holds is read from the
// stream when asked for: an article's page through the publisher's record
// of the article, an archive day by reading the messages of that day,
// and the archive links of a feed by stepping from day to day.

const (
	// daySlack widens a day's read: replicas' clocks differ, so articles
	// reach the stream nearly, not exactly, in the order of ingestion.
	daySlack = time.Minute
	// maxHistorySteps bounds the days with messages a search for a feed's
	// previous or next archive reads: a feed with no item in that many
	// days of news has its archive chain cut there.
	maxHistorySteps = 62
	// keptDays is how many days of entries history keeps decoded, for the
	// documents of one day in several feeds and formats and for the
	// searches.
	keptDays = 8
	// fetchBatch is how many messages a read of the stream asks for at once.
	fetchBatch = 256
)

// history reads the article stream and the publisher's article records.
type history struct {
	js     jetstream.JetStream
	st     jetstream.Stream
	stream string
	bucket string

	mu      sync.Mutex
	records jetstream.KeyValue // opened on first use; the publisher makes it
	days    map[string][]*entry
	recent  []string // the keys of days, least recently used first
	kept    int      // entries in days
}

func newHistory(js jetstream.JetStream, st jetstream.Stream, stream, bucket string) *history {
	return &history{js: js, st: st, stream: stream, bucket: bucket, days: make(map[string][]*entry)}
}

// record is what feeds reads of the publisher's record of an article
// (publisher/revision.go, articleRecord): where its newest revision is on
// the stream, and whether it was retracted.
type record struct {
	Seq       uint64    `json:"seq"`
	Retracted time.Time `json:"retracted"`
}

// errNoRecord: the publisher has no record of the article.
var errNoRecord = errors.New("no record")

// record reads the record of article id; errNoRecord when there is none
// (or no bucket to read it from).
func (h *history) record(ctx context.Context, id string) (record, error) {
	var rec record
	kv, err := h.bucketKV(ctx)
	if err != nil {
		return rec, err
	}
	if kv == nil {
		return rec, errNoRecord
	}
	e, err := kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return rec, errNoRecord // an id no article has
	}
	if err != nil {
		return rec, fmt.Errorf("feeds: record of %s: %w", id, err)
	}
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return rec, fmt.Errorf("feeds: record of %s: %w", id, err)
	}
	return rec, nil
}

func (h *history) bucketKV(ctx context.Context) (jetstream.KeyValue, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.records != nil || h.bucket == "" {
		return h.records, nil
	}
	kv, err := h.js.KeyValue(ctx, h.bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feeds: bucket %s: %w", h.bucket, err)
	}
	h.records = kv
	return kv, nil
}

// message reads the article at stream sequence seq.
func (h *history) message(ctx context.Context, seq uint64) (*article.Article, error) {
	m, err := h.st.GetMsg(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("feeds: read sequence %d: %w", seq, err)
	}
	var a article.Article
	if err := json.Unmarshal(m.Data, &a); err != nil {
		return nil, fmt.Errorf("feeds: sequence %d: %w", seq, err)
	}
	if a.Ingested.IsZero() {
		a.Ingested = m.Time
	}
	return &a, nil
}

// scan calls fn with the stream's messages from sequence from on, in
// order, until fn returns false or the messages end: batched direct gets
// (nats-server 2.11+; one get per message before), no consumer.
func (h *history) scan(ctx context.Context, from uint64, fn func(seq uint64, at time.Time, data []byte) bool) error {
	from = max(from, 1)
	for {
		msgs, err := jetstreamext.GetBatch(ctx, h.js, h.stream, fetchBatch, jetstreamext.GetBatchSeq(from))
		if err != nil {
			return fmt.Errorf("feeds: read %s from sequence %d: %w", h.stream, from, err)
		}
		n := 0
		for m, err := range msgs {
			switch {
			case errors.Is(err, jetstreamext.ErrNoMessages):
				return nil
			case errors.Is(err, jetstreamext.ErrBatchUnsupported):
				return h.scanEach(ctx, from, fn)
			case err != nil:
				return fmt.Errorf("feeds: read %s from sequence %d: %w", h.stream, from, err)
			}
			n++
			from = m.Sequence + 1
			if !fn(m.Sequence, m.Time, m.Data) {
				return nil
			}
		}
		if n == 0 {
			return nil
		}
	}
}

// scanEach is scan for servers without batched direct gets.
func (h *history) scanEach(ctx context.Context, from uint64, fn func(seq uint64, at time.Time, data []byte) bool) error {
	info, err := h.st.Info(ctx)
	if err != nil {
		return fmt.Errorf("feeds: stream %s info: %w", h.stream, err)
	}
	for seq := from; seq <= info.State.LastSeq; seq++ {
		m, err := h.st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("feeds: read sequence %d: %w", seq, err)
		}
		if !fn(seq, m.Time, m.Data) {
			return nil
		}
	}
	return nil
}

// ingestedAt returns when the message at seq was ingested (its archive
// day's time); false when that message was deleted.
func (h *history) ingestedAt(ctx context.Context, seq uint64) (time.Time, bool, error) {
	m, err := h.st.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("feeds: read sequence %d: %w", seq, err)
	}
	return ingestedOf(m.Header, m.Data, m.Time), true, nil
}

// ingestedOf is a message's ingestion time: its article's, from the
// CloudEvents header crier's publisher sets (no need to decode the body),
// else from the body, else the stream's timestamp (as handle does).
func ingestedOf(h nats.Header, data []byte, at time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, h.Get("ce-time")); err == nil {
		return t
	}
	var a struct {
		Ingested time.Time `json:"ingested"`
	}
	if json.Unmarshal(data, &a) != nil || a.Ingested.IsZero() {
		return at
	}
	return a.Ingested
}

// seqAt returns the stream's first and last sequences, and the first
// sequence whose message was ingested at t or later (last+1 when none):
// a binary search, articles reaching the stream in the order of their
// ingestion.
func (h *history) seqAt(ctx context.Context, t time.Time) (first, last, seq uint64, err error) {
	info, err := h.st.Info(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("feeds: stream %s info: %w", h.stream, err)
	}
	first, last = info.State.FirstSeq, info.State.LastSeq
	lo, hi := first, last+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		at, ok := time.Time{}, false
		probe := mid
		for ; probe < hi && !ok; probe++ { // a deleted message: the next one
			if at, ok, err = h.ingestedAt(ctx, probe); err != nil {
				return 0, 0, 0, err
			}
		}
		switch {
		case !ok: // nothing left before hi
			hi = mid
		case at.Before(t):
			lo = probe
		default:
			hi = mid
		}
	}
	return first, last, lo, nil
}

// lastBefore returns when the last message before sequence seq, from
// first on, was ingested (deleted ones skipped); the zero time when none.
func (h *history) lastBefore(ctx context.Context, first, seq uint64) (time.Time, error) {
	for s := seq - 1; s >= max(first, 1) && s < seq; s-- {
		at, ok, err := h.ingestedAt(ctx, s)
		if err != nil || ok {
			return at, err
		}
	}
	return time.Time{}, nil
}

// dayStart is the first instant of archive day d.
func dayStart(d string) time.Time {
	t, _ := time.Parse(dayLayout, d)
	return t
}

// nextDay returns the first day after d on which an article was ingested;
// "" when none.
func (h *history) nextDay(ctx context.Context, d string) (string, error) {
	_, last, seq, err := h.seqAt(ctx, dayStart(d).AddDate(0, 0, 1))
	for ; err == nil && seq <= last; seq++ {
		at, ok, err := h.ingestedAt(ctx, seq)
		if err != nil || ok {
			return dayOf(at), err
		}
	}
	return "", err
}

// prevDay returns the last day before d on which an article was
// ingested; "" when none.
func (h *history) prevDay(ctx context.Context, d string) (string, error) {
	first, _, seq, err := h.seqAt(ctx, dayStart(d))
	if err != nil {
		return "", err
	}
	at, err := h.lastBefore(ctx, first, seq)
	if err != nil || at.IsZero() {
		return "", err
	}
	return dayOf(at), nil
}

// firstRevisions returns the articles first ingested on day d, as their
// first revisions were published (not the newest: see resolve), newest
// first. A day that is over is kept for the next calls, unless it has more
// articles than the index holds. (A day still running is out of the index
// only when it brings more than that, so keeping it would not bound memory.)
func (s *Service) firstRevisions(ctx context.Context, d string) ([]*entry, error) {
	h := s.hist
	h.mu.Lock()
	if es, ok := h.days[d]; ok {
		h.recent = append(slices.DeleteFunc(h.recent, func(x string) bool { return x == d }), d)
		h.mu.Unlock()
		return es, nil
	}
	h.mu.Unlock()
	end := dayStart(d).AddDate(0, 0, 1).Add(daySlack)
	_, _, from, err := h.seqAt(ctx, dayStart(d).Add(-daySlack))
	if err != nil {
		return nil, err
	}
	var es []*entry
	err = h.scan(ctx, from, func(seq uint64, at time.Time, data []byte) bool {
		var a article.Article
		if json.Unmarshal(data, &a) != nil {
			return true
		}
		if a.Ingested.IsZero() {
			a.Ingested = at
		}
		if a.Ingested.After(end) {
			return false
		}
		if a.ID == "" || a.RevisionOf() > 1 || !a.Retracted.IsZero() {
			return true
		}
		if dayOf(a.Ingested) == d {
			e := s.newEntry(&a, seq)
			e.day = d
			es = append(es, e)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(es, newer)
	if time.Now().Before(end) || (s.opts.MaxArticles > 0 && len(es) > s.opts.MaxArticles) {
		return es, nil // may gain articles, or too big to keep
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.days[d]; ok { // read meanwhile by another call
		return es, nil
	}
	h.days[d] = es
	h.recent = append(h.recent, d)
	h.kept += len(es)
	// At most keptDays days, and no more entries than the index holds.
	for len(h.recent) > 1 && (len(h.recent) > keptDays || (s.opts.MaxArticles > 0 && h.kept > s.opts.MaxArticles)) {
		h.kept -= len(h.days[h.recent[0]])
		delete(h.days, h.recent[0])
		h.recent = h.recent[1:]
	}
	return es, nil
}

// resolve returns the newest revision of the article whose first revision
// is e, on e's archive day; false when it was retracted.
func (s *Service) resolve(ctx context.Context, e *entry) (*entry, bool, error) {
	if cur, ok := s.lookup(e.id); ok {
		return cur, true, nil
	}
	if _, gone := s.retracted(e.id); gone {
		return nil, false, nil
	}
	rec, err := s.hist.record(ctx, e.id)
	switch {
	case errors.Is(err, errNoRecord):
		return e, true, nil
	case err != nil:
		return nil, false, err
	case !rec.Retracted.IsZero():
		return nil, false, nil
	case rec.Seq <= e.seq:
		return e, true, nil
	}
	cur, t, err := s.entryAt(ctx, s.hist, e.id, rec.Seq)
	if err != nil || t != nil {
		return nil, false, ignoreNotFound(err)
	}
	cur.day = e.day
	return cur, true, nil
}

// ignoreNotFound is err, nil when it says errNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// entryAt reads article id's revision at stream sequence seq (the
// publisher's record says where): its entry, with no archive day, or its
// tombstone; errNotFound when that message is not article id's.
func (s *Service) entryAt(ctx context.Context, h *history, id string, seq uint64) (*entry, *tombstone, error) {
	a, err := h.message(ctx, seq)
	if err != nil {
		return nil, nil, err
	}
	if a.ID != id {
		return nil, nil, errNotFound
	}
	if !a.Retracted.IsZero() {
		return nil, &tombstone{id: id, seq: seq, revision: a.RevisionOf(), at: a.Retracted.UTC(), reason: cleanLine(a.RetractionReason)}, nil
	}
	e := s.newEntry(a, seq)
	e.day = ""
	return e, nil, nil
}

// historyItems returns feed k's items of archive day d, read from the
// stream: the newest revision of each article first ingested that day,
// newest first.
func (s *Service) historyItems(ctx context.Context, k feedKey, d string) ([]*entry, error) {
	firsts, err := s.firstRevisions(ctx, d)
	if err != nil {
		return nil, err
	}
	var items []*entry
	for _, e := range firsts {
		cur, ok, err := s.resolve(ctx, e)
		if err != nil {
			return nil, err
		}
		if ok && slices.Contains(cur.keys(), k) {
			items = append(items, cur)
		}
	}
	slices.SortFunc(items, newer)
	return items, nil
}

// hasItems reports whether feed k has an item on day d: what the
// archive links of a day out of the index need. Only the articles whose
// first revision was in k are resolved, until one still is.
func (s *Service) hasItems(ctx context.Context, k feedKey, d string) (bool, error) {
	firsts, err := s.firstRevisions(ctx, d)
	if err != nil {
		return false, err
	}
	for _, e := range firsts {
		if !slices.Contains(e.keys(), k) {
			continue
		}
		cur, ok, err := s.resolve(ctx, e)
		if err != nil {
			return false, err
		}
		if ok && slices.Contains(cur.keys(), k) {
			return true, nil
		}
	}
	return false, nil
}

// historyPrev returns the last day before d, at most the floor day, on
// which feed k has items by the stream; "" when none within
// maxHistorySteps days with messages.
func (s *Service) historyPrev(ctx context.Context, k feedKey, d string) (string, error) {
	for range maxHistorySteps {
		p, err := s.hist.prevDay(ctx, d)
		if err != nil || p == "" {
			return "", err
		}
		if ok, err := s.hasItems(ctx, k, p); err != nil || ok {
			return p, err
		}
		d = p
	}
	return "", nil
}

// historyNext returns the first day after d, up to floor, on which feed
// k has items by the stream; "" when none.
func (s *Service) historyNext(ctx context.Context, k feedKey, d, floor string) (string, error) {
	for range maxHistorySteps {
		n, err := s.hist.nextDay(ctx, d)
		if err != nil || n == "" || n > floor {
			return "", err
		}
		if ok, err := s.hasItems(ctx, k, n); err != nil || ok {
			return n, err
		}
		d = n
	}
	return "", nil
}

// history returns what reads the stream, once Run has started; nil before.
func (s *Service) history() *history {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hist
}

// loadArticle finds an article out of the index by the publisher's record:
// its newest revision, or its tombstone when it was retracted.
func (s *Service) loadArticle(ctx context.Context, id string) (*entry, *tombstone, error) {
	h := s.history()
	if h == nil {
		return nil, nil, errNotFound
	}
	rec, err := h.record(ctx, id)
	if errors.Is(err, errNoRecord) || (err == nil && rec.Seq == 0) {
		return nil, nil, errNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return s.entryAt(ctx, h, id, rec.Seq)
}
