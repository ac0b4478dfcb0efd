package normalize

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/crier/crier/article"
	xhtml "golang.org/x/net/html"
)

// pageInfo is what one walk over the whole page finds outside the
// extractor's reach: metadata trafilatura does not return, the elements
// that carry kicker, byline and captions, and the page's figures.
type pageInfo struct {
	base      *url.URL // what relative links resolve against
	siteName  string   // og:site_name, else application-name
	appName   string   // application-name
	titleTag  string   // the <title> text
	lang      string   // the language the page declares (<html lang>, content-language, og:locale)
	image     string   // og:image, absolute
	published []string // machine-readable publication times, best first
	kickers   []*xhtml.Node
	bylines   []*xhtml.Node
	h1s       []*xhtml.Node
	figures   []figure
	// homeLinks are the keys of the texts of links to a site's home page
	// (the logo's, "Home"): a title that is one names the site.
	homeLinks []string
}

// figure is one picture of the page with its caption and credit.
type figure struct {
	url     string
	caption string // cleaned caption text, credit included when inline
	credit  string
	alt     string // the image's alt text, matched against body lines
	article bool   // inside <article> or <main>: the article's own picture
}

// Class, id and itemprop words that mark the parts of a page. They are
// generic (no site-specific rules): matched as whole words or word parts
// of the attribute ("article__kicker", "c-byline").
var (
	kickerCue  = cue{"kicker", "overline", "surtitle", "surtitre", "dachzeile", "topline", "rubric", "eyebrow", "supertitle"}
	bylineCue  = cue{"byline", "author", "auteur", "autor", "signature"}
	captionCue = cue{"caption", "legende", "légende", "bildunterschrift", "pie-de-foto", "piedefoto", "didascalia"}
	creditCue  = cue{"credit", "copyright", "photographer", "fotograf", "bildquelle"}
	// ldDatePublished finds datePublished in a JSON-LD script (only those
	// scripts are searched, never the whole page).
	ldDatePublished = regexp.MustCompile(`"datePublished"\s*:\s*"([^"]{10,40})"`)
)

// cue is a list of word parts matched in lowercase attribute values: a
// plain search, as a case-insensitive regular expression of
// alternatives took a fifth of the HTML path's time.
type cue []string

// in reports whether the lowercase attribute value v holds one of the
// word parts.
func (c cue) in(v string) bool {
	for _, w := range c {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}

// scanPage walks the parsed page once. It also makes the links of the
// page absolute in place (and drops those that are not http(s)), so that
// trafilatura, which resolves relative links badly, finds them resolved.
func scanPage(doc *xhtml.Node, pageURL string) *pageInfo {
	pg := &pageInfo{}
	if u, err := url.Parse(pageURL); err == nil && u.IsAbs() {
		pg.base = u
	}
	var ogURL, canonical, appName, metaTime, itempropTime, ldTime, timeTag string
	var figs []*xhtml.Node // figure elements, in order
	var capNodes []*xhtml.Node
	var alts []figure
	var walk func(n *xhtml.Node, inFigure bool)
	walk = func(n *xhtml.Node, inFigure bool) {
		if n.Type != xhtml.ElementNode {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, inFigure)
			}
			return
		}
		switch n.Data {
		case "html":
			if pg.lang == "" {
				pg.lang = strings.TrimSpace(attr(n, "lang") + " " + attr(n, "xml:lang"))
			}
		case "style", "svg", "template":
			return
		case "script":
			if ldTime == "" && strings.Contains(attr(n, "type"), "ld+json") && n.FirstChild != nil {
				if m := ldDatePublished.FindStringSubmatch(n.FirstChild.Data); m != nil {
					ldTime = m[1]
				}
			}
			return
		case "title":
			if pg.titleTag == "" {
				pg.titleTag = cleanLine(textOf(n))
			}
		case "base":
			if pg.base == nil {
				pg.base = parseAbs(attr(n, "href"), nil)
			}
		case "link":
			if canonical == "" && strings.EqualFold(attr(n, "rel"), "canonical") {
				canonical = attr(n, "href")
			}
		case "meta":
			key := strings.ToLower(attr(n, "property") + attr(n, "name") + attr(n, "itemprop"))
			content := strings.TrimSpace(attr(n, "content"))
			if strings.EqualFold(attr(n, "http-equiv"), "content-language") {
				key = "content-language"
			}
			switch key {
			case "content-language", "og:locale", "language", "dc.language":
				if pg.lang == "" {
					pg.lang = content
				}
			case "og:site_name":
				pg.siteName = content
			case "application-name":
				appName = content
			case "og:image", "og:image:url", "og:image:secure_url":
				if pg.image == "" {
					pg.image = content
				}
			case "og:url":
				ogURL = content
			case "article:published_time", "datepublished", "dc.date.issued", "date":
				if metaTime == "" && key != "datepublished" {
					metaTime = content
				} else if itempropTime == "" && key == "datepublished" {
					itempropTime = content
				}
			}
		case "a":
			if len(pg.homeLinks) < maxHomeLinks && isHomeHref(attr(n, "href")) {
				if k := markerKey(textOf(n)); k != "" && len(k) <= 80 {
					pg.homeLinks = append(pg.homeLinks, k)
				}
			}
			resolveHref(n, pg.linkBase(canonical, ogURL))
		case "h1":
			pg.h1s = append(pg.h1s, n)
		case "figure":
			figs = append(figs, n)
			inFigure = true
		case "figcaption":
			capNodes = append(capNodes, n)
		case "img":
			// Alt texts long enough to be captions: pages often repeat
			// them as the visible caption.
			if alt := cleanLine(attr(n, "alt")); len(alt) >= 25 {
				alts = append(alts, figure{url: imageOf(n, pg.linkBase(canonical, ogURL)), alt: alt})
			}
		case "time":
			if timeTag == "" {
				timeTag = attr(n, "datetime")
			}
		}
		if ip := attr(n, "itemprop"); ip == "datePublished" && itempropTime == "" {
			itempropTime = attr(n, "content") + attr(n, "datetime")
		}
		if v := attr(n, "class") + " " + attr(n, "id") + " " + attr(n, "itemprop") + " " + attr(n, "rel"); len(v) > 3 {
			v = strings.ToLower(v)
			switch {
			case n.Data != "figcaption" && (captionCue.in(v) || creditCue.in(v) && (inFigure || n.Parent != nil && hasImage(n.Parent))):
				capNodes = append(capNodes, n)
			case kickerCue.in(v):
				pg.kickers = append(pg.kickers, n)
			case bylineCue.in(v) && n.Data != "meta" && n.Data != "link" && n.Data != "img":
				pg.bylines = append(pg.bylines, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inFigure)
		}
	}
	walk(doc, false)

	pg.appName = appName
	if pg.siteName == "" {
		pg.siteName = appName
	}
	base := pg.linkBase(canonical, ogURL)
	pg.image = absURL(pg.image, base)
	for _, t := range []string{metaTime, ldTime, itempropTime, timeTag} {
		if t = strings.TrimSpace(t); t != "" {
			pg.published = append(pg.published, t)
		}
	}
	pg.figures = append(figuresOf(figs, capNodes, base), alts...)
	return pg
}

// maxHomeLinks bounds the home links a page's walk keeps: a logo and a
// menu's "Home" come first.
const maxHomeLinks = 8

// isHomeHref reports whether a link goes to a site's home page: the root
// of a host, or of the page's own ("/", "/index.html").
func isHomeHref(href string) bool {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || u.RawQuery != "" || u.Host == "" && !strings.HasPrefix(u.Path, "/") {
		return false
	}
	p := strings.ToLower(u.Path)
	return p == "" || p == "/" || strings.HasPrefix(p, "/index.") && !strings.Contains(p[1:], "/")
}

// linkBase is what relative links resolve against: the page's own URL or
// <base>, else its canonical URL.
func (pg *pageInfo) linkBase(canonical, ogURL string) *url.URL {
	if pg.base != nil {
		return pg.base
	}
	if u := parseAbs(canonical, nil); u != nil {
		return u
	}
	return parseAbs(ogURL, nil)
}

// figuresOf pairs each caption element with the picture of its figure
// (or of its parent, for a caption outside any figure).
func figuresOf(figs, caps []*xhtml.Node, base *url.URL) []figure {
	var out []figure
	isCap := map[*xhtml.Node]bool{}
	for _, c := range caps {
		isCap[c] = true
	}
	isFig := map[*xhtml.Node]bool{}
	for _, f := range figs {
		isFig[f] = true
	}
	index := map[*xhtml.Node]int{} // figure -> its entry in out
	for _, c := range caps {
		nested := false
		for p := c.Parent; p != nil && !nested; p = p.Parent {
			nested = isCap[p]
		}
		text := cleanLine(textOf(c))
		if nested || text == "" || len(text) > 600 {
			continue
		}
		f := figure{caption: text}
		if c.Data != "figcaption" && !captionCue.in(strings.ToLower(attr(c, "class"))) {
			f.caption, f.credit = "", text // a credit element
		} else if f.credit = creditText(c); f.credit != "" {
			f.caption = strings.TrimSpace(strings.Replace(text, f.credit, "", 1))
		}
		var fig *xhtml.Node
		for p := c.Parent; p != nil && fig == nil; p = p.Parent {
			if isFig[p] {
				fig = p
			}
		}
		if fig == nil && c.Parent != nil && imageOf(c.Parent, base) != "" {
			fig = c.Parent
		}
		if i, ok := index[fig]; ok && fig != nil {
			have := &out[i]
			if have.caption == "" {
				have.caption = f.caption
			} else if f.caption != "" && !strings.Contains(have.caption, f.caption) {
				have.caption += " " + f.caption
			}
			if have.credit == "" {
				have.credit = f.credit
			}
			continue
		}
		if fig != nil {
			f.url = imageOf(fig, base)
			index[fig] = len(out)
			for p := fig.Parent; p != nil && !f.article; p = p.Parent {
				f.article = p.Data == "article" || p.Data == "main"
			}
		}
		out = append(out, f)
	}
	return out
}

// creditText returns the text of a credit element inside a caption.
func creditText(n *xhtml.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != xhtml.ElementNode {
			continue
		}
		if creditCue.in(strings.ToLower(attr(c, "class"))) {
			return cleanLine(textOf(c))
		}
		if s := creditText(c); s != "" {
			return s
		}
	}
	return ""
}

// imageOf returns the absolute URL of the first picture in n.
func imageOf(n *xhtml.Node, base *url.URL) string {
	if n.Type == xhtml.ElementNode && (n.Data == "img" || n.Data == "source") {
		for _, k := range []string{"src", "data-src", "data-original", "srcset", "data-srcset"} {
			v := strings.TrimSpace(attr(n, k))
			if strings.HasSuffix(k, "srcset") {
				v, _, _ = strings.Cut(v, " ")
			}
			if v != "" && !strings.HasPrefix(v, "data:") {
				if u := absURL(v, base); u != "" {
					return u
				}
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if u := imageOf(c, base); u != "" {
			return u
		}
	}
	return ""
}

// hasImage reports whether n holds a picture.
func hasImage(n *xhtml.Node) bool {
	if n.Type == xhtml.ElementNode && (n.Data == "img" || n.Data == "picture") {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasImage(c) {
			return true
		}
	}
	return false
}

// media returns the lead picture (og:image, else the first figure's)
// followed by the figures whose captions were taken out of the body.
func (pg *pageInfo) media(used []figure, credits []string) []article.Media {
	var out []article.Media
	lead := pg.image
	if lead == "" {
		for _, f := range pg.figures {
			if f.url != "" {
				lead = f.url
				break
			}
		}
	}
	if lead != "" {
		m := article.Media{URL: lead}
		for _, f := range pg.figures {
			if f.url == lead && f.alt == "" {
				m = f.media()
				break
			}
		}
		out = append(out, m)
	}
	seen := map[string]bool{}
	for _, f := range used {
		if seen[f.key()] {
			continue
		}
		seen[f.key()] = true
		m := f.media()
		if len(out) > 0 && (out[0].URL == m.URL || len(out) == 1 && out[0].Caption == "" && m.URL == "" && pg.image != "") {
			m.URL = out[0].URL
			out[0] = m
			continue
		}
		out = append(out, m)
	}
	// Captioned pictures of the article the extractor left out.
	for _, f := range pg.figures {
		if f.article && f.caption != "" && f.url != "" && f.url != lead && !seen[f.key()] {
			seen[f.key()] = true
			out = append(out, f.media())
		}
	}
	for _, c := range credits {
		placed := false
		for i := range out {
			if out[i].Credit == "" {
				out[i].Credit, placed = c, true
				break
			}
		}
		if !placed {
			out = append(out, article.Media{Credit: c})
		}
	}
	return out
}

// media returns the picture of f, the caption's trailing credit split off
// when f has no credit of its own.
func (f figure) media() article.Media {
	m := article.Media{URL: f.url, Caption: f.caption, Credit: f.credit}
	if m.Credit == "" {
		m.Caption, m.Credit = splitCredit(m.Caption)
	}
	return m
}

// key identifies f's caption and credit, so media lists each once.
func (f figure) key() string { return f.caption + "\x00" + f.credit }

// creditTail finds a credit at the end of a caption: "... (Photo: X)",
// "... Photo: X", "... © X", "... / AFP".
var creditTail = regexp.MustCompile(`(?i)\s*[(\[]?\s*((?:photo|foto|image|bild|crédit|credit|illustration)s?\s*:\s*[^()\[\]]+|©\s*[^()\[\]]+)[)\]]?\s*$`)

// splitCredit separates a caption's trailing credit.
func splitCredit(caption string) (string, string) {
	if m := creditTail.FindStringSubmatchIndex(caption); m != nil && m[0] > 0 {
		return strings.TrimSpace(caption[:m[0]]), creditName(caption[m[2]:m[3]])
	}
	return caption, ""
}

// creditPrefix is the label of a credit line.
var creditPrefix = regexp.MustCompile(`(?i)^(?:(?:photo|foto|image|bild|crédit|credit|illustration)s?\s*:\s*|©\s*)`)

// creditName strips the label of a credit: "Photo: X" is X.
func creditName(s string) string {
	return strings.TrimSpace(creditPrefix.ReplaceAllString(strings.TrimSpace(s), ""))
}

// resolveHref makes an <a href> absolute; links that are not http(s),
// or that point into the page itself, lose their href.
func resolveHref(n *xhtml.Node, base *url.URL) {
	for i, a := range n.Attr {
		if a.Key != "href" || a.Namespace != "" {
			continue
		}
		v := strings.TrimSpace(a.Val)
		if u := absURL(v, base); u != "" && !strings.HasPrefix(v, "#") {
			n.Attr[i].Val = u
			return
		}
		n.Attr = append(n.Attr[:i], n.Attr[i+1:]...)
		return
	}
}

// absURL resolves ref against base and keeps it only if it is an
// absolute http(s) URL.
func absURL(ref string, base *url.URL) string {
	u := parseAbs(ref, base)
	if u == nil {
		return ""
	}
	return u.String()
}

// parseAbs parses ref, resolved against base when base is not nil, and
// returns it only if it is an absolute http(s) URL.
func parseAbs(ref string, base *url.URL) *url.URL {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}

// attr returns the value of n's attribute key.
func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}
