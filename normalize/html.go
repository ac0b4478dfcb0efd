package normalize

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/markusmobius/go-htmldate"
	"github.com/markusmobius/go-trafilatura"
	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// extractHTML parses an HTML page once, reads what the extractor does not
// return (kicker, byline elements, captions, link base) in one walk over
// it, runs go-trafilatura on the same tree, and walks the content it kept
// into paragraphs and their markup, passing them through the same hygiene
// and byline detection as plain text. pageURL is the page's URL when the
// caller knows it. m is the HTML line model; tm, the text path's, reads
// the page's lines when neither m nor go-trafilatura finds the article.
func extractHTML(data []byte, charset, pageURL string, now time.Time, m, tm *LineModel) (*extraction, error) {
	doc, pg, kept, res, err := parsePage(data, charset, pageURL, now)
	if err != nil {
		return nil, err
	}
	blocks, byModel := kept, false
	var hl *htmlLines
	if m != nil {
		hl = newHTMLLines(doc, kept, now)
		// A model that rejects every block go-trafilatura kept, or keeps
		// a few words where go-trafilatura found an article (a menu's
		// three links), has missed it on a layout unlike its training
		// pages: go-trafilatura's choice stands.
		if bs := m.articleBlocks(hl); !missedArticle(bs, kept) {
			blocks, byModel = bs, true
		}
	}
	var md trafilatura.Metadata
	if res != nil {
		md = res.Metadata
	} else {
		md.Title = pg.titleTag
	}
	ex := &extraction{
		url:       canonicalURL(md.URL),
		published: md.Date,
		source:    pickSource(pg, md.Sitename, md.URL),
		language:  declaredLanguage(pg.lang, md.Language),
	}
	if !ex.published.IsZero() && !plausibleYear(ex.published, now) {
		ex.published = time.Time{}
	}
	ex.published, ex.publishedFloating = pageDate(ex.published, pg.published, now)
	ex.kicker = pg.kicker()
	sites := []string{ex.source, md.Sitename, pg.siteName, hostLabel(md.URL), md.Author}
	ex.title = cleanTitle(pg.headline(md.Title, blocks), ex.kicker, sites)
	// The headline as the page shows it, when the metadata's title is one
	// of its lines: no site name to cut, and what a reader of the page (or
	// of its scraped text) sees.
	var lines []*block
	if hl != nil {
		lines = hl.bs
	} else {
		_, lines = pageLines(doc, now)
	}
	if i := visibleTitle([]string{md.Title, pg.titleTag}, lines); i >= 0 {
		ex.title = lines[i].text
	}
	if ex.kicker == "" {
		ex.kicker, ex.title = splitKicker(ex.title)
	}
	if tm != nil && len(lines) > 0 {
		body := articleWords(blocks)
		if offArticle(ex.title, body) || slices.Contains(pg.homeLinks, markerKey(ex.title)) {
			// The title names the site: the text path's title classifier
			// finds the headline among the page's lines.
			tex := extractText(linesText(lines), "", now, tm)
			if tex.title != "" && !offArticle(tex.title, body) {
				ex.kicker, ex.title = tex.kicker, tex.title
			}
		}
	}
	if author := cleanLine(md.Author); author != "" {
		// The metadata's author, unlabelled and often not a person
		// ("BBC News", "Par AFP", "Username"): read like a byline.
		ex.addByline(readByline(author))
	}
	for i, n := range pg.bylines {
		if i == 8 {
			break
		}
		t := cleanLine(textOf(n))
		if bl, ok := parseByline(t); ok {
			ex.addByline(bl)
		} else if len(t) <= 80 {
			ex.addAgencies(findAgencies(t))
		}
	}

	traf := kept
	kept = ex.filterBlocks(blocks, pg, now)
	if len(kept) == 0 && byModel {
		// The model kept nothing but a headline and a date line: as when
		// it rejects every block, go-trafilatura's choice stands.
		ex.paras = nil
		kept = ex.filterBlocks(traf, pg, now)
	}
	if len(kept) == 0 {
		// Neither found the article (a page unlike those they learned
		// from): the text path reads the page's lines, as it would the
		// page's scraped text, and must find an article, not a menu.
		tex := extractText(linesText(lines), ex.title, now, tm)
		if parasWords(tex.paras) < minArticleWords {
			return nil, fmt.Errorf("%w: no main content found in HTML", ErrEmpty)
		}
		ex.paras = tex.paras
		if ex.title == "" {
			ex.title = tex.title
		}
		return ex, nil
	}
	if ex.title == "" {
		for i, b := range kept {
			if b.kind == kindHeading {
				ex.title = cleanLine(b.text.String())
				kept = append(kept[:i], kept[i+1:]...)
				ex.paras = append(ex.paras[:i], ex.paras[i+1:]...)
				break
			}
		}
	}
	ex.bodyHTML = renderBlocks(kept)
	return ex, nil
}

// declaredLanguage is the page's language for when crier's detector is
// unsure: the one it declares, if go-trafilatura's guess from the text
// agrees. A template's default ("en" on a French page) and a guess from a
// few words ("ht" for "Home About") are each wrong too often alone.
func declaredLanguage(declared, guess string) string {
	fields := strings.Fields(declared) // "fr" of "fr en" or "fr-CH"
	if len(fields) == 0 {
		return ""
	}
	if d := normalizeLangTag(fields[0]); d != "" && d == normalizeLangTag(guess) {
		return d
	}
	return ""
}

// minArticleWords is the least an article has: fewer words, where
// another extractor found more, are a menu or a date line.
const minArticleWords = 20

// parasWords counts the words of paragraphs.
func parasWords(ps []para) int {
	n := 0
	for _, p := range ps {
		n += countWords(p.text)
	}
	return n
}

// linesText joins the lines' text, one per line.
func linesText(bs []*block) string {
	var b strings.Builder
	for _, l := range bs {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// missedArticle reports whether the model's blocks are too little to be
// the article go-trafilatura's hold: fewer than minArticleWords words
// where it kept five times as many.
func missedArticle(model, traf []*htmlBlock) bool {
	n := blockWords(model)
	return n == 0 || n < minArticleWords && blockWords(traf) >= 5*n
}

// blockWords counts the words of blocks.
func blockWords(bs []*htmlBlock) int {
	n := 0
	for _, b := range bs {
		n += countWords(b.text.String())
	}
	return n
}

// countWords is len(strings.Fields(s)) without the slice: it runs on
// every block of every page.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		space := unicode.IsSpace(r)
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}

// parsePage decodes and parses a page, reads what one walk over it finds
// (resolving its links), and runs go-trafilatura on it. kept is
// go-trafilatura's content as blocks; it and res are nil when
// go-trafilatura found none.
func parsePage(data []byte, charset, pageURL string, now time.Time) (doc *xhtml.Node, pg *pageInfo, kept []*htmlBlock, res *trafilatura.ExtractResult, err error) {
	if charset == "" {
		charset = htmlCharset(data)
	}
	s, err := decodeText(data, charset)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if doc, err = xhtml.Parse(strings.NewReader(closeRunawayTitle(s))); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%w: %v", ErrEmpty, err)
	}
	pg = scanPage(doc, pageURL)
	opts := extractorOptions(now)
	opts.OriginalURL = pg.base
	// go-trafilatura works on a copy of the tree: doc stays whole.
	res, err = trafilatura.ExtractDocument(doc, opts)
	if err != nil || res == nil || res.ContentNode == nil {
		return doc, pg, nil, nil, nil
	}
	return doc, pg, walkContent(res.ContentNode), res, nil
}

// closeRunawayTitle closes a <title> that is never closed, at the next
// tag: a parser (and a browser) reads the rest of such a page as the
// title's text, and the article is lost. Pages cut or mangled by a
// crawler do this ("<title>BBC SPORTi library--> <script …", "</titlevalue=…").
func closeRunawayTitle(s string) string {
	at := indexFold(s, "<title")
	if at < 0 || hasTitleEnd(s[at:]) {
		return s
	}
	open := strings.IndexByte(s[at:], '>')
	if open < 0 {
		return s
	}
	next := strings.IndexByte(s[at+open:], '<')
	if next < 0 {
		return s
	}
	cut := at + open + next
	return s[:cut] + "</title>" + s[cut:]
}

// hasTitleEnd reports whether s holds an end tag that closes a title:
// "</title" then a space, "/" or ">", as the tokenizer wants; "</titlevalue"
// closes nothing.
func hasTitleEnd(s string) bool {
	for {
		i := indexFold(s, "</title")
		if i < 0 {
			return false
		}
		s = s[i+len("</title"):]
		if s == "" || strings.IndexByte(" \t\n\f\r/>", s[0]) >= 0 {
			return true
		}
	}
}

// indexFold is strings.Index for an ASCII needle, ignoring case, without
// a lowercase copy of the page.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		j := strings.IndexByte(s[i:], needle[0])
		if j < 0 {
			return -1
		}
		i += j
		if i+len(needle) <= len(s) && strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// extractorOptions are the go-trafilatura options of the HTML path.
func extractorOptions(now time.Time) trafilatura.Options {
	return trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: true,
		Deduplicate:     true,
		IncludeLinks:    true,
		HtmlDateOptions: &htmldate.Options{
			UseOriginalDate:     true,
			SkipExtensiveSearch: true,
			MaxDate:             now.AddDate(0, 0, 2),
		},
	}
}

// filterBlocks drops what is not article text from the extracted blocks
// (boilerplate, title and kicker repeats, date and byline lines, captions
// and credits, what follows an end marker), moving what they tell into ex,
// and sets ex.paras and ex.media. It returns the blocks kept.
func (ex *extraction) filterBlocks(blocks []*htmlBlock, pg *pageInfo, now time.Time) []*htmlBlock {
	titleKey, kickerKey := markerKey(ex.title), markerKey(ex.kicker)
	var kept, captions []*htmlBlock
	var captionParas []para
	var used []figure
	var credits []string
	n := len(blocks)
	for i, b := range blocks {
		t := cleanLine(b.text.String())
		if t == "" {
			continue
		}
		key := markerKey(t)
		if f, ok := pg.captionOf(t); ok {
			used = append(used, f)
			captions = append(captions, b)
			captionParas = append(captionParas, para{kind: b.kind, text: t})
			continue
		}
		if (endMarkers[key] || commentsClosed(key)) && len(kept) > 0 {
			break // comments or a most-read list: the article is over
		}
		switch {
		case isBoilerplateKey(lower(t), key) || key == titleKey || kickerKey != "" && key == kickerKey:
			continue
		case i < 8 && dateOnly(t, now):
			ex.setDate(t, now)
			continue
		case creditPrefix.MatchString(t) && len(t) < 200:
			credits = append(credits, creditName(t))
			continue
		}
		// Credits and bylines are read at the article's start and end; in
		// between, a bare agency name is a photo credit.
		edge := i < 8 || i >= n-3
		if ags, ok := creditLine(t); ok {
			if edge {
				ex.addAgencies(ags)
			} else {
				credits = append(credits, t)
			}
			continue
		}
		if bl, ok := parseByline(t); ok && edge {
			ex.addByline(bl)
			ex.setDate(t, now)
			continue
		}
		if len(kept) < 2 {
			ex.addAgencies(datelineAgencies(t))
		}
		ex.addAgencies(trailingAgencies(t))
		kept = append(kept, b)
		ex.paras = append(ex.paras, para{kind: b.kind, text: t})
	}
	if len(kept) == 0 {
		// A gallery's slide: its caption is all the text there is, and
		// it is the article.
		kept, ex.paras = captions, append(ex.paras, captionParas...)
	}
	ex.media = pg.media(used, credits)
	return kept
}

// setDate takes the date of a byline or date line when ex has none yet.
func (ex *extraction) setDate(line string, now time.Time) {
	if !ex.published.IsZero() {
		return
	}
	if h, ok := findDateHit(line, now); ok {
		ex.published, ex.publishedFloating = h.t, h.floating()
	}
}

func (ex *extraction) addAgencies(ags []string) {
	if len(ags) > 0 {
		ex.addByline(byline{agencies: ags})
	}
}

// pageDate picks the publication time: the page's own machine-readable
// statement (meta article:published_time, JSON-LD datePublished,
// itemprop, <time>; stamps, best first) wins, with its zone; htmldate's
// guess, which may come from the URL or a nearby date, is the fallback.
// floating reports a stamp with a time of day and no zone; of htmldate's
// guess crier cannot tell, and leaves it as it is.
func pageDate(guess time.Time, stamps []string, now time.Time) (t time.Time, floating bool) {
	for _, s := range stamps {
		if h, ok := findDateHit(s, now); ok {
			return h.t, h.floating()
		}
	}
	return guess, false
}

// canonicalURL keeps only absolute http(s) URLs.
func canonicalURL(s string) string { return absURL(s, nil) }

// textOf returns the text content of n; <br> becomes a space, scripts and
// styles are left out.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && n.Data == "br":
			b.WriteByte(' ')
		case n.Type == xhtml.ElementNode && (n.Data == "script" || n.Data == "style"):
			return
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
	p.AllowElements("p", "h2", "h3", "blockquote", "ul", "ol", "li", "em", "strong", "i", "b", "br")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	return p
}

// renderHTML writes paragraphs as HTML. Their text is escaped and the
// only markup is its own (p, h2, blockquote, ul, li), all of which the
// body policy allows: the result needs no sanitizing (a test checks it is
// what the policy would leave).
func renderHTML(ps []para) string {
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
	return b.String()
}

// renderBody returns the sanitized body markup: the page's own when the
// HTML path kept it, else the paragraphs rendered.
func (ex *extraction) renderBody(policy *bluemonday.Policy) string {
	if ex.bodyHTML != "" {
		return policy.Sanitize(ex.bodyHTML)
	}
	return renderHTML(ex.paras)
}

// offArticle reports whether a title shares no word with the article,
// whose content words are body: the site's name, which the page's
// metadata gives as its title, rather than the article's headline. Words
// match exactly: a site's "News" is not the article's "new".
func offArticle(title string, body map[string]bool) bool {
	tws := contentWords(words(title))
	return len(tws) > 0 && !slices.ContainsFunc(tws, func(w string) bool { return body[w] })
}

// articleWords returns the content words of the blocks' first thousand
// words or so.
func articleWords(blocks []*htmlBlock) map[string]bool {
	body := map[string]bool{}
	n := 0
	for _, b := range blocks {
		ws := words(b.text.String())
		addWords(body, contentWords(ws))
		if n += len(ws); n > 1000 {
			break
		}
	}
	return body
}
