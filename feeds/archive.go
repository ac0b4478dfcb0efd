package feeds

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// RFC 5005 archived feeds.
//
// Every feed (all, each language, source, tag and story) is also published
// as one archive document per UTC month of its items' first ingestion, in
// each format:
//
//	/feeds/archive/<YYYY-MM>/all.<ext>
//	/feeds/archive/<YYYY-MM>/<kind>/<value>.<ext>
//
// "archive" is no feed kind, so these never collide with the current feeds
// (/feeds/all.<ext>, /feeds/<kind>/<value>.<ext>). An archive holds every
// item of its month, with no limit. The subscription document (the current
// feed) links rel="prev-archive" to the newest archive; each archive carries
// <fh:archive/> and links rel="current", "prev-archive" (older) and
// "next-archive" (newer), so a reader can walk back through the whole
// history. JSON Feed has no such links: next_url goes from the current
// feed to the newest archive and from each archive to the one before.
//
// An item belongs to the month crier first ingested it and stays there when
// the article is updated, so once a month is over its archive never gains
// an item, and once a later month has items its next-archive link is final
// too. Its content still changes with a correction, and a retraction takes
// its item out: archives are cached like feeds, not as immutable, so that a
// takedown reaches the readers' caches. The newest archive grows until a
// later month starts.

// monthLayout formats archive months.
const monthLayout = "2006-01"

// monthOf is the archive month of an ingestion time.
func monthOf(t time.Time) string { return t.UTC().Format(monthLayout) }

// archivePath is the site-relative path of a feed's archive for a month:
// the feed's own path with "/archive/<month>" after "/feeds".
func archivePath(k feedKey, month string, f format) string {
	return "/feeds/archive/" + month + strings.TrimPrefix(feedPath(k, f), "/feeds")
}

// months returns the distinct archive months of items, oldest first.
func months(items []*entry) []string {
	var ms []string
	for _, e := range items {
		if !slices.Contains(ms, e.month) {
			ms = append(ms, e.month)
		}
	}
	slices.Sort(ms)
	return ms
}

// archiveRoutes registers the archive documents' routes on mux.
func (s *Service) archiveRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/archive/{month}/{file}", s.serveArchive(kindAll))
	for name, kind := range kindNames {
		mux.HandleFunc("GET /feeds/archive/{month}/"+name+"/{file}", s.serveArchive(kind))
	}
}

func (s *Service) serveArchive(kind feedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		month := r.PathValue("month")
		fk, f, ok := feedFile(kind, r.PathValue("file"))
		if !ok || !validMonth(month) {
			http.NotFound(w, r)
			return
		}
		// An archive is whole: ?limit does not apply.
		k := feedDoc{feed: fk, format: f, limit: s.opts.Limit, month: month}
		if !s.has(k.feed) {
			http.NotFound(w, r)
			return
		}
		s.serveSlot(w, r, s.feedSlot(k))
	}
}

// validMonth accepts "YYYY-MM" exactly as monthOf writes it.
func validMonth(m string) bool {
	t, err := time.Parse(monthLayout, m)
	return err == nil && t.Format(monthLayout) == m
}

// renderArchive renders the archive document k names: the feed's items of
// month k.month, described and built by the same code as the current feed.
func (s *Service) renderArchive(k feedDoc) (*rendered, error) {
	all, ok := s.snapshot(k.feed)
	if !ok {
		return nil, errNotFound
	}
	ms := months(all)
	i := slices.Index(ms, k.month)
	if i < 0 {
		return nil, errNotFound
	}
	items := make([]*entry, 0, len(all))
	for _, e := range all {
		if e.month == k.month {
			items = append(items, e)
		}
	}
	m := s.describe(feedDoc{feed: k.feed, format: k.format, limit: s.opts.Limit}, items)
	m.archive = true
	m.current = m.self
	m.self = s.opts.BaseURL + archivePath(k.feed, k.month, k.format)
	if i > 0 {
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, ms[i-1], k.format)
	}
	if i+1 < len(ms) {
		m.nextArchive = s.opts.BaseURL + archivePath(k.feed, ms[i+1], k.format)
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
	for k, set := range s.sets {
		seen := map[string]bool{}
		for _, e := range set {
			if seen[e.month] {
				continue
			}
			seen[e.month] = true
			for _, f := range feedFormats {
				paths = append(paths, archivePath(k, e.month, f))
			}
		}
	}
	s.mu.RUnlock()
	slices.Sort(paths)
	return paths
}
