package feeds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/mmcdole/gofeed"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// startLoopbackSite is startSite with the service's BaseURL set to its own
// loopback address, so a browser can follow every absolute link. The site
// is served from that address (startSite's own server stands idle); it
// also answers /test/lead.png (the articles' picture) and /test/csp-probe
// (a page breaking the pages' CSP on purpose).
func (e *env) startLoopbackSite() *site {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	s := e.startSite(feeds.Options{BaseURL: "http://" + ln.Addr().String(), Title: "crier test"})
	mux := http.NewServeMux()
	mux.Handle("/", s.svc.Handler())
	mux.HandleFunc("GET /test/lead.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(leadPNG(e.t))
	})
	mux.HandleFunc("GET /test/csp-probe", func(w http.ResponseWriter, r *http.Request) {
		csp := metaCSP(e.t, s.svc)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="%s">`+
			`<style>body{color:red}</style><title>probe</title></head><body><p>probe</p></body></html>`, csp)
	})
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	e.t.Cleanup(s.srv.Close)
	return s
}

// metaCSP is the Content-Security-Policy the home page declares.
func metaCSP(t *testing.T, svc *feeds.Service) string {
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	_, rest, ok := strings.Cut(rec.Body.String(), `http-equiv="Content-Security-Policy" content="`)
	csp, _, _ := strings.Cut(rest, `"`)
	if !ok || csp == "" {
		t.Errorf("home page without a CSP meta tag:\n%s", rec.Body)
	}
	return csp
}

// leadPNG is a 1200×600 picture: wider than any phone, so it must shrink.
func leadPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1200, 600))
	for x := range 1200 {
		for y := range 600 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 3), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// browserCorpus is a story reported three times (en, de, ar: one of them
// right to left, one with a picture, agencies and tags), and a French
// article with an undated source and a long unbroken URL.
type browserCorpus struct {
	en, de, ar, fr *article.Article
}

func newBrowserCorpus(base string) browserCorpus {
	c := browserCorpus{
		en: newArticle("Summit opens in Brussels", "en", "euronews", "https://euronews.example/summit", t0.Add(time.Hour)),
		de: newArticle("Gipfel in Brüssel eröffnet", "de", "dpa", "https://dpa.example/gipfel", t0.Add(2*time.Hour)),
		ar: newArticle("افتتاح القمة في بروكسل", "ar", "Al Jazeera", "https://aljazeera.example/qimma", t0.Add(3*time.Hour)),
		fr: newArticle("Un lien très long", "fr", "L'Expression", "https://lexpression.example/lien", t0.Add(4*time.Hour)),
	}
	c.en.Kicker = "Diplomacy"
	c.en.Byline = "Jane Roe"
	c.en.Agencies = []string{"AFP", "Reuters"}
	c.en.Tags = []string{"European Union", "Brussels"}
	c.en.Media = []article.Media{{
		URL:     base + "/test/lead.png",
		Caption: "Leaders arrive at the summit",
		Credit:  "Photo: J. Doe/AFP",
		Type:    "image/png",
	}}
	c.ar.Summary = "بدأت القمة الأوروبية أعمالها اليوم في بروكسل."
	c.ar.BodyHTML = "<p>بدأت القمة الأوروبية أعمالها اليوم في بروكسل بحضور القادة.</p>"
	for _, a := range []*article.Article{c.en, c.de, c.ar} {
		a.StoryID = c.en.ID
	}
	long := "https://lexpression.example/" + strings.Repeat("tres-long-chemin", 30) + "?q=" + strings.Repeat("x", 200)
	c.fr.BodyHTML = `<p>Voir ` + long + `.</p><p><a href="` + long + `">` + long + `</a></p><p>` +
		strings.Repeat("anticonstitutionnellement", 12) + `</p>`
	c.fr.PublishedEstimated = true
	return c
}

func (c browserCorpus) all() []*article.Article { return []*article.Article{c.en, c.de, c.ar, c.fr} }

// pageFacts is what the test reads from a loaded page.
type pageFacts struct {
	InnerWidth   float64 `json:"innerWidth"`
	ScrollWidth  float64 `json:"scrollWidth"`
	Overflowing  []string
	BodyFont     float64
	TextFonts    []float64 // body text: paragraphs of the article, list entries
	Background   string
	Lang, Dir    string   // of <html>: English, left to right
	NavDir       string   // computed direction of the menu
	TextLang     string   // the article's: lang of its <h1>
	TextDirs     []string // computed direction of its title, lead and body
	ItemDirs     []string // computed direction of list entries' titles
	ItemMetaDirs []string // and of their source, date and language
	Wrapped      []string // feed links broken across lines
	Alternates   []struct{ Type, Href, Title string }
	Links        []string // every <a href> on the page
	Source       string
	SourceHref   string
	Time         string
	Estimated    bool
	Agencies     string
	Also         []string // hrefs of "Also reported by"
	StoryFeed    string
	Tags         []string
	Image        *imageFacts
	CaptionText  string
	OriginalHref string
}

type imageFacts struct {
	Src, Alt, Loading, ReferrerPolicy string
	NaturalWidth, Width               float64
}

const factsJS = `(() => {
	const d = document.documentElement, q = s => document.querySelector(s), all = s => [...document.querySelectorAll(s)];
	const img = q("figure img");
	return {
		innerWidth: innerWidth,
		scrollWidth: d.scrollWidth,
		Overflowing: all("body *").filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
			.slice(0, 5).map(e => e.tagName + "." + e.className),
		BodyFont: parseFloat(getComputedStyle(document.body).fontSize),
		TextFonts: all(".body p, .lead, .items .item > a").map(e => parseFloat(getComputedStyle(e).fontSize)),
		Background: getComputedStyle(document.body).backgroundColor,
		Lang: d.lang, Dir: d.dir,
		NavDir: (n => n ? getComputedStyle(n).direction : "")(q("header.site nav")),
		TextLang: q("article h1")?.lang ?? "",
		TextDirs: all("article h1, article .lead, article .body").map(e => getComputedStyle(e).direction),
		ItemDirs: all(".items .item > a").map(e => getComputedStyle(e).direction),
		ItemMetaDirs: all(".items .item .meta").map(e => getComputedStyle(e).direction),
		Wrapped: all("a[type]").filter(a => a.getClientRects().length > 1).map(a => a.textContent),
		Alternates: all("head link[rel=alternate]").map(l => ({Type: l.type, Href: l.href, Title: l.title})),
		Links: all("a[href]").map(a => a.href),
		Source: q(".meta .source")?.textContent ?? "",
		SourceHref: q(".meta .source a")?.href ?? "",
		Time: q(".meta time")?.getAttribute("datetime") ?? "",
		Estimated: !!q(".meta .received"),
		Agencies: q(".meta .agencies")?.textContent ?? "",
		Also: all(".also .item > a").map(a => a.href),
		StoryFeed: q(".also a[type='application/atom+xml']")?.href ?? "",
		Tags: all(".tags a").map(a => a.href),
		Image: img && {Src: img.currentSrc, Alt: img.alt, Loading: img.loading, ReferrerPolicy: img.referrerPolicy,
			NaturalWidth: img.naturalWidth, Width: img.getBoundingClientRect().width},
		CaptionText: q("figure figcaption")?.textContent ?? "",
		OriginalHref: q(".original a")?.href ?? "",
	};
})()`

// tab is a browser tab whose console the test reads in order.
type tab struct {
	base  string // the site's URL
	ctx   context.Context
	next  func() (chromedp.ConsoleMessage, error, bool)
	marks int
}

func newTab(t *testing.T, browser context.Context, base string) *tab {
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	next, stop := iter.Pull2(chromedp.Console(ctx))
	t.Cleanup(stop)
	return &tab{base: base, ctx: ctx, next: next}
}

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// load navigates to u, waits for the load event and for the picture, and
// returns the page's facts (and with CRIER_SCREENSHOTS=<dir> saves a
// screenshot of the whole page there, for a human to look at) and the console messages it caused that are
// errors or warnings, or come from the browser's security checks (CSP).
func (tb *tab) load(t *testing.T, u string) (pageFacts, []string) {
	t.Helper()
	tb.do(t, chromedp.Navigate(u))
	// A lazy picture in view is loading; wait for it (or its failure).
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](
		`Promise.all([...document.images].map(i => i.decode().then(() => true, () => false))).then(() => true)`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("%s: pictures: %v", u, err)
	}
	facts, err := chromedp.Run(tb.ctx, chromedp.Evaluate[pageFacts](factsJS))
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	if dir := os.Getenv("CRIER_SCREENSHOTS"); dir != "" {
		shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
		if err != nil {
			t.Fatal(err)
		}
		name := strings.NewReplacer("/", "_", " ", "-").Replace(t.Name() + strings.TrimPrefix(u, tb.base))
		if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return facts, tb.console(t)
}

// console returns the problems the console reported since the last call:
// it writes a mark and reads the ordered messages up to it.
func (tb *tab) console(t *testing.T) []string {
	t.Helper()
	tb.marks++
	mark := fmt.Sprintf("crier-test-mark-%d", tb.marks)
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](`console.debug("`+mark+`")`)); err != nil {
		t.Fatal(err)
	}
	var problems []string
	for {
		m, err, ok := tb.next()
		if !ok || err != nil {
			t.Fatalf("console ended before mark: %v", err)
		}
		if m.Type == chromedp.ConsoleDebug && m.Text == mark {
			return problems
		}
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() || m.Source == "security" {
			problems = append(problems, m.String()+" ("+m.URL+")")
		}
	}
}

// TestBrowser loads the pages in headless Chromium at a phone's and a
// desktop's size: nothing may overflow the viewport, text is at least 16px,
// the article page shows what a reader needs, the autodiscovery links are
// feeds, and the console stays free of errors and CSP violations.
func TestBrowser(t *testing.T) {
	chromium := lookTool(t, "chromium", "chromium")
	e := newEnv(t)
	s := e.startLoopbackSite()
	base := s.srv.URL
	c := newBrowserCorpus(base)
	for _, a := range c.all() {
		e.publish(a)
	}
	for _, a := range c.all() {
		s.waitFor(a.ID)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-proxy-server", true),
		// Loopback only: every other host name fails to resolve.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}

	page := func(a *article.Article) string { return base + "/articles/" + a.ID }
	paths := []string{
		"/", "/languages/", "/sources/", "/languages/ar/", "/sources/euronews/", "/tags/european-union/",
		"/articles/" + c.en.ID, "/articles/" + c.ar.ID, "/articles/" + c.fr.ID,
	}
	type viewport struct {
		name          string
		width, height int64
		mobile, dark  bool
	}
	feedsSeen := map[string]string{} // autodiscovery href -> type
	linksSeen := map[string]bool{}
	for _, vp := range []viewport{
		{name: "phone", width: 390, height: 844, mobile: true},
		{name: "phone dark", width: 390, height: 844, mobile: true, dark: true},
		{name: "desktop", width: 1280, height: 800},
	} {
		t.Run(vp.name, func(t *testing.T) {
			tb := newTab(t, browser, base)
			emu := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
			if vp.mobile {
				emu = append(emu, chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			scheme := "light"
			if vp.dark {
				scheme = "dark"
			}
			tb.do(t, chromedp.EmulateViewport(vp.width, vp.height, emu...), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
				})
				return err
			}))
			var background string
			for _, p := range paths {
				f, problems := tb.load(t, base+p)
				for _, m := range problems {
					t.Errorf("%s: console: %s", p, m)
				}
				if f.InnerWidth != float64(vp.width) {
					t.Errorf("%s: innerWidth %v, want %d (viewport meta)", p, f.InnerWidth, vp.width)
				}
				if f.ScrollWidth > f.InnerWidth {
					t.Errorf("%s: horizontal overflow: scrollWidth %v > innerWidth %v; wide: %q", p, f.ScrollWidth, f.InnerWidth, f.Overflowing)
				}
				if f.BodyFont < 16 {
					t.Errorf("%s: base font %vpx < 16px", p, f.BodyFont)
				}
				for _, px := range f.TextFonts {
					if px < 16 {
						t.Errorf("%s: text at %vpx < 16px", p, px)
						break
					}
				}
				if background == "" {
					background = f.Background
				} else if f.Background != background {
					t.Errorf("%s: background %s, %s on the first page", p, f.Background, background)
				}
				if len(f.Alternates) == 0 {
					t.Errorf("%s: no autodiscovery link", p)
				}
				for _, a := range f.Alternates {
					feedsSeen[a.Href] = a.Type
				}
				for _, l := range f.Links {
					linksSeen[l] = true
				}
				// crier's own words are English, left to right, whatever
				// the articles' language.
				if f.Lang != "en" || f.Dir != "" || f.NavDir != "ltr" {
					t.Errorf("%s: html lang %q dir %q, menu %s; want en, ltr", p, f.Lang, f.Dir, f.NavDir)
				}
				if slices.Contains(f.ItemMetaDirs, "rtl") {
					t.Errorf("%s: list entries' source and date %q, want ltr", p, f.ItemMetaDirs)
				}
				if len(f.Wrapped) != 0 {
					t.Errorf("%s: feed links broken across lines: %q", p, f.Wrapped)
				}
				switch p {
				case "/articles/" + c.en.ID:
					checkStoryArticle(t, f, c, base, page)
					checkFigureAX(t, tb)
				case "/articles/" + c.ar.ID:
					if want := []string{"rtl", "rtl", "rtl"}; f.TextLang != "ar" || !slices.Equal(f.TextDirs, want) {
						t.Errorf("Arabic article: text lang %q, title, lead, body %q; want ar, %q", f.TextLang, f.TextDirs, want)
					}
					if want := []string{"ltr", "ltr"}; len(f.Also) != 2 || !slices.Equal(f.ItemDirs, want) {
						t.Errorf("Arabic article: also reported by %q, directions %q, want 2, %q", f.Also, f.ItemDirs, want)
					}
				case "/articles/" + c.fr.ID:
					if !f.Estimated || f.TextLang != "fr" || slices.Contains(f.TextDirs, "rtl") {
						t.Errorf("French article: estimated %v, text lang %q, directions %q", f.Estimated, f.TextLang, f.TextDirs)
					}
					if len(f.Also) != 0 || f.Image != nil {
						t.Errorf("French article: also %q, image %+v", f.Also, f.Image)
					}
				case "/languages/ar/":
					if !slices.Equal(f.ItemDirs, []string{"rtl"}) {
						t.Errorf("Arabic listing: titles %q, want rtl", f.ItemDirs)
					}
				}
			}
			light, dark := "rgb(253, 253, 252)", "rgb(19, 20, 22)"
			if want := map[bool]string{false: light, true: dark}[vp.dark]; background != want {
				t.Errorf("background %s, want %s (prefers-color-scheme: %s)", background, want, scheme)
			}
			// The console check is not vacuous: a page breaking the same
			// CSP is reported.
			if _, problems := tb.load(t, base+"/test/csp-probe"); !slices.ContainsFunc(problems, func(m string) bool {
				return strings.Contains(m, "Content Security Policy")
			}) {
				t.Errorf("CSP probe: violation not reported; console: %q", problems)
			}
		})
	}

	t.Run("autodiscovery", func(t *testing.T) {
		for _, want := range []string{"/feeds/all.atom", "/feeds/source/euronews.rss", "/feeds/story/" + c.en.ID + ".json", "/feeds/lang/ar.atom", "/feeds/tag/european-union.json"} {
			if _, ok := feedsSeen[base+want]; !ok {
				t.Errorf("no page advertises %s", want)
			}
		}
		for href, typ := range feedsSeen {
			path, ok := strings.CutPrefix(href, base)
			if !ok {
				t.Errorf("autodiscovery link off site: %s", href)
				continue
			}
			r := s.get(path)
			if ct, _, _ := strings.Cut(r.header.Get("Content-Type"), ";"); ct != typ {
				t.Errorf("%s: Content-Type %q, link says %q", path, ct, typ)
			}
			f, err := gofeed.NewParser().ParseString(string(r.body))
			if err != nil {
				t.Errorf("gofeed cannot parse %s: %v", path, err)
				continue
			}
			if f.Title == "" || len(f.Items) == 0 {
				t.Errorf("%s: title %q, %d items", path, f.Title, len(f.Items))
			}
			if strings.Contains(path, "/story/") && len(f.Items) != 3 {
				t.Errorf("%s: %d items, want the story's 3", path, len(f.Items))
			}
		}
	})

	t.Run("links", func(t *testing.T) {
		for l := range linksSeen {
			path, ok := strings.CutPrefix(l, base)
			if !ok {
				continue
			}
			u, err := url.Parse(path)
			if err != nil {
				t.Errorf("%s: %v", l, err)
				continue
			}
			if r := s.do(http.MethodGet, u.RequestURI()); r.status != http.StatusOK {
				t.Errorf("broken link %s: %d", l, r.status)
			}
		}
	})
}

// checkStoryArticle checks the article page of the story's first report.
func checkStoryArticle(t *testing.T, f pageFacts, c browserCorpus, base string, page func(*article.Article) string) {
	t.Helper()
	if f.Source != "euronews" || f.SourceHref != base+"/sources/euronews/" {
		t.Errorf("source %q linked to %q", f.Source, f.SourceHref)
	}
	if f.Time != "2025-03-01T09:00:00Z" || f.Estimated {
		t.Errorf("date %q, estimated %v", f.Time, f.Estimated)
	}
	if !strings.Contains(f.Agencies, "AFP") || !strings.Contains(f.Agencies, "Reuters") {
		t.Errorf("agencies %q", f.Agencies)
	}
	if want := []string{page(c.ar), page(c.de)}; !slices.Equal(f.Also, want) {
		t.Errorf("also reported by %q, want %q", f.Also, want)
	}
	if f.StoryFeed != base+"/feeds/story/"+c.en.ID+".atom" {
		t.Errorf("story feed %q", f.StoryFeed)
	}
	if want := []string{base + "/tags/european-union/", base + "/tags/brussels/"}; !slices.Equal(f.Tags, want) {
		t.Errorf("tags %q, want %q", f.Tags, want)
	}
	if f.OriginalHref != c.en.URL {
		t.Errorf("original %q", f.OriginalHref)
	}
	img := f.Image
	switch {
	case img == nil:
		t.Error("no lead picture")
	case img.Src != base+"/test/lead.png" || img.Alt != "" || img.Loading != "lazy" || img.ReferrerPolicy != "no-referrer":
		t.Errorf("lead picture %+v", img)
	case img.NaturalWidth != 1200 || img.Width > f.InnerWidth:
		t.Errorf("lead picture not loaded or too wide: %+v (viewport %v)", img, f.InnerWidth)
	}
	if !strings.Contains(f.CaptionText, "Leaders arrive at the summit") || !strings.Contains(f.CaptionText, "Photo: J. Doe/AFP") {
		t.Errorf("caption %q", f.CaptionText)
	}
	if f.TextLang != "en" || slices.Contains(f.TextDirs, "rtl") {
		t.Errorf("text lang %q, directions %q", f.TextLang, f.TextDirs)
	}
}

// checkFigureAX checks what a screen reader gets of the lead picture: a
// figure, no image (alt="": its caption describes it), and the caption's
// text once. The figure is not named by its caption (HTML-AAM: a
// figcaption names its figure only when the author says so), so naming it
// would only read the caption twice.
func checkFigureAX(t *testing.T, tb *tab) {
	t.Helper()
	const caption = "Leaders arrive at the summit"
	var figures, images, said []string
	tb.do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		tree, err := cdp.Call(ctx, tg, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		if err != nil {
			return err
		}
		for _, n := range tree.Nodes {
			if n.Ignored || n.Role == nil {
				continue
			}
			var role, name string
			json.Unmarshal(n.Role.Value, &role)
			if n.Name != nil {
				json.Unmarshal(n.Name.Value, &name)
			}
			switch {
			case role == "figure":
				figures = append(figures, name)
			case role == "image" || role == "img":
				images = append(images, name)
			}
			if strings.Contains(name, caption) && role != "InlineTextBox" {
				said = append(said, role+": "+name)
			}
		}
		return nil
	}))
	if len(figures) != 1 || len(images) != 0 || len(said) != 1 {
		t.Errorf("accessibility tree: figures named %q, images %q, caption said by %q; want one figure, no image, the caption once",
			figures, images, said)
	}
}
