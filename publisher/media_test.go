package publisher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/internal/netguard"
	"github.com/crier/crier/normalize"
)

// loopbackOnly opens 127.0.0.1 and nothing else of loopback.
var loopbackOnly = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

func leadPNG(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/lead.png")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// imageServer serves testdata/lead.png with http.ServeContent (HEAD and
// Range as a file server does them) unless a test's handler answers first.
// It records the requests it gets.
type imageServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newImageServer(t *testing.T, addr string, h func(w http.ResponseWriter, r *http.Request) bool) *imageServer {
	t.Helper()
	png := leadPNG(t)
	s := &imageServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		if h != nil && h(w, r) {
			return
		}
		w.Header().Set("Content-Type", "image/png")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(png))
	}))
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		s.Listener.Close()
		s.Listener = l
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *imageServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

// chunked writes body without a Content-Length.
func chunked(w http.ResponseWriter, typ string, body []byte) {
	w.Header().Set("Content-Type", typ)
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	w.Write(body)
}

func TestHTTPProber(t *testing.T) {
	png := leadPNG(t)
	size := int64(len(png))
	// The redirect target listens on 127.0.0.2, which loopbackOnly refuses.
	elsewhere := newImageServer(t, "127.0.0.2:0", nil)

	for _, tc := range []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request) bool
		path    string
		timeout time.Duration
		want    MediaInfo
		wantErr error
		methods string // the requests the server saw, in order
	}{
		{name: "HEAD gives both", want: MediaInfo{"image/png", size}, methods: "HEAD"},
		{
			name: "HEAD 405, range GET",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodHead {
					http.Error(w, "no HEAD here", http.StatusMethodNotAllowed)
					return true
				}
				return false
			},
			want: MediaInfo{"image/png", size}, methods: "HEAD GET",
		},
		{
			name: "HEAD without Content-Length, range GET",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodHead {
					w.Header().Set("Content-Type", "image/png")
					w.WriteHeader(http.StatusOK)
					return true
				}
				return false
			},
			want: MediaInfo{"image/png", size}, methods: "HEAD GET",
		},
		{
			name: "no length anywhere: the type alone",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				chunked(w, "image/png", png) // ignores the range
				return true
			},
			want: MediaInfo{Type: "image/png"}, methods: "HEAD GET",
		},
		{
			name: "range GET answered in full",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodHead {
					w.WriteHeader(http.StatusNotImplemented)
					return true
				}
				w.Header().Set("Content-Type", "image/webp; charset=binary")
				w.Write(png)
				return true
			},
			want: MediaInfo{"image/webp", size}, methods: "HEAD GET",
		},
		{
			name: "text/html refused",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				http.ServeContent(w, r, "", time.Time{}, strings.NewReader("<p>not a picture</p>"))
				return true
			},
			wantErr: errNotImage, methods: "HEAD",
		},
		{
			name: "not found",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				http.NotFound(w, r)
				return true
			},
			wantErr: errStatus, methods: "HEAD GET",
		},
		{
			name: "three redirects followed",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				switch r.URL.Path {
				case "/r3", "/r2", "/r1":
					http.Redirect(w, r, "/r"+string(r.URL.Path[2]-1), http.StatusFound)
					return true
				case "/r0":
					return false
				}
				return false
			},
			path: "/r3",
			want: MediaInfo{"image/png", size}, methods: "HEAD HEAD HEAD HEAD",
		},
		{
			name: "a fourth redirect refused",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				http.Redirect(w, r, "/again", http.StatusFound)
				return true
			},
			wantErr: errTooManyRedirects, methods: "HEAD HEAD HEAD HEAD",
		},
		{
			name: "redirect to 127.0.0.2 refused by the guard",
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				http.Redirect(w, r, elsewhere.URL+"/lead.png", http.StatusFound)
				return true
			},
			wantErr: netguard.ErrRefused, methods: "HEAD",
		},
		{
			name:    "timeout",
			timeout: 50 * time.Millisecond,
			handler: func(w http.ResponseWriter, r *http.Request) bool {
				<-r.Context().Done() // until the probe gives up
				return true
			},
			wantErr: context.DeadlineExceeded, methods: "HEAD",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newImageServer(t, "127.0.0.1:0", tc.handler)
			p := newHTTPProber(MediaOptions{AllowNetworks: loopbackOnly, Timeout: tc.timeout})
			path := tc.path
			if path == "" {
				path = "/lead.png"
			}
			got, err := p.probe(context.Background(), srv.URL+path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("probe error = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Errorf("probe error = %v", err)
			}
			if got != tc.want {
				t.Errorf("probe = %+v, want %+v", got, tc.want)
			}
			var methods []string
			for _, r := range srv.requests() {
				methods = append(methods, r.Method)
				if ua := r.Header.Get("User-Agent"); ua != DefaultMediaUserAgent {
					t.Errorf("User-Agent %q", ua)
				}
				if r.Method == http.MethodGet && r.Header.Get("Range") != "bytes=0-0" {
					t.Errorf("GET without Range: %q", r.Header.Get("Range"))
				}
				if r.Header.Get("Accept-Encoding") != "" {
					t.Errorf("Accept-Encoding %q: a compressed answer has no length", r.Header.Get("Accept-Encoding"))
				}
			}
			if m := strings.Join(methods, " "); m != tc.methods {
				t.Errorf("server saw %q, want %q", m, tc.methods)
			}
		})
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("127.0.0.2 got %d requests past the guard", n)
	}
}

// TestHTTPProberReusesConnection: the one byte of a 206 is read, so a
// range GET leaves its connection to the next probe of that host.
func TestHTTPProberReusesConnection(t *testing.T) {
	srv := newImageServer(t, "127.0.0.1:0", func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return true
		}
		return false
	})
	p := newHTTPProber(MediaOptions{AllowNetworks: loopbackOnly})
	for _, path := range []string{"/a.png", "/b.png"} {
		if _, err := p.probe(context.Background(), srv.URL+path); err != nil {
			t.Fatalf("probe %s: %v", path, err)
		}
	}
	conns := map[string]bool{}
	reqs := srv.requests()
	for _, r := range reqs {
		conns[r.RemoteAddr] = true
	}
	if len(reqs) != 4 || len(conns) != 1 {
		t.Errorf("%d requests on %d connections, want 4 on 1", len(reqs), len(conns))
	}
}

func TestHTTPProberDefaultRefusesLoopback(t *testing.T) {
	srv := newImageServer(t, "127.0.0.1:0", nil)
	_, err := newHTTPProber(MediaOptions{}).probe(context.Background(), srv.URL+"/lead.png")
	if !errors.Is(err, netguard.ErrRefused) || !strings.Contains(err.Error(), "not in publisher.allow_networks") {
		t.Errorf("probe = %v, want a refusal naming publisher.allow_networks", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}

func TestRangeTotal(t *testing.T) {
	for cr, want := range map[string]int64{
		"bytes 0-0/1234":  1234,
		"BYTES 0-0/7":     7,
		"bytes 0-0/*":     0,
		"bytes */0":       0,
		"":                0,
		"bytes 0-0/-5":    0,
		"items 0-0/12":    0,
		"bytes 0-0/12abc": 0,
	} {
		if got := rangeTotal(cr); got != want {
			t.Errorf("rangeTotal(%q) = %d, want %d", cr, got, want)
		}
	}
}

// countingProbe answers from a table and counts its calls by URL.
type countingProbe struct {
	mu      sync.Mutex
	calls   map[string]int
	answers map[string]MediaInfo
}

func (c *countingProbe) probe(_ context.Context, u string) (MediaInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[u]++
	info, ok := c.answers[u]
	if !ok {
		return MediaInfo{}, errStatus
	}
	return info, nil
}

func TestMediaProbeFill(t *testing.T) {
	jpeg := MediaInfo{"image/jpeg", 5000}
	for _, tc := range []struct {
		name  string
		media []article.Media
		want  []article.Media
		calls int
	}{
		{"none", nil, nil, 0},
		{"no URL", []article.Media{{Credit: "AFP"}}, []article.Media{{Credit: "AFP"}}, 0},
		{"not http", []article.Media{{URL: "data:image/png;base64,AAAA"}}, []article.Media{{URL: "data:image/png;base64,AAAA"}}, 0},
		{"credentials in the URL", []article.Media{{URL: "http://u:p@img.test/a.jpg"}}, []article.Media{{URL: "http://u:p@img.test/a.jpg"}}, 0},
		{
			"the first http picture", []article.Media{{Credit: "AFP"}, {URL: "https://img.test/a.jpg"}, {URL: "https://img.test/b.jpg"}},
			[]article.Media{{Credit: "AFP"}, {URL: "https://img.test/a.jpg", Type: "image/jpeg", Length: 5000}, {URL: "https://img.test/b.jpg"}}, 1,
		},
		{
			"known already", []article.Media{{URL: "https://img.test/a.jpg", Type: "image/gif", Length: 9}},
			[]article.Media{{URL: "https://img.test/a.jpg", Type: "image/gif", Length: 9}}, 0,
		},
		{
			"type known, length probed", []article.Media{{URL: "https://img.test/a.jpg", Type: "image/pjpeg"}},
			[]article.Media{{URL: "https://img.test/a.jpg", Type: "image/pjpeg", Length: 5000}}, 1,
		},
		{
			"failed probe", []article.Media{{URL: "https://img.test/gone.jpg", Caption: "c"}},
			[]article.Media{{URL: "https://img.test/gone.jpg", Caption: "c"}}, 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &countingProbe{answers: map[string]MediaInfo{"https://img.test/a.jpg": jpeg}}
			m := newCachedProbe(c.probe, mediaCacheSize, discard(), time.Now)
			a := &article.Article{ID: "x", Media: tc.media}
			m.fill(context.Background(), a)
			if g, w := jsonOf(a.Media), jsonOf(tc.want); g != w {
				t.Errorf("media = %s, want %s", g, w)
			}
			n := 0
			for _, k := range c.calls {
				n += k
			}
			if n != tc.calls {
				t.Errorf("%d probes, want %d", n, tc.calls)
			}
		})
	}
	if m := newMediaProbe(MediaOptions{Probe: false}, discard(), time.Now); m != nil {
		t.Error("probe off, but a prober was built")
	}
}

// TestMediaProbeCache: pages sharing a picture probe it once, failures
// included, until the entry expires or is evicted.
func TestMediaProbeCache(t *testing.T) {
	c := &countingProbe{answers: map[string]MediaInfo{"https://img.test/a.jpg": {"image/jpeg", 5000}}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newCachedProbe(c.probe, 2, discard(), func() time.Time { return now })
	fill := func(u string) article.Media {
		a := &article.Article{Media: []article.Media{{URL: u}}}
		m.fill(context.Background(), a)
		return a.Media[0]
	}
	for range 5 {
		if got := fill("https://img.test/a.jpg"); got.Length != 5000 {
			t.Fatalf("media = %+v", got)
		}
		fill("https://img.test/gone.jpg")
	}
	if c.calls["https://img.test/a.jpg"] != 1 || c.calls["https://img.test/gone.jpg"] != 1 {
		t.Fatalf("calls = %v, want one each", c.calls)
	}
	now = now.Add(mediaCacheTTL + time.Second)
	fill("https://img.test/a.jpg")
	if c.calls["https://img.test/a.jpg"] != 2 {
		t.Errorf("an expired entry was reused: %v", c.calls)
	}
	fill("https://img.test/c.jpg") // evicts a.jpg, the oldest
	fill("https://img.test/a.jpg")
	if c.calls["https://img.test/a.jpg"] != 3 || len(m.cache) != 2 || len(m.order) != 2 {
		t.Errorf("calls = %v, cache holds %d (%d in order), want a.jpg evicted and the cache bounded at 2", c.calls, len(m.cache), len(m.order))
	}
}

// TestMediaProbeLog: a refusal by the guard is a warning, another failure
// a debug line; neither writes the URL's query (a CDN's signature) or
// fragment.
func TestMediaProbeLog(t *testing.T) {
	refused := netguard.New(netguard.Options{}).Control("tcp4", "10.0.0.1:443", nil)
	for _, tc := range []struct {
		name  string
		err   error
		level string
	}{
		{"refused", fmt.Errorf("HEAD: %w", refused), "WARN"},
		{"other failure", errStatus, "DEBUG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			failing := func(context.Context, string) (MediaInfo, error) { return MediaInfo{}, tc.err }
			m := newCachedProbe(failing, mediaCacheSize, log, time.Now)
			m.fill(context.Background(), &article.Article{ID: "x", Media: []article.Media{{URL: "https://img.test/a.jpg?sig=SECRET#frag"}}})
			var line struct{ Level, URL string }
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("log %q: %v", buf.String(), err)
			}
			if line.Level != tc.level || line.URL != "https://img.test/a.jpg" || strings.Contains(buf.String(), "SECRET") {
				t.Errorf("log line %s, want level %s and url https://img.test/a.jpg", buf.String(), tc.level)
			}
		})
	}
}

// TestMediaProbeNotRemembersCancelled: a probe cut short by shutdown says
// nothing about the picture.
func TestMediaProbeNotRemembersCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := &countingProbe{}
	m := newCachedProbe(c.probe, mediaCacheSize, discard(), time.Now)
	m.fill(ctx, &article.Article{Media: []article.Media{{URL: "https://img.test/a.jpg"}}})
	if len(m.cache) != 0 {
		t.Errorf("cache = %v", m.cache)
	}
}

// TestPublishProbesLeadImage goes end to end: an HTML page whose og:image
// is served on loopback is ingested, and the article on the stream
// carries the picture's type and length. Its duplicate, with another
// picture, is dropped before any probe.
func TestPublishProbesLeadImage(t *testing.T) {
	srv := newImageServer(t, "127.0.0.1:0", nil)
	f := newFixture(t, 0, func(o *Options) {
		o.Media = MediaOptions{Probe: true, AllowNetworks: loopbackOnly}
	})
	page, err := os.ReadFile("testdata/lead.html")
	if err != nil {
		t.Fatal(err)
	}
	in := func(img string) normalize.Input {
		return normalize.Input{Name: "lead.html", Data: bytes.ReplaceAll(page, []byte("{{IMAGE}}"), []byte(img)), ModTime: time.Now()}
	}

	_, res, err := f.pub.Ingest(context.Background(), in(srv.URL+"/lead.png"))
	if err != nil || res.Duplicate {
		t.Fatalf("Ingest = %+v, %v", res, err)
	}
	s, _ := f.js.Stream(context.Background(), f.top.ArticleStream)
	msg, err := s.GetMsg(context.Background(), res.Seq)
	if err != nil {
		t.Fatal(err)
	}
	var a article.Article
	if err := json.Unmarshal(msg.Data, &a); err != nil {
		t.Fatal(err)
	}
	want := article.Media{URL: srv.URL + "/lead.png", Type: "image/png", Length: int64(len(leadPNG(t)))}
	if len(a.Media) == 0 || a.Media[0] != want {
		t.Fatalf("media on the stream = %+v, want %+v first", a.Media, want)
	}

	_, res, err = f.pub.Ingest(context.Background(), in(srv.URL+"/other.png"))
	if err != nil || !res.Duplicate {
		t.Fatalf("second Ingest = %+v, %v; want a duplicate", res, err)
	}
	for _, r := range srv.requests() {
		if r.URL.Path != "/lead.png" {
			t.Errorf("the duplicate's picture was probed: %s %s", r.Method, r.URL.Path)
		}
	}
}

// TestPublishSurvivesFailedProbe: a picture that cannot be probed leaves
// the fields empty and the article goes out.
func TestPublishSurvivesFailedProbe(t *testing.T) {
	srv := newImageServer(t, "127.0.0.1:0", nil) // refused: loopback is not opened
	f := newFixture(t, 0, func(o *Options) { o.Media = MediaOptions{Probe: true} })
	page, err := os.ReadFile("testdata/lead.html")
	if err != nil {
		t.Fatal(err)
	}
	a, res, err := f.pub.Ingest(context.Background(), normalize.Input{
		Name: "lead.html", Data: bytes.ReplaceAll(page, []byte("{{IMAGE}}"), []byte(srv.URL+"/lead.png")), ModTime: time.Now(),
	})
	if err != nil || res.Duplicate || res.Seq == 0 {
		t.Fatalf("Ingest = %+v, %v", res, err)
	}
	if len(a.Media) == 0 || a.Media[0].Type != "" || a.Media[0].Length != 0 {
		t.Errorf("media = %+v, want the picture without type or length", a.Media)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
