package admin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/publisher"
)

// Retractor withdraws articles: the publisher.
type Retractor interface {
	Retract(ctx context.Context, id, reason string) (publisher.Result, error)
}

// ArticleIndex is where the articles routes read articles: the feeds
// index, which follows the stream.
type ArticleIndex interface {
	Latest(n int) []*article.Article
	Article(ctx context.Context, id string) (*article.Article, bool)
	Retraction(ctx context.Context, id string) (at time.Time, reason string, ok bool)
	WaitForRevision(ctx context.Context, id string, revision int) error
}

type (
	// RetractRequest is the body of POST /admin/articles/{id}/retract.
	RetractRequest struct {
		Reason string `json:"reason"`
	}
	// ArticleSummary is one article of GET /admin/articles.
	ArticleSummary struct {
		ID        string    `json:"id"`
		Title     string    `json:"title"`
		Revision  int       `json:"revision"`
		Published time.Time `json:"published"`
		// PublishedEstimated: the page gave no date; Published is when
		// crier received it.
		PublishedEstimated bool      `json:"published_estimated,omitempty"`
		Updated            time.Time `json:"updated,omitzero"`
		Source             string    `json:"source,omitempty"`
		Language           string    `json:"language"`
		URL                string    `json:"url,omitempty"`
	}
	// ArticleList is the answer of GET /admin/articles, newest first.
	ArticleList struct {
		Articles []ArticleSummary `json:"articles"`
	}
	// ArticleState is the answer of GET /admin/articles/{id} and of a
	// retraction: the article's newest revision, or its retraction.
	ArticleState struct {
		ID       string `json:"id"`
		Status   string `json:"status"` // "published" or "retracted"
		Revision int    `json:"revision,omitempty"`
		// Article is the newest revision, as published; nil once retracted.
		Article          *article.Article `json:"article,omitempty"`
		Retracted        time.Time        `json:"retracted,omitzero"`
		RetractionReason string           `json:"retraction_reason,omitempty"`
	}
)

// indexWait bounds how long a retraction waits to see itself in this
// replica's index, so that a show right after it reads the retraction.
const indexWait = 5 * time.Second

func (s *server) articles(w http.ResponseWriter, r *http.Request) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	list := ArticleList{Articles: []ArticleSummary{}}
	for _, a := range s.index.Latest(limit) {
		list.Articles = append(list.Articles, ArticleSummary{
			ID: a.ID, Title: a.Title, Revision: a.RevisionOf(), Published: a.Published,
			PublishedEstimated: a.PublishedEstimated, Updated: a.Updated,
			Source: a.Source, Language: a.Language, URL: a.URL,
		})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *server) article(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, ok := s.articleState(r.Context(), id)
	if !ok {
		writeError(w, http.StatusNotFound, "no such article: "+id)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *server) articleState(ctx context.Context, id string) (ArticleState, bool) {
	if at, reason, ok := s.index.Retraction(ctx, id); ok {
		return ArticleState{ID: id, Status: "retracted", Retracted: at, RetractionReason: reason}, true
	}
	if a, ok := s.index.Article(ctx, id); ok {
		return ArticleState{ID: id, Status: "published", Revision: a.RevisionOf(), Article: a}, true
	}
	return ArticleState{}, false
}

func (s *server) retract(w http.ResponseWriter, r *http.Request) {
	var req RetractRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	id := r.PathValue("id")
	res, err := s.retractor.Retract(r.Context(), id, req.Reason)
	switch {
	case errors.Is(err, publisher.ErrNoReason):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case errors.Is(err, publisher.ErrUnknownArticle):
		writeError(w, http.StatusNotFound, err.Error())
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), indexWait)
	defer cancel()
	if err := s.index.WaitForRevision(ctx, id, res.Revision); err != nil {
		s.log.Warn("admin API: retraction not yet in this replica's feeds", "article_id", id, "error", err)
	}
	st := ArticleState{ID: id, Status: "retracted", Revision: res.Revision}
	if at, reason, ok := s.index.Retraction(ctx, id); ok {
		st.Retracted, st.RetractionReason = at, reason
	}
	writeJSON(w, http.StatusOK, st)
}
