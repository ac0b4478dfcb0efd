package eval

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/markusmobius/go-trafilatura"
	xhtml "golang.org/x/net/html"

	"github.com/crier/crier/article"
	"github.com/crier/crier/normalize"
)

// The paths a development page is scored on.
const (
	PathHTML        = "html"        // crier's HTML path on the page
	PathTrafilatura = "trafilatura" // go-trafilatura alone, the baseline
	PathWalk        = "text/walk"   // crier's text path on the walk rendering
	PathChromium    = "text/chromium"
	// PathRaw is the text path on the raw rendering (RawText): how it
	// holds when a scraper kept scripts and styles.
	PathRaw = "text/raw"
	// PathText is crier's text path on a page the corpus gives as scraped
	// text (the project's text documents, innerText of their pages).
	PathText = "text"
)

// DevResult is one page scored on one path.
type DevResult struct {
	Page  *Page
	Path  string
	Err   error // normalization failed
	Body  PRF
	Title string
	// HTMLTitle is the title crier's HTML path took from the page, which
	// the text paths are compared with.
	HTMLTitle string
	// TitleShown: the rendering prints HTMLTitle as one of its lines, so
	// the text path could find it (text paths only).
	TitleShown bool
	// TitleFromMeta: HTMLTitle is the page's metadata title (<title>,
	// og:title, twitter:title), or part of it once a site name is cut;
	// the title target counts only these pages (text paths only).
	TitleFromMeta bool
	// BlankInput: the rendering holds fewer than refusedMinWords words
	// (the browser showed nothing, as for a page whose <title> is never
	// closed), so the text path had no article to take (text paths only).
	BlankInput bool
	Article    *article.Article // nil on the trafilatura path and on errors
}

// Texts gives the scraped-text versions of a page, by renderer name.
type Texts func(ctx context.Context, p *Page) (map[string]string, error)

// DevOptions say what DevRun runs.
type DevOptions struct {
	// Texts gives each page's scraped-text versions; nil runs no text path.
	Texts Texts
	// Normalizer gives the normalizer for a page, so a cross-validated run
	// can use a model trained without the page's fold.
	Normalizer func(*Page) *normalize.Normalizer
	// NoHTML leaves out the HTML path and the baseline.
	NoHTML bool
	// Refs, when not nil, gives the HTML path's titles when NoHTML is set.
	Refs Refs
}

// DevRun normalizes every page on every path: the HTML path and the
// baseline on the page itself, the text path on each rendering. Pages
// run on every core; results come back in page order, one per page and
// path.
func DevRun(ctx context.Context, pages []*Page, o DevOptions) ([]DevResult, error) {
	out := make([][]DevResult, len(pages))
	err := parallel(ctx, len(pages), func(i int) error {
		rs, err := devPage(ctx, pages[i], o)
		if err != nil {
			return fmt.Errorf("%s: %w", pages[i].Name(), err)
		}
		out[i] = rs
		return nil
	})
	if err != nil {
		return nil, err
	}
	var all []DevResult
	for _, rs := range out {
		all = append(all, rs...)
	}
	return all, nil
}

func devPage(ctx context.Context, p *Page, o DevOptions) ([]DevResult, error) {
	n := o.Normalizer(p)
	var rs []DevResult
	htmlTitle := o.Refs[p]
	if !o.NoHTML && p.HTML != nil {
		html := DevResult{Page: p, Path: PathHTML}
		html.Article, html.Err = n.Normalize(ctx, normalize.Input{Name: p.ID + ".html", Data: p.HTML})
		if html.Err == nil {
			html.Title = html.Article.Title
			html.HTMLTitle = html.Title
			html.Body = devScore(p.Gold, html.Title, html.Article.Text())
		}
		htmlTitle = html.HTMLTitle
		base := DevResult{Page: p, Path: PathTrafilatura, HTMLTitle: htmlTitle}
		res, err := trafilatura.Extract(bytes.NewReader(p.HTML), trafilatura.Options{EnableFallback: true})
		if err != nil || res == nil {
			base.Err = fmt.Errorf("go-trafilatura: %v", err)
		} else {
			base.Title = res.Metadata.Title
			base.Body = devScore(p.Gold, base.Title, res.ContentText)
		}
		rs = append(rs, html, base)
	}
	if o.Texts == nil {
		return rs, nil
	}
	versions, err := o.Texts(ctx, p)
	if err != nil {
		return nil, err
	}
	fromMeta := metaTitled(p.HTML, htmlTitle)
	for _, path := range []string{PathWalk, PathChromium, PathRaw} {
		s, ok := versions[strings.TrimPrefix(path, "text/")]
		if !ok {
			continue
		}
		if p.HTML == nil {
			path = PathText // given as text, not rendered here
		}
		r := DevResult{Page: p, Path: path, HTMLTitle: htmlTitle, TitleShown: printsLine(s, htmlTitle), TitleFromMeta: fromMeta,
			BlankInput: len(strings.Fields(s)) < refusedMinWords}
		r.Article, r.Err = n.Normalize(ctx, normalize.Input{Name: p.ID + ".txt", Data: []byte(s)})
		if r.Err == nil {
			r.Title = r.Article.Title
			r.Body = devScore(p.Gold, r.Title, r.Article.Text())
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// metaTitled reports whether title is the page's metadata title, or part
// of it ("Headline - Site" gives "Headline"): the <title> element, or an
// og:title or twitter:title meta element.
func metaTitled(page []byte, title string) bool {
	key := titleKey(title)
	if key == "" || page == nil {
		return false
	}
	doc, err := xhtml.Parse(strings.NewReader(decodePage(page)))
	if err != nil {
		return false
	}
	found := false
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		if found {
			return
		}
		if n.Type == xhtml.ElementNode {
			var meta string
			switch n.Data {
			case "title":
				if c := n.FirstChild; c != nil && c.Type == xhtml.TextNode {
					meta = c.Data
				}
			case "meta":
				prop, _ := attrOf(n, "property")
				name, _ := attrOf(n, "name")
				if k := strings.ToLower(prop + name); k == "og:title" || k == "twitter:title" {
					meta, _ = attrOf(n, "content")
				}
			}
			if meta != "" && strings.Contains(titleKey(meta), key) {
				found = true
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// printsLine reports whether one of the text's lines is the title.
func printsLine(text, title string) bool {
	key := titleKey(title)
	if key == "" {
		return false
	}
	for line := range strings.Lines(text) {
		if titleKey(line) == key {
			return true
		}
	}
	return false
}

// devScore scores a body against a development gold. Some datasets' gold
// starts with the headline (L3S-GN1, Dragnet) and crier keeps the title
// out of the body, so the title counts as body text when the gold has it
// on a line of its own, on every path alike.
func devScore(gold, title, body string) PRF {
	if t := canon(title); t != "" {
		for _, line := range strings.Split(gold, "\n") {
			if canon(line) == t {
				body = title + "\n\n" + body
				break
			}
		}
	}
	return shingleScore(gold, body)
}
