package feeds

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Documents are rendered when the articles they show change, never per
// request: Add marks the documents a change affects stale (synchronously,
// before WaitFor can return) and queues them for a background renderer,
// which coalesces bursts. A request finds its document by path in a map; it
// renders only when the document was never rendered, was evicted, or is
// still stale because the renderer has not reached it yet. So an article is
// in every feed as soon as WaitFor returns, and serving is a lookup.
//
// Background rounds start at most once per Options.RenderInterval: under a
// steady stream of articles a document is rendered, and compressed, about
// once per interval instead of once per batch of changes, which had the
// renderer take half of the CPU during ingestion. Readers poll at the
// feeds' max-age, and a request for a stale document still renders it.
//
// The default-limit RSS, Atom and JSON documents of the all, language and
// source feeds and the home page are pinned: created on the first change
// that touches them and kept. Every other document (tag and story feeds,
// ?limit= variants, article pages) is kept in an LRU bounded by bytes
// (Options.CacheBytes).

// dep names what a document depends on: a feed's set of articles (its
// feedID), one article (its ItemID) or, for depAny, every change.
type dep = string

// depAny is touched by every change: the home page lists everything.
const depAny dep = "*"

// defaultCacheBytes bounds the evictable documents when Options.CacheBytes
// is zero.
const defaultCacheBytes = 256 << 20

// doc is one rendered document ready to serve: the identity body and its
// gzip variant, made on the first request that accepts it, with every
// header value prebuilt so a response allocates nothing.
type doc struct {
	version uint64 // the slot's version when its render started
	body    []byte
	gz      *gzipped // shared with the previous document when the body is the same
	modTime time.Time

	contentType  []string
	etag         []string
	length       []string
	lastModified []string
	cacheControl []string
	link         []string // nil when no hub is advertised
	csp          []string // pages' Content-Security-Policy; nil for feeds
}

// size is what a document costs the cache: its gzip variant is counted as a
// quarter of the body, what a feed compresses to, whether or not a request
// has made it yet.
func (d *doc) size() int64 { return int64(len(d.body) + len(d.body)/4 + 512) }

// gzipped is the gzip variant of a body, compressed once on first use:
// most documents a burst of articles re-renders are never requested before
// the next render, and compressing every render took a fifth of the CPU
// of ingestion.
type gzipped struct {
	once   sync.Once
	src    []byte
	tag    string // the identity ETag's hex
	body   []byte // nil: not smaller than the identity body
	etag   []string
	length []string
}

// get returns the compressed body with its ETag and Content-Length; a nil
// body when compression does not make it smaller.
func (g *gzipped) get() (body []byte, etag, length []string) {
	g.once.Do(func() {
		if gz := compress(g.src); len(gz) < len(g.src) {
			g.body = gz
			g.etag = []string{`"` + g.tag + `-gz"`}
			g.length = []string{strconv.Itoa(len(gz))}
		}
		g.src = nil
	})
	return g.body, g.etag, g.length
}

// slot is the place of one document in the cache.
type slot struct {
	key    string // canonical path, with "?limit=N" when not the default
	deps   []dep
	pinned bool
	render func() (*rendered, error)
	link   string // the Link header value, "" for none

	mu   sync.Mutex // one render at a time
	want atomic.Uint64
	cur  atomic.Pointer[doc]
	used atomic.Uint64 // the cache's tick at the last request, for the LRU
	gone atomic.Bool   // evicted or removed: a render must not count its bytes
}

// fresh returns the current document when it is not stale.
func (sl *slot) fresh() *doc {
	d := sl.cur.Load()
	if d == nil || d.version != sl.want.Load() {
		return nil
	}
	return d
}

// docCache holds the documents of a Service.
type docCache struct {
	s        *Service
	maxBytes int64
	interval time.Duration // minimum time between background rounds
	tick     atomic.Uint64
	renders  atomic.Int64 // every render, for tests

	mu         sync.RWMutex
	slots      map[string]*slot
	byDep      map[dep]map[*slot]struct{}
	evictBytes int64 // bytes of the documents of unpinned slots

	workMu  sync.Mutex
	pending map[*slot]struct{}
	running bool          // a work goroutine is running
	held    bool          // background renders wait for release (replay)
	idle    chan struct{} // closed while no background render is due
	round   time.Time     // when the last background round started
}

func newDocCache(s *Service, maxBytes int64, interval time.Duration) *docCache {
	if maxBytes <= 0 {
		maxBytes = defaultCacheBytes
	}
	idle := make(chan struct{})
	close(idle)
	return &docCache{
		s:        s,
		maxBytes: maxBytes,
		interval: interval,
		slots:    make(map[string]*slot),
		byDep:    make(map[dep]map[*slot]struct{}),
		pending:  make(map[*slot]struct{}),
		idle:     idle,
	}
}

// lookup returns the slot of a path, or nil.
func (c *docCache) lookup(key string) *slot {
	c.mu.RLock()
	sl := c.slots[key]
	c.mu.RUnlock()
	return sl
}

// slot returns the slot of key, creating it with mk when absent.
func (c *docCache) slot(key string, mk func() *slot) *slot {
	if sl := c.lookup(key); sl != nil {
		return sl
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sl := c.slots[key]; sl != nil {
		return sl
	}
	sl := mk()
	sl.key = key
	c.slots[key] = sl
	for _, d := range sl.deps {
		set := c.byDep[d]
		if set == nil {
			set = make(map[*slot]struct{})
			c.byDep[d] = set
		}
		set[sl] = struct{}{}
	}
	return sl
}

// removeLocked forgets a slot; c.mu is held.
func (c *docCache) removeLocked(sl *slot) {
	if c.slots[sl.key] != sl {
		return
	}
	delete(c.slots, sl.key)
	for _, d := range sl.deps {
		delete(c.byDep[d], sl)
		if len(c.byDep[d]) == 0 {
			delete(c.byDep, d)
		}
	}
	sl.gone.Store(true)
	if d := sl.cur.Load(); d != nil && !sl.pinned {
		c.evictBytes -= d.size()
	}
}

func (c *docCache) remove(sl *slot) {
	c.mu.Lock()
	c.removeLocked(sl)
	c.mu.Unlock()
}

// fresh returns the fresh document of path, or nil when it has none.
func (c *docCache) fresh(path string) *doc {
	sl := c.lookup(path)
	if sl == nil {
		return nil
	}
	d := sl.fresh()
	if d != nil {
		c.touch(sl)
	}
	return d
}

// touch marks sl used now, for the LRU.
func (c *docCache) touch(sl *slot) {
	if t := c.tick.Load(); sl.used.Load() != t {
		sl.used.Store(t)
	}
}

// get returns the fresh document of sl, rendering it when needed; concurrent
// callers wait for one render.
func (c *docCache) get(sl *slot) (*doc, error) {
	c.touch(sl)
	if d := sl.fresh(); d != nil {
		return d, nil
	}
	return c.refresh(sl)
}

// refresh renders sl unless it is fresh.
func (c *docCache) refresh(sl *slot) (*doc, error) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if d := sl.fresh(); d != nil {
		return d, nil
	}
	// Read the version before the articles: a change during the render
	// bumps it and leaves the slot stale.
	v := sl.want.Load()
	c.renders.Add(1)
	r, err := sl.render()
	if err != nil {
		// Not found: the document is gone. Any other error: a slot with no
		// document would stay in the map, out of the LRU's reach, and be
		// queued again on every change. Either way forget it; the next
		// request makes a new one and tries again.
		c.remove(sl)
		return nil, err
	}
	d := c.s.newDoc(r, sl.cur.Load(), sl.link)
	d.version = v
	if sl.pinned {
		sl.cur.Store(d)
	} else {
		c.store(sl, d)
	}
	return d, nil
}

// store makes d the document of an unpinned slot and counts its bytes,
// evicting the least recently used documents when over budget. It swaps
// the document under c.mu, where removeLocked subtracts it, so an eviction
// racing the render never subtracts bytes that were not counted.
func (c *docCache) store(sl *slot, d *doc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := sl.cur.Swap(d)
	if sl.gone.Load() {
		return
	}
	if prev != nil {
		c.evictBytes -= prev.size()
	}
	c.evictBytes += d.size()
	if c.evictBytes <= c.maxBytes {
		return
	}
	c.tick.Add(1)
	var cands []*slot
	for _, o := range c.slots {
		if !o.pinned && o.cur.Load() != nil {
			cands = append(cands, o)
		}
	}
	slices.SortFunc(cands, func(a, b *slot) int {
		ua, ub := a.used.Load(), b.used.Load()
		switch {
		case ua < ub:
			return -1
		case ua > ub:
			return 1
		}
		return 0
	})
	// Evict down to 90% so a full cache does not sort on every render.
	for _, o := range cands {
		if c.evictBytes <= c.maxBytes/10*9 {
			break
		}
		c.removeLocked(o)
	}
}

// changed marks stale every cached document that depends on one of deps and
// queues it for the background renderer. It runs inside Add, so a request
// after WaitFor never sees a stale document as fresh.
func (c *docCache) changed(deps []dep) {
	seen := make(map[*slot]struct{})
	c.mu.RLock()
	for _, d := range append(deps, depAny) {
		for sl := range c.byDep[d] {
			seen[sl] = struct{}{}
		}
	}
	c.mu.RUnlock()
	if len(seen) == 0 {
		return
	}
	c.workMu.Lock()
	defer c.workMu.Unlock()
	if len(c.pending) == 0 && !c.running {
		c.idle = make(chan struct{})
	}
	for sl := range seen {
		sl.want.Add(1)
		c.pending[sl] = struct{}{}
	}
	c.startLocked()
}

// startLocked starts the background renderer when renders are due and it
// is neither running nor held; c.workMu is held.
func (c *docCache) startLocked() {
	if len(c.pending) > 0 && !c.running && !c.held {
		c.running = true
		go c.work()
	}
}

// hold defers background renders until release: while Run replays the
// stream, a document would otherwise be re-rendered for a fraction of the
// replay again and again, and its Last-Modified, moved forward by each
// older article (newDoc), would end up at the time of the replay. The
// documents still turn stale at once; a request renders its own.
func (c *docCache) hold() {
	c.workMu.Lock()
	c.held = true
	c.workMu.Unlock()
}

// release starts the background renders deferred by hold.
func (c *docCache) release() {
	c.workMu.Lock()
	c.held = false
	c.startLocked()
	c.workMu.Unlock()
}

// work renders the queued documents until none is left or renders are
// held; changes that arrive meanwhile join the next round, which starts no
// sooner than c.interval after this one, so a burst costs few renders.
func (c *docCache) work() {
	for {
		c.workMu.Lock()
		if wait := c.interval - time.Since(c.round); wait > 0 && !c.held {
			c.workMu.Unlock()
			time.Sleep(wait)
			c.workMu.Lock()
		}
		batch := c.pending
		if len(batch) == 0 || c.held {
			c.running = false
			if len(batch) == 0 {
				close(c.idle)
			}
			c.workMu.Unlock()
			return
		}
		c.pending = make(map[*slot]struct{})
		c.round = time.Now()
		c.workMu.Unlock()
		for sl := range batch {
			if sl.gone.Load() {
				continue
			}
			if _, err := c.refresh(sl); err != nil && !errors.Is(err, errNotFound) {
				c.s.log.Error("feeds: render", "path", sl.key, "error", err)
			}
		}
	}
}

// waitIdle returns once no background render is due; renders held for a
// replay are due.
func (c *docCache) waitIdle() {
	c.workMu.Lock()
	idle := c.idle
	c.workMu.Unlock()
	<-idle
}

// newDoc builds the servable document of r: the ETag and every header
// value, the gzip variant to come. prev is the slot's previous document:
// when the body did not change its compressed form is reused, and when it did but
// r's modification time did not move (an article replaced by an older
// one), Last-Modified still moves forward so If-Modified-Since never
// answers 304 to a changed document.
func (s *Service) newDoc(r *rendered, prev *doc, link string) *doc {
	d := &doc{body: r.body, modTime: r.modTime.UTC().Truncate(time.Second)}
	if prev != nil && bytes.Equal(prev.body, r.body) {
		d.gz, d.etag, d.modTime = prev.gz, prev.etag, prev.modTime
	} else {
		sum := sha256.Sum256(r.body)
		tag := hex.EncodeToString(sum[:16])
		d.etag = []string{`"` + tag + `"`}
		d.gz = &gzipped{src: r.body, tag: tag}
		if prev != nil && !d.modTime.After(prev.modTime) {
			d.modTime = prev.modTime.Add(time.Second)
			if now := time.Now().UTC().Truncate(time.Second); now.After(d.modTime) {
				d.modTime = now
			}
		}
	}
	d.contentType = []string{r.contentType}
	d.length = []string{strconv.Itoa(len(d.body))}
	d.lastModified = []string{d.modTime.Format(http.TimeFormat)}
	d.cacheControl = s.cacheControl
	if link != "" {
		d.link = []string{link}
	}
	if r.contentType == formatHTML.contentType() {
		d.csp = s.hdrCSP
	}
	return d
}

// compress gzips b at the best compression: it is done once per change
// and saves bytes on every response.
func compress(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 3)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
