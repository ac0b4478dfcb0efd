package feeds

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// RFC 5005 archived feeds.
//
// Every feed (all, each language, source, tag and story) is also published
// as one archive document per UTC day of its items' first ingestion, in
// each format, so that a document's size is bounded by a day's news, not
// by the archive:
//
//	/feeds/archive/<YYYY-MM-DD>/all.<ext>
//	/feeds/archive/<YYYY-MM-DD>/<kind>/<value>.<ext>
//
// "archive" is no feed kind, so these never collide with the current feeds
// (/feeds/all.<ext>, /feeds/<kind>/<value>.<ext>). An archive holds every
// item of its day, with no limit; days without items have none. The subscription document (the current
// feed) links rel="prev-archive" to the newest archive; each archive carries
// <fh:archive/> and links rel="current", "prev-archive" (older) and
// "next-archive" (newer), so a reader can walk back through the whole
// history. JSON Feed has no such links: next_url goes from the current
// feed to the newest archive and from each archive to the one before.
//
// An item belongs to the day crier first ingested it and stays there when
// the article is updated, so once a day is over its archive never gains an
// item, and once a later day has items its next-archive link is final too.
// Its content still changes with a correction, and a retraction takes its
// item out: archives are cached like feeds, not as immutable, so that a
// takedown reaches the readers' caches. The newest archive grows until a
// later day starts.

// dayLayout formats archive days.
const dayLayout = "2006-01-02"

// dayOf is the archive day of an ingestion time.
func dayOf(t time.Time) string { return t.UTC().Format(dayLayout) }

// archivePath is the site-relative path of a feed's archive for a day: the
// feed's own path with "/archive/<day>" after "/feeds".
func archivePath(k feedKey, day string, f format) string {
	return "/feeds/archive/" + day + strings.TrimPrefix(feedPath(k, f), "/feeds")
}

// archiveOf returns the items of one day of a feed, newest first, and the
// feed's days that have items, oldest first: one pass over the set, and
// only that day's items sorted (a feed's history may hold a million
// items over thousands of days).
func (s *Service) archiveOf(k feedKey, day string) (items []*entry, days []string, ok bool) {
	s.mu.RLock()
	f, ok := s.sets[k]
	seen := make(map[string]struct{})
	if ok {
		for _, e := range f.members {
			seen[e.day] = struct{}{}
			if e.day == day {
				items = append(items, e)
			}
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(items, newer)
	return items, slices.Sorted(maps.Keys(seen)), ok
}

// archiveRoutes registers the archive documents' routes on mux.
func (s *Service) archiveRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/archive/{day}/{file}", s.serveArchive(kindAll))
	for name, kind := range kindNames {
		mux.HandleFunc("GET /feeds/archive/{day}/"+name+"/{file}", s.serveArchive(kind))
	}
}

func (s *Service) serveArchive(kind feedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		day := r.PathValue("day")
		fk, f, ok := feedFile(kind, r.PathValue("file"))
		if !ok || !validDay(day) {
			http.NotFound(w, r)
			return
		}
		// An archive is whole: ?limit does not apply.
		k := feedDoc{feed: fk, format: f, limit: s.opts.Limit, day: day}
		if !s.has(k.feed) {
			http.NotFound(w, r)
			return
		}
		s.serveSlot(w, r, s.feedSlot(k))
	}
}

// validDay accepts "YYYY-MM-DD" exactly as dayOf writes it.
func validDay(d string) bool {
	t, err := time.Parse(dayLayout, d)
	return err == nil && t.Format(dayLayout) == d
}

// renderArchive renders the archive document k names: the feed's items of
// day k.day, described and built by the same code as the current feed.
func (s *Service) renderArchive(k feedDoc) (*rendered, error) {
	items, ds, ok := s.archiveOf(k.feed, k.day)
	i := slices.Index(ds, k.day)
	if !ok || i < 0 {
		return nil, errNotFound
	}
	m := s.describe(feedDoc{feed: k.feed, format: k.format, limit: s.opts.Limit}, items)
	m.archive = true
	m.current = m.self
	m.self = s.opts.BaseURL + archivePath(k.feed, k.day, k.format)
	if i > 0 {
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, ds[i-1], k.format)
	}
	if i+1 < len(ds) {
		m.nextArchive = s.opts.BaseURL + archivePath(k.feed, ds[i+1], k.format)
	}
	body, err := s.renderDoc(k.format, m, items)
	if err != nil {
		return nil, err
	}
	return newRendered(body, k.format.contentType(), m.modified), nil
}

// archivePaths lists the site-relative path of every archive document that
// exists now, in every format, sorted: the archives' part of the export's
// catalogue (documents).
func (s *Service) archivePaths() []string {
	s.mu.RLock()
	var paths []string
	for k, f := range s.sets {
		seen := map[string]bool{}
		for _, e := range f.members {
			if seen[e.day] {
				continue
			}
			seen[e.day] = true
			for _, f := range feedFormats {
				paths = append(paths, archivePath(k, e.day, f))
			}
		}
	}
	s.mu.RUnlock()
	slices.Sort(paths)
	return paths
}
