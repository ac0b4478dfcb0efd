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

// addPosting merges p into list, which it may reuse: one entry per
// article, newest first, none older than cutoff, at most limit entries.
func addPosting(list []Posting, p Posting, cutoff int64, limit int) []Posting {
	list = slices.DeleteFunc(list, func(q Posting) bool { return q.ID == p.ID || q.Time < cutoff })
	// Before the first entry not newer than p.
	i, _ := slices.BinarySearchFunc(list, p.Time, func(q Posting, t int64) int { return cmp.Compare(t, q.Time) })
	if i >= limit {
		return list[:min(len(list), limit)]
	}
	list = slices.Insert(list, i, p)
	return list[:min(len(list), limit)]
}

// postingSet holds posting lists in memory, evicting whole additions in
// the order they were made: once their clock time is before a later
// addition's expiry, or once more than maxArticles articles are held. Its
// size follows the window and the bound, not the archive. Not safe for
// concurrent use.
type postingSet struct {
	maxPostings int
	maxArticles int // 0: no bound but the window
	// lists are by the hash of their key: a key string per list was a
	// third of the set's memory.
	lists map[uint64][]Posting
	// held is the time of each article held, by ID.
	held map[string]int64
	// added lists the additions in order, for eviction.
	added []addition
}

type addition struct {
	id   string
	at   int64 // the clock eviction goes by
	keys []uint64
}

func newPostingSet(maxPostings, maxArticles int) *postingSet {
	if maxPostings <= 0 {
		maxPostings = DefaultMaxPostings
	}
	return &postingSet{
		maxPostings: maxPostings,
		maxArticles: max(maxArticles, 0),
		lists:       map[uint64][]Posting{},
		held:        map[string]int64{},
	}
}

// get returns copies of the non-empty lists of keys.
func (s *postingSet) get(keys []string) map[string][]Posting {
	out := make(map[string][]Posting, len(keys))
	for _, k := range keys {
		if l := s.lists[hash64(k)]; len(l) > 0 {
			out[k] = slices.Clone(l)
		}
	}
	return out
}

// add posts id, published at t, under keys, dropping postings older than
// cutoff from their lists, and returns the IDs it evicted: additions whose
// at is before expire. Adding an article already held at the same time
// does nothing, so the same addition may come twice (from this process
// and from the bucket it follows).
func (s *postingSet) add(id string, t int64, keys []string, cutoff, at, expire int64) (evicted []string) {
	if t0, ok := s.held[id]; ok && t0 == t {
		return nil
	}
	evicted = s.evict(func(a addition) bool { return a.at < expire })
	hashes := make([]uint64, len(keys))
	for i, k := range keys {
		h := hash64(k)
		hashes[i] = h
		s.lists[h] = addPosting(s.lists[h], Posting{ID: id, Time: t}, cutoff, s.maxPostings)
	}
	if _, ok := s.held[id]; !ok {
		s.added = append(s.added, addition{id: id, at: at, keys: hashes})
	}
	s.held[id] = t
	if s.maxArticles > 0 && len(s.held) > s.maxArticles {
		n := len(s.held) - s.maxArticles
		evicted = append(evicted, s.evict(func(addition) bool {
			n--
			return n >= 0
		})...)
	}
	return evicted
}

// evict drops the first additions for which old is true, with their
// postings, and returns their IDs.
func (s *postingSet) evict(old func(addition) bool) (ids []string) {
	n := 0
	for ; n < len(s.added) && old(s.added[n]); n++ {
		a := s.added[n]
		delete(s.held, a.id)
		ids = append(ids, a.id)
		for _, k := range a.keys {
			l := slices.DeleteFunc(s.lists[k], func(p Posting) bool { return p.ID == a.id })
			if len(l) == 0 {
				delete(s.lists, k)
			} else {
				s.lists[k] = l
			}
		}
	}
	clear(s.added[:n])
	s.added = s.added[n:]
	return ids
}

// MemoryIndex is an Index in memory, for one process, tests and
// benchmarks. Records and postings older than the cutoff of later
// additions are evicted, so its size follows the window, not the archive.
// It is safe for concurrent use.
type MemoryIndex struct {
	mu       sync.Mutex
	postings *postingSet
	records  map[string]Record
}

// NewMemoryIndex returns an empty index keeping at most maxPostings
// entries per key (DefaultMaxPostings if <= 0).
func NewMemoryIndex(maxPostings int) *MemoryIndex {
	return &MemoryIndex{postings: newPostingSet(maxPostings, 0), records: map[string]Record{}}
}

// Postings implements Index.
func (m *MemoryIndex) Postings(_ context.Context, keys []string) (map[string][]Posting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.postings.get(keys), nil
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
	m.records[rec.ID] = rec
	// Articles leave by their own time: the index holds what is in the
	// window of the newest.
	t, cut := rec.Published.Unix(), cutoff.Unix()
	for _, id := range m.postings.add(rec.ID, t, keys, cut, t, cut) {
		delete(m.records, id)
	}
	return nil
}

// Len returns how many records the index holds.
func (m *MemoryIndex) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
