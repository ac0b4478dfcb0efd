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

// topList is the newest entries of one feed, newest first, at most
// maxLimit, and the newest archive day of the whole feed. Add and unindex
// change it under Service.mu held for writing; a reader holding Service.mu
// for reading rebuilds it from the feed's set when it is dirty, under its
// own mutex.
type topList struct {
	mu    sync.Mutex
	items []*entry
	day   string // the newest e.day of the feed's set
	// missing counts the entries that left the list while the set held
	// more than it: the list may lack that many of the set's newest.
	missing int
	// dayStale: the entry that gave day left the feed.
	dayStale bool
}

// insert keeps e when it is among the newest maxLimit; the caller holds
// Service.mu for writing.
func (t *topList) insert(e *entry) {
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

// remove takes e out of a feed whose set now holds setLen entries; the
// caller holds Service.mu for writing.
func (t *topList) remove(e *entry, setLen int) {
	if i := slices.Index(t.items, e); i >= 0 {
		t.items = slices.Delete(t.items, i, i+1)
		if len(t.items) < setLen {
			t.missing++
		}
	}
	if e.day == t.day {
		t.dayStale = true
	}
}

// newest returns a copy of the n newest entries (n <= maxLimit) and the
// feed's newest archive day, first rebuilding the list from set when it
// may lack entries or the day; the caller holds Service.mu for reading.
func (t *topList) newest(set map[string]*entry, n int) ([]*entry, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.missing > 0 || t.dayStale {
		t.items, t.day = newestN(set, maxLimit)
		t.missing, t.dayStale = 0, false
	}
	return slices.Clone(t.items[:min(n, len(t.items))]), t.day
}
