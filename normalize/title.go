package normalize

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// visibleTitle returns the line of the page that the metadata titles
// (og:title, <title>) print as its headline: the same words, or the
// metadata title's start or end once a site or section name is cut
// ("Chelsea hoping to sign Anelka - Soccer - Sport" shows "Chelsea
// hoping to sign Anelka"). Of several, the longest wins, then the first.
// It returns -1 when no line matches: the page's headline is not among
// its lines, or the metadata names only the site.
func visibleTitle(metaTitles []string, bs []*block) int {
	best, bestLen := -1, 0
	for _, m := range metaTitles {
		mk := markerKey(m)
		if mk == "" {
			continue
		}
		for i, b := range bs {
			if !titleShaped(b) || len(b.key) <= bestLen {
				continue
			}
			if b.key == mk || len(b.key) >= 15 && len(b.key)*5 >= len(mk)*2 &&
				(strings.HasPrefix(mk, b.key+" ") || strings.HasSuffix(mk, " "+b.key)) {
				best, bestLen = i, len(b.key)
			}
		}
	}
	return best
}

// titleShaped reports whether a line could be a headline: a few words,
// not a paragraph.
func titleShaped(b *block) bool {
	n := len(b.words)
	return n >= 2 && n <= 40 && b.runes <= titleMaxRunes && utf8.RuneCountInString(b.key) >= 8
}

// titleExtraNames are what the title classifier adds to a line's first
// inputs: the first classifier's answer, where the line stands to the
// article's first paragraph (the anchor) and its words, and how it
// compares with the page's other candidates.
var titleExtraNames = []string{"p1", "before_anchor", "anchor_distance", "lead_overlap",
	"overlap_gap", "p1_gap", "candidates_to_anchor", "first_candidate"}

// TitleFeatureNames names the title classifier's inputs, in order.
func TitleFeatureNames() []string { return append(slices.Clone(textFeatureNames), titleExtraNames...) }

// TitleTrainingInputs returns the title classifier's inputs for the
// lines TrainingLines returns for text, given the first classifier's
// answers p1 on them (cmd/trainmodel).
func TitleTrainingInputs(text string, now time.Time, p1 []float32) [][]float32 {
	bs := trainingBlocks(text, now)
	if len(bs) == 0 {
		return nil
	}
	first, last, titleAt := judgeLines(bs, "", &extraction{})
	v := newModelView(bs, first, last, titleAt)
	return titleInputs(v.bs, lineModelInputs(v.bs, v.first, v.last, v.title), p1)
}

// titleInputs returns the title classifier's inputs for the lines of a
// page, from their first inputs and the first classifier's answers p1;
// lines that cannot be a headline get nil.
func titleInputs(bs []*block, inputs [][]float32, p1 []float32) [][]float32 {
	anchor := articleAnchor(bs, p1)
	var leadBlocks []*block
	for i := anchor; anchor >= 0 && i < len(bs) && len(leadBlocks) < 3; i++ {
		if p1[i] >= 0.5 {
			leadBlocks = append(leadBlocks, bs[i])
		}
	}
	lead := contentWordSet(leadBlocks)
	out := make([][]float32, len(bs))
	for i, b := range bs {
		// A headline does not end with a full stop: a line that does is a
		// lead or a caption.
		if !titleShaped(b) || anchor >= 0 && i > anchor+titleAfterAnchor ||
			strings.HasSuffix(b.text, ".") && !strings.HasSuffix(b.text, "...") ||
			b.byline != nil || b.dateLine || gluedHeadline(bs, i) || gluedMenu(b.text) || notHeadline(b) {
			continue
		}
		x := make([]float32, 0, len(inputs[i])+len(titleExtraNames))
		x = append(x, inputs[i]...)
		dist := len(bs)
		if anchor >= 0 {
			dist = max(i-anchor, anchor-i)
		}
		x = append(x, p1[i], b2f(anchor >= 0 && i < anchor), float32(math.Log1p(float64(dist))),
			float32(overlap(b.contentWords(), lead)))
		out[i] = x
	}
	relativeTitleInputs(out, anchor)
	return out
}

// relativeTitleInputs appends what sets a candidate apart from the
// page's others: a headline is judged against the lines around it (the
// deck below it shares as many words with the lead; a related headline
// stands further from the article).
func relativeTitleInputs(out [][]float32, anchor int) {
	const p1At, overlapAt = 0, 3 // in titleExtraNames
	base := len(textFeatureNames)
	var maxOverlap, maxP1 float32
	between, first := 0, true // candidates from the line on to the anchor
	for i, x := range out {
		if x == nil {
			continue
		}
		maxOverlap = max(maxOverlap, x[base+overlapAt])
		maxP1 = max(maxP1, x[base+p1At])
		if anchor >= 0 && i < anchor {
			between++
		}
	}
	for i, x := range out {
		if x == nil {
			continue
		}
		if anchor >= 0 && i < anchor {
			between--
		}
		out[i] = append(x, maxOverlap-x[base+overlapAt], maxP1-x[base+p1At],
			float32(math.Log1p(float64(between))), b2f(first))
		first = false
	}
}

// articleAnchor returns the first paragraph of the article: the first
// line of twelve words or more in the run of lines the first classifier
// takes for text that holds the most words; a line it does not take, of
// four words or more, ends a run. -1 if none.
func articleAnchor(bs []*block, p1 []float32) int {
	best, bestWords := -1, 0
	start, words := -1, 0
	for i, b := range bs {
		if p1[i] < 0.5 {
			if len(b.words) >= 4 {
				start, words = -1, 0
			}
			continue
		}
		if start < 0 && len(b.words) >= 12 {
			start = i
		}
		words += len(b.words)
		if start >= 0 && words > bestWords {
			best, bestWords = start, words
		}
	}
	return best
}

// gluedHeadline reports whether line i ends with a nearby line glued on
// without a space: scraping glued a breadcrumb to the headline
// ("AccueilNews - InfosDiplomatieLa Russie va…" above "La Russie va…");
// the nearby line is the headline.
func gluedHeadline(bs []*block, i int) bool {
	t := bs[i].text
	for j := max(0, i-3); j < min(len(bs), i+4); j++ {
		u := bs[j].text
		if j == i || len(u) < 20 || len(u) >= len(t) || !strings.HasSuffix(t, u) {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(t[:len(t)-len(u)]); unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// gluedMenu reports whether a line is menu entries glued together
// without spaces ("TousArt & CultureEconomieFaits DiversPolitique…"):
// three times or more, a word of three lowercase letters or more runs
// into a capitalised one. Names do it once ("PlayStation") or with
// shorter parts ("iPhone", "YouTube", "LinkedIn").
func gluedMenu(t string) bool {
	// lower counts the lowercase letters in a row; after a capital that
	// follows three of them, it counts the capital's own and the join is
	// made at the second.
	joins, lower, join := 0, 0, false
	for _, r := range t {
		switch {
		case unicode.IsUpper(r):
			join, lower = lower >= 3, 0
		case unicode.IsLower(r):
			if lower++; join && lower == 2 {
				joins, join = joins+1, false
			}
		default:
			join, lower = false, 0
		}
	}
	return joins >= 3
}

// notHeadline reports the lines shaped like a headline that never are
// one: breadcrumbs ("Home > News > Latest", "Home » Sport » Tennis"), a
// blog's links to the previous and next posts ("« Older post | Main",
// "« Volkswagen sales grow once again"), labelled metadata and teasers
// ("Tags: vista, microsoft", "Source: Press Association", "Recommended:
// …"), comment headers ("156 Responses to …") and bylines without a name
// ("By staff writers").
func notHeadline(b *block) bool {
	t := b.text
	if strings.Contains(t, " > ") || strings.Contains(t, " › ") || strings.Contains(t, " → ") ||
		strings.Count(t, " » ") >= 2 && !strings.Contains(t, "«") ||
		(strings.HasPrefix(t, "«") || strings.HasSuffix(t, "»")) && strings.Contains(t, " | ") ||
		postLink(t) {
		return true
	}
	if l := colonLabel(t); metaLabels[l] || teaserLabels[l] {
		return true
	}
	ws := b.words
	if len(ws) >= 2 && isNumber(ws[0]) && commentWords[ws[1]] {
		return true
	}
	// "By staff writers", "Par la rédaction": a byline the parser finds
	// no name in.
	if len(ws) > 0 && len(ws) <= 6 && bylineWords[ws[0]] && !strings.Contains(t, ":") {
		return true
	}
	return len(ws) <= 3 && isCommentMarker(ws)
}

// actionLink reports whether a short line is a link that acts on the
// article or moves about the site ("E-mail this to a friend", "MAIL THIS
// STORY PRINT FRIENDLY", "Imprimer cet article", "Skip to content", "Go
// to Google News"): never its headline, though it stands where one does
// and shares no word with any other line.
func actionLink(b *block) bool {
	n := len(b.words)
	if n > 8 {
		return false
	}
	// "Go to", "Back to": a headline may start so ("Back to school for
	// …"), a link is a few words long.
	return hasAnyPrefix(b.key, actionLinks) || n <= 4 && hasAnyPrefix(b.key, shortLinks)
}

// postMeta reports a line of a post's metadata that notHeadline lets
// through: Blogger's "Labels: adwords, support" and a "Posted by Tammy
// McLeod, Software Engineer" whose name the byline parser does not take.
// The title classifier learned with them among the candidates, and they
// lost most of the time; they are never the headline.
func postMeta(b *block) bool {
	ws := b.words
	return postLabels[colonLabel(b.text)] || len(ws) >= 3 && publishedWords[ws[0]] && bylineWords[ws[1]]
}

// postLabels label a post's tags where metaLabels does not.
var postLabels = map[string]bool{"labels": true, "label": true}

// linkRow reports whether a line is short links set side by side with a
// middle dot or a bullet ("Facebook Page · RSS Feed", "Home • About •
// Contact"): a menu, not a headline. Spaces around the dot keep a
// Catalan "l·l" whole.
func linkRow(t string) bool {
	if !strings.Contains(t, " · ") && !strings.Contains(t, " • ") {
		return false
	}
	items := strings.Split(strings.ReplaceAll(t, " • ", " · "), " · ")
	for _, it := range items {
		if n := len(strings.Fields(it)); n == 0 || n > 3 {
			return false
		}
	}
	return true
}

// actionLinks start the links that act on an article or move about the
// site, compared after markerKey. Those that boilerplatePrefixes already
// name ("share this", "partager cet article") never reach the pick.
var actionLinks = []string{
	"email this", "e mail this", "mail this", "print this", "send this",
	"email to a friend", "e mail to a friend", "send to a friend", "print friendly", "printer friendly",
	"envoyer cet article", "envoyer à un ami", "imprimer cet article",
	"artikel versenden", "artikel drucken", "artikel teilen", "seite drucken",
	"enviar a un amigo", "imprimir esta", "imprimir artículo", "compartir esta",
	"skip to", "jump to navigation", "jump to content", "jump to main", "search this",
	"like us on", "follow us on", "sign in", "log in", "aller au contenu", "zum inhalt",
	"ir al contenido",
}

// shortLinks start the links that are such only when a few words long.
var shortLinks = []string{"go to ", "back to ", "return to "}

// postLink reports whether a line is a link to the previous or next
// post: an opening guillemet or arrow with no closing one ("« Volkswagen
// sales grow once again", "book news, plus a podcast interview. »",
// "All Reviews→"). A quoted headline closes what it opens.
func postLink(t string) bool {
	for _, p := range [][2]string{{"«", "»"}, {"‹", "›"}, {"←", "→"}} {
		if strings.HasPrefix(t, p[0]) && !strings.Contains(t, p[1]) ||
			strings.HasSuffix(t, p[1]) && !strings.Contains(t, p[0]) {
			return true
		}
	}
	return false
}

// colonLabel returns what stands before a line's first colon, trimmed and
// lowercase ("Tags: vista" gives "tags"): the label of metadata or of a
// teaser. It returns "" when there is no colon or the text before it is
// longer than any label (labelMaxLen).
func colonLabel(t string) string {
	label, _, ok := strings.Cut(t, ":")
	if !ok || len(label) > labelMaxLen {
		return ""
	}
	return lower(strings.TrimSpace(label))
}

// labelMaxLen is longer than any label of metaLabels, teaserLabels and
// postLabels, in bytes ("auch interessant" has 16).
const labelMaxLen = 20

// metaLabels label a line of metadata before a colon.
var metaLabels = map[string]bool{
	"tags": true, "tag": true, "tagged": true, "tagged with": true, "filed under": true, "posted in": true,
	"category": true, "categories": true, "topics": true, "keywords": true, "source": true, "sources": true,
	"created": true, "posted": true, "published": true, "last updated": true,
	"mots-clés": true, "mots clés": true, "thèmes": true, "catégories": true, "schlagwörter": true,
	"themen": true, "schlagworte": true, "quelle": true, "etiquetas": true, "temas": true, "fuente": true,
	"argomenti": true, "fonte": true, "tagi": true, "źródło": true,
}

// teaserLabels label a teaser of another story before a colon
// ("Related: Chicago is America's most segregated city").
var teaserLabels = map[string]bool{
	"recommended": true, "related": true, "see also": true, "read also": true, "read more": true,
	"lire aussi": true, "à lire aussi": true, "a lire aussi": true, "voir aussi": true,
	"mehr zum thema": true, "lesen sie auch": true, "auch interessant": true,
	"lee también": true, "leer más": true, "leggi anche": true, "leia também": true, "czytaj też": true,
}

// titleAfterAnchor is how far after the article's first paragraph a
// headline may stand (a deck or a picture's caption may come first).
const titleAfterAnchor = 3

// pickTitle returns the index of the headline among the lines, or -1
// when none could be one. The classifier's best candidate wins however
// low its score: on the development pages, the rules' headline was right
// less often than that candidate below any floor tried (0.3 down to 0.02).
func (m *LineModel) pickTitle(bs []*block, inputs [][]float32, p1 []float32) int {
	if len(m.Title) == 0 {
		return -1
	}
	if j := slices.IndexFunc(bs, func(b *block) bool { return b.docHeadline }); j >= 0 {
		return j // the page's <title> printed above names it
	}
	best, bestScore := -1, float32(-1)
	var scratch []float32
	for i, x := range titleInputs(bs, inputs, p1) {
		if x == nil {
			continue
		}
		if scratch == nil {
			scratch = make([]float32, len(x))
		}
		if b := bs[i]; actionLink(b) || linkRow(b.text) || postMeta(b) {
			// Left out here, not in titleInputs: the other candidates'
			// inputs, measured against all of them, stay as trained.
			continue
		}
		if s := m.Title.Predict(x, scratch); s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// printedTitle finds the page's <title> among the first lines, as a
// scraper that walks the whole document prints it: another line of the
// page with a name after a separator or before it ("Chelsea hoping to
// sign Anelka - Soccer - Sport" above "Chelsea hoping to sign Anelka").
// It returns that line and the headline, or -1, -1. The metadata says
// which line the headline is, as on the HTML path (visibleTitle).
func printedTitle(bs []*block) (at, headline int) {
	seen := 0
	for i := 0; i < len(bs) && seen < 3; i++ {
		b := bs[i]
		if b.boiler {
			continue // a script before the title
		}
		seen++
		if notHeadline(b) {
			continue // breadcrumbs, links to the previous and next posts
		}
		t := b.text
		for _, sep := range titleSeparators {
			first, last := strings.Index(t, sep), strings.LastIndex(t, sep)
			if first < 0 {
				continue
			}
			// The headline is the longer side ("Librarian by Day - By
			// Bobbi Newman" is a blog's name and its author), and more
			// than a link's few words ("Submit Press Release | Become a
			// Member").
			for _, part := range []string{t[:first], t[last+len(sep):]} {
				if countWords(part) < 4 || 2*len(part) < len(t)-len(sep) {
					continue
				}
				key := markerKey(part)
				if len(key) < 15 {
					continue
				}
				for j, h := range bs {
					if j != i && h.key == key && titleShaped(h) && h.byline == nil && !actionLink(h) {
						return i, j
					}
				}
			}
		}
	}
	return -1, -1
}

// trimStrayQuote drops a straight quote left at either end of a headline
// whose other half the scraper lost ("… partnerem UE\"").
func trimStrayQuote(t string) string {
	if strings.Count(t, `"`)%2 == 0 {
		return t
	}
	if s, ok := strings.CutSuffix(t, `"`); ok {
		return strings.TrimSpace(s)
	}
	if s, ok := strings.CutPrefix(t, `"`); ok {
		return strings.TrimSpace(s)
	}
	return t
}

// gluedByline matches a byline glued after the headline: "… by
// Alexandre Roche on Thursday, January 12, 2012 at 10:00am", "… by
// Patrick Wyatt [Design, Social/Online]", "… by Ahiza Garcia
// @ahiza_garcia February 1, 2016: 12:41 PM ET". A name (and its
// handle), then a date with its year or a bracketed list of categories,
// to the end of the line.
var gluedByline = regexp.MustCompile(`\s+(?:by|By)\s+\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}(?:\s+@\w+)?\s*(?:\son\s+[^\[\]]*\b(?:19|20)\d\d\b.*|\s` + monthDate + `.*|\[[^\[\]]*\])$`)

// monthDate is an English date that starts with its month: "February 1,
// 2016", "Nov. 9, 2012".
const monthDate = `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+(?:19|20)\d\d\b`

// trimGluedDate cuts a full date glued after a headline that ends with a
// sentence's stop or a separator ("If Nasri plays, don’t boo. 20 August,
// 2011", "Budget vote | 12 March 2024"), when three words or more are left.
func trimGluedDate(t string, now time.Time) string {
	i := strings.LastIndexAny(t, ".!?…|–—")
	if i < 0 {
		return t
	}
	r, size := utf8.DecodeRuneInString(t[i:])
	head, tail := t[:i+size], strings.TrimSpace(t[i+size:])
	if strings.ContainsRune("|–—", r) {
		head = t[:i] // the separator goes with the date
	}
	head = strings.TrimSpace(head)
	// findDate first: it turns away the tails that are no date without the
	// word split dateOnly starts with.
	if _, ok := findDate(tail, now); !ok || !dateOnly(tail, now) || len(strings.Fields(head)) < 3 {
		return t
	}
	return head
}

// gluedWidget matches a widget's label glued after a headline: "… text
// size", "… comments ()", "… comments (12)", "… advertisement".
var gluedWidget = regexp.MustCompile(`(?i)\s+(?:text size|comments?\s*\(\d*\)|advertisement)$`)

// trimHeadline cuts what a scraped page glues to a headline: a stray
// quote, a byline, a widget's label.
func trimHeadline(t string) string {
	return trimGluedWidget(trimGluedByline(trimStrayQuote(t)))
}

// trimGluedWidget cuts a widget's label glued after a headline, when
// three words or more are left.
func trimGluedWidget(t string) string { return trimGluedTail(gluedWidget, t) }

// trimGluedByline cuts a byline glued after a headline, when a headline
// of three words or more is left.
func trimGluedByline(t string) string { return trimGluedTail(gluedByline, t) }

// trimGluedTail cuts the match of re at the end of a headline, when three
// words or more are left.
func trimGluedTail(re *regexp.Regexp, t string) string {
	loc := re.FindStringIndex(t)
	if loc == nil || len(strings.Fields(t[:loc[0]])) < 3 {
		return t
	}
	return t[:loc[0]]
}
