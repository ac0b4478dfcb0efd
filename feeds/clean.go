package feeds

import (
	"html"
	"mime"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"

	"github.com/crier/crier/article"
)

// cleanText makes s safe for XML 1.0 and JSON: it drops invalid UTF-8 and
// U+FFFD (what invalid bytes became on the bus; the W3C validator flags it),
// and the characters XML forbids or discourages (C0 and C1 controls other
// than tab and newlines, U+FFFE, U+FFFF). encoding/xml would replace
// them in character data but not inside CDATA sections, and readers choke on
// them either way.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t', r == '\n', r == '\r':
			return r
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff, r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

// cleanLine is cleanText for one-line fields such as titles: runs of white
// space, newlines included, collapse to one space.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// cleanLines is cleanLine on each of lines, the empty results dropped;
// nil when none is left.
func cleanLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = cleanLine(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// httpURL returns s normalized when it is an absolute http(s) URL, else "".
// Anything else (javascript:, relative paths, garbage) must not become a
// link in a feed or a page.
func httpURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return uriSafe(u.String())
}

// uriSafe percent-encodes the bytes RFC 3986 does not allow in a URI
// (controls, space, non-ASCII, and <>"{}|\^`), which url.Parse lets through
// in a query or a fragment: feeds must carry valid URIs.
func uriSafe(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("<>\"{}|\\^`", c) >= 0 {
			b.Grow(len(s) + 2)
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// languageTag returns the canonical BCP 47 form of s, or "" when s is not a
// well-formed tag or is "und": xml:lang and <language> must not lie.
func languageTag(s string) string {
	t, err := language.Parse(strings.TrimSpace(s))
	if err != nil || t == language.Und {
		return ""
	}
	return t.String()
}

// paragraphsHTML renders plain-text paragraphs as HTML, for articles that
// arrive without body_html.
func paragraphsHTML(body []string) string {
	var b strings.Builder
	for _, p := range body {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}

// excerpt returns s cut to at most n runes on a word boundary, with an
// ellipsis when cut.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := len(s), 0
	for i := range s {
		if count == n {
			cut = i
			break
		}
		count++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > 0 {
		cut = sp
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

// urlAttrs are the attributes whose value is one URL, per element-agnostic
// HTML: links, embedded resources, citations, video posters.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "poster": true, "cite": true, "action": true,
	"background": true, "longdesc": true, "usemap": true, "formaction": true,
}

// absolutize resolves the relative URLs of an HTML fragment (href, src,
// srcset, poster ...) against base, the article's original URL, so that
// links and pictures work in a reader, which knows nothing of the page the
// article came from (the W3C validator warns about relative references in
// content for the same reason). When base is "" a relative URL cannot be
// resolved: the attribute is dropped, so a link keeps its text and loses
// its target. Absolute URLs and fragments ("#note") are left alone; whether
// their scheme is safe is the sanitizer's business, which runs after this.
func absolutize(fragment, base string) string {
	if !strings.ContainsAny(fragment, "=") { // no attribute at all
		return fragment
	}
	var baseURL *url.URL
	if base != "" {
		baseURL, _ = url.Parse(base)
	}
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := xhtml.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		return fragment // cannot happen with a strings.Reader; sanitizing still runs
	}
	var b strings.Builder
	for _, n := range nodes {
		resolveTree(n, baseURL)
		if err := xhtml.Render(&b, n); err != nil {
			return fragment
		}
	}
	return b.String()
}

// resolveTree rewrites the URL attributes of n and its descendants.
func resolveTree(n *xhtml.Node, base *url.URL) {
	if n.Type == xhtml.ElementNode {
		attrs := n.Attr[:0]
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case a.Namespace != "":
			case key == "srcset":
				a.Val = resolveSrcset(a.Val, base)
			case urlAttrs[key]:
				a.Val = resolveURL(a.Val, base)
			default:
				attrs = append(attrs, a)
				continue
			}
			if a.Val != "" {
				attrs = append(attrs, a)
			}
		}
		n.Attr = attrs
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		resolveTree(c, base)
	}
}

// resolveURL returns ref resolved against base; ref itself when it is
// absolute or a fragment; "" when it is relative and base is nil, or
// unparseable.
func resolveURL(ref string, base *url.URL) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if u.IsAbs() {
		return ref
	}
	if base == nil {
		return ""
	}
	return base.ResolveReference(u).String()
}

// resolveSrcset resolves each candidate of a srcset ("a.jpg 1x, b.jpg 2x"),
// dropping those that cannot be resolved.
func resolveSrcset(set string, base *url.URL) string {
	var out []string
	for cand := range strings.SplitSeq(set, ",") {
		fields := strings.Fields(cand)
		if len(fields) == 0 {
			continue
		}
		if fields[0] = resolveURL(fields[0], base); fields[0] != "" {
			out = append(out, strings.Join(fields, " "))
		}
	}
	return strings.Join(out, ", ")
}

// enclosure is an article's lead picture, chosen once (leadMedia): feeds
// carry it as an enclosure and JSON Feed image, the article's page shows it
// as a figure (entry.leadFigure), so both show the same picture.
type enclosure struct {
	url     string
	typ     string // media type without parameters; "" when unknown
	length  int64  // bytes; 0 when unknown
	caption string
	credit  string
}

// leadMedia returns the first picture with an http(s) URL, nil when there
// is none. Its type is the one the publisher measured, else the one the
// URL's extension implies (mime.TypeByExtension), else "".
func leadMedia(media []article.Media) *enclosure {
	for _, m := range media {
		u := httpURL(cleanLine(m.URL))
		if u == "" {
			continue
		}
		enc := &enclosure{
			url: u, typ: mediaTypeOf(m.Type), length: max(m.Length, 0),
			caption: cleanLine(m.Caption), credit: cleanLine(m.Credit),
		}
		if enc.typ == "" {
			if p, err := url.Parse(u); err == nil {
				enc.typ = mediaTypeOf(mime.TypeByExtension(strings.ToLower(path.Ext(p.Path))))
			}
		}
		return enc
	}
	return nil
}

// mediaTypeOf returns the bare, lowercased media type of s ("image/jpeg"),
// or "" when s is not one.
func mediaTypeOf(s string) string {
	t, _, err := mime.ParseMediaType(cleanLine(s))
	if err != nil || strings.Count(t, "/") != 1 || strings.HasPrefix(t, "/") || strings.HasSuffix(t, "/") {
		return ""
	}
	return t
}
