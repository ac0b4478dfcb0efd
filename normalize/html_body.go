package normalize

import (
	"bytes"
	"html"
	"strings"
	"unicode"

	xhtml "golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// htmlBlock is one paragraph, heading or list item of the extracted
// content, as plain text and as inline HTML, with the list or quote that
// holds it. Body and BodyHTML are both built from these, so they hold the
// same paragraphs.
type htmlBlock struct {
	kind    paraKind
	tag     string // p, h2, h3 or li
	list    *xhtml.Node
	ordered bool
	quote   *xhtml.Node
	text    strings.Builder
	html    strings.Builder
	open    bool // inline text may still be appended (implicit paragraph)
	// node holds the block in the page: its element, or the element
	// whose loose text it is.
	node *xhtml.Node
	// linkBytes counts the text inside links.
	linkBytes int
}

// contentWalker flattens trafilatura's content tree into blocks.
type contentWalker struct {
	blocks []*htmlBlock
	quote  *xhtml.Node
	list   *xhtml.Node
	order  bool
	kind   paraKind
	skip   map[string]bool // elements without text
	at     *xhtml.Node     // the element being walked
	inLink int             // depth of <a> elements around the text
	// splitBr makes a line break end the block, as it ends a line on
	// screen (the page walk); open is the inline markup around the text,
	// closed and reopened across the break.
	splitBr bool
	open    []string
}

// walkContent returns the blocks of trafilatura's content tree.
func walkContent(root *xhtml.Node) []*htmlBlock {
	w := &contentWalker{kind: kindParagraph, skip: skipTags}
	w.container(root)
	return w.blocks
}

// headingTag maps source headings to the two levels crier publishes.
var headingTag = map[string]string{"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h3", "h5": "h3", "h6": "h3", "summary": "h3"}

// paraTags are block elements whose content is one paragraph.
var paraTags = map[string]bool{"p": true, "pre": true, "td": true, "th": true, "dd": true, "dt": true, "li": true, "code": true}

// skipTags never contribute text.
var skipTags = map[string]bool{"script": true, "style": true, "noscript": true, "img": true, "figure": true, "figcaption": true, "svg": true, "iframe": true, "video": true, "audio": true, "picture": true, "button": true, "form": true, "input": true, "select": true, "textarea": true}

// phrasingTags are inline elements unwrapped in BodyHTML.
var phrasingTags = map[string]bool{"span": true, "u": true, "font": true, "sub": true, "sup": true, "mark": true, "abbr": true, "cite": true, "small": true, "q": true, "s": true, "del": true, "ins": true, "time": true, "label": true, "kbd": true, "samp": true, "var": true, "tt": true, "strike": true, "big": true, "bdi": true, "bdo": true, "data": true, "dfn": true}

// lineTags start a new line on screen wherever they are.
var lineTags = map[string]bool{
	"p": true, "div": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "table": true, "tr": true, "td": true, "th": true, "ul": true, "ol": true, "dl": true,
	"dt": true, "dd": true, "blockquote": true, "section": true, "article": true, "header": true,
	"footer": true, "nav": true, "aside": true, "pre": true, "hr": true, "center": true, "form": true,
	"address": true, "figure": true, "figcaption": true, "main": true,
}

// inlineTags are kept in BodyHTML (all others are unwrapped).
var inlineTags = map[string]bool{"em": true, "strong": true, "i": true, "b": true}

func (w *contentWalker) container(n *xhtml.Node) {
	saved := w.at
	w.at = n
	defer func() { w.at = saved }()
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.Type {
		case xhtml.TextNode:
			if strings.TrimSpace(c.Data) != "" || w.openBlock() != nil {
				w.inline(w.implicit(), c)
			}
		case xhtml.ElementNode:
			tag := c.Data
			switch {
			case w.skip[tag]:
			case tag == "br" || tag == "hr":
				w.close()
			case tag == "blockquote":
				w.close()
				saved, savedKind := w.quote, w.kind
				w.quote, w.kind = c, kindQuote
				w.container(c)
				w.close()
				w.quote, w.kind = saved, savedKind
			case tag == "ul" || tag == "ol" || tag == "dl":
				w.close()
				saved, savedOrd, savedKind := w.list, w.order, w.kind
				w.list, w.order, w.kind = c, tag == "ol", kindListItem
				w.container(c)
				w.close()
				w.list, w.order, w.kind = saved, savedOrd, savedKind
			case headingTag[tag] != "":
				w.close()
				b := w.start(kindHeading, headingTag[tag])
				b.node = c
				w.inlineChildren(b, c)
				w.close()
			case paraTags[tag] && !hasBlockChild(c):
				w.close()
				b := w.start(w.kind, "p")
				b.node = c
				if w.kind == kindListItem {
					b.tag = "li"
				}
				w.inlineChildren(b, c)
				w.close()
			case inlineTags[tag] || tag == "a" || phrasingTags[tag]:
				w.inline(w.implicit(), c)
			default: // div, section, table, tr, li holding paragraphs...
				w.close()
				w.container(c)
				w.close()
			}
		}
	}
}

// hasBlockChild reports whether n holds paragraphs of its own.
func hasBlockChild(n *xhtml.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xhtml.ElementNode && (paraTags[c.Data] || headingTag[c.Data] != "" || c.Data == "ul" || c.Data == "ol" || c.Data == "blockquote" || c.Data == "div") {
			return true
		}
	}
	return false
}

func (w *contentWalker) start(kind paraKind, tag string) *htmlBlock {
	b := &htmlBlock{kind: kind, tag: tag, quote: w.quote, node: w.at}
	if kind == kindListItem {
		b.list, b.ordered = w.list, w.order
	}
	w.blocks = append(w.blocks, b)
	return b
}

// openBlock returns the implicit paragraph still open, if any.
func (w *contentWalker) openBlock() *htmlBlock {
	if l := len(w.blocks); l > 0 && w.blocks[l-1].open {
		return w.blocks[l-1]
	}
	return nil
}

// implicit returns the open implicit paragraph, opening one for loose
// text.
func (w *contentWalker) implicit() *htmlBlock {
	if b := w.openBlock(); b != nil {
		return b
	}
	tag := "p"
	if w.kind == kindListItem {
		tag = "li"
	}
	b := w.start(w.kind, tag)
	b.open = true
	return b
}

func (w *contentWalker) close() {
	if b := w.openBlock(); b != nil {
		b.open = false
	}
}

func (w *contentWalker) inlineChildren(b *htmlBlock, n *xhtml.Node) *htmlBlock {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b = w.inline(b, c)
	}
	return b
}

// inline adds n to b: text escaped, links and emphasis kept, other
// elements unwrapped, nested blocks separated by a space. It returns the
// block the text goes on in, a new one after a line break in splitBr
// mode.
func (w *contentWalker) inline(b *htmlBlock, n *xhtml.Node) *htmlBlock {
	switch n.Type {
	case xhtml.TextNode:
		b.text.WriteString(n.Data)
		writeEscaped(&b.html, n.Data)
		if w.inLink > 0 {
			b.linkBytes += len(n.Data)
		}
		return b
	case xhtml.ElementNode:
	default:
		return b
	}
	switch tag := n.Data; {
	case w.skip[tag]:
	case tag == "br" && w.splitBr:
		return w.lineBreak(b)
	case w.splitBr && lineTags[tag]:
		// A paragraph or a division inside inline markup (<font><p>…)
		// still starts a line on screen.
		b = w.lineBreak(b)
		b = w.inlineChildren(b, n)
		return w.lineBreak(b)
	case tag == "br":
		b.text.WriteByte(' ')
		b.html.WriteString("<br>")
	case tag == "a":
		w.inLink++
		defer func() { w.inLink-- }()
		href := canonicalURL(attr(n, "href"))
		if href == "" {
			return w.inlineChildren(b, n)
		}
		return w.wrap(b, n, `<a href="`+html.EscapeString(href)+`">`, "</a>")
	case inlineTags[tag]:
		return w.wrap(b, n, "<"+tag+">", "</"+tag+">")
	default:
		if !phrasingTags[tag] {
			b.text.WriteByte(' ')
			b.html.WriteByte(' ')
		}
		return w.inlineChildren(b, n)
	}
	return b
}

// wrap adds n's children to b inside the markup open ... end.
func (w *contentWalker) wrap(b *htmlBlock, n *xhtml.Node, open, end string) *htmlBlock {
	b.html.WriteString(open)
	w.open = append(w.open, open, end)
	b = w.inlineChildren(b, n)
	w.open = w.open[:len(w.open)-2]
	b.html.WriteString(end)
	return b
}

// lineBreak ends b at a <br> and starts the next block of its kind, the
// open inline markup closed and reopened; a break in an empty block is
// nothing.
func (w *contentWalker) lineBreak(b *htmlBlock) *htmlBlock {
	if strings.TrimSpace(b.text.String()) == "" {
		return b
	}
	for i := len(w.open) - 1; i > 0; i -= 2 {
		b.html.WriteString(w.open[i])
	}
	nb := &htmlBlock{kind: b.kind, tag: b.tag, list: b.list, ordered: b.ordered, quote: b.quote, node: b.node, open: b.open}
	b.open = false
	w.blocks = append(w.blocks, nb)
	for i := 0; i < len(w.open); i += 2 {
		nb.html.WriteString(w.open[i])
	}
	return nb
}

// writeEscaped writes s HTML-escaped with white space collapsed and
// invisible characters dropped, as cleanLine does for the text.
func writeEscaped(out *strings.Builder, s string) {
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		}
		if space {
			out.WriteByte(' ')
			space = false
		}
		switch r {
		case '<':
			out.WriteString("&lt;")
		case '>':
			out.WriteString("&gt;")
		case '&':
			out.WriteString("&amp;")
		case '"':
			out.WriteString("&#34;")
		default:
			out.WriteRune(r)
		}
	}
	if space {
		out.WriteByte(' ')
	}
}

// inlineHTML returns the block's markup, trimmed and in NFC like its text.
func (b *htmlBlock) inlineHTML() string {
	s := strings.TrimSpace(b.html.String())
	for strings.HasPrefix(s, "<br>") {
		s = strings.TrimSpace(strings.TrimPrefix(s, "<br>"))
	}
	for strings.HasSuffix(s, "<br>") {
		s = strings.TrimSpace(strings.TrimSuffix(s, "<br>"))
	}
	return norm.NFC.String(s)
}

// renderBlocks writes the kept blocks as HTML, reopening lists and
// quotes around consecutive blocks that share them.
func renderBlocks(blocks []*htmlBlock) string {
	var out bytes.Buffer
	var list, quote *xhtml.Node
	listTag := ""
	closeList := func() {
		if listTag != "" {
			out.WriteString("</" + listTag + ">\n")
			list, listTag = nil, ""
		}
	}
	for _, b := range blocks {
		if b.list != list {
			closeList()
		}
		if b.quote != quote {
			closeList()
			if quote != nil {
				out.Truncate(out.Len() - 1)
				out.WriteString("</blockquote>\n")
			}
			if quote = b.quote; quote != nil {
				out.WriteString("<blockquote>")
			}
		}
		if b.list != nil && listTag == "" {
			list, listTag = b.list, "ul"
			if b.ordered {
				listTag = "ol"
			}
			out.WriteString("<" + listTag + ">\n")
		}
		tag := b.tag
		if tag == "li" && listTag == "" {
			tag = "p"
		}
		out.WriteString("<" + tag + ">" + b.inlineHTML() + "</" + tag + ">\n")
	}
	closeList()
	if quote != nil {
		out.Truncate(out.Len() - 1)
		out.WriteString("</blockquote>\n")
	}
	return out.String()
}
