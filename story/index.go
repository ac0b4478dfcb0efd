package story

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"
)

// Index stores fingerprints and, per key (an LSH band or a content term),
// a bounded posting list of the recent articles that have that key. The
// matcher looks up a bounded number of keys per article, so its cost does
// not grow with the archive. MemoryIndex and KVIndex implement it.
type Index interface {
	// Postings returns the posting lists of keys; an unknown key has none.
	Postings(ctx context.Context, keys []string) (map[string][]Posting, error)
	// Records returns the stored records of ids; unknown or expired ids
	// are left out.
	Records(ctx context.Context, ids []string) ([]Record, error)
	// Add stores rec and posts it under each key. Postings older than
	// cutoff are dropped, and each list keeps its most recent entries only.
	Add(ctx context.Context, rec Record, keys []string, cutoff time.Time) error
}

// Posting is one article in a key's posting list.
type Posting struct {
	ID string `json:"i"`
	// Time is the article's publication time, Unix seconds.
	Time int64 `json:"t"`
}

// Record is a stored article: its fingerprint and the story it joined.
type Record struct {
	Fingerprint
	StoryID string `json:"story_id"`
}

// DefaultMaxPostings bounds a posting list: a key shared by more recent
// articles than this (a very common word) keeps the newest ones.
const DefaultMaxPostings = 100

// addPosting merges p into list: one entry per article, newest first,
// none older than cutoff, at most limit entries.
func addPosting(list []Posting, p Posting, cutoff int64, limit int) []Posting {
	out := make([]Posting, 0, len(list)+1)
	out = append(out, p)
	for _, q := range list {
		if q.ID != p.ID && q.Time >= cutoff {
			out = append(out, q)
		}
	}
	slices.SortStableFunc(out, func(x, y Posting) int { return cmp.Compare(y.Time, x.Time) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// MemoryIndex is an Index in memory, for one process, tests and
// benchmarks. Records and postings older than the cutoff of later
// additions are evicted, so its size follows the window, not the archive.
// It is safe for concurrent use.
type MemoryIndex struct {
	maxPostings int

	mu       sync.Mutex
	postings map[string][]Posting
	records  map[string]Record
	// added lists the additions in order, for eviction.
	added []addition
}

type addition struct {
	id   string
	time int64
	keys []string
}

// NewMemoryIndex returns an empty index keeping at most maxPostings
// entries per key (DefaultMaxPostings if <= 0).
func NewMemoryIndex(maxPostings int) *MemoryIndex {
	if maxPostings <= 0 {
		maxPostings = DefaultMaxPostings
	}
	return &MemoryIndex{
		maxPostings: maxPostings,
		postings:    map[string][]Posting{},
		records:     map[string]Record{},
	}
}

// Postings implements Index.
func (m *MemoryIndex) Postings(_ context.Context, keys []string) (map[string][]Posting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]Posting, len(keys))
	for _, k := range keys {
		if l := m.postings[k]; len(l) > 0 {
			out[k] = slices.Clone(l)
		}
	}
	return out, nil
}

// Records implements Index.
func (m *MemoryIndex) Records(_ context.Context, ids []string) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Record, 0, len(ids))
	for _, id := range ids {
		if r, ok := m.records[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// Add implements Index.
func (m *MemoryIndex) Add(_ context.Context, rec Record, keys []string, cutoff time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, cut := rec.Published.Unix(), cutoff.Unix()
	m.evict(cut)
	m.records[rec.ID] = rec
	for _, k := range keys {
		m.postings[k] = addPosting(m.postings[k], Posting{ID: rec.ID, Time: t}, cut, m.maxPostings)
	}
	m.added = append(m.added, addition{id: rec.ID, time: t, keys: keys})
	return nil
}

// evict drops the oldest additions older than cutoff, in the order they
// were added, with their postings.
func (m *MemoryIndex) evict(cutoff int64) {
	n := 0
	for ; n < len(m.added) && m.added[n].time < cutoff; n++ {
		a := m.added[n]
		if r, ok := m.records[a.id]; ok && r.Published.Unix() == a.time {
			delete(m.records, a.id)
		}
		for _, k := range a.keys {
			l := slices.DeleteFunc(m.postings[k], func(p Posting) bool { return p.Time < cutoff })
			if len(l) == 0 {
				delete(m.postings, k)
			} else {
				m.postings[k] = l
			}
		}
	}
	clear(m.added[:n])
	m.added = m.added[n:]
}

// Len returns how many records the index holds.
func (m *MemoryIndex) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
