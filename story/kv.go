package story

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// BucketMargin is added to the window for the KV bucket's TTL: a key not
// updated for Window+BucketMargin holds nothing a match could use.
const BucketMargin = 24 * time.Hour

// BucketConfig is the configuration of a KV bucket for a KVIndex with the
// given window: history 1 and a TTL of window+BucketMargin, so the bucket
// holds the window, not the archive.
func BucketConfig(bucket string, window time.Duration, replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      bucket,
		Description: "crier: near-duplicate and story index",
		History:     1,
		TTL:         window + BucketMargin,
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	}
}

// KVIndex is an Index in a JetStream key-value bucket, shared by every
// crier replica. A record is one key, "a.<id>", written once per article
// with its postings (ID, time, cutoff and keys) in headers; the posting
// lists themselves are held in memory, built from the bucket's records at
// start and kept current by following it, so an addition is one write and
// a lookup none. Earlier versions wrote each posting list as a key of its
// own, rewritten by compare-and-set (about twenty writes per article, half
// of ingestion's cost); those keys are no longer read and expire with the
// bucket's TTL.
type KVIndex struct {
	kv      jetstream.KeyValue
	js      jetstream.JetStream
	stream  jetstream.Stream // the bucket's stream, "KV_<bucket>"
	prefix  string           // the subject of a key, before the key
	window  time.Duration
	log     *slog.Logger
	batched atomic.Bool // false once the server refused a batched direct get (before nats-server 2.11): reads fall back to one Get per key.

	mu       sync.Mutex
	postings *postingSet
	// applied is the stream sequence of the last record the follower
	// applied; advanced is closed and replaced when it moves.
	applied  uint64
	advanced chan struct{}
	// startSeq is the last record when the index was opened, at opened;
	// read says the follower has applied it.
	startSeq uint64
	opened   time.Time
	read     bool
	// records holds decoded records by key, at the revision read: a
	// match decodes its ten candidates' records, the same recent articles
	// match after match, and decoding them was a third of its time.
	records map[string]cachedRecord
}

// KVOptions configures a KVIndex.
type KVOptions struct {
	// Window is the story window; the bucket's TTL must be at least that.
	Window time.Duration
	// MaxPostings bounds each posting list (DefaultMaxPostings if <= 0).
	MaxPostings int
	// MaxArticles bounds the articles whose postings are held in memory
	// (DefaultMaxArticles if 0, no bound but the window if < 0): past it,
	// the oldest leave the index before their window ends.
	MaxArticles int
	Logger      *slog.Logger
}

// DefaultMaxArticles is the default KVOptions.MaxArticles: a week's window
// of about 4,000 articles a day, in some 45 MB.
const DefaultMaxArticles = 30_000

// Headers of a record's message that carry its postings, so that following
// the bucket needs no decoding of the record.
const (
	// hdrPosting is "<published> <cutoff> <id>", times in Unix seconds.
	hdrPosting = "Crier-Story-Posting"
	// hdrKeys is the keys it is posted under, separated by spaces.
	hdrKeys = "Crier-Story-Keys"
)

// cachedRecord is a record as decoded from one revision of its key.
type cachedRecord struct {
	rec Record
	rev uint64
}

// maxRecords bounds the decoded records kept (about 5 KB each); the cache
// is emptied when full.
const maxRecords = 2048

// NewKVIndex returns an index on kv, a bucket of js, reading the postings
// of the bucket's records (at most o.MaxArticles of the newest) in the
// background: lookups wait until it has. It follows the bucket for other
// replicas' records until js's connection closes. The bucket must have a TTL of at least the window (see
// BucketConfig), or it would grow with the archive.
func NewKVIndex(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, o KVOptions) (*KVIndex, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("story: kv status: %w", err)
	}
	if st.TTL() <= 0 || st.TTL() < o.Window {
		return nil, fmt.Errorf("story: kv bucket %s: TTL %v, want at least the window %v", st.Bucket(), st.TTL(), o.Window)
	}
	stream, err := js.Stream(ctx, "KV_"+st.Bucket())
	if err != nil {
		return nil, fmt.Errorf("story: kv stream: %w", err)
	}
	if o.MaxArticles == 0 {
		o.MaxArticles = DefaultMaxArticles
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	x := &KVIndex{
		kv:       kv,
		js:       js,
		stream:   stream,
		prefix:   "$KV." + st.Bucket() + ".",
		window:   o.Window,
		log:      o.Logger,
		postings: newPostingSet(o.MaxPostings, o.MaxArticles),
		advanced: make(chan struct{}),
		records:  make(map[string]cachedRecord),
	}
	x.batched.Store(true)
	// The first lookups wait for the last record of the start, found
	// once, rather than chasing records one by one; the replica's start
	// does not.
	last, err := stream.GetLastMsgForSubject(ctx, x.prefix+"a.>")
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
	case err != nil:
		return nil, fmt.Errorf("story: reading the index: %w", err)
	default:
		x.startSeq = last.Sequence
	}
	x.opened = time.Now()
	if err := x.follow(ctx, stream.CachedInfo().State.LastSeq, o.MaxArticles); err != nil {
		return nil, err
	}
	return x, nil
}

// follow starts applying the bucket's records from the newest limit of
// the last sequence (all if limit <= 0), in the background.
func (x *KVIndex) follow(ctx context.Context, last uint64, limit int) error {
	// Headers only: they carry the postings; a record of an earlier
	// version, without them, is read whole (postingOf).
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{x.prefix + "a.>"}, HeadersOnly: true}
	if limit > 0 && last > uint64(limit) {
		// Only records are written now, so the last limit messages hold the
		// newest limit records (fewer while keys of earlier versions remain).
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = last - uint64(limit) + 1
		x.applied = cfg.OptStartSeq - 1 // what lies before is left out
	}
	x.read = x.applied >= x.startSeq // nothing to read
	cons, err := x.js.OrderedConsumer(ctx, x.stream.CachedInfo().Config.Name, cfg)
	if err != nil {
		return fmt.Errorf("story: following the index: %w", err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("story: following the index: %w", err)
	}
	go func() {
		defer msgs.Stop()
		for {
			m, err := msgs.Next()
			switch {
			case errors.Is(err, jetstream.ErrMsgIteratorClosed) || errors.Is(err, nats.ErrConnectionClosed):
				return
			case err != nil:
				// The ordered consumer recreates itself; say why it had to,
				// without spinning on an error that lasts.
				x.log.Warn("story index: following the bucket", "err", err)
				time.Sleep(followBackoff)
				continue
			}
			x.apply(m)
		}
	}()
	return nil
}

// followBackoff is the pause after an error following the bucket.
const followBackoff = 100 * time.Millisecond

// apply posts the record of m, as its headers describe it (or, written by
// an earlier version, its fingerprint), and marks its sequence applied.
func (x *KVIndex) apply(m jetstream.Msg) {
	md, err := m.Metadata()
	if err != nil {
		x.log.Warn("story index: record without metadata", "subject", m.Subject(), "err", err)
		return
	}
	id, t, cutoff, keys, err := x.postingOf(m)
	if err != nil {
		x.log.Warn("story index: record left out", "subject", m.Subject(), "err", err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	key := strings.TrimPrefix(m.Subject(), x.prefix)
	if c, ok := x.records[key]; ok && c.rev != md.Sequence.Stream {
		delete(x.records, key) // written again
	}
	if err == nil && id != "" {
		x.postings.add(id, t, keys, cutoff, md.Timestamp.Unix(), x.expiry())
	}
	x.applied = md.Sequence.Stream
	if !x.read && x.applied >= x.startSeq {
		x.read = true
		x.log.Info("story index: read", "articles", len(x.postings.held), "took", time.Since(x.opened).Round(time.Millisecond))
	}
	close(x.advanced)
	x.advanced = make(chan struct{})
}

// postingOf reads what to post from a record's message (its headers;
// written by an earlier version, the record itself); an empty id for a
// deleted key.
func (x *KVIndex) postingOf(m jetstream.Msg) (id string, t, cut int64, keys []string, err error) {
	h := m.Headers()
	if op := h.Get(kvOperation); op == "DEL" || op == "PURGE" {
		return "", 0, 0, nil, nil
	}
	if p := h.Get(hdrPosting); p != "" {
		f := strings.SplitN(p, " ", 3)
		if len(f) == 3 {
			t, err1 := strconv.ParseInt(f[0], 10, 64)
			cut, err2 := strconv.ParseInt(f[1], 10, 64)
			if err := errors.Join(err1, err2); err == nil {
				return f[2], t, cut, strings.Fields(h.Get(hdrKeys)), nil
			}
		}
		return "", 0, 0, nil, fmt.Errorf("header %s: malformed %q", hdrPosting, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), catchUpLimit)
	defer cancel()
	e, err := x.kv.Get(ctx, strings.TrimPrefix(m.Subject(), x.prefix))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return "", 0, 0, nil, nil // gone since
	}
	if err != nil {
		return "", 0, 0, nil, err
	}
	var rec Record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return "", 0, 0, nil, err
	}
	// As Matcher.Add posted it.
	return rec.ID, rec.Published.Unix(), cutoff(rec.Fingerprint, x.window).Unix(), indexKeys(rec.Fingerprint), nil
}

// expiry is the clock time before which an article leaves the memory: its
// record has expired from the bucket by then. Articles leave by when they
// were recorded, as the bucket's records do, not by their own time: an
// old article recorded late stays a candidate for the window.
func (x *KVIndex) expiry() int64 {
	return time.Now().Add(-x.window - BucketMargin).Unix()
}

// catchUp waits until the follower has applied every record written
// before it was called, by this replica or another, so a match sees every
// addition that finished before it. It asks the server for the first
// record past the last one applied (found near the stream's end, where a
// last-by-subject lookup on the wildcard would walk every key) and waits
// for it, until there is none.
func (x *KVIndex) catchUp(ctx context.Context) error {
	if err := x.waitApplied(ctx, x.startSeq); err != nil {
		return err
	}
	for {
		x.mu.Lock()
		applied := x.applied
		x.mu.Unlock()
		next, err := x.stream.GetMsg(ctx, applied+1, jetstream.WithGetMsgSubject(x.prefix+"a.>"))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := x.waitApplied(ctx, next.Sequence); err != nil {
			return err
		}
	}
}

// catchUpLimit bounds a wait for the follower without progress: past it
// the follower is stuck, and matching without it would split stories
// silently.
const catchUpLimit = 10 * time.Second

// waitApplied waits until the follower has applied seq.
func (x *KVIndex) waitApplied(ctx context.Context, seq uint64) error {
	var timer *time.Timer
	for {
		x.mu.Lock()
		applied, advanced := x.applied, x.advanced
		x.mu.Unlock()
		if applied >= seq {
			return nil
		}
		if timer == nil {
			timer = time.NewTimer(catchUpLimit)
			defer timer.Stop()
		}
		select {
		case <-advanced:
			timer.Reset(catchUpLimit)
		case <-timer.C:
			return fmt.Errorf("story index: not following its bucket: record %d not applied, none for %v", seq, catchUpLimit)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// value is a key's current value and its revision; rev 0: no such key.
type value struct {
	data []byte
	rev  uint64
}

// maxMultiLast is how many subjects the server answers in one batched
// direct get.
const maxMultiLast = 1024

// values reads the current values of keys: one batched direct get (the
// last message of each key's subject) where the server has it, instead of
// one request per key, which made the index's reads most of an article's
// publishing time.
func (x *KVIndex) values(ctx context.Context, keys []string) ([]value, error) {
	vals := make([]value, len(keys))
	if x.batched.Load() && len(keys) <= maxMultiLast {
		err := x.multiLast(ctx, keys, vals)
		if !errors.Is(err, jetstreamext.ErrBatchUnsupported) {
			return vals, err
		}
		x.batched.Store(false)
		clear(vals)
	}
	err := parallel(len(keys), func(i int) error {
		e, err := x.kv.Get(ctx, keys[i])
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		vals[i] = value{e.Value(), e.Revision()}
		return nil
	})
	return vals, err
}

// multiLast fills vals with the last messages of keys' subjects, leaving
// deleted and missing keys empty.
func (x *KVIndex) multiLast(ctx context.Context, keys []string, vals []value) error {
	at := make(map[string][]int, len(keys))
	subjects := make([]string, 0, len(keys))
	for i, k := range keys {
		subj := x.prefix + k
		if _, dup := at[subj]; !dup {
			subjects = append(subjects, subj)
		}
		at[subj] = append(at[subj], i)
	}
	msgs, err := jetstreamext.GetLastMsgsFor(ctx, x.js, x.stream.CachedInfo().Config.Name, subjects)
	if err != nil {
		return err
	}
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return nil // none of the keys exists
		}
		if err != nil {
			return err
		}
		if op := m.Header.Get(kvOperation); op == "DEL" || op == "PURGE" {
			continue
		}
		for _, i := range at[m.Subject] {
			vals[i] = value{m.Data, m.Sequence}
		}
	}
	return nil
}

// kvOperation is the header that marks a KV key's delete or purge.
const kvOperation = "KV-Operation"

// Postings implements Index, from memory, once the records written
// before the call are applied.
func (x *KVIndex) Postings(ctx context.Context, keys []string) (map[string][]Posting, error) {
	if err := x.catchUp(ctx); err != nil {
		return nil, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.postings.get(keys), nil
}

// Records implements Index: from the decoded records kept, the others in
// one batched read. A kept record is not read again: the follower drops it
// when its key is written again (an interrupted publish finished again
// writes the same record, so a read racing with it keeps what it would
// have read).
func (x *KVIndex) Records(ctx context.Context, ids []string) ([]Record, error) {
	found := make([]*Record, len(ids))
	var missing []string // keys
	var at []int         // their places in ids
	x.mu.Lock()
	for i, id := range ids {
		key := recordKey(id)
		if c, ok := x.records[key]; ok {
			found[i] = &c.rec
		} else {
			missing, at = append(missing, key), append(at, i)
		}
	}
	x.mu.Unlock()
	if len(missing) > 0 {
		vals, err := x.values(ctx, missing)
		if err != nil {
			return nil, err
		}
		for j, v := range vals {
			if v.rev == 0 {
				continue
			}
			c := cachedRecord{rev: v.rev}
			if err := json.Unmarshal(v.data, &c.rec); err != nil {
				return nil, fmt.Errorf("record %s: %w", missing[j], err)
			}
			x.keepRecord(missing[j], c)
			found[at[j]] = &c.rec
		}
	}
	out := make([]Record, 0, len(ids))
	for _, r := range found {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, nil
}

// keepRecord caches a decoded record, emptying the cache when full.
func (x *KVIndex) keepRecord(key string, c cachedRecord) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.records) >= maxRecords {
		clear(x.records)
	}
	x.records[key] = c
}

// Add implements Index: one write of the record, its postings in its
// headers, applied here at once and by the other replicas as they follow.
func (x *KVIndex) Add(ctx context.Context, rec Record, keys []string, cutoff time.Time) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	key := recordKey(rec.ID)
	t, cut := rec.Published.Unix(), cutoff.Unix()
	m := nats.NewMsg(x.prefix + key)
	m.Data = data
	m.Header.Set(hdrPosting, fmt.Sprintf("%d %d %s", t, cut, rec.ID))
	m.Header.Set(hdrKeys, strings.Join(keys, " "))
	ack, err := x.js.PublishMsg(ctx, m)
	if err != nil {
		return err
	}
	x.mu.Lock()
	x.postings.add(rec.ID, t, keys, cut, time.Now().Unix(), x.expiry())
	x.mu.Unlock()
	// The article will be a candidate of the next ones of its story.
	x.keepRecord(key, cachedRecord{rec: rec, rev: ack.Sequence})
	return nil
}

// recordKey is the key of an article's record. Article IDs are hex; any
// other ID is hashed into a valid key.
func recordKey(id string) string {
	odd := func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}
	if id == "" || strings.ContainsFunc(id, odd) {
		return "a.h" + hexKey(hash64(id))
	}
	return "a." + id
}

// parallel runs f(0..n-1) concurrently and joins their errors.
func parallel(n int, f func(int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
