package publisher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/internal/netguard"
)

// Defaults of MediaOptions.
const (
	DefaultProbeTimeout   = 3 * time.Second
	DefaultMediaUserAgent = "crier (+https://github.com/crier/crier)"
)

const (
	// maxProbeRedirects is how many redirects a probe follows; each hop
	// is dialled through the SSRF guard again.
	maxProbeRedirects = 3
	// mediaCacheTTL is how long a probe's result, failure included, is
	// reused: pages of one run often share a picture, and a picture that
	// failed is tried again later rather than never.
	mediaCacheTTL = time.Hour
	// maxProbeDrain is the most of an answer's body a probe reads.
	maxProbeDrain = 4 << 10
	// mediaCacheSize is how many results are kept by URL.
	mediaCacheSize = 256
)

// MediaOptions configures the probe of each article's lead image, which
// gives feeds the type and byte length an RSS enclosure needs.
type MediaOptions struct {
	// Probe turns the probe on (publisher.probe_media). Off, articles go
	// out with the media fields the page gave.
	Probe bool
	// Timeout bounds one probe, its redirects and its fallback request
	// included. Default DefaultProbeTimeout.
	Timeout time.Duration
	// AllowNetworks opens address ranges the SSRF guard refuses by default
	// (loopback, private, link-local …).
	AllowNetworks []netip.Prefix
	// UserAgent is sent with every probe. Default DefaultMediaUserAgent.
	UserAgent string
}

// MediaInfo is what a probe learnt about a picture; zero fields are
// unknown.
type MediaInfo struct {
	Type   string
	Length int64
}

// Probe errors, classified for the log.
var (
	errNotImage         = errors.New("publisher: not an image")
	errStatus           = errors.New("unexpected status")
	errTooManyRedirects = fmt.Errorf("publisher: more than %d redirects", maxProbeRedirects)
)

// mediaProbe fills the lead image's type and length, remembering results
// by URL so articles sharing a picture probe it once.
type mediaProbe struct {
	// probe returns what it learnt about the picture at url; a zero field
	// is unknown. The HTTP probe in production, a table in tests.
	probe func(ctx context.Context, url string) (MediaInfo, error)
	log   *slog.Logger
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cachedProbe
	order []string // cache keys, oldest first, for eviction
	size  int
}

type cachedProbe struct {
	info MediaInfo
	at   time.Time
}

// newMediaProbe returns nil when probing is off.
func newMediaProbe(o MediaOptions, log *slog.Logger, now func() time.Time) *mediaProbe {
	if !o.Probe {
		return nil
	}
	return newCachedProbe(newHTTPProber(o).probe, mediaCacheSize, log, now)
}

// newCachedProbe remembers up to size results of probe.
func newCachedProbe(probe func(context.Context, string) (MediaInfo, error), size int, log *slog.Logger, now func() time.Time) *mediaProbe {
	return &mediaProbe{probe: probe, log: log, now: now, cache: make(map[string]cachedProbe), size: size}
}

// leadMedia returns the index of the first picture with an http(s) URL,
// or -1: that is the picture feeds show.
func leadMedia(media []article.Media) int {
	for i, m := range media {
		u, err := url.Parse(m.URL)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
			return i
		}
	}
	return -1
}

// fill probes a's lead image when its type or length is unknown and sets
// what it learns. A failed probe is logged and leaves the fields as they
// were: it never fails the article.
func (m *mediaProbe) fill(ctx context.Context, a *article.Article) {
	i := leadMedia(a.Media)
	if i < 0 || (a.Media[i].Type != "" && a.Media[i].Length > 0) {
		return
	}
	lead := &a.Media[i]
	info, ok := m.cached(lead.URL)
	if !ok {
		var err error
		info, err = m.probe(ctx, lead.URL)
		switch {
		case ctx.Err() != nil:
			return // shutting down: neither log nor remember
		case errors.Is(err, netguard.ErrRefused):
			m.log.Warn("lead image not probed", "article_id", a.ID, "url", logURL(lead.URL), "err", err)
		case err != nil:
			m.log.Debug("lead image not probed", "article_id", a.ID, "url", logURL(lead.URL), "err", err)
		}
		if err != nil {
			info = MediaInfo{}
		}
		m.remember(lead.URL, info)
	}
	if lead.Type == "" {
		lead.Type = info.Type
	}
	if lead.Length <= 0 {
		lead.Length = info.Length
	}
}

func (m *mediaProbe) cached(u string) (MediaInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cache[u]
	if !ok || m.now().Sub(c.at) > mediaCacheTTL {
		return MediaInfo{}, false
	}
	return c.info, true
}

// remember caches info for u, evicting the oldest entry when full.
func (m *mediaProbe) remember(u string, info MediaInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.cache[u]; !ok {
		if len(m.order) >= m.size {
			delete(m.cache, m.order[0])
			m.order = m.order[1:]
		}
		m.order = append(m.order, u)
	}
	m.cache[u] = cachedProbe{info: info, at: m.now()}
}

// logURL drops the query and fragment, which may carry a CDN's signature.
func logURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// httpProber learns a picture's type and length from HEAD, or from a
// one-byte range GET when HEAD fails or gives no length.
type httpProber struct {
	client  *http.Client
	ua      string
	timeout time.Duration
}

func newHTTPProber(o MediaOptions) *httpProber {
	if o.Timeout <= 0 {
		o.Timeout = DefaultProbeTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultMediaUserAgent
	}
	guard := netguard.New(netguard.Options{Allow: o.AllowNetworks, Key: "publisher.allow_networks"})
	dialer := guard.Dialer(o.Timeout)
	return &httpProber{
		client: &http.Client{
			Transport: &http.Transport{
				Proxy:             nil, // a proxy would dial on our behalf, past the guard
				DialContext:       dialer.DialContext,
				ForceAttemptHTTP2: true,
				// No Accept-Encoding: a gzipped answer has no length.
				DisableCompression:  true,
				MaxIdleConns:        16,
				MaxIdleConnsPerHost: 2,
				IdleConnTimeout:     30 * time.Second,
				TLSHandshakeTimeout: o.Timeout,
			},
			CheckRedirect: func(_ *http.Request, via []*http.Request) error {
				if len(via) > maxProbeRedirects {
					return errTooManyRedirects
				}
				return nil
			},
		},
		ua:      o.UserAgent,
		timeout: o.Timeout,
	}
}

// probe returns the picture's type and length; an answer that is not
// image/* is errNotImage. A zero Length with a nil error means the server
// gave the type only.
func (p *httpProber) probe(ctx context.Context, raw string) (MediaInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	head, err := p.do(ctx, http.MethodHead, raw)
	if err == nil && head.Length > 0 {
		return imageOnly(head)
	}
	if errors.Is(err, netguard.ErrRefused) || errors.Is(err, errTooManyRedirects) || ctx.Err() != nil {
		return MediaInfo{}, err // a GET would fail the same way
	}
	got, gerr := p.do(ctx, http.MethodGet, raw)
	switch {
	case gerr != nil && err == nil:
		return imageOnly(head) // the type HEAD gave, without a length
	case gerr != nil:
		return MediaInfo{}, fmt.Errorf("%w; %w", err, gerr)
	case got.Type == "" && err == nil:
		got.Type = head.Type
	}
	return imageOnly(got)
}

// do sends one HEAD, or a GET of the first byte, and reads the type and
// the whole picture's length from the headers; at most maxProbeDrain of
// the body is read.
func (p *httpProber) do(ctx context.Context, method, raw string) (MediaInfo, error) {
	req, err := http.NewRequestWithContext(ctx, method, raw, nil)
	if err != nil {
		return MediaInfo{}, errors.New("publisher: bad media URL") // url.Error would quote it
	}
	req.Header.Set("User-Agent", p.ua)
	req.Header.Set("Accept", "image/*")
	if method == http.MethodGet {
		req.Header.Set("Range", "bytes=0-0")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return MediaInfo{}, fmt.Errorf("%s: %w", method, netguard.StripURL(err))
	}
	// Read to its end, a short answer (the one byte of a 206) leaves the
	// connection to the next probe; a GET that ignored the range is cut
	// short: it costs a connection, not a download.
	io.CopyN(io.Discard, resp.Body, maxProbeDrain)
	resp.Body.Close()
	info := MediaInfo{Type: resp.Header.Get("Content-Type")}
	switch {
	case method == http.MethodGet && resp.StatusCode == http.StatusPartialContent:
		info.Length = rangeTotal(resp.Header.Get("Content-Range"))
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && resp.StatusCode != http.StatusPartialContent:
		info.Length = max(resp.ContentLength, 0)
	default:
		return MediaInfo{}, fmt.Errorf("%s: %w %d", method, errStatus, resp.StatusCode)
	}
	return info, nil
}

// rangeTotal reads the complete length of "bytes 0-0/1234"; 0 when it is
// missing, "*" or malformed.
func rangeTotal(cr string) int64 {
	unit, rest, ok := strings.Cut(strings.TrimSpace(cr), " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return 0
	}
	_, total, ok := strings.Cut(rest, "/")
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(total, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// imageOnly keeps info when its type is image/*, without parameters.
func imageOnly(info MediaInfo) (MediaInfo, error) {
	mt, _, err := mime.ParseMediaType(info.Type)
	if err != nil || !strings.HasPrefix(mt, "image/") {
		return MediaInfo{}, fmt.Errorf("%w: type %q", errNotImage, info.Type)
	}
	info.Type = mt
	return info, nil
}
