package feeds

import (
	"slices"
	"time"
)

// The index window. The index holds at most Options.MaxArticles articles
// and tombstones, those whose newest message came last on the stream, so
// its memory and the replay after a restart are bounded by configuration,
// not by the archive. What falls out of it stays readable: an article's
// page through the publisher's record of it (its newest stream sequence),
// an archive day by reading that day's messages (history.go).

// DefaultMaxArticles is Options.MaxArticles when zero: about ten days of
// a busy agency wire, some 25 MB of index.
const DefaultMaxArticles = 20000

// windowRef is one indexed message, in stream order: the article (or
// tombstone) it gave, while it is still that article's newest.
type windowRef struct {
	seq uint64
	id  string
}

// remember queues an article or tombstone read from stream sequence seq
// for eviction, then evicts what the window no longer holds; the caller
// holds mu for writing. Without the stream (seq 0) nothing is evicted:
// nothing could be read back.
func (s *Service) remember(id string, seq uint64) {
	if seq == 0 || s.opts.MaxArticles < 0 {
		return
	}
	s.order = append(s.order, windowRef{seq: seq, id: id})
	for len(s.byID)+len(s.gone) > s.opts.MaxArticles && s.head < len(s.order) {
		r := s.order[s.head]
		s.order[s.head] = windowRef{}
		s.head++
		if e := s.byID[r.id]; e != nil && e.seq == r.seq {
			s.unindex(e)
			delete(s.byID, r.id)
			s.touched(e, nil) // its page is read back when asked for
			s.lower(e.ingested)
		} else if t := s.gone[r.id]; t != nil && t.seq == r.seq {
			delete(s.gone, r.id)
			s.lower(t.at)
		}
	}
	if s.head >= 1024 && s.head > len(s.order)/2 {
		s.order = slices.Clone(s.order[s.head:])
		s.head = 0
	}
}

// lower records that a message ingested at t is no longer in the index:
// archive days up to t's may lack articles (floorDay), and up to the next
// day's when t is within daySlack of it (replicas' clocks differ). The
// caller holds mu for writing.
func (s *Service) lower(t time.Time) {
	s.floorDay = max(s.floorDay, dayOf(t.Add(daySlack)))
}

// partial reports whether the index may lack articles of archive day d,
// which then comes from the stream (history.go).
func (s *Service) partial(d string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.hist != nil && s.floorDay != "" && d <= s.floorDay
}
