package feeds

import (
	"slices"
	"sync"
)

// A feed's newest entries are kept sorted as articles arrive, so that a
// current feed, a listing or the home page renders from at most maxLimit
// entries instead of a pass over the feed's whole history: at 100,000
// articles that pass was a fifth of the CPU of ingestion, and it grew with
// the archive.

// feed is one feed's articles: every member, and the newest of them,
// newest first, at most maxLimit, with the newest archive day of all. Add
// and unindex change it under Service.mu held for writing; a reader holding
// Service.mu for reading rebuilds the newest from the members when they
// may be incomplete, under the feed's own mutex.
type feed struct {
	members map[string]*entry // by article id

	mu    sync.Mutex
	items []*entry
	day   string // the newest e.day of the members
	// missing counts the entries that left items while the members held
	// more: items may lack that many of the members' newest.
	missing int
	// dayStale: the entry that gave day left the feed.
	dayStale bool
}

func newFeed() *feed { return &feed{members: make(map[string]*entry)} }

// add makes e a member; the caller holds Service.mu for writing.
func (t *feed) add(e *entry) {
	t.members[e.id] = e
	t.insert(e)
}

// insert keeps e in items when it is among the newest maxLimit.
func (t *feed) insert(e *entry) {
	if e.day > t.day || (t.dayStale && e.day == t.day) {
		t.day, t.dayStale = e.day, false
	}
	if len(t.items) == maxLimit && newer(e, t.items[maxLimit-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(t.items, e, newer)
	if t.missing > 0 {
		if i == len(t.items) {
			// Older than every kept entry: an entry the list lacks may
			// come before it. The rebuild will place it.
			return
		}
		// Newer than a kept entry, so newer than any entry the list
		// lacks: it takes one of the missing places.
		t.missing--
	}
	if len(t.items) == maxLimit {
		t.items = t.items[:maxLimit-1]
	}
	t.items = slices.Insert(t.items, i, e)
}

// remove takes e out of the members; the caller holds Service.mu for
// writing.
func (t *feed) remove(e *entry) {
	delete(t.members, e.id)
	if i := slices.Index(t.items, e); i >= 0 {
		t.items = slices.Delete(t.items, i, i+1)
		if len(t.items) < len(t.members) {
			t.missing++
		}
	}
	if e.day == t.day {
		t.dayStale = true
	}
}

// newest returns a copy of the n newest members (n <= maxLimit) and the
// feed's newest archive day, first rebuilding items from the members when
// it may lack some or the day; the caller holds Service.mu for reading.
func (t *feed) newest(n int) ([]*entry, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.missing > 0 || t.dayStale {
		t.items, t.day = newestN(t.members, maxLimit)
		t.missing, t.dayStale = 0, false
	}
	return slices.Clone(t.items[:min(n, len(t.items))]), t.day
}
