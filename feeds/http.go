package feeds

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// errNotFound means the requested feed or article does not exist.
var errNotFound = errors.New("feeds: not found")

// goneError: the document is a retracted article's, answered 410.
type goneError struct{ t *tombstone }

func (g *goneError) Error() string { return "feeds: article " + g.t.id + " retracted" }

// rendered is what a render function returns: a body, its media type and
// when its content last changed. newDoc turns it into a servable doc.
type rendered struct {
	body        []byte
	modTime     time.Time
	contentType string
}

func newRendered(body []byte, contentType string, modTime time.Time) *rendered {
	return &rendered{body: body, modTime: modTime, contentType: contentType}
}

// feedDoc names one feed document: a feed in one format, at one limit,
// or one day of its archive. Its cache slot is keyed by its path
// (feedSlot).
type feedDoc struct {
	feed   feedKey
	format format
	limit  int
	day    string // "2006-01-02" for an archive document (archive.go)
	page   int    // of the archive day, from 1
}

// Handler serves the feeds and pages; mount it at "/". It applies the
// per-client rate limit when Options.RateLimit is set.
func (s *Service) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(s.serveHTTP)
	if s.limiter != nil {
		h = s.limiter.wrap(h)
	}
	return h
}

// serveHTTP answers a request for a cached document without going
// through the mux's pattern matching: the escaped path is the cache key. Only
// documents not cached under their path reach the mux's handlers.
func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.replaying.Load() {
		// A feed read now would miss the newest articles, which the
		// replay reaches last.
		h := w.Header()
		h.Set("Retry-After", "2")
		h.Set("Cache-Control", "no-store")
		http.Error(w, "starting: reading the article stream", http.StatusServiceUnavailable)
		return
	}
	if r.URL.RawQuery == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// Only a fresh document skips the routes: a stale one may be gone
		// (a retracted article's page answers 410, not 404).
		if d := s.docs.fresh(r.URL.EscapedPath()); d != nil {
			s.serve(w, r, d)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	// GET patterns match HEAD too; other methods get 405 with Allow.
	mux.HandleFunc("GET /{$}", s.serveHome)
	mux.HandleFunc("GET /feeds/{file}", s.serveFeed(kindAll))
	for name, kind := range kindNames {
		mux.HandleFunc("GET /feeds/"+name+"/{file}", s.serveFeed(kind))
	}
	mux.HandleFunc("GET /articles/{file}", s.serveArticle)
	s.archiveRoutes(mux)
	mux.HandleFunc("GET /languages/{$}", s.serveSite(siteLanguages))
	mux.HandleFunc("GET /sources/{$}", s.serveSite(siteSources))
	for dir, kind := range listingDirs {
		mux.HandleFunc("GET /"+dir+"/{value}/{$}", s.serveListing(kind))
	}
	return mux
}

func (s *Service) serveFeed(kind feedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fk, f, ok := feedFile(kind, r.PathValue("file"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		limit, err := s.limit(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		k := feedDoc{feed: fk, format: f, limit: limit}
		if !s.has(k.feed) {
			http.NotFound(w, r)
			return
		}
		s.serveSlot(w, r, s.feedSlot(k))
	}
}

// feedPathLimit is a feed's canonical path with its query: "?limit=N" when
// N is not the default.
func (s *Service) feedPathLimit(k feedDoc) string {
	p := feedPath(k.feed, k.format)
	if k.limit != s.opts.Limit {
		p += "?limit=" + strconv.Itoa(k.limit)
	}
	return p
}

// feedSlot returns the cache slot of a feed rendering.
func (s *Service) feedSlot(k feedDoc) *slot {
	key := s.feedPathLimit(k)
	if k.day != "" {
		key = archivePath(k.feed, k.day, k.page, k.format)
	}
	return s.docs.slot(key, func() *slot {
		sl := &slot{
			// An archive depends on its feed too: the first item of a new
			// day gives the last archive its next-archive link.
			deps: []dep{feedID(k.feed)},
			pinned: k.limit == s.opts.Limit && k.day == "" &&
				(k.feed.kind == kindAll || k.feed.kind == kindLang || k.feed.kind == kindSource),
			render: func() (*rendered, error) {
				return s.renderFeed(k)
			},
		}
		if s.opts.HubURL != "" {
			sl.link = "<" + s.opts.HubURL + `>; rel="hub", <` + s.opts.BaseURL + key + `>; rel="self"`
		}
		return sl
	})
}

// siteSlot returns the cache slot of a site-wide page (siteHome,
// siteLanguages, siteSources), which every change touches.
func (s *Service) siteSlot(page string) *slot {
	key := "/"
	if page != siteHome {
		key += page + "/"
	}
	return s.docs.slot(key, func() *slot {
		return &slot{deps: []dep{depAny}, pinned: true, render: func() (*rendered, error) { return s.renderSite(page) }}
	})
}

// listingSlot returns the cache slot of a feed's listing page.
func (s *Service) listingSlot(k feedKey) *slot {
	return s.docs.slot(listingPath(k), func() *slot {
		return &slot{deps: []dep{feedID(k)}, render: func() (*rendered, error) { return s.renderListing(k) }}
	})
}

// articleSlot returns the cache slot of an article's page (json false) or
// of its JSON (json true). The page lists the other reports of its story,
// so it depends on the story too.
func (s *Service) articleSlot(e *entry, json bool) *slot {
	key := articlePath(e.id)
	if json {
		key += ".json"
	}
	id := e.id
	return s.docs.slot(key, func() *slot {
		deps := []dep{ItemID(id)}
		if e.storyID != "" && !json {
			deps = append(deps, feedID(feedKey{kindStory, e.storyID}))
		}
		// An article out of the index was just read from the stream by
		// the caller (serveArticle): the first render uses it, later
		// ones read it again. Renders hold the slot's lock.
		var read *entry
		if _, indexed := s.lookup(id); !indexed {
			read = e
		}
		return &slot{deps: deps, render: func() (*rendered, error) {
			cur, ok := s.lookup(id)
			if t, gone := s.retracted(id); !ok && gone {
				return nil, &goneError{t}
			}
			if !ok && read != nil {
				cur, ok = read, true
			}
			read = nil
			if !ok {
				ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
				defer cancel()
				var t *tombstone
				var err error
				if cur, t, err = s.loadArticle(ctx, id); t != nil {
					return nil, &goneError{t}
				} else if err != nil {
					return nil, err
				}
			}
			if json {
				return s.articleJSON(cur)
			}
			return s.renderArticle(cur)
		}}
	})
}

// touched lists the documents a change of old (nil when new) into e (nil
// when retracted) affects, creating the pinned slots of e's feeds, and
// marks them stale.
// Add calls it with its lock held, before WaitFor can return.
func (s *Service) touched(old, e *entry) {
	var deps []dep
	for _, x := range [...]*entry{old, e} {
		if x == nil {
			continue
		}
		deps = append(deps, ItemID(x.id))
		for _, k := range x.keys() {
			deps = append(deps, feedID(k))
		}
	}
	if e == nil { // retracted: its page and feeds are stale, nothing is new
		s.docs.changed(deps)
		return
	}
	for _, k := range e.keys()[:3] { // all, language, source
		for _, f := range feedFormats {
			s.feedSlot(feedDoc{feed: k, format: f, limit: s.opts.Limit})
		}
	}
	for _, page := range [...]string{siteHome, siteLanguages, siteSources} {
		s.siteSlot(page)
	}
	if old != nil && old.storyID != e.storyID {
		// The article page's slot depends on the old story: forget it, so
		// the next request makes one that depends on the new.
		if sl := s.docs.lookup(articlePath(e.id)); sl != nil {
			s.docs.remove(sl)
		}
	}
	s.docs.changed(deps)
}

func (s *Service) serveHome(w http.ResponseWriter, r *http.Request) {
	s.serveSlot(w, r, s.siteSlot(siteHome))
}

func (s *Service) serveArticle(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, isJSON := strings.CutSuffix(file, ".json")
	if isJSON {
		if e, found := s.lookup(id); found {
			s.serveSlot(w, r, s.articleSlot(e, true))
			return
		}
	} else {
		id = file
	}
	if t, gone := s.retracted(id); gone {
		s.serveGone(w, t, isJSON)
		return
	}
	if e, found := s.lookup(file); found {
		s.serveSlot(w, r, s.articleSlot(e, false))
		return
	}
	// Out of the index window: read from the stream once, then cached.
	key := articlePath(id)
	if isJSON {
		key += ".json"
	}
	if sl := s.docs.lookup(key); sl != nil {
		s.serveSlot(w, r, sl)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), fetchTimeout)
	e, t, err := s.loadArticle(ctx, id)
	cancel()
	switch {
	case t != nil:
		s.serveGone(w, t, isJSON)
	case errors.Is(err, errNotFound):
		http.NotFound(w, r)
	case err != nil:
		s.log.Error("feeds: article out of the index", "article_id", id, "error", err)
		http.Error(w, "article unavailable, try again", http.StatusServiceUnavailable)
	default:
		s.serveSlot(w, r, s.articleSlot(e, isJSON))
	}
}

// serveSlot serves the fresh document of a slot.
func (s *Service) serveSlot(w http.ResponseWriter, r *http.Request, sl *slot) {
	d, err := s.docs.get(sl)
	var gone *goneError
	switch {
	case errors.Is(err, errNotFound):
		http.NotFound(w, r)
	case errors.As(err, &gone):
		s.serveGone(w, gone.t, strings.HasSuffix(r.URL.Path, ".json"))
	case err != nil:
		s.log.Error("feeds: render", "path", r.URL.Path, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		s.serve(w, r, d)
	}
}

// limit reads ?limit=N, 1..200, defaulting to Options.Limit.
func (s *Service) limit(r *http.Request) (int, error) {
	q := r.URL.Query()
	if !q.Has("limit") {
		return s.opts.Limit, nil
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > maxLimit {
		return 0, errors.New("limit must be an integer from 1 to " + strconv.Itoa(maxLimit))
	}
	return n, nil
}

// cutLast slices s around the last instance of sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// serve writes d. It answers GET and HEAD only; picks the gzip body when
// the client accepts gzip at least as much as identity; answers
// If-None-Match (which takes precedence) or else If-Modified-Since with 304
// when the selected representation did not change. Header values are
// prebuilt, so a response allocates nothing here.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, d *doc) {
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = s.hdrAllow
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	useGzip, ok := chooseEncoding(r.Header["Accept-Encoding"])
	if !ok {
		http.Error(w, "no acceptable content coding (identity or gzip)", http.StatusNotAcceptable)
		return
	}
	h["Vary"] = s.hdrVary
	body, etag, length := d.body, d.etag, d.length
	if useGzip {
		if gz, gzETag, gzLength := d.gz.get(); gz != nil {
			body, etag, length = gz, gzETag, gzLength
		} else {
			useGzip = false
		}
	}
	h["Etag"] = etag
	h["Last-Modified"] = d.lastModified
	h["Cache-Control"] = d.cacheControl
	if d.link != nil {
		h["Link"] = d.link
	}
	if d.csp != nil {
		h["Content-Security-Policy"] = d.csp
	}
	if notModified(r, etag[0], d) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = d.contentType
	h["Content-Length"] = length
	if useGzip {
		h["Content-Encoding"] = s.hdrGzip
	}
	h["X-Content-Type-Options"] = s.hdrNosniff
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// notModified applies RFC 9110's preconditions for GET and HEAD:
// If-None-Match, when present, decides alone (weak comparison, any tag of
// the list, or "*"); else If-Modified-Since compares with Last-Modified.
func notModified(r *http.Request, etag string, d *doc) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, v := range inm {
			if etagListMatches(v, etag) {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	if ims == d.lastModified[0] {
		return true
	}
	t, err := http.ParseTime(ims)
	return err == nil && !d.modTime.After(t)
}

// etagListMatches reports whether an If-None-Match value matches etag by
// weak comparison: W/ prefixes are ignored.
func etagListMatches(list, etag string) bool {
	for list != "" {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			break
		}
		if list[0] == '*' {
			return true
		}
		list = strings.TrimPrefix(list, "W/")
		if len(list) < 2 || list[0] != '"' {
			return false // malformed: stop, match nothing more
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		if list[:end+2] == etag {
			return true
		}
		list = list[end+2:]
	}
	return false
}

// chooseEncoding reads Accept-Encoding: gzip is true when gzip is
// acceptable (q > 0, by name, as x-gzip or through "*") and preferred at
// least as much as identity; ok is false when neither is acceptable
// ("identity;q=0" or "*;q=0" without gzip). No header means identity only.
func chooseEncoding(values []string) (gzip, ok bool) {
	if len(values) == 0 {
		return false, true
	}
	qGzip, qIdentity, qStar := -1, -1, -1 // thousandths; -1: not named
	for _, v := range values {
		for v != "" {
			var item string
			if i := strings.IndexByte(v, ','); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				item, v = v, ""
			}
			name, params, _ := strings.Cut(item, ";")
			name = strings.TrimSpace(name)
			q := parseQ(params)
			switch {
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				qGzip = max(qGzip, q)
			case strings.EqualFold(name, "identity"):
				qIdentity = q
			case name == "*":
				qStar = q
			}
		}
	}
	if qGzip < 0 {
		qGzip = max(qStar, 0)
	}
	if qIdentity < 0 {
		qIdentity = 1000
		if qStar == 0 {
			qIdentity = 0
		}
	}
	switch {
	case qGzip > 0 && qGzip >= qIdentity:
		return true, true
	case qIdentity > 0:
		return false, true
	}
	return false, false
}

// parseQ reads the q parameter of an Accept-Encoding item in thousandths:
// 1000 when absent, 0 when malformed.
func parseQ(params string) int {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" || (v[0] != '0' && v[0] != '1') {
			return 0
		}
		n := int(v[0]-'0') * 1000
		if len(v) > 1 {
			if v[1] != '.' {
				return 0
			}
			scale := 100
			for _, c := range v[2:] {
				if c < '0' || c > '9' || scale == 0 {
					return 0
				}
				n += int(c-'0') * scale
				scale /= 10
			}
		}
		return min(n, 1000)
	}
	return 1000
}
