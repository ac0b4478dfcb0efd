package eval

import (
	"bytes"
	"strings"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Renderers of the scraped-text versions of a page: what a crawler
// without an extractor stores.
const (
	// RenderWalk is a plain walk of the parsed page that puts every block
	// element on its own line and removes nothing else.
	RenderWalk = "walk"
	// RenderChromium is the page's document.body.innerText in headless
	// Chromium, scripts and network off (see Chromium).
	RenderChromium = "chromium"
	// RenderRaw is the walk of a scraper that keeps every text node of the
	// document: the <title>, scripts, styles, the markup inside <noscript>
	// and hidden elements too, each of the first four on lines of its own.
	RenderRaw = "raw"
)

// blockTags start and end a line in the walk rendering.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true, "br": true,
	"caption": true, "center": true, "dd": true, "details": true, "dialog": true, "dir": true,
	"div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true, "figure": true,
	"footer": true, "form": true, "frameset": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "header": true, "hgroup": true, "hr": true, "li": true, "main": true,
	"menu": true, "nav": true, "ol": true, "option": true, "p": true, "pre": true, "section": true,
	"summary": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true,
	"thead": true, "tr": true, "ul": true, "legend": true, "noframes": true,
}

// skipped elements hold no visible text.
var skipped = map[string]bool{
	"head": true, "script": true, "style": true, "noscript": true, "template": true,
	"iframe": true, "svg": true, "math": true, "object": true, "embed": true, "select": true,
	"textarea": true, "button": true, "title": true, "meta": true, "link": true,
}

// rawBlocks are the elements of skipped whose text RawText keeps, on
// lines of their own.
var rawBlocks = map[string]bool{"title": true, "script": true, "style": true, "noscript": true, "template": true}

// WalkText renders an HTML page as scraped text: the text of the body,
// every block element on its own line, white space collapsed within a
// line; nothing is removed but invisible elements (head, scripts,
// styles, hidden inputs).
func WalkText(page []byte) string { return walkText(page, false) }

// RawText renders an HTML page as WalkText does but keeps what a naive
// scraper that walks the whole document keeps: the <title>, the text of
// scripts, styles, <noscript> (markup, which a parser with scripting on
// reads as text), templates and hidden elements.
func RawText(page []byte) string { return walkText(page, true) }

func walkText(page []byte, raw bool) string {
	doc, err := xhtml.Parse(strings.NewReader(decodePage(page)))
	if err != nil {
		return ""
	}
	var out, line strings.Builder
	space := false
	flush := func() {
		if s := strings.TrimSpace(line.String()); s != "" {
			out.WriteString(s)
			out.WriteByte('\n')
		}
		line.Reset()
		space = false
	}
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			for _, r := range n.Data {
				if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0' {
					space = true
					continue
				}
				if space && line.Len() > 0 {
					line.WriteByte(' ')
				}
				space = false
				line.WriteRune(r)
			}
			return
		case xhtml.ElementNode:
			if !raw && (skipped[n.Data] || n.Data == "input") {
				return
			}
			if _, hidden := attrOf(n, "hidden"); hidden && !raw {
				return
			}
		}
		block := n.Type == xhtml.ElementNode && (blockTags[n.Data] || raw && rawBlocks[n.Data])
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(doc)
	flush()
	return out.String()
}

func attrOf(n *xhtml.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// decodePage decodes a page the way a browser would, except that bytes
// which are valid UTF-8 are read as UTF-8 whatever the page declares (the
// corpora's declarations are often wrong, see their README).
func decodePage(page []byte) string {
	page = bytes.TrimPrefix(page, []byte("\xef\xbb\xbf"))
	if utf8.Valid(page) {
		return string(page)
	}
	enc, _, _ := charset.DetermineEncoding(page, "text/html")
	out, err := enc.NewDecoder().Bytes(page)
	if err != nil {
		return strings.ToValidUTF8(string(page), "\uFFFD")
	}
	return string(out)
}
