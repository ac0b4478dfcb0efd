package feeds

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/crier/crier/article"
)

// Retracted articles: a tombstone on the stream takes the article out of
// every feed and page; its page answers 410 Gone with the reason, and the
// Atom feeds that listed it announce the deletion (RFC 6721).

// tombstone is what the index keeps of a retracted article: enough to
// answer 410 Gone with the reason, and to announce the deletion in the
// Atom feeds that listed it (RFC 6721) while it would still be listed.
type tombstone struct {
	id        string
	seq       uint64 // of its message; 0 when not from the stream
	revision  int
	at        time.Time
	reason    string
	published time.Time // the entry's place in its feeds
	keys      []feedKey // the feeds it was in
}

// retract removes a retracted article (a, its tombstone, from stream
// sequence seq) from the feeds and pages; later revisions of it are
// ignored.
func (s *Service) retract(a *article.Article, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.gone[a.ID]; t != nil && t.revision >= a.RevisionOf() {
		return
	}
	t := &tombstone{id: a.ID, seq: seq, revision: a.RevisionOf(), at: a.Retracted.UTC(), reason: cleanLine(a.RetractionReason)}
	if old := s.byID[a.ID]; old != nil {
		t.published, t.keys = old.published, old.keys()
		s.unindex(old)
		delete(s.byID, a.ID)
		s.touched(old, nil)
	} else {
		// Out of the index (or never in it): the tombstone repeats its
		// language, source, tags and story, so the archives and page that
		// may show it are found all the same.
		s.touched(s.newEntry(a, seq), nil)
	}
	s.gone[a.ID] = t
	s.remember(a.ID, seq)
	close(s.changed)
	s.changed = make(chan struct{})
}

// retracted returns the tombstone of a retracted article.
func (s *Service) retracted(id string) (*tombstone, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.gone[id]
	return t, ok
}

// deletedIn returns the tombstones of feed k, newest first, that would
// still be listed among items, the feed's newest at most limit entries.
func (s *Service) deletedIn(k feedKey, items []*entry, limit int) []*tombstone {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*tombstone
	for _, t := range s.gone {
		if !slices.Contains(t.keys, k) {
			continue
		}
		if len(items) >= limit && t.published.Before(items[len(items)-1].published) {
			continue // pushed out by newer articles
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *tombstone) int { return cmp.Or(b.at.Compare(a.at), strings.Compare(a.id, b.id)) })
	return out
}

// Retraction says when and why article id was retracted, in the index or
// out of it; false when it was not, or when that cannot be read now.
func (s *Service) Retraction(ctx context.Context, id string) (at time.Time, reason string, ok bool) {
	t, ok := s.retracted(id)
	if !ok {
		if _, indexed := s.lookup(id); indexed {
			return time.Time{}, "", false
		}
		var err error
		if _, t, err = s.loadArticle(ctx, id); err != nil && !errors.Is(err, errNotFound) {
			s.log.Warn("feeds: article out of the index unreadable", "article_id", id, "error", err)
		}
	}
	if t == nil {
		return time.Time{}, "", false
	}
	return t.at, t.reason, true
}

// serveGone answers a retracted article's page or JSON: 410 Gone, with
// the reason.
func (s *Service) serveGone(w http.ResponseWriter, t *tombstone, isJSON bool) {
	h := w.Header()
	h["Cache-Control"] = s.cacheControl
	h["X-Content-Type-Options"] = s.hdrNosniff
	if isJSON {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		_ = json.NewEncoder(w).Encode(struct {
			ID        string    `json:"id"`
			Retracted time.Time `json:"retracted"`
			Reason    string    `json:"retraction_reason"`
		}{t.id, t.at, t.reason})
		return
	}
	h["Content-Security-Policy"] = s.hdrCSP
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusGone)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Article retracted · %s</title></head>\n<body><h1>Article retracted</h1>\n<p>This article was retracted on <time datetime=\"%s\">%s</time>: %s</p></body></html>\n",
		html.EscapeString(s.opts.Title), t.at.Format(time.RFC3339), t.at.Format("2 January 2006"), html.EscapeString(t.reason))
}
