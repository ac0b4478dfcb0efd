package feeds

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/crier/crier/article"
)

// The index keeps what ordering, filtering and listing need of every
// article, and not its body: an archive of a million articles must not
// hold a million bodies. A body (the article as published, its sanitized
// HTML and its text) is made from the stream's message when a document
// needs it and kept in a cache bounded by bytes (Options.BodyCacheBytes);
// the newest articles, which the feeds show, stay in it.

// body is what the feeds and pages show of an article beyond the index.
type body struct {
	article *article.Article // as published: /articles/<id>.json, the admin API
	html    string           // sanitized, URLs absolute
	text    string
	size    int64 // an estimate of the bytes held, for the cache
}

// defaultBodyCacheBytes bounds the cached bodies when Options.BodyCacheBytes
// is zero: some 3,000 articles of 5 KB.
const defaultBodyCacheBytes = 64 << 20

// fetchTimeout bounds one read of a body from the stream.
const fetchTimeout = 10 * time.Second

// errNoStream says a body was evicted and no stream can give it back: an
// article added without Run keeps its body inline, so this is a bug.
var errNoStream = errors.New("feeds: no stream to read the article from")

// makeBody cleans a's body for output, once per body rather than per
// render: relative URLs resolved against the original page, then
// sanitized (the sanitizer must see the final URLs to judge their schemes).
func (s *Service) makeBody(a *article.Article, original string) *body {
	paras := cleanParas(a.Body)
	b := &body{article: a, text: strings.Join(paras, "\n\n")}
	h := cleanText(a.BodyHTML)
	if strings.TrimSpace(h) == "" {
		h = paragraphsHTML(paras)
	}
	b.html = s.policy.Sanitize(absolutize(h, original))
	b.size = int64(2*len(b.html)+2*len(b.text)+len(a.BodyHTML)) + 1024
	for _, p := range a.Body {
		b.size += int64(len(p))
	}
	return b
}

// cleanParas returns the body's paragraphs cleaned for output, empty ones
// dropped.
func cleanParas(body []string) []string {
	paras := make([]string, 0, len(body))
	for _, p := range body {
		if p = strings.TrimSpace(cleanText(p)); p != "" {
			paras = append(paras, p)
		}
	}
	return paras
}

// bodyOf returns e's body: held inline for an article added without the
// stream, else from the cache, else read from the stream by sequence.
func (s *Service) bodyOf(e *entry) (*body, error) {
	if e.inline != nil {
		return e.inline, nil
	}
	if b := s.bodies.get(e.seq); b != nil {
		return b, nil
	}
	h := s.history()
	if h == nil {
		return nil, errNoStream
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	a, err := h.message(ctx, e.seq)
	if err != nil {
		return nil, fmt.Errorf("feeds: article %s: %w", e.id, err)
	}
	b := s.makeBody(a, e.original)
	s.bodies.put(e.seq, b)
	return b, nil
}

// bodiesOf returns the bodies of items, in order.
func (s *Service) bodiesOf(items []*entry) ([]*body, error) {
	out := make([]*body, len(items))
	for i, e := range items {
		b, err := s.bodyOf(e)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// bodyCache is a least-recently-used cache of bodies by stream sequence,
// bounded by their estimated bytes. Safe for concurrent use.
type bodyCache struct {
	mu       sync.Mutex
	max, cur int64
	ll       *list.List // of *bodyItem, most recent first
	bySeq    map[uint64]*list.Element
}

type bodyItem struct {
	seq uint64
	b   *body
}

func newBodyCache(maxBytes int64) *bodyCache {
	if maxBytes <= 0 {
		maxBytes = defaultBodyCacheBytes
	}
	return &bodyCache{max: maxBytes, ll: list.New(), bySeq: make(map[uint64]*list.Element)}
}

func (c *bodyCache) get(seq uint64) *body {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.bySeq[seq]
	if !ok {
		return nil
	}
	c.ll.MoveToFront(el)
	return el.Value.(*bodyItem).b
}

func (c *bodyCache) put(seq uint64, b *body) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.bySeq[seq]; ok {
		c.cur -= el.Value.(*bodyItem).b.size
		el.Value = &bodyItem{seq, b}
		c.ll.MoveToFront(el)
	} else {
		c.bySeq[seq] = c.ll.PushFront(&bodyItem{seq, b})
	}
	c.cur += b.size
	for c.cur > c.max && c.ll.Len() > 1 {
		old := c.ll.Back()
		it := old.Value.(*bodyItem)
		c.ll.Remove(old)
		delete(c.bySeq, it.seq)
		c.cur -= it.b.size
	}
}

// len returns how many bodies the cache holds.
func (c *bodyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
