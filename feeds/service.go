// Package feeds publishes crier's articles as RSS 2.0, Atom 1.0 and JSON
// Feed 1.1 (all articles, per language, per source) and as HTML pages.
//
// The index lives in memory and is rebuilt from the ARTICLES stream on every
// start: the stream is the system of record. It holds the newest articles
// only (Options.MaxArticles); older ones are read from the stream when
// asked for (window.go, history.go). Feeds are rendered with
// gorilla/feeds when their articles change and served from memory (cache.go).
//
// Item ids are permanent: "urn:crier:<article id>" (see ItemID), the same
// string in Atom <id>, RSS <guid isPermaLink="false"> and JSON Feed "id". It
// depends on nothing but the article id, itself derived from the article's
// identity, so a new title, date or base URL never changes it.
package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
)

// Options configures a Service.
type Options struct {
	// BaseURL is the public root of the site without a trailing slash
	// ("http://127.0.0.1:8080"); every link in feeds and pages is absolute
	// from it.
	BaseURL string
	// Title is the site title; "crier" when empty.
	Title string
	// Limit is the default number of items per feed; 50 when zero.
	Limit int
	// HubURL is the WebSub hub every feed advertises; none when empty.
	HubURL string
	// MaxAge is the Cache-Control max-age of feeds and pages: how often a
	// reader may usefully poll (the publisher's schedule). 60 s when zero.
	MaxAge time.Duration
	// CacheBytes bounds the memory of the rendered documents that may be
	// evicted (tag and story feeds, ?limit= variants, article pages);
	// 256 MB when zero. The default feeds of all, each language and each
	// source, and the home page, are always kept.
	CacheBytes int64
	// BodyCacheBytes bounds the memory of the articles' bodies kept
	// between renders (the index holds none; a body not kept is read from
	// the stream when a document needs it); 64 MB when zero.
	BodyCacheBytes int64
	// RenderInterval is the least time between two background renders of
	// the documents a stream of changes touches; 1 s when zero, negative
	// for none. A request for a stale document renders it at once.
	RenderInterval time.Duration
	// AwaitReplay makes requests answer 503 from New on, not only once Run
	// has started reading the stream's history: set it when the Service
	// will be Run, so that no request between the two sees a partial index.
	AwaitReplay bool
	// ArchivePageSize is the most items an archive document holds: a
	// day's items beyond it go on further pages (archive.go); 500 when
	// zero.
	ArchivePageSize int
	// MaxArticles bounds the index: it holds the articles (and
	// tombstones) whose newest message came last on the stream, at most
	// this many, and a restart replays only that many messages; older
	// articles' pages and archive days are read from JetStream when asked
	// for (window.go, history.go). DefaultMaxArticles when zero, no bound
	// when negative. Current feeds list the newest of what it holds.
	MaxArticles int
	// ArticlesBucket is the publisher's KV bucket of article records
	// (article id to newest stream sequence and retraction): how an
	// article out of the index is found. Without it such pages answer 404
	// and old archive days show first revisions.
	ArticlesBucket string
	// RateLimit is how many requests per second Handler lets each client
	// IP make, with bursts of RateBurst; 0 turns the limit off. Clients
	// over it get 429 with Retry-After.
	RateLimit float64
	// RateBurst is the burst of RateLimit; 1 when zero.
	RateBurst int
	// Logger receives skipped messages and render errors; nil discards.
	Logger *slog.Logger
}

const (
	defaultTitle = "crier"
	defaultLimit = 50
	maxLimit     = 200
	// defaultArchivePage bounds an archive document: about 2.5 MB of Atom
	// for articles of 5 KB.
	defaultArchivePage = 500
)

// ItemID returns the permanent feed item id of an article id:
// "urn:crier:<id>", the id path-escaped should it hold unusual characters.
func ItemID(id string) string { return "urn:crier:" + url.PathEscape(id) }

// Service indexes articles and serves them as feeds and pages. Its methods
// are safe for concurrent use.
type Service struct {
	opts         Options
	cacheControl []string // Cache-Control of documents that change
	hdrVary      []string // prebuilt header values, shared by every response
	hdrGzip      []string
	hdrNosniff   []string
	hdrCSP       []string // pagePolicy, plus what only a header can say
	hdrAllow     []string
	limiter      *limiter // nil when RateLimit is 0
	log          *slog.Logger
	policy       *bluemonday.Policy
	pages        *template.Template
	mux          *http.ServeMux

	mu      sync.RWMutex
	byID    map[string]*entry
	gone    map[string]*tombstone        // retracted articles
	stories map[string]map[string]*entry // story id -> its articles
	sets    map[feedKey]*feed            // top.go
	changed chan struct{}                // closed and replaced on every change

	// The index window (window.go): indexed messages in stream order from
	// head on, and the newest archive day that may lack articles.
	order    []windowRef
	head     int
	floorDay string
	// hist reads what the index no longer holds, and bodies (set by Run;
	// nil without it).
	hist *history

	docs *docCache

	// bodies caches the articles' bodies, which the index does not hold;
	// hist reads one from the stream.
	bodies *bodyCache

	caughtUp     chan struct{}
	caughtUpOnce sync.Once
	// replaying is true while Run reads the history the stream held when
	// it started: the index is partial, so requests get 503 (http.go).
	replaying atomic.Bool
	runStart  time.Time
}

// New returns a Service with an empty index.
func New(o Options) *Service {
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Title == "" {
		o.Title = defaultTitle
	}
	if o.Limit <= 0 {
		o.Limit = defaultLimit
	}
	o.Limit = min(o.Limit, maxLimit)
	if o.MaxAge <= 0 {
		o.MaxAge = time.Minute
	}
	if o.RenderInterval == 0 {
		o.RenderInterval = time.Second
	}
	if o.ArchivePageSize <= 0 {
		o.ArchivePageSize = defaultArchivePage
	}
	if o.MaxArticles == 0 {
		o.MaxArticles = DefaultMaxArticles
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		opts:         o,
		cacheControl: []string{"public, max-age=" + strconv.Itoa(int(o.MaxAge.Seconds()))},
		hdrVary:      []string{"Accept-Encoding"},
		hdrGzip:      []string{"gzip"},
		hdrNosniff:   []string{"nosniff"},
		hdrCSP:       []string{pagePolicy() + "; frame-ancestors 'none'"},
		hdrAllow:     []string{"GET, HEAD"},
		log:          o.Logger,
		policy:       bluemonday.UGCPolicy(),
		pages:        parsePages(),
		byID:         make(map[string]*entry),
		gone:         make(map[string]*tombstone),
		stories:      make(map[string]map[string]*entry),
		sets:         make(map[feedKey]*feed),
		changed:      make(chan struct{}),
		caughtUp:     make(chan struct{}),
	}
	s.docs = newDocCache(s, o.CacheBytes, o.RenderInterval)
	if o.AwaitReplay {
		s.runStart = time.Now()
		s.replaying.Store(true)
	}
	s.bodies = newBodyCache(o.BodyCacheBytes)
	if o.RateLimit > 0 {
		s.limiter = newLimiter(o.RateLimit, o.RateBurst)
	}
	s.mux = s.routes()
	return s
}

// feedKind says what selects a feed's articles.
type feedKind uint8

const (
	kindAll feedKind = iota
	kindLang
	kindSource
	kindTag
	kindStory
)

// kindNames are the path segments of the feed kinds: /feeds/<name>/<value>.<ext>.
var kindNames = map[string]feedKind{"lang": kindLang, "source": kindSource, "tag": kindTag, "story": kindStory}

func (k feedKind) String() string {
	return [...]string{"all", "lang", "source", "tag", "story"}[k]
}

// feedKey names one feed independent of its format and limit.
type feedKey struct {
	kind  feedKind
	value string // language, source or tag slug, or story id
}

// Add indexes one article; an article with the same ID as an indexed one
// replaces it, unless it is an older revision (a revision that reached the
// stream late). The documents it touches are marked stale at once and
// re-rendered in the background (see cache.go).
func (s *Service) Add(a *article.Article) {
	if a == nil || a.ID == "" {
		s.log.Warn("feeds: article without id ignored")
		return
	}
	s.add(a, 0)
}

// add indexes a, read from stream sequence seq (0: not from the stream).
func (s *Service) add(a *article.Article, seq uint64) {
	e := s.newEntry(a, seq)

	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byID[e.id]
	if old != nil && old.revision > e.revision {
		return
	}
	if s.gone[e.id] != nil {
		return // retracted: no revision comes back
	}
	if old == nil && e.revision > 1 && s.floorDay != "" {
		// Its first revision may be out of the index: its archive day is
		// not this one, and history.go finds it in the stream.
		e.day = ""
	}
	if old != nil {
		e.day = min(e.day, old.day) // keep its archive (archive.go)
		if e.undated && old.undated {
			e.published = old.published // first received: a correction does not move it up
		}
		s.unindex(old)
	}
	s.byID[e.id] = e
	if e.storyID != "" {
		if s.stories[e.storyID] == nil {
			s.stories[e.storyID] = make(map[string]*entry)
		}
		s.stories[e.storyID][e.id] = e
	}
	for _, k := range e.keys() {
		f := s.sets[k]
		if f == nil {
			f = newFeed()
			s.sets[k] = f
		}
		f.add(e)
	}
	s.touched(old, e)
	s.remember(e.id, seq)
	close(s.changed)
	s.changed = make(chan struct{})
}

// unindex takes e out of its story and feeds; its caller holds mu.
func (s *Service) unindex(e *entry) {
	if set := s.stories[e.storyID]; set != nil {
		delete(set, e.id)
		if len(set) == 0 {
			delete(s.stories, e.storyID)
		}
	}
	for _, k := range e.keys() {
		f := s.sets[k]
		if f == nil {
			continue
		}
		f.remove(e)
		if len(f.members) == 0 && k.kind != kindAll {
			delete(s.sets, k)
		}
	}
}

// WaitFor returns nil once an article with this id is visible in the feeds
// and pages, or ctx's error when ctx ends first.
func (s *Service) WaitFor(ctx context.Context, id string) error {
	return s.WaitForRevision(ctx, id, 1)
}

// WaitForRevision returns nil once the feeds and pages show this revision
// of the article, or a newer one, or ctx's error when ctx ends first.
func (s *Service) WaitForRevision(ctx context.Context, id string, revision int) error {
	for {
		s.mu.RLock()
		e, ok := s.byID[id]
		t, gone := s.gone[id]
		changed := s.changed
		s.mu.RUnlock()
		if (ok && e.revision >= revision) || (gone && t.revision >= revision) {
			return s.awaitCaughtUp(ctx, id)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("feeds: waiting for article %s: %w", id, ctx.Err())
		}
	}
}

// awaitCaughtUp returns once a replay in progress is over: until then the
// feeds and pages answer 503.
func (s *Service) awaitCaughtUp(ctx context.Context, id string) error {
	if !s.replaying.Load() {
		return nil
	}
	select {
	case <-s.caughtUp:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("feeds: waiting for article %s: %w", id, ctx.Err())
	}
}

// CaughtUp is closed once Run has read every message that was in the stream
// when it started.
func (s *Service) CaughtUp() <-chan struct{} { return s.caughtUp }

func (s *Service) markCaughtUp() {
	s.caughtUpOnce.Do(func() {
		s.docs.release()
		if s.replaying.Swap(false) {
			s.mu.RLock()
			n := len(s.byID)
			s.mu.RUnlock()
			s.log.Info("feeds: caught up", "articles", n, "took", time.Since(s.runStart).Round(time.Millisecond))
		}
		close(s.caughtUp)
	})
}

// Run reads the article stream with an ordered consumer, from its first
// message or, when it holds more than Options.MaxArticles, from that many
// before its end; it adds each article and follows new ones until ctx is
// done, when it returns nil. Messages that are not an article are logged and skipped.
// Call it once per Service.
func (s *Service) Run(ctx context.Context, js jetstream.JetStream, stream string) error {
	st, err := js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("feeds: stream %s: %w", stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return fmt.Errorf("feeds: stream %s info: %w", stream, err)
	}
	s.mu.Lock()
	s.hist = newHistory(js, st, stream, s.opts.ArticlesBucket)
	s.mu.Unlock()
	last := info.State.LastSeq
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if m := s.opts.MaxArticles; m > 0 && info.State.Msgs > uint64(m) {
		// Only the tail: the index holds no more than m articles anyway.
		// The days of the messages before it may lack articles.
		start := last - uint64(m) + 1
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, start
		skipped, err := s.hist.lastBefore(ctx, info.State.FirstSeq, start)
		if err != nil {
			return fmt.Errorf("feeds: stream %s: %w", stream, err)
		}
		if skipped.IsZero() { // unreadable: every day so far may lack some
			skipped = time.Now()
		}
		s.mu.Lock()
		s.lower(skipped)
		s.mu.Unlock()
	}
	if info.State.Msgs == 0 {
		s.markCaughtUp()
	} else {
		if !s.replaying.Swap(true) {
			s.runStart = time.Now()
		}
		s.docs.hold() // until caught up: render the replay once
	}
	msgs, err := broker.Follow(ctx, js, stream, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("feeds: %w", err)
	}
	s.log.Info("feeds: reading stream", "stream", stream, "messages", info.State.Msgs)
	// Messages are decoded on GOMAXPROCS goroutines and indexed in stream
	// order: decoding was two thirds of a replay's time, on one core.
	workers := runtime.GOMAXPROCS(0)
	inOrder := make(chan *decoded, 8*workers)
	toDecode := make(chan *decoded, 8*workers)
	var decoders sync.WaitGroup
	for range workers {
		decoders.Go(func() {
			for d := range toDecode {
				d.err = json.Unmarshal(d.msg.Data(), &d.a)
				close(d.done)
			}
		})
	}
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		for d := range inOrder {
			<-d.done
			s.handle(d)
			if meta, err := d.msg.Metadata(); err == nil && (meta.Sequence.Stream >= last || meta.NumPending == 0) {
				s.markCaughtUp()
			}
		}
	}()
	err = broker.Each(ctx, msgs, s.log, func(msg jetstream.Msg) {
		d := &decoded{msg: msg, done: make(chan struct{})}
		inOrder <- d
		toDecode <- d
	})
	close(toDecode)
	close(inOrder)
	decoders.Wait()
	<-indexed
	if err != nil {
		return fmt.Errorf("feeds: stream %s: %w", stream, err)
	}
	return nil
}

// decoded is a message of the stream and its article, decoded by a worker
// of Run; done is closed once a and err are set.
type decoded struct {
	msg  jetstream.Msg
	a    article.Article
	err  error
	done chan struct{}
}

// handle indexes one decoded message, in stream order: an article, or a
// tombstone that retracts one.
func (s *Service) handle(d *decoded) {
	msg, a := d.msg, &d.a
	if d.err != nil {
		s.log.Warn("feeds: undecodable message skipped", "subject", msg.Subject(), "error", d.err)
		return
	}
	if a.ID == "" {
		s.log.Warn("feeds: message without article id skipped", "subject", msg.Subject())
		return
	}
	meta, err := msg.Metadata()
	if err != nil {
		s.log.Warn("feeds: message without metadata skipped", "subject", msg.Subject(), "error", err)
		return
	}
	if !a.Retracted.IsZero() {
		s.retract(a, meta.Sequence.Stream)
		return
	}
	if a.Ingested.IsZero() {
		// The stream's timestamp is the next best thing, and the same on
		// every replay.
		a.Ingested = meta.Timestamp
	}
	seq := meta.Sequence.Stream
	select {
	case <-s.caughtUp:
		// A new article: its feeds are about to show it. (The replay of
		// the history caches nothing: bodies are read when asked for.)
		s.bodies.put(seq, s.makeBody(a, httpURL(a.URL)))
	default:
	}
	s.add(a, seq)
}

// newest returns the n newest articles of a feed, newest first, and its
// newest archive day; false when the feed has no articles and is not "all".
// It reads the feed's top list (top.go), not its whole set, unless n is
// over what the list keeps.
func (s *Service) newest(k feedKey, n int) (items []*entry, day string, ok bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.sets[k]
	switch {
	case !ok && k.kind != kindAll:
		return nil, "", false
	case !ok: // "all" before its first article
		return nil, "", true
	case n <= maxLimit:
		items, day = f.newest(n)
	default:
		items, day = newestN(f.members, n)
	}
	return items, day, true
}

// newestN returns the n newest entries of set (in newer's order), newest
// first, and their newest archive day: one pass over the set, keeping a
// sorted buffer of at most n.
func newestN(set map[string]*entry, n int) (top []*entry, day string) {
	top = make([]*entry, 0, min(n, len(set)))
	for _, e := range set {
		day = max(day, e.day)
		if n == 0 || (len(top) == n && newer(e, top[n-1]) >= 0) {
			continue // not newer than the oldest kept
		}
		i, _ := slices.BinarySearchFunc(top, e, newer)
		if len(top) == n {
			top = top[:n-1]
		}
		top = slices.Insert(top, i, e)
	}
	return top, day
}

// has reports whether a feed exists: "all" always, any other feed while it
// has articles.
func (s *Service) has(k feedKey) bool {
	if k.kind == kindAll {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.sets[k]
	return ok
}

// lookup returns the indexed article with this id.
func (s *Service) lookup(id string) (*entry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id]
	return e, ok
}

// alsoReported returns the other articles of e's story, newest first.
func (s *Service) alsoReported(e *entry) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*entry
	for _, o := range s.stories[e.storyID] {
		if o.id != e.id {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, newer)
	return out
}

// Latest returns the newest articles of the index (newest revisions), at
// most n, newest first, without their text: id, title, url, language,
// source, dates and revision, what listing them needs.
func (s *Service) Latest(n int) []*article.Article {
	items, _, _ := s.newest(feedKey{kind: kindAll}, n)
	out := make([]*article.Article, len(items))
	for i, e := range items {
		out[i] = &article.Article{
			Schema: article.SchemaVersion, ID: e.id, URL: e.url, Title: e.title, Kicker: e.kicker, Summary: e.summary,
			Published: e.published, PublishedEstimated: e.undated, Ingested: e.ingested, Updated: e.revised,
			Byline: e.byline, Source: e.source, Language: e.langTag, StoryID: e.storyID, Revision: e.revision,
		}
	}
	return out
}

// Article returns the newest revision of article id, whole (its body read
// from the stream if need be), in the index or out of it; false when
// there is none or it was retracted.
func (s *Service) Article(ctx context.Context, id string) (*article.Article, bool) {
	e, ok := s.lookup(id)
	if !ok {
		var err error
		if e, _, err = s.loadArticle(ctx, id); err != nil || e == nil {
			if err != nil && !errors.Is(err, errNotFound) {
				s.log.Warn("feeds: article out of the index unreadable", "article_id", id, "error", err)
			}
			return nil, false
		}
	}
	b, err := s.bodyOf(e)
	if err != nil {
		s.log.Warn("feeds: article body unreadable", "article_id", id, "error", err)
		return nil, false
	}
	return b.article, true
}
