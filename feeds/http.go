package feeds

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errNotFound means the requested feed or article does not exist.
var errNotFound = errors.New("feeds: not found")

// rendered is one cached response body with its validators.
type rendered struct {
	body        []byte
	etag        string // strong: a hash of body
	modTime     time.Time
	contentType string
}

func newRendered(body []byte, contentType string, modTime time.Time) *rendered {
	sum := sha256.Sum256(body)
	return &rendered{
		body:        body,
		etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
		modTime:     modTime,
		contentType: contentType,
	}
}

// cacheKey names one cached rendering.
type cacheKey struct {
	feed   feedKey
	format format
	limit  int
}

// cacheSlot holds the latest rendering of a key; its mutex makes concurrent
// requests after a change wait for one render instead of each rendering.
type cacheSlot struct {
	mu  sync.Mutex
	gen uint64
	r   *rendered
}

func (s *Service) slot(k cacheKey) *cacheSlot {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	sl := s.cache[k]
	if sl == nil {
		sl = &cacheSlot{}
		s.cache[k] = sl
	}
	return sl
}

// cached returns the rendering of k, rendering it only when the articles it
// depends on changed since the last one.
func (s *Service) cached(k cacheKey) (*rendered, error) {
	gen, ok := s.generation(k.feed)
	if !ok {
		return nil, errNotFound
	}
	sl := s.slot(k)
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.r != nil && sl.gen == gen {
		return sl.r, nil
	}
	r, gen, err := s.render(k)
	if err != nil {
		return nil, err
	}
	sl.r, sl.gen = r, gen
	return r, nil
}

// Handler serves the feeds and pages; mount it at "/".
func (s *Service) Handler() http.Handler { return s.mux }

func (s *Service) routes() *http.ServeMux {
	mux := http.NewServeMux()
	// GET patterns match HEAD too.
	mux.HandleFunc("GET /{$}", s.serveHome)
	mux.HandleFunc("GET /feeds/{file}", s.serveFeed(kindAll))
	for name, kind := range kindNames {
		mux.HandleFunc("GET /feeds/"+name+"/{file}", s.serveFeed(kind))
	}
	mux.HandleFunc("GET /articles/{file}", s.serveArticle)
	mux.HandleFunc("GET /languages/{$}", s.serveSite(siteLanguages))
	mux.HandleFunc("GET /sources/{$}", s.serveSite(siteSources))
	for dir, kind := range listingDirs {
		mux.HandleFunc("GET /"+dir+"/{value}/{$}", s.serveListing(kind))
	}
	return mux
}

func (s *Service) serveFeed(kind feedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, ext, ok := cutLast(r.PathValue("file"), ".")
		f, known := formatOf(ext)
		if !ok || !known || (kind == kindAll && name != "all") || name == "" {
			http.NotFound(w, r)
			return
		}
		limit, err := s.limit(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		k := cacheKey{feed: feedKey{kind: kind}, format: f, limit: limit}
		if kind != kindAll {
			k.feed.value = name
		}
		s.serveCached(w, r, k)
	}
}

func (s *Service) serveHome(w http.ResponseWriter, r *http.Request) {
	s.serveCached(w, r, cacheKey{feed: feedKey{kind: kindHome}, format: formatHTML})
}

func (s *Service) serveCached(w http.ResponseWriter, r *http.Request, k cacheKey) {
	res, err := s.cached(k)
	switch {
	case errors.Is(err, errNotFound):
		http.NotFound(w, r)
	case err != nil:
		s.log.Error("feeds: render", "path", r.URL.Path, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		s.serve(w, r, res)
	}
}

// serve writes res with caching headers; http.ServeContent answers
// If-None-Match and If-Modified-Since with 304, and HEAD without a body.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, res *rendered) {
	h := w.Header()
	h.Set("Content-Type", res.contentType)
	h.Set("ETag", res.etag)
	h.Set("Cache-Control", s.cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", res.modTime, bytes.NewReader(res.body))
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

func (s *Service) serveArticle(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if id, ok := strings.CutSuffix(file, ".json"); ok {
		if e, found := s.lookup(id); found {
			s.serveArticleJSON(w, r, e)
			return
		}
	}
	e, found := s.lookup(file)
	if !found {
		http.NotFound(w, r)
		return
	}
	res, err := s.renderArticle(e)
	if err != nil {
		s.log.Error("feeds: render article", "id", e.id, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.serve(w, r, res)
}

func (s *Service) serveArticleJSON(w http.ResponseWriter, r *http.Request, e *entry) {
	res, err := articleJSON(e)
	if err != nil {
		s.log.Error("feeds: encode article", "id", e.id, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.serve(w, r, res)
}

// cutLast slices s around the last instance of sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
