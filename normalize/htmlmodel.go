package normalize

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	xhtml "golang.org/x/net/html"
)

// The HTML path's line model sees the page as its blocks (paragraphs,
// headings, list items, cells, loose text), each with the text path's
// features of its text and what the markup says of it: its element, the
// share of its text in links, the class and id words of its ancestors
// ("comment", "sidebar", "article"), and whether go-trafilatura kept it.
// go-trafilatura's choice is one input among others: the model learns
// where to follow it and where not (comment threads and teasers it keeps,
// articles it misses).

// pageSkip are the elements whose text a reader does not see.
var pageSkip = map[string]bool{
	"head": true, "title": true, "script": true, "style": true, "noscript": true, "template": true,
	"svg": true, "math": true, "iframe": true, "object": true, "embed": true, "select": true,
	"textarea": true, "button": true, "input": true, "img": true, "video": true, "audio": true,
	"picture": true, "canvas": true, "map": true,
}

// pageBlocks walks the page's body into blocks, as a reader sees them.
func pageBlocks(doc *xhtml.Node) []*htmlBlock {
	root := findElement(doc, "body")
	if root == nil {
		root = doc
	}
	w := &contentWalker{kind: kindParagraph, skip: pageSkip, splitBr: true}
	w.container(root)
	return w.blocks
}

func findElement(n *xhtml.Node, tag string) *xhtml.Node {
	if n.Type == xhtml.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// Cues: what the class and id words, and the elements, around a block
// say it is. One bit each.
const (
	cueComment = 1 << iota
	cueNav
	cueFooter
	cueHeader
	cueSidebar
	cueRelated
	cueShare
	cueAd
	cueContent
	cueCaption
	cueByline
	cueDate
	cueTags
	cueForm
	cueHidden
	numCues = iota
)

var cueNames = [numCues]string{"comment", "nav", "footer", "header", "sidebar", "related", "share",
	"ad", "content", "caption", "byline", "date", "tags", "form", "hidden"}

// cueWords map the words of class and id attributes to cues.
var cueWords = map[string]uint32{
	"comment": cueComment, "comments": cueComment, "respond": cueComment, "reply": cueComment,
	"replies": cueComment, "disqus": cueComment, "discussion": cueComment, "commentlist": cueComment,
	"nav": cueNav, "navbar": cueNav, "navigation": cueNav, "menu": cueNav, "breadcrumb": cueNav,
	"breadcrumbs": cueNav, "pagination": cueNav, "pager": cueNav, "topnav": cueNav, "subnav": cueNav,
	"footer": cueFooter, "foot": cueFooter, "copyright": cueFooter, "colophon": cueFooter,
	"header": cueHeader, "masthead": cueHeader, "topbar": cueHeader, "banner": cueHeader,
	"sidebar": cueSidebar, "aside": cueSidebar, "widget": cueSidebar, "rail": cueSidebar,
	"sidebox": cueSidebar, "secondary": cueSidebar,
	"related": cueRelated, "recommended": cueRelated, "recommend": cueRelated, "more": cueRelated,
	"popular": cueRelated, "trending": cueRelated, "teaser": cueRelated, "promo": cueRelated,
	"outbrain": cueRelated, "taboola": cueRelated, "readmore": cueRelated,
	"share": cueShare, "sharing": cueShare, "social": cueShare, "sharebar": cueShare, "tools": cueShare,
	"print": cueShare, "email": cueShare, "addthis": cueShare,
	"ad": cueAd, "ads": cueAd, "advert": cueAd, "advertisement": cueAd, "sponsor": cueAd,
	"sponsored": cueAd, "dfp": cueAd, "adsense": cueAd,
	"article": cueContent, "content": cueContent, "post": cueContent, "entry": cueContent,
	"story": cueContent, "body": cueContent, "main": cueContent, "text": cueContent, "articlebody": cueContent,
	"caption": cueCaption, "credit": cueCaption, "figcaption": cueCaption, "photo": cueCaption,
	"gallery": cueCaption, "media": cueCaption,
	"byline": cueByline, "author": cueByline, "meta": cueByline,
	"date": cueDate, "time": cueDate, "published": cueDate, "timestamp": cueDate, "dateline": cueDate,
	"tag": cueTags, "tags": cueTags, "category": cueTags, "categories": cueTags, "topics": cueTags,
	"keywords":  cueTags,
	"subscribe": cueForm, "newsletter": cueForm, "signup": cueForm, "login": cueForm, "register": cueForm,
	"search": cueForm,
	"hidden": cueHidden, "hide": cueHidden,
}

// elementCues are the cues of elements by their name.
var elementCues = map[string]uint32{
	"nav": cueNav, "footer": cueFooter, "header": cueHeader, "aside": cueSidebar, "form": cueForm,
	"article": cueContent, "main": cueContent, "figure": cueCaption, "figcaption": cueCaption,
	"time": cueDate, "address": cueByline,
}

// cuesOf returns the cues of n and its ancestors, memoized.
func cuesOf(n *xhtml.Node, memo map[*xhtml.Node]uint32) uint32 {
	if n == nil || n.Type == xhtml.DocumentNode {
		return 0
	}
	if c, ok := memo[n]; ok {
		return c
	}
	c := cuesOf(n.Parent, memo)
	if n.Type == xhtml.ElementNode {
		c |= elementCues[n.Data]
		for _, a := range n.Attr {
			switch a.Key {
			case "class", "id", "role", "itemprop":
				c |= attributeCues(a.Val)
			case "hidden":
				c |= cueHidden
			case "style":
				if strings.Contains(strings.ReplaceAll(a.Val, " ", ""), "display:none") {
					c |= cueHidden
				}
			}
		}
	}
	memo[n] = c
	return c
}

// attributeCues splits a class or id value into words ("post-body",
// "commentList", "sidebar_2") and looks each up.
func attributeCues(v string) uint32 {
	var c uint32
	start := -1
	word := func(end int) {
		if start >= 0 && end > start {
			c |= cueWords[strings.ToLower(v[start:end])]
			// "commentList", "articleBody": the camel-case parts too.
			for i := start + 1; i < end; i++ {
				if unicode.IsUpper(rune(v[i])) {
					c |= cueWords[strings.ToLower(v[start:i])] | cueWords[strings.ToLower(v[i:end])]
					break
				}
			}
		}
		start = -1
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' {
			if start < 0 {
				start = i
			}
			continue
		}
		word(i)
	}
	word(len(v))
	return c
}

// The markup's features of a block, in order after the text features.
const (
	hTagH1 = iota
	hTagHeading
	hTagP
	hTagLi
	hTagCell
	hTagLoose
	hTagQuote
	hLinks
	hDepth
	hTraf
	hTrafNear
	hTrafNone
	hBeforeTraf
	hAfterTraf
	hCues
	htmlOwnFeatures = hCues + numCues
)

var htmlOwnNames = func() []string {
	names := []string{"tag_h1", "tag_heading", "tag_p", "tag_li", "tag_cell", "tag_loose", "tag_quote",
		"links", "depth", "traf", "traf_near", "traf_none", "before_traf", "after_traf"}
	for _, c := range cueNames {
		names = append(names, "cue_"+c)
	}
	return names
}()

// htmlNeighbourFeatures are repeated for the blocks around.
var htmlNeighbourFeatures = []int{hLinks, hTraf, hTagP, hTagLi}

// htmlFeatureNames names the HTML line model's first inputs.
var htmlFeatureNames = func() []string {
	names := append(slices.Clone(textFeatureNames), htmlOwnNames...)
	for _, off := range neighbourOffsets {
		for _, f := range htmlNeighbourFeatures {
			names = append(names, htmlOwnNames[f]+"@"+itoa(off))
		}
	}
	return names
}()

// HTMLFeatureNames names the HTML line model's inputs, in order.
func HTMLFeatureNames() []string { return slices.Clone(htmlFeatureNames) }

// HTMLSecondFeatureNames names the second classifier's inputs.
func HTMLSecondFeatureNames() []string {
	return append(slices.Clone(htmlFeatureNames), contextFeatureNames...)
}

// htmlLines is an HTML page as its line model sees it.
type htmlLines struct {
	blocks []*htmlBlock // the page's blocks with text, in order
	bs     []*block     // their text, judged by the text path's rules
	view   *modelView
	inputs [][]float32 // the first classifier's inputs, one per line of the view
	traf   []float32   // go-trafilatura kept each block (by index in bs)
}

// pageLines walks the page into blocks and reads their text as the text
// path reads lines.
func pageLines(doc *xhtml.Node, now time.Time) ([]*htmlBlock, []*block) {
	var hbs []*htmlBlock
	var bs []*block
	for _, hb := range pageBlocks(doc) {
		b := newBlock(cleanLine(hb.text.String()), now) // markup spacing is no layout
		if b.text == "" {
			continue
		}
		hbs = append(hbs, hb)
		bs = append(bs, b)
	}
	markRepeats(bs, false)
	dropRelated(bs)
	return hbs, bs
}

// newHTMLLines walks the page into blocks and computes their inputs.
// kept is go-trafilatura's content, nil when it found none.
func newHTMLLines(doc *xhtml.Node, kept []*htmlBlock, now time.Time) *htmlLines {
	hl := &htmlLines{}
	hl.blocks, hl.bs = pageLines(doc, now)
	if len(hl.bs) == 0 {
		return hl
	}
	first, last, titleAt := judgeLines(hl.bs, "", &extraction{})
	hl.view = newModelView(hl.bs, first, last, titleAt)
	text := lineModelInputs(hl.view.bs, hl.view.first, hl.view.last, hl.view.title)

	traf := trafMembership(hl.view, hl.blocks, kept)
	hl.traf = make([]float32, len(hl.bs))
	for i, t := range traf {
		hl.traf[hl.view.at[i]] = t
	}
	memo := map[*xhtml.Node]uint32{}
	n := len(text)
	own := make([][htmlOwnFeatures]float32, n)
	firstTraf, lastTraf := -1, -1
	for i, t := range traf {
		if t > 0 {
			if firstTraf < 0 {
				firstTraf = i
			}
			lastTraf = i
		}
	}
	for i := range own {
		hb := hl.blocks[hl.view.at[i]]
		f := &own[i]
		switch {
		case hb.node != nil && hb.node.Data == "h1":
			f[hTagH1] = 1
		case hb.kind == kindHeading:
			f[hTagHeading] = 1
		case hb.kind == kindQuote:
			f[hTagQuote] = 1
		case hb.kind == kindListItem:
			f[hTagLi] = 1
		case hb.node != nil && (hb.node.Data == "td" || hb.node.Data == "th" || hb.node.Data == "dd" || hb.node.Data == "dt"):
			f[hTagCell] = 1
		case hb.node != nil && hb.node.Data == "p":
			f[hTagP] = 1
		default:
			f[hTagLoose] = 1
		}
		if size := hb.text.Len(); size > 0 {
			f[hLinks] = float32(hb.linkBytes) / float32(size)
		}
		depth := 0
		for p := hb.node; p != nil; p = p.Parent {
			depth++
		}
		f[hDepth] = float32(math.Log1p(float64(depth)))
		f[hTraf] = traf[i]
		f[hTrafNear] = meanP(traf, i-3, i+3)
		f[hTrafNone] = b2f(kept == nil)
		f[hBeforeTraf] = b2f(firstTraf >= 0 && i < firstTraf)
		f[hAfterTraf] = b2f(lastTraf >= 0 && i > lastTraf)
		cues := cuesOf(hb.node, memo)
		for c := range numCues {
			f[hCues+c] = b2f(cues&(1<<c) != 0)
		}
	}
	width := len(htmlFeatureNames)
	flat := make([]float32, n*width)
	hl.inputs = make([][]float32, n)
	for i := range text {
		x := flat[i*width : (i+1)*width : (i+1)*width]
		k := copy(x, text[i])
		k += copy(x[k:], own[i][:])
		for _, off := range neighbourOffsets {
			j := i + off
			for _, f := range htmlNeighbourFeatures {
				if j >= 0 && j < n {
					x[k] = own[j][f]
				}
				k++
			}
		}
		hl.inputs[i] = x
	}
	return hl
}

// trafMembership tells, for each line of the view, whether go-trafilatura
// kept its text: 1 for a block it kept whole, 0.5 for a part of one (long
// enough not to be a menu's words found in the text), 0 otherwise.
func trafMembership(v *modelView, blocks []*htmlBlock, kept []*htmlBlock) []float32 {
	out := make([]float32, len(v.bs))
	if len(kept) == 0 {
		return out
	}
	keys := make(map[string]bool, len(kept))
	var all strings.Builder
	for _, k := range kept {
		key := markerKey(k.text.String())
		keys[key] = true
		all.WriteString(key)
		all.WriteByte('\n')
	}
	joined := all.String()
	for i, b := range v.bs {
		switch {
		case keys[b.key]:
			out[i] = 1
		case len(b.key) >= 40 && strings.Contains(joined, b.key):
			out[i] = 0.5
		}
	}
	return out
}

// predictHTML returns each block's probability of being article text;
// blocks the model does not see get 0.
func (m *LineModel) predictHTML(hl *htmlLines) []float32 {
	p := make([]float32, len(hl.bs))
	if hl.view == nil {
		return p
	}
	scratch := make([]float32, len(htmlFeatureNames)+len(contextFeatureNames))
	p1 := make([]float32, len(hl.inputs))
	for i, x := range hl.inputs {
		p1[i] = m.First.Predict(x, scratch)
	}
	eachSecondInput(hl.inputs, p1, func(i int, y []float32) {
		p[hl.view.at[i]] = m.Second.Predict(y, scratch)
	})
	return p
}

// endMarkerAfter is how many words of article an end marker must follow
// to end it.
const endMarkerAfter = 25

// endsArticle reports whether an end marker ("Comments", "Most read")
// after before words of an article of total ends it: when more of it
// comes before than after. Earlier, it is a sidebar's heading or a link
// in the article's header.
func endsArticle(before, total int) bool {
	return before >= endMarkerAfter && before >= total-before
}

// How the model and go-trafilatura decide together. go-trafilatura's
// choice stands unless the model is sure it is wrong (it keeps comment
// threads and teasers); the model adds what go-trafilatura missed only
// next to what it kept, where articles lose a paragraph, not far from it,
// where teasers are (measured on the development corpora, cross-validated:
// eval.TestDevEval). When go-trafilatura finds nothing, the model decides
// alone.
const (
	dropTrafBelow = 0.1
	addAbove      = 0.6
	addSpan       = 3 // blocks around go-trafilatura's first and last
)

// articleBlocks returns the blocks of the article: see dropTrafBelow. The
// title the rules found and known boilerplate stay out. The article ends
// at an end marker, as on the text path, and where the readers'
// discussion starts (startsDiscussion), which go-trafilatura keeps when
// the markup does not mark it.
func (m *LineModel) articleBlocks(hl *htmlLines) []*htmlBlock {
	p := m.predictHTML(hl)
	var out []*htmlBlock
	title := -1
	if hl.view != nil && hl.view.title >= 0 {
		title = hl.view.at[hl.view.title]
	}
	keep := make([]bool, len(hl.bs))
	total := 0
	from, to := -1, -1 // go-trafilatura's span
	for i, t := range hl.traf {
		if t == 1 {
			if from < 0 {
				from = i
			}
			to = i
		}
	}
	// When the model rejects most of what go-trafilatura kept, go-trafilatura
	// took the wrong part of the page (the comments, a list of teasers):
	// the model decides alone.
	trafWords, keptWords := 0, 0
	for i, b := range hl.bs {
		if hl.traf[i] > 0 {
			trafWords += len(b.words)
			if p[i] >= dropTrafBelow {
				keptWords += len(b.words)
			}
		}
	}
	alone := from < 0 || keptWords*3 < trafWords
	for i, b := range hl.bs {
		var ok bool
		switch {
		case alone:
			ok = p[i] >= 0.5
		case hl.traf[i] > 0:
			ok = p[i] >= dropTrafBelow
		default:
			ok = p[i] >= addAbove && i >= from-addSpan && i <= to+addSpan
		}
		keep[i] = ok && !b.boiler && i != title
		if keep[i] {
			total += len(b.words)
		}
	}
	threads := commentThreads(hl.bs)
	before := 0
	for i, b := range hl.bs {
		if b.endMarker && endsArticle(before, total) ||
			before >= endMarkerAfter && startsDiscussion(threads, i, b) {
			break
		}
		if keep[i] {
			out = append(out, hl.blocks[i])
			before += len(b.words)
		}
	}
	return out
}

// HTMLTrainingLines returns the blocks the HTML path's line model judges
// in a page, its inputs for each, and whether the rules alone decide the
// line, for training the model (cmd/trainmodel).
func HTMLTrainingLines(page []byte, now time.Time) (lines []string, inputs [][]float32, fixed []bool, err error) {
	doc, _, kept, _, err := parsePage(page, "", "", now)
	if err != nil {
		return nil, nil, nil, err
	}
	hl := newHTMLLines(doc, kept, now)
	if hl.view == nil {
		return nil, nil, nil, nil
	}
	for i, b := range hl.view.bs {
		lines = append(lines, b.text)
		fixed = append(fixed, ruleDecides(b, i == hl.view.title))
	}
	return lines, hl.inputs, fixed, nil
}
