// Package admin serves crier's admin HTTP API: webhook endpoints (create,
// change, disable, rotate secrets, delete), their attempts, dead letters
// and replays, over a subscribers.Manager; and articles (list, show,
// retract), over the publisher and the feeds index. Every route needs the admin
// bearer token; bodies are JSON both ways, errors {"error": "..."}.
package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crier/crier/broker"
	"github.com/crier/crier/internal/httpauth"
	"github.com/crier/crier/subscribers"
)

// Options configures the admin API.
type Options struct {
	// Token is the bearer token every request must carry. Empty refuses
	// every request, so a handler mounted by mistake opens nothing.
	Token string
	// Logger gets the details of internal errors, which clients see only
	// as a generic message. Nil discards them.
	Logger *slog.Logger
	// Retractor and Index serve the articles routes; without both, those
	// routes answer 404.
	Retractor Retractor
	Index     ArticleIndex
}

const (
	// maxBody bounds request bodies: an endpoint is a few hundred bytes.
	maxBody = 64 << 10
	// defaultLimit and maxLimit bound the lists of attempts and dead
	// letters.
	defaultLimit = 50
	maxLimit     = 1000
)

// Request bodies.
type (
	// DisableRequest is the optional body of POST .../disable.
	DisableRequest struct {
		Reason string `json:"reason,omitempty"`
	}
	// ReplayRequest is the body of POST /admin/endpoints/{name}/replay:
	// the articles that entered the stream in [From, To] (To defaults to
	// now) are queued for that endpoint.
	ReplayRequest struct {
		From time.Time `json:"from"`
		To   time.Time `json:"to,omitzero"`
	}
	// ReplayFailuresRequest is the body of POST /admin/dead-letters/replay:
	// the dead letters since Since, of Endpoint or of all (""), are queued.
	ReplayFailuresRequest struct {
		Since    time.Time `json:"since"`
		Endpoint string    `json:"endpoint,omitempty"`
	}
)

// Response bodies.
type (
	// EndpointList is the answer of GET /admin/endpoints.
	EndpointList struct {
		Endpoints []subscribers.EndpointInfo `json:"endpoints"`
	}
	// AttemptList is the answer of GET /admin/endpoints/{name}/attempts,
	// newest first.
	AttemptList struct {
		Attempts []subscribers.Attempt `json:"attempts"`
	}
	// DeadLetterList is the answer of GET /admin/dead-letters, newest
	// first.
	DeadLetterList struct {
		DeadLetters []subscribers.DeadLetter `json:"dead_letters"`
	}
	// RotateResponse holds the new secret, shown this once.
	RotateResponse struct {
		Secret string `json:"secret"`
	}
	// Queued answers a replay: how many messages were queued.
	Queued struct {
		Queued int `json:"queued"`
	}
	// Error is every error answer.
	Error struct {
		Error string `json:"error"`
	}
)

// createRequest is the body of POST /admin/endpoints: the fields a client
// may set, so that server-owned ones (origin, created, a secret's expiry)
// are refused as unknown rather than silently dropped.
type createRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	URL         string          `json:"url"`
	Secrets     []secretRequest `json:"secrets"`
	SigningKey  string          `json:"signing_key"`
	Languages   []string        `json:"languages"`
	Sources     []string        `json:"sources"`
	Tags        []string        `json:"tags"`
	Stories     []string        `json:"stories"`
	EventTypes  []string        `json:"event_types"`
	Payload     string          `json:"payload"`
	Concurrency int             `json:"concurrency"`
	RateLimit   float64         `json:"rate_limit"`
	StrictOrder bool            `json:"strict_order"`
}

type secretRequest struct {
	Value string `json:"value"`
}

func (c createRequest) endpoint() subscribers.Endpoint {
	ep := subscribers.Endpoint{
		Name: c.Name, Description: c.Description, URL: c.URL, SigningKey: c.SigningKey,
		Languages: c.Languages, Sources: c.Sources, Tags: c.Tags, Stories: c.Stories,
		EventTypes: c.EventTypes, Payload: c.Payload, Concurrency: c.Concurrency, RateLimit: c.RateLimit, StrictOrder: c.StrictOrder,
	}
	for _, s := range c.Secrets {
		ep.Secrets = append(ep.Secrets, subscribers.Secret{Value: s.Value})
	}
	return ep
}

// server holds what the routes share.
type server struct {
	m         *subscribers.Manager
	retractor Retractor
	index     ArticleIndex
	token     string
	log       *slog.Logger
	mux       *http.ServeMux
}

// Handler returns the admin API. It registers full paths under /admin/,
// to be mounted at "/admin/" on crier's mux.
func Handler(m *subscribers.Manager, o Options) http.Handler {
	s := &server{m: m, token: o.Token, log: o.Logger, retractor: o.Retractor, index: o.Index, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for pattern, h := range map[string]http.HandlerFunc{
		"GET /admin/endpoints":                  s.list,
		"POST /admin/endpoints":                 s.create,
		"GET /admin/endpoints/{name}":           s.named(s.writeEndpoint),
		"PATCH /admin/endpoints/{name}":         s.named(s.update),
		"DELETE /admin/endpoints/{name}":        s.named(s.delete),
		"POST /admin/endpoints/{name}/disable":  s.named(s.disable),
		"POST /admin/endpoints/{name}/enable":   s.named(s.enable),
		"POST /admin/endpoints/{name}/rotate":   s.named(s.rotate),
		"GET /admin/endpoints/{name}/attempts":  s.named(s.attempts),
		"POST /admin/endpoints/{name}/replay":   s.named(s.replayRange),
		"GET /admin/dead-letters":               s.deadLetters,
		"POST /admin/dead-letters/{seq}/replay": s.replayDeadLetter,
		"POST /admin/dead-letters/replay":       s.replayFailures,
	} {
		s.mux.Handle(pattern, h)
	}
	if s.retractor != nil && s.index != nil {
		s.mux.HandleFunc("GET /admin/articles", s.articles)
		s.mux.HandleFunc("GET /admin/articles/{id}", s.article)
		s.mux.HandleFunc("POST /admin/articles/{id}/retract", s.retract)
	}
	return s
}

// methods are those tried to tell a wrong method (405) from a wrong path.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !httpauth.Bearer(r, s.token) {
		s.log.Warn("admin API: unauthorized request", "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
		w.Header().Set("WWW-Authenticate", `Bearer realm="crier admin"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// The mux would answer in plain text; answer in JSON.
		var allow []string
		for _, m := range methods {
			r2 := r.WithContext(r.Context())
			r2.Method = m
			if _, p := s.mux.Handler(r2); p != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			writeError(w, http.StatusNotFound, "no such route")
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, "method not allowed; use "+strings.Join(allow, " or "))
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	eps, err := s.m.Endpoints(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, EndpointList{Endpoints: nonNil(eps)})
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	ep, err := s.m.CreateEndpoint(r.Context(), req.endpoint())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/admin/endpoints/"+url.PathEscape(ep.Name))
	writeJSON(w, http.StatusCreated, ep)
}

// writeEndpoint answers with an endpoint as it is now.
func (s *server) writeEndpoint(w http.ResponseWriter, r *http.Request, name string) {
	info, err := s.m.Endpoint(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *server) update(w http.ResponseWriter, r *http.Request, name string) {
	var u subscribers.EndpointUpdate
	if !s.decode(w, r, &u, false) {
		return
	}
	info, err := s.m.UpdateEndpoint(r.Context(), name, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *server) delete(w http.ResponseWriter, r *http.Request, name string) {
	if err := s.m.DeleteEndpoint(r.Context(), name); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) disable(w http.ResponseWriter, r *http.Request, name string) {
	var req DisableRequest
	if !s.decode(w, r, &req, true) {
		return
	}
	if err := s.m.DisableEndpoint(r.Context(), name, req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeEndpoint(w, r, name)
}

func (s *server) enable(w http.ResponseWriter, r *http.Request, name string) {
	if err := s.m.EnableEndpoint(r.Context(), name); err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeEndpoint(w, r, name)
}

func (s *server) rotate(w http.ResponseWriter, r *http.Request, name string) {
	secret, err := s.m.RotateSecret(r.Context(), name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, RotateResponse{Secret: secret})
}

func (s *server) attempts(w http.ResponseWriter, r *http.Request, name string) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	as, err := s.m.Attempts(r.Context(), name, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, AttemptList{Attempts: nonNil(as)})
}

func (s *server) replayRange(w http.ResponseWriter, r *http.Request, name string) {
	var req ReplayRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	if req.From.IsZero() {
		writeError(w, http.StatusBadRequest, `"from" is required (RFC 3339 time)`)
		return
	}
	if req.To.IsZero() {
		req.To = time.Now()
	}
	n, err := s.m.ReplayRange(r.Context(), name, req.From, req.To)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, Queued{Queued: n})
}

func (s *server) deadLetters(w http.ResponseWriter, r *http.Request) {
	endpoint := r.URL.Query().Get("endpoint")
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	dls, err := s.m.DeadLetters(r.Context(), endpoint, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DeadLetterList{DeadLetters: nonNil(dls)})
}

func (s *server) replayDeadLetter(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 {
		writeError(w, http.StatusBadRequest, "dead letter sequence: want a positive integer")
		return
	}
	if err := s.m.ReplayDeadLetter(r.Context(), seq); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, Queued{Queued: 1})
}

func (s *server) replayFailures(w http.ResponseWriter, r *http.Request) {
	var req ReplayFailuresRequest
	if !s.decode(w, r, &req, false) {
		return
	}
	if req.Since.IsZero() {
		writeError(w, http.StatusBadRequest, `"since" is required (RFC 3339 time)`)
		return
	}
	n, err := s.m.ReplayFailures(r.Context(), req.Endpoint, req.Since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, Queued{Queued: n})
}

// named adapts a handler of the endpoint named in the path. A name that is
// no valid token cannot exist: 404, before it reaches a KV key or a subject.
func (s *server) named(h func(w http.ResponseWriter, r *http.Request, name string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !broker.ValidToken(name) {
			writeError(w, http.StatusNotFound, subscribers.ErrNotFound.Error())
			return
		}
		h(w, r, name)
	}
}

// limitParam reads ?limit=, defaultLimit when absent.
func limitParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return defaultLimit, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit: want an integer from 1 to %d", maxLimit))
		return 0, false
	}
	return n, true
}

// decode reads a JSON body into v, refusing unknown fields, trailing data
// and bodies over maxBody. optional accepts an empty body. It answers the
// error itself and reports whether to go on.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.Is(err, io.EOF) && optional:
		return true
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "empty body: want a JSON object")
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", maxBody))
	default:
		// encoding/json errors name the field and the offset, never the
		// value, so they are safe to echo.
		writeError(w, http.StatusBadRequest, "bad JSON body: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	return false
}

// fail maps the subscribers' errors to statuses. Their messages quote no
// secret (the package guarantees it), so client errors are echoed;
// anything else is logged and answered with a generic message.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, subscribers.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, subscribers.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, subscribers.ErrExists), errors.Is(err, subscribers.ErrDeclared), errors.Is(err, subscribers.ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	default:
		s.log.Error("admin API: request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal error; see crier's log")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client hung up: nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, Error{Error: msg})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
