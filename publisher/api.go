package publisher

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/crier/crier/internal/httpauth"
	"github.com/crier/crier/normalize"
)

// APIOptions configures the ingest API.
type APIOptions struct {
	// Token, when set, is required as "Authorization: Bearer <token>".
	// Without one, only loopback clients may post.
	Token string
	// BaseURL prefixes the article URL in answers.
	BaseURL string
}

// APIHandler serves POST /api/articles: a structured JSON article, or a raw
// text/plain or text/html page. It answers 202 with the article id, its
// revision and what became of the input (Result.Status), or a JSON error:
// 400 (bad input), 401/403, 409 (a retracted article), 413 (too large),
// 415 (media type), 422 (too little to be an article).
func (p *Publisher) APIHandler(o APIOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		if status, msg := authorize(r, o.Token); status != 0 {
			writeError(w, status, msg)
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !(mt == "application/json" || mt == "text/plain" || mt == "text/html") {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json, text/plain or text/html")
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, p.inbox.MaxBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "body over the limit (publisher.max_input_bytes)")
			return
		} else if err != nil {
			writeError(w, http.StatusBadRequest, "reading body: "+err.Error())
			return
		}
		a, res, err := p.Ingest(r.Context(), normalize.Input{
			Name: "api", Data: data, ContentType: r.Header.Get("Content-Type"), ModTime: p.now(),
		})
		switch {
		case errors.Is(err, normalize.ErrTooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		case errors.Is(err, normalize.ErrUnsupportedType):
			writeError(w, http.StatusUnsupportedMediaType, err.Error())
			return
		case errors.Is(err, ErrRetracted):
			writeError(w, http.StatusConflict, err.Error())
			return
		case errors.Is(err, normalize.ErrNotArticle):
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		case normalize.IsBadInput(err):
			writeError(w, http.StatusBadRequest, err.Error())
			return
		case err != nil:
			p.log.Error("ingest failed", "error", err)
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "could not publish now; try again")
			return
		}
		if res.Duplicate {
			p.log.Info("duplicate dropped", "origin", "api", "article_id", a.ID, "published_as", res.ID)
		}
		loc := strings.TrimRight(o.BaseURL, "/") + "/articles/" + res.ID
		w.Header().Set("Location", loc)
		writeJSON(w, http.StatusAccepted, map[string]any{
			"id": res.ID, "revision": res.Revision, "status": res.Status(), "duplicate": res.Duplicate, "url": loc,
		})
	})
}

func authorize(r *http.Request, token string) (int, string) {
	switch status := httpauth.TokenOrLoopback(r, token); status {
	case http.StatusForbidden:
		return status, "the ingest API takes only loopback clients unless http.api_token is set"
	case http.StatusUnauthorized:
		return status, "missing or wrong bearer token"
	}
	return 0, ""
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
