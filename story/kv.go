package story

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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
	maxPostings int

	// seen holds the posting lists Postings just read, with their
	// revisions: Add, which follows Match, tries its compare-and-set on
	// them before reading again. A stale entry only costs a retry.
	mu   sync.Mutex
	seen map[string]seenList
}

// seenList is a posting list as read, at a revision (0: the key did not
// exist).
type seenList struct {
	list []Posting
	rev  uint64
}

// maxSeen bounds the seen cache; it is emptied when full.
const maxSeen = 4096

// NewKVIndex returns an index on kv, keeping at most maxPostings entries
// per key (DefaultMaxPostings if <= 0). The bucket must have a TTL of at
// least window (see BucketConfig), or it would grow with the archive.
func NewKVIndex(ctx context.Context, kv jetstream.KeyValue, window time.Duration, maxPostings int) (*KVIndex, error) {
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
	return &KVIndex{kv: kv, maxPostings: maxPostings, seen: make(map[string]seenList)}, nil
}

// Postings implements Index, one Get per key, in parallel.
func (x *KVIndex) Postings(ctx context.Context, keys []string) (map[string][]Posting, error) {
	lists := make([][]Posting, len(keys))
	revs := make([]uint64, len(keys))
	err := parallel(len(keys), func(i int) error {
		e, err := x.kv.Get(ctx, keys[i])
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		revs[i] = e.Revision()
		return json.Unmarshal(e.Value(), &lists[i])
	})
	if err != nil {
		return nil, err
	}
	x.mu.Lock()
	if len(x.seen)+len(keys) > maxSeen {
		clear(x.seen)
	}
	for i, k := range keys {
		x.seen[k] = seenList{list: lists[i], rev: revs[i]}
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

// Records implements Index, one Get per id, in parallel.
func (x *KVIndex) Records(ctx context.Context, ids []string) ([]Record, error) {
	recs := make([]*Record, len(ids))
	err := parallel(len(ids), func(i int) error {
		e, err := x.kv.Get(ctx, recordKey(ids[i]))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		recs[i] = new(Record)
		return json.Unmarshal(e.Value(), recs[i])
	})
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(ids))
	for _, r := range recs {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, nil
}

// Add implements Index: one Put for the record, then one compare-and-set
// per key, in parallel. The record is written first, so a posting never
// names an article whose fingerprint is missing (except once expired).
func (x *KVIndex) Add(ctx context.Context, rec Record, keys []string, cutoff time.Time) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := x.kv.Put(ctx, recordKey(rec.ID), data); err != nil {
		return err
	}
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
				if err := json.Unmarshal(e.Value(), &list); err != nil {
					return fmt.Errorf("posting list %s: %w", key, err)
				}
			}
		}
		fresh = false // a conflict rereads
		data, err := json.Marshal(addPosting(list, p, cutoff, x.maxPostings))
		if err != nil {
			return err
		}
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
