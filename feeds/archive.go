package feeds

import (
	"cmp"
	"context"
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

// archiveTimeout bounds the reads of the stream an archive day out of the
// index window needs.
const archiveTimeout = 30 * time.Second

// dayOf is the archive day of an ingestion time.
func dayOf(t time.Time) string { return t.UTC().Format(dayLayout) }

// archivePath is the site-relative path of a feed's archive for a day: the
// feed's own path with "/archive/<day>" after "/feeds".
func archivePath(k feedKey, day string, f format) string {
	return "/feeds/archive/" + day + strings.TrimPrefix(feedPath(k, f), "/feeds")
}

// archiveOf returns feed k's items of one day, newest first, and the
// feed's days with items before and after it ("" when none): from the
// index for the days it holds whole (one pass over the feed's members, and
// only that day's items sorted), from the stream for the days the index
// window cut (history.go). errNotFound when the feed has no item that day.
func (s *Service) archiveOf(ctx context.Context, k feedKey, day string) (items []*entry, prev, next string, err error) {
	s.mu.RLock()
	floor := ""
	if s.hist != nil {
		floor = s.floorDay
	}
	var days []string // the feed's days the index holds whole
	if f, ok := s.sets[k]; ok {
		seen := make(map[string]struct{})
		for _, e := range f.members {
			if e.day == "" || e.day <= floor {
				continue
			}
			seen[e.day] = struct{}{}
			if e.day == day {
				items = append(items, e)
			}
		}
		days = slices.Sorted(maps.Keys(seen))
	}
	s.mu.RUnlock()
	if day > floor {
		i, found := slices.BinarySearch(days, day)
		if !found {
			return nil, "", "", errNotFound
		}
		slices.SortFunc(items, newer)
		if i+1 < len(days) {
			next = days[i+1]
		}
		if i > 0 {
			return items, days[i-1], next, nil
		}
		if floor != "" {
			prev, err = s.historyPrev(ctx, k, dayStart(floor).AddDate(0, 0, 1).Format(dayLayout))
		}
		return items, prev, next, err
	}
	if items, err = s.historyItems(ctx, k, day); err != nil || len(items) == 0 {
		return nil, "", "", cmp.Or(err, errNotFound)
	}
	if prev, err = s.historyPrev(ctx, k, day); err != nil {
		return nil, "", "", err
	}
	if next, err = s.historyNext(ctx, k, day, floor); err != nil {
		return nil, "", "", err
	}
	if next == "" && len(days) > 0 {
		next = days[0]
	}
	return items, prev, next, nil
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
		if !s.has(k.feed) && !s.partial(day) {
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
	ctx, cancel := context.WithTimeout(context.Background(), archiveTimeout)
	defer cancel()
	items, prev, next, err := s.archiveOf(ctx, k.feed, k.day)
	if err != nil {
		return nil, err
	}
	m := s.describe(feedDoc{feed: k.feed, format: k.format, limit: s.opts.Limit}, items)
	m.archive = true
	m.current = m.self
	m.self = s.opts.BaseURL + archivePath(k.feed, k.day, k.format)
	if prev != "" {
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, prev, k.format)
	}
	if next != "" {
		m.nextArchive = s.opts.BaseURL + archivePath(k.feed, next, k.format)
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
			if e.day == "" || seen[e.day] {
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
