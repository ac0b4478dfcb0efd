package feeds_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/feeds"
)

// base is the public URL the services under test claim; requests go to the
// httptest server, links in feeds point here.
const base = "http://crier.test"

// wait bounds every wait in these tests.
const wait = 15 * time.Second

// env is a real embedded NATS server with crier's streams.
type env struct {
	t   *testing.T
	b   *broker.Broker
	top broker.Topology
}

func newEnv(t *testing.T) *env {
	b, top := brokertest.Start(t)
	return &env{t: t, b: b, top: top}
}

// publish puts an article on the stream as the ingest side would.
func (e *env) publish(a *article.Article) {
	e.t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		e.t.Fatal(err)
	}
	e.publishRaw(e.top.ArticleSubject(a.LanguageSlug(), a.SourceSlug()), data)
}

func (e *env) publishRaw(subject string, data []byte) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), wait)
	defer cancel()
	if _, err := e.b.JS.Publish(ctx, subject, data); err != nil {
		e.t.Fatalf("publish: %v", err)
	}
}

// site is a running Service following the stream, behind an HTTP server.
type site struct {
	t   *testing.T
	svc *feeds.Service
	srv *httptest.Server
}

func (e *env) startSite(o feeds.Options) *site {
	e.t.Helper()
	if o.BaseURL == "" {
		o.BaseURL = base
	}
	svc := feeds.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx, e.b.JS, e.top.ArticleStream) }()
	srv := httptest.NewServer(svc.Handler())
	e.t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("Run: %v", err)
		}
	})
	s := &site{t: e.t, svc: svc, srv: srv}
	s.caughtUp()
	return s
}

func (s *site) caughtUp() {
	s.t.Helper()
	select {
	case <-s.svc.CaughtUp():
	case <-time.After(wait):
		s.t.Fatal("service did not catch up with the stream")
	}
}

func (s *site) waitFor(ids ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), wait)
	defer cancel()
	for _, id := range ids {
		if err := s.svc.WaitFor(ctx, id); err != nil {
			s.t.Fatal(err)
		}
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do requests path ("/feeds/all.rss") with optional header pairs.
func (s *site) do(method, path string, header ...string) response {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.t.Context(), method, s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// get fetches path and fails the test unless it answers 200.
func (s *site) get(path string, header ...string) response {
	s.t.Helper()
	r := s.do(http.MethodGet, path, header...)
	if r.status != http.StatusOK {
		s.t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
	}
	return r
}

// feed fetches and parses a feed with gofeed.
func (s *site) feed(path string) (*gofeed.Feed, response) {
	s.t.Helper()
	r := s.get(path)
	f, err := gofeed.NewParser().ParseString(string(r.body))
	if err != nil {
		s.t.Fatalf("gofeed cannot parse %s: %v\n%s", path, err, r.body)
	}
	return f, r
}

// newArticle returns a valid article; url "" leaves it without one.
func newArticle(title, lang, source, url string, published time.Time) *article.Article {
	body := []string{"First paragraph of " + title + ".", "Second paragraph."}
	hash := article.HashBody(body)
	return &article.Article{
		Schema:      article.SchemaVersion,
		ID:          article.NewID(url, hash),
		URL:         url,
		Title:       title,
		Summary:     "Summary of " + title,
		Body:        body,
		BodyHTML:    "<p>First paragraph of " + title + ".</p>\n<p>Second paragraph.</p>",
		Published:   published,
		Ingested:    published.Add(5 * time.Minute),
		Source:      source,
		Language:    lang,
		ContentHash: hash,
		Origin:      "test",
	}
}

func ids(items []*gofeed.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.GUID
	}
	return out
}

func newServer(t *testing.T, svc *feeds.Service) *httptest.Server {
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	return srv
}
