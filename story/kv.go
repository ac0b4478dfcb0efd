package story

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// BucketMargin is added to the window for the KV bucket's TTL: a key not
// updated for Window+BucketMargin holds nothing a match could use.
const BucketMargin = 24 * time.Hour

// maxAttempts bounds the compare-and-set retries of one posting list when
// replicas update it at the same time.
const maxAttempts = 16

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
// crier replica. A record is one key, "a.<id>"; a posting list is one key,
// "b.<hash>" or "t.<hash>", updated by compare-and-set on its revision and
// retried on conflict. Old keys expire with the bucket's TTL; posting
// lists are pruned on each update.
type KVIndex struct {
	kv          jetstream.KeyValue
	js          jetstream.JetStream
	stream      string // the bucket's stream, "KV_<bucket>"
	prefix      string // the subject of a key, before the key
	maxPostings int
	// batched is false once the server refused a batched direct get
	// (before nats-server 2.11): reads fall back to one Get per key.
	batched atomic.Bool

	// seen holds the posting lists Postings just read, with their
	// revisions: Add, which follows Match, tries its compare-and-set on
	// them before reading again. A stale entry only costs a retry.
	mu   sync.Mutex
	seen map[string]seenList
	// records holds decoded records by key, at the revision read: a
	// match decodes its ten candidates' records, the same recent articles
	// match after match, and decoding them was a third of its time.
	records map[string]cachedRecord
}

// cachedRecord is a record as decoded from one revision of its key.
type cachedRecord struct {
	rec Record
	rev uint64
}

// maxRecords bounds the decoded records kept (about 5 KB each); the cache
// is emptied when full.
const maxRecords = 2048

// seenList is a posting list as read, at a revision (0: the key did not
// exist).
type seenList struct {
	list []Posting
	rev  uint64
}

// maxSeen bounds the seen cache; it is emptied when full.
const maxSeen = 4096

// NewKVIndex returns an index on kv, a bucket of js, keeping at most
// maxPostings entries per key (DefaultMaxPostings if <= 0). The bucket must
// have a TTL of at least window (see BucketConfig), or it would grow with
// the archive.
func NewKVIndex(ctx context.Context, js jetstream.JetStream, kv jetstream.KeyValue, window time.Duration, maxPostings int) (*KVIndex, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("story: kv status: %w", err)
	}
	if st.TTL() <= 0 || st.TTL() < window {
		return nil, fmt.Errorf("story: kv bucket %s: TTL %v, want at least the window %v", st.Bucket(), st.TTL(), window)
	}
	if maxPostings <= 0 {
		maxPostings = DefaultMaxPostings
	}
	x := &KVIndex{
		kv:          kv,
		js:          js,
		stream:      "KV_" + st.Bucket(),
		prefix:      "$KV." + st.Bucket() + ".",
		maxPostings: maxPostings,
		seen:        make(map[string]seenList),
		records:     make(map[string]cachedRecord),
	}
	x.batched.Store(true)
	return x, nil
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
	msgs, err := jetstreamext.GetLastMsgsFor(ctx, x.js, x.stream, subjects)
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

// Postings implements Index, in one batched read.
func (x *KVIndex) Postings(ctx context.Context, keys []string) (map[string][]Posting, error) {
	vals, err := x.values(ctx, keys)
	if err != nil {
		return nil, err
	}
	lists := make([][]Posting, len(keys))
	for i, v := range vals {
		if v.rev == 0 {
			continue
		}
		if lists[i], err = decodePostings(v.data); err != nil {
			return nil, fmt.Errorf("posting list %s: %w", keys[i], err)
		}
	}
	x.mu.Lock()
	if len(x.seen)+len(keys) > maxSeen {
		clear(x.seen)
	}
	for i, k := range keys {
		x.seen[k] = seenList{list: lists[i], rev: vals[i].rev}
	}
	x.mu.Unlock()
	out := make(map[string][]Posting, len(keys))
	for i, l := range lists {
		if len(l) > 0 {
			out[keys[i]] = l
		}
	}
	return out, nil
}

// Records implements Index, in one batched read.
func (x *KVIndex) Records(ctx context.Context, ids []string) ([]Record, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = recordKey(id)
	}
	vals, err := x.values(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(ids))
	for i, v := range vals {
		if v.rev == 0 {
			continue
		}
		x.mu.Lock()
		c, ok := x.records[keys[i]]
		x.mu.Unlock()
		if !ok || c.rev != v.rev {
			c = cachedRecord{rev: v.rev}
			if err := json.Unmarshal(v.data, &c.rec); err != nil {
				return nil, fmt.Errorf("record %s: %w", ids[i], err)
			}
			x.keepRecord(keys[i], c)
		}
		out = append(out, c.rec)
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

// Add implements Index: one Put for the record, then one compare-and-set
// per key, in parallel. The record is written first, so a posting never
// names an article whose fingerprint is missing (except once expired).
func (x *KVIndex) Add(ctx context.Context, rec Record, keys []string, cutoff time.Time) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	key := recordKey(rec.ID)
	rev, err := x.kv.Put(ctx, key, data)
	if err != nil {
		return err
	}
	// The article will be a candidate of the next ones of its story.
	x.keepRecord(key, cachedRecord{rec: rec, rev: rev})
	p := Posting{ID: rec.ID, Time: rec.Published.Unix()}
	return parallel(len(keys), func(i int) error {
		return x.post(ctx, keys[i], p, cutoff.Unix())
	})
}

// post adds p to the posting list of key by compare-and-set: Create when
// the key is new, Update on the revision read otherwise; a conflict with
// another replica rereads and retries.
func (x *KVIndex) post(ctx context.Context, key string, p Posting, cutoff int64) error {
	x.mu.Lock()
	cached, fresh := x.seen[key]
	delete(x.seen, key)
	x.mu.Unlock()
	for range maxAttempts {
		list, rev := cached.list, cached.rev
		if !fresh {
			list, rev = nil, 0
			e, err := x.kv.Get(ctx, key)
			switch {
			case errors.Is(err, jetstream.ErrKeyNotFound):
			case err != nil:
				return err
			default:
				rev = e.Revision()
				if list, err = decodePostings(e.Value()); err != nil {
					return fmt.Errorf("posting list %s: %w", key, err)
				}
			}
		}
		fresh = false // a conflict rereads
		data := encodePostings(addPosting(list, p, cutoff, x.maxPostings))
		var err error
		if rev == 0 {
			_, err = x.kv.Create(ctx, key, data)
		} else {
			_, err = x.kv.Update(ctx, key, data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		return err
	}
	return fmt.Errorf("posting list %s: still conflicting after %d attempts", key, maxAttempts)
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
