package feeds

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RFC 5005 archived feeds.
//
// Every feed (all, each language, source, tag and story) is also published
// as archive documents per UTC day of its items' first ingestion, in each
// format, at most Options.ArchivePageSize items each (500), so that a
// document's size is bounded however busy a day and however long the
// history: page 1 holds the day's newest items, page 2 the next, and so on.
//
//	/feeds/archive/<YYYY-MM-DD>/all.<ext>             page 1
//	/feeds/archive/<YYYY-MM-DD>-<N>/all.<ext>         page N, from 2
//	/feeds/archive/<YYYY-MM-DD>[-<N>]/<kind>/<value>.<ext>
//
// "archive" is no feed kind, so these never collide with the current feeds
// (/feeds/all.<ext>, /feeds/<kind>/<value>.<ext>). Days without items have
// none. Within a day, prev-archive goes to the next page, and from the
// last page to the first page of the feed's previous day with items;
// next-archive the other way. The subscription document (the current
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

// archivePath is the site-relative path of page page of a feed's archive
// for a day: the feed's own path with "/archive/<day>" (page 1) or
// "/archive/<day>-<page>" after "/feeds".
func archivePath(k feedKey, day string, page int, f format) string {
	if page > 1 {
		day += "-" + strconv.Itoa(page)
	}
	return "/feeds/archive/" + day + strings.TrimPrefix(feedPath(k, f), "/feeds")
}

// parseArchiveDay reads the day segment of an archive path: "<day>" or
// "<day>-<page>", page from 2, written as archivePath writes it.
func parseArchiveDay(seg string) (day string, page int, ok bool) {
	if len(seg) < len(dayLayout) || !validDay(seg[:len(dayLayout)]) {
		return "", 0, false
	}
	day, rest := seg[:len(dayLayout)], seg[len(dayLayout):]
	if rest == "" {
		return day, 1, true
	}
	n, dash := strings.CutPrefix(rest, "-")
	page, err := strconv.Atoi(n)
	if !dash || err != nil || page < 2 || strconv.Itoa(page) != n {
		return "", 0, false
	}
	return day, page, true
}

// pagesOf is how many archive pages n items make: at least one.
func (s *Service) pagesOf(n int) int {
	return max(1, (n+s.opts.ArchivePageSize-1)/s.opts.ArchivePageSize)
}

// archiveOf returns feed k's items of one day, newest first, and the
// feed's days with items before and after it ("" when none): from the
// index for the days it holds whole (one pass over the feed's members, and
// only that day's items sorted), from the stream for the days the index
// window cut (history.go). errNotFound when the feed has no item that day.
//
// Without links, prev and next are left empty (and cost nothing).
func (s *Service) archiveOf(ctx context.Context, k feedKey, day string, links bool) (items []*entry, prev, next string, err error) {
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
		if floor != "" && links {
			prev, err = s.historyPrev(ctx, k, dayStart(floor).AddDate(0, 0, 1).Format(dayLayout))
		}
		return items, prev, next, err
	}
	if items, err = s.historyItems(ctx, k, day); err != nil || len(items) == 0 {
		return nil, "", "", cmp.Or(err, errNotFound)
	}
	if !links {
		return items, "", "", nil
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
		day, page, dayOK := parseArchiveDay(r.PathValue("day"))
		fk, f, ok := feedFile(kind, r.PathValue("file"))
		if !ok || !dayOK {
			http.NotFound(w, r)
			return
		}
		// An archive page is whole: ?limit does not apply.
		k := feedDoc{feed: fk, format: f, limit: s.opts.Limit, day: day, page: page}
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

// renderArchive renders the archive document k names: page k.page of the
// feed's items of day k.day, described and built by the same code as the
// current feed.
func (s *Service) renderArchive(k feedDoc) (*rendered, error) {
	ctx, cancel := context.WithTimeout(context.Background(), archiveTimeout)
	defer cancel()
	items, prev, next, err := s.archiveOf(ctx, k.feed, k.day, true)
	if err != nil {
		return nil, err
	}
	page, size := max(k.page, 1), s.opts.ArchivePageSize
	pages := s.pagesOf(len(items))
	if page > pages {
		return nil, errNotFound
	}
	items = items[(page-1)*size : min(page*size, len(items))]
	m := s.describe(feedDoc{feed: k.feed, format: k.format, limit: s.opts.Limit}, items)
	m.archive = true
	m.current = m.self
	m.self = s.opts.BaseURL + archivePath(k.feed, k.day, page, k.format)
	switch {
	case page < pages:
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, k.day, page+1, k.format)
	case prev != "":
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, prev, 1, k.format)
	}
	switch {
	case page > 1:
		m.nextArchive = s.opts.BaseURL + archivePath(k.feed, k.day, page-1, k.format)
	case next != "":
		// The newer day's last page: the one whose prev-archive is this.
		newer, _, _, err := s.archiveOf(ctx, k.feed, next, false)
		if err != nil && !errors.Is(err, errNotFound) {
			return nil, err
		}
		m.nextArchive = s.opts.BaseURL + archivePath(k.feed, next, s.pagesOf(len(newer)), k.format)
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
		perDay := map[string]int{}
		for _, e := range f.members {
			if e.day != "" {
				perDay[e.day]++
			}
		}
		for day, n := range perDay {
			for page := range s.pagesOf(n) {
				for _, f := range feedFormats {
					paths = append(paths, archivePath(k, day, page+1, f))
				}
			}
		}
	}
	s.mu.RUnlock()
	slices.Sort(paths)
	return paths
}
