package normalize

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/markusmobius/go-htmldate"
	"github.com/markusmobius/go-trafilatura"
	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// extractHTML runs go-trafilatura on an HTML page, then passes its
// paragraphs through the same hygiene and byline detection as plain text.
// pageURL is the page's URL when the caller knows it.
func extractHTML(data []byte, charset, pageURL string, now time.Time) (*extraction, error) {
	if charset == "" {
		charset = htmlCharset(data)
	}
	s, err := decodeText(data, charset)
	if err != nil {
		return nil, err
	}
	opts := trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: true,
		Deduplicate:     true,
		HtmlDateOptions: &htmldate.Options{
			UseOriginalDate:     true,
			SkipExtensiveSearch: true,
			MaxDate:             now.AddDate(0, 0, 2),
		},
	}
	if u, err := url.Parse(pageURL); err == nil && u.IsAbs() {
		opts.OriginalURL = u
	}
	res, err := trafilatura.Extract(strings.NewReader(s), opts)
	if err != nil || res == nil || res.ContentNode == nil {
		return nil, fmt.Errorf("%w: no main content found in HTML: %v", ErrEmpty, err)
	}
	md := res.Metadata
	ex := &extraction{
		url:       canonicalURL(md.URL),
		title:     cleanLine(md.Title),
		published: md.Date,
		source:    cleanLine(md.Sitename),
		language:  normalizeLangTag(md.Language),
	}
	if !ex.published.IsZero() && !plausibleYear(ex.published, now) {
		ex.published = time.Time{}
	}
	ex.published = withTimeOfDay(ex.published, s, now)
	var raw []para
	collectParas(res.ContentNode, kindParagraph, &raw)
	titleKey := markerKey(ex.title)
	// Bylines and dates are looked for in the first paragraphs only.
	for i, p := range raw {
		t := cleanLine(p.text)
		switch {
		case t == "" || isBoilerplate(t) || markerKey(t) == titleKey:
			continue
		case i < 8 && dateOnly(t, now):
			if ex.published.IsZero() {
				ex.published, _ = findDate(t, now)
			}
			continue
		case captionPrefix.MatchString(t):
			continue
		}
		if bl, ok := parseByline(t); ok && i < 8 {
			ex.addByline(bl)
			if ex.published.IsZero() {
				ex.published, _ = findDate(t, now)
			}
			continue
		}
		if isEndMarker(t) && len(ex.paras) > 0 {
			break
		}
		ex.paras = append(ex.paras, para{kind: p.kind, text: t})
	}
	if ex.byline == "" && md.Author != "" {
		ex.byline = cleanLine(md.Author)
	}
	if len(ex.agencies) == 0 {
		ex.agencies = findAgencies(md.Author)
	}
	if ex.title == "" {
		for i, p := range ex.paras {
			if p.kind == kindHeading {
				ex.title = p.text
				ex.paras = append(ex.paras[:i], ex.paras[i+1:]...)
				break
			}
		}
	}
	return ex, nil
}

// publishedAttr finds machine-readable publication times in a page.
var publishedAttr = regexp.MustCompile(`(?i)(?:article:published_time|datePublished|pubdate)["']?\s*(?:content\s*=|:)\s*["']([^"'<>]{10,40})|<time[^>]+datetime\s*=\s*["']([^"'<>]{10,40})`)

// withTimeOfDay adds the time of day to a date-only result of htmldate
// when the page states it in a meta tag or <time> element of that day.
func withTimeOfDay(day time.Time, page string, now time.Time) time.Time {
	if !day.IsZero() && (day.Hour() != 0 || day.Minute() != 0) {
		return day
	}
	m := publishedAttr.FindStringSubmatch(page)
	if m == nil {
		return day
	}
	t, ok := findDate(m[1]+m[2], now)
	if !ok {
		return day
	}
	if d := t.Sub(day); day.IsZero() || d > -36*time.Hour && d < 36*time.Hour {
		return t
	}
	return day
}

// canonicalURL keeps only absolute http(s) URLs.
func canonicalURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// blockTags are elements whose text forms one paragraph.
var blockTags = map[string]paraKind{
	"p": kindParagraph, "pre": kindParagraph, "td": kindParagraph, "th": kindParagraph,
	"dd": kindParagraph, "dt": kindParagraph,
	"h1": kindHeading, "h2": kindHeading, "h3": kindHeading, "h4": kindHeading,
	"h5": kindHeading, "h6": kindHeading, "li": kindListItem,
}

// collectParas flattens trafilatura's content tree into paragraphs.
func collectParas(n *xhtml.Node, kind paraKind, out *[]para) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case xhtml.TextNode:
			if strings.TrimSpace(c.Data) != "" {
				appendText(out, kind, c.Data)
			}
		case xhtml.ElementNode:
			switch tag := strings.ToLower(c.Data); {
			case tag == "figure" || tag == "figcaption" || tag == "img" || tag == "script" || tag == "style":
			case tag == "blockquote":
				*out = append(*out, para{kind: kindQuote}) // boundary
				collectParas(c, kindQuote, out)
				*out = append(*out, para{kind: kindQuote})
			default:
				k, ok := blockTags[tag]
				if !ok {
					collectParas(c, kind, out)
					continue
				}
				if kind == kindQuote && k == kindParagraph {
					k = kindQuote
				}
				*out = append(*out, para{kind: k, text: textOf(c)})
				*out = append(*out, para{kind: kind}) // boundary
			}
		}
	}
}

// appendText adds inline text to the open paragraph, or opens one.
func appendText(out *[]para, kind paraKind, s string) {
	if l := len(*out); l > 0 && (*out)[l-1].kind == kind && (*out)[l-1].text != "" && !strings.HasSuffix((*out)[l-1].text, "\n") {
		(*out)[l-1].text += s
		return
	}
	*out = append(*out, para{kind: kind, text: s})
}

// textOf returns the text content of n; <br> becomes a space.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && n.Data == "br":
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// bodyPolicy allows only the body markup crier publishes.
func bodyPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "h2", "blockquote", "ul", "ol", "li", "em", "strong", "br")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	return p
}

// renderHTML writes paragraphs as HTML and sanitizes the result.
func renderHTML(ps []para, policy *bluemonday.Policy) string {
	var b strings.Builder
	inList := false
	for _, p := range ps {
		if p.text == "" {
			continue
		}
		if inList && p.kind != kindListItem {
			b.WriteString("</ul>\n")
			inList = false
		}
		t := html.EscapeString(p.text)
		switch p.kind {
		case kindHeading:
			b.WriteString("<h2>" + t + "</h2>\n")
		case kindQuote:
			b.WriteString("<blockquote><p>" + t + "</p></blockquote>\n")
		case kindListItem:
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			b.WriteString("<li>" + t + "</li>\n")
		default:
			b.WriteString("<p>" + t + "</p>\n")
		}
	}
	if inList {
		b.WriteString("</ul>\n")
	}
	return policy.Sanitize(b.String())
}
