package normalize

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// class is a block's content class, after the jusText classification.
type class int

const (
	clsNoise class = iota // boilerplate recognised on its own: dropped
	clsBad                // junk by its features (banners, menus)
	clsShort              // too short to judge alone: heading, kicker, list item
	clsNear               // a plausible paragraph
	clsGood               // clearly a prose paragraph
)

// Thresholds of the classifier, in runes and stopword shares.
const (
	goodMinRunes  = 140
	goodMinStop   = 0.22
	nearMinRunes  = 50
	nearMinStop   = 0.18
	headingMaxLen = 160
	titleMaxRunes = 250
)

// block is one line of a plain text page with its features.
type block struct {
	text        string
	key         string // markerKey(text)
	runes       int
	words       []string
	stop        float64
	sentEnd     bool
	sentences   int
	cls         class
	heading     bool
	content     bool
	endMarker   bool
	related     bool // opens a list of related headlines
	titleHint   bool // repeated elsewhere, as titles are
	glued       bool // printed again with breadcrumbs glued before it
	docTitle    bool // the page's <title>, printed by a scraper (printedTitle)
	docHeadline bool // the headline the printed <title> names
	byline      *byline
	dateLine    bool
	caption     bool   // a photo or video caption, for the media list
	credit      string // the credit printed with a caption
	creditRow   bool   // a line that is only a credit ("Photo: X", "© X")
	boiler      bool   // a known boilerplate line (markers, consent, columns): never content
	kicker      bool   // the label above or below the headline
	repeat      bool   // printed again elsewhere, or glued to a line printed elsewhere

	cws    []string // contentWords(words), once asked for
	hasCWs bool
}

// contentWords returns the content words of the line, found once: title
// and lead detection ask for them many times.
func (b *block) contentWords() []string {
	if !b.hasCWs {
		b.cws, b.hasCWs = contentWords(b.words), true
	}
	return b.cws
}

var (
	// sentenceBreak: end of a sentence inside a line.
	sentenceBreak = regexp.MustCompile(`[.!?…][»"”’)]*\s+[«"“]?\p{Lu}`)
)

// endsSentence reports whether s ends like a sentence, closing quotes and
// brackets aside.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`»"”’')]*`, r)
	})
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && strings.ContainsRune(".!?…;", r)
}

// newBlock reads a line of text an HTML page shows (the HTML path).
func newBlock(raw string, now time.Time) *block {
	b := new(block)
	b.read(raw, now, false)
	return b
}

// read sets b from a raw line of text: its clean text, words, shape and
// first class. With unlearned, the rules the models learned without
// apply too: a line of script, style or markup (codeLine) is boilerplate
// (scraped text may hold them, where the text an HTML page shows holds
// only an article's code samples), a byline that credits each person's
// part is a byline (parseCreditLine), a date followed by its update's is
// a date line (updatedLine), and a line ending in a picture's credit in
// brackets is a caption (labelledCreditAt).
func (b *block) read(raw string, now time.Time, unlearned bool) {
	text := cleanLine(raw)
	low := lower(text)
	*b = block{text: text, key: markerKey(text), runes: utf8.RuneCountInString(text), words: lowerWords(low)}
	b.stop = stopDensity(b.words)
	b.sentEnd = endsSentence(text)
	b.sentences = sentenceBreaks(text)
	if b.sentEnd {
		b.sentences++
	}
	credit := 0 // where a caption's credit starts ("… courant. IMAGES")
	if b.runes < 400 && b.sentences > 0 {
		credit = captionCreditAt(text)
	}
	creditOnly := false // a picture's credit in brackets, alone on its line
	if unlearned && credit == 0 && b.runes < 400 {
		at, ok := labelledCreditAt(text)
		credit, creditOnly = at, ok && at == 0
	}
	switch {
	case endMarkers[b.key]:
		b.cls, b.endMarker, b.boiler = clsNoise, true, true
	case relatedMarkers[b.key]:
		b.cls, b.related, b.boiler = clsNoise, true, true
	case isBoilerplateKey(low, b.key), hasColumns(raw), unlearned && codeLine(text):
		b.cls, b.boiler = clsNoise, true
	case b.runes < 800 && isConsent(text):
		b.cls, b.boiler = clsBad, true
	case b.runes > 300 && b.sentences*800 < b.runes:
		b.cls = clsBad // ticker or glued menu: long without sentences
	case isCreditPrefix(text), creditOnly:
		b.cls, b.creditRow = clsNoise, true
	case credit > 0:
		b.cls, b.caption = clsNoise, true
		b.credit = strings.TrimSpace(text[credit:])
		b.text = strings.TrimSpace(text[:credit])
	default:
		parse := parseByline
		if unlearned {
			parse = parseCreditLine
		}
		if bl, ok := parse(text); ok {
			b.cls, b.byline = clsNoise, &bl
		} else if dateOnly(text, now) || metaSegments(text, now) || unlearned && updatedLine(text, low, now) {
			b.cls, b.dateLine = clsNoise, true
		} else {
			b.cls = classify(b)
		}
	}
}

// metaSegments reports whether a line is short fields separated by bars
// or middle dots, one of them a date: "Ashok Pradhan | TNN | Apr 7, 2020,
// 15:43 IST", "Par Jean Dupont · 12 mars 2024".
func metaSegments(line string, now time.Time) bool {
	if len(line) > 200 || !strings.ContainsAny(line, "|·") {
		return false
	}
	segs := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == '·' })
	if len(segs) < 2 || len(segs) > 6 {
		return false
	}
	dated := false
	for _, s := range segs {
		s = strings.TrimSpace(s)
		if len(strings.Fields(s)) > 6 {
			return false
		}
		dated = dated || dateOnly(s, now)
	}
	return dated
}

// updatedLine reports whether a line gives a date, then the date of its
// update: "Thu 3 Jan 2019 02.00 EST Last modified on Wed 16 Jan 2019
// 06.16 EST", "12 mars 2024 à 10h00, mis à jour le 13 mars 2024". low is
// the line in lowercase.
func updatedLine(line, low string, now time.Time) bool {
	if len(line) > 200 || len(low) != len(line) {
		return false // no date line; or a letter whose lowercase is longer, so no cue's offset to trust
	}
	for _, cue := range updateCues {
		i := strings.Index(low, cue)
		if i <= 0 {
			continue
		}
		first := strings.TrimRight(strings.TrimSpace(line[:i]), " ,;|·–-")
		return dateOnly(first, now) && dateOnly(strings.TrimSpace(line[i+len(cue):]), now)
	}
	return false
}

// updateCues introduce an article's update time, lowercase.
var updateCues = []string{
	"last modified", "last updated", "updated", "mis à jour", "modifié", "aktualisiert",
	"actualizado", "atualizado", "aggiornato",
}

func classify(b *block) class {
	switch {
	case b.runes >= goodMinRunes && b.stop >= goodMinStop && (b.sentEnd || b.sentences >= 2):
		return clsGood
	case b.runes >= nearMinRunes && b.stop >= nearMinStop && b.sentEnd:
		return clsNear
	case len(b.words) == 0:
		return clsNoise
	default:
		return clsShort
	}
}

// repeatedRuns marks the sentences printed again next to another that is
// printed again next to them: an article printed twice, where a caption
// printed twice stands alone.
func repeatedRuns(bs []*block, count map[string]int) []bool {
	prose := func(b *block) bool { return b.sentEnd && len(b.words) >= 8 && count[b.key] >= 2 }
	first := map[string]int{} // of the lines printed again
	runs := make([]bool, len(bs))
	for j, b := range bs {
		if count[b.key] < 2 {
			continue
		}
		i, ok := first[b.key]
		if !ok {
			first[b.key] = j
			continue
		}
		if !prose(b) {
			continue
		}
		if j+1 < len(bs) && i+1 < j && prose(bs[j+1]) && bs[j+1].key == bs[i+1].key ||
			i > 0 && prose(bs[j-1]) && bs[j-1].key == bs[i-1].key {
			runs[i], runs[j] = true, true
		}
	}
	return runs
}

// markRepeats finds lines printed twice (captions) and lines glued into
// others: a line ending with another is breadcrumbs glued to a title, a
// line starting with another is a caption with its credit appended. With
// keepRuns, the first copy of sentences printed twice in a row stays
// (repeatedRuns): the line models learned without it, and retrained with
// it they moved hundreds of pages either way for the few dozen it fixes.
func markRepeats(bs []*block, keepRuns bool) {
	count := map[string]int{}
	repeats := false
	for _, b := range bs {
		count[b.key]++
		repeats = repeats || count[b.key] == 2
	}
	seen := map[string]bool{}
	var runs []bool
	if keepRuns && repeats {
		runs = repeatedRuns(bs, count)
	}
	for i, b := range bs {
		if count[b.key] < 2 || b.key == "" {
			continue
		}
		if b.cls == clsGood && b.runes >= 200 || runs != nil && runs[i] {
			// A repeated long paragraph (pull quote), or paragraphs
			// printed twice in a row (the article printed twice): keep
			// the first.
			if seen[b.key] {
				b.cls, b.repeat = clsNoise, true
			}
			seen[b.key] = true
			continue
		}
		// Boilerplate printed twice ("Partager", logos) is no title hint;
		// other lines printed twice are the title or captions.
		b.titleHint = b.cls != clsNoise && b.cls != clsBad
		b.caption = b.titleHint && len(b.words) >= 4 && b.sentences <= 3
		b.cls, b.repeat = clsNoise, true
	}
	// Glued lines sit next to what they repeat: a small window keeps this
	// linear on long inputs.
	const window = 3
	for i, short := range bs {
		if len(short.key) < 15 || short.runes > titleMaxRunes {
			continue
		}
		for j := max(0, i-window); j < min(len(bs), i+window+1); j++ {
			long := bs[j]
			// A line ending a sentence is prose, not a glued label; the
			// page's <title> is the headline's, with the site's name.
			if i == j || long.runes > 400 || long.sentEnd || len(long.key) <= len(short.key) || long.docTitle {
				continue
			}
			switch {
			case strings.HasSuffix(long.key, short.key):
				short.titleHint, short.glued = true, true
				long.cls, long.repeat = clsNoise, true
			case strings.HasPrefix(long.key, short.key):
				// A caption printed again with its credit appended.
				short.cls, long.cls = clsNoise, clsNoise
				short.repeat, long.repeat = true, true
				short.caption, long.caption = true, true
				if strings.HasPrefix(long.text, short.text) {
					long.text, long.credit = short.text, strings.TrimSpace(long.text[len(short.text):])
				}
			}
		}
	}
}

// textBlocks splits a scraped page into the blocks the text path judges,
// with the rules for what a scraper leaves that a browser never shows: a
// line of script, style or markup (codeLine) is boilerplate, and a
// printed <title> names the headline (printedTitle); and with the rule the
// models learned without: the first copy of an article printed twice
// stays (markRepeats).
func textBlocks(text string, now time.Time) []*block { return readBlocks(text, now, true) }

// trainingBlocks is textBlocks as the line models learn from the
// renderings: without those rules. The renderings hold no scripts and no
// <title> (the walk skips them, a browser does not show them), so what
// codeLine would flag there (in Chromium's, 307 lines on 34 of 2,428
// pages) is the code samples of programming pages, which their gold keeps.
func trainingBlocks(text string, now time.Time) []*block { return readBlocks(text, now, false) }

// readBlocks is textBlocks, with the rules for a scraper's leftovers when
// leftovers is set.
func readBlocks(text string, now time.Time, leftovers bool) []*block {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := joinWrapped(strings.Split(text, "\n"), now, leftovers)
	arena := make([]block, len(lines)) // one allocation for the page's blocks
	bs := make([]*block, 0, len(lines))
	for i, raw := range lines {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		b := &arena[i]
		if b.read(raw, now, leftovers); b.text != "" {
			bs = append(bs, b)
		}
	}
	if leftovers {
		if at, h := printedTitle(bs); at >= 0 {
			bs[at].cls, bs[at].boiler, bs[at].docTitle = clsNoise, true, true
			bs[h].docHeadline = true
		}
	}
	markRepeats(bs, leftovers)
	dropRelated(bs)
	return bs
}

// extractText finds title, lead and body in a scraped plain-text page.
// knownTitle, when given, replaces title detection. m, when not nil, is
// the line model that decides which lines are the article.
func extractText(text string, knownTitle string, now time.Time, m *LineModel) *extraction {
	bs := textBlocks(text, now)
	ex := &extraction{}
	if len(bs) == 0 {
		return ex
	}
	first, last, titleAt := judgeLines(bs, knownTitle, ex)
	if m != nil {
		ruled := make([]bool, len(bs))
		for i, b := range bs {
			ruled[i] = b.content
		}
		t := applyLineModel(bs, first, last, titleAt, m)
		if t >= 0 && t != titleAt && knownTitle == "" {
			// The title classifier knows the page's headline better than
			// the rules.
			titleAt = t
			bs[t].content, bs[t].kicker = false, false
			ex.kicker, ex.title = findKicker(bs, t, bs[t].text)
			ex.title = trimHeadline(ex.title)
			for _, b := range bs {
				b.content = b.content && !b.kicker
			}
		}
		if !slices.ContainsFunc(bs, func(b *block) bool { return b.content }) {
			// The model left no line of a page the rules found text in
			// (it missed the one paragraph, or its headline's kicker was
			// the one line it took): the rules' lines stand, as before
			// there was a model, rather than the page being refused.
			for i, b := range bs {
				b.content = ruled[i] && i != titleAt && !b.kicker
			}
		}
	}
	if knownTitle == "" {
		ex.title = trimGluedDate(ex.title, now)
	}
	return ex.fromLines(bs, titleAt, now)
}

// judgeLines runs the rules over the blocks: the main region, the title
// and which lines are content. It returns the region and the title's
// index (-1 when none).
func judgeLines(bs []*block, knownTitle string, ex *extraction) (first, last, titleAt int) {
	first, last = mainRegion(bs)
	if first < 0 {
		first = firstOf(bs, 0, clsNear)
		last = first
	}
	titleAt = -1
	if knownTitle != "" {
		ex.title = knownTitle
		tk := markerKey(knownTitle)
		for i, b := range bs {
			if markerKey(b.text) == tk {
				b.cls = clsNoise
				if titleAt < 0 && (first < 0 || i < first) {
					titleAt = i
				}
			}
		}
		if titleAt < 0 {
			// The page prints another headline: it is no body text either.
			titleAt = pickTitle(bs, first)
		}
	} else {
		titleAt = pickTitle(bs, first)
		if titleAt >= 0 {
			ex.title = bs[titleAt].text
		}
	}
	if titleAt >= 0 {
		ex.kicker, ex.title = findKicker(bs, titleAt, ex.title)
		ex.title = trimHeadline(ex.title)
	}
	if first < 0 {
		// No paragraph looks like prose: keep every remaining line that
		// is not boilerplate (short API texts).
		for i, b := range bs {
			if i != titleAt && b.cls >= clsShort && !b.endMarker {
				b.content = true
			}
		}
	} else {
		markContent(bs, first, last, titleAt)
	}
	return first, last, titleAt
}

// TrainingLines returns the lines the text path judges in a scraped page,
// the line model's inputs for each, and whether the rules alone decide
// the line (the title, bylines, date lines, captions, credits): what the
// model is trained on (cmd/trainmodel).
func TrainingLines(text string, now time.Time) (lines []string, inputs [][]float32, fixed []bool) {
	bs := trainingBlocks(text, now)
	if len(bs) == 0 {
		return nil, nil, nil
	}
	first, last, titleAt := judgeLines(bs, "", &extraction{})
	v := newModelView(bs, first, last, titleAt)
	inputs = lineModelInputs(v.bs, v.first, v.last, v.title)
	for i, b := range v.bs {
		lines = append(lines, b.text)
		fixed = append(fixed, ruleDecides(b, i == v.title))
	}
	return lines, inputs, fixed
}

// modelView is the page as the line model sees it: without the lines of
// known boilerplate ("Publicité", "Share"), whose number and place vary
// from one copy of an article to the next and say nothing of the lines
// around them. End and related markers stay: they say where the article
// ends.
type modelView struct {
	bs                 []*block
	at                 []int // index in the page of each line of the view
	first, last, title int   // the rules' region and title in the view, -1 if none
}

func newModelView(bs []*block, first, last, titleAt int) *modelView {
	v := &modelView{first: -1, last: -1, title: -1}
	for i, b := range bs {
		if b.boiler && !b.endMarker && !b.related {
			continue
		}
		j := len(v.bs)
		switch {
		case i == titleAt:
			v.title = j
		case first >= 0 && i >= first && v.first < 0:
			v.first = j
		}
		if first >= 0 && i <= last {
			v.last = j
		}
		v.bs, v.at = append(v.bs, b), append(v.at, i)
	}
	if v.first < 0 || v.last < v.first {
		v.first, v.last = -1, -1
	}
	return v
}

// ruleDecides reports whether a line is left out of the body whatever
// the model says: the title and what normalization moves to metadata.
func ruleDecides(b *block, title bool) bool {
	return title || b.boiler || b.kicker || b.repeat || b.byline != nil || b.dateLine || b.caption || b.creditRow
}

// applyLineModel lets the model decide which lines are content. It
// returns the headline the model picks, -1 if none.
func applyLineModel(bs []*block, first, last, titleAt int, m *LineModel) int {
	p, title := m.predict(bs, first, last, titleAt)
	ruled := make([]bool, len(bs))
	for i, b := range bs {
		ruled[i] = b.content
		// The rules' choice stands unless the model is sure it is wrong.
		keep := p[i] >= 0.5 || b.content && p[i] >= keepRuleP
		b.content = keep && !ruleDecides(b, i == titleAt)
	}
	// A paragraph the rules took for article text right after a line the
	// model is sure of (a subheading between at most) goes on with the
	// article, unless the model is quite sure it does not: with nothing
	// after it, an article's last paragraph looks like a teaser.
	for i, b := range bs {
		if b.content || !ruled[i] || !b.sentEnd || len(b.words) < continueMinWords || p[i] < continueMinP || ruleDecides(b, i == titleAt) {
			continue
		}
		j, short := i-1, false
		for j >= 0 && !bs[j].content && (bs[j].cls == clsNoise || bs[j].cls == clsShort && !short) {
			short = short || bs[j].cls == clsShort
			j--
		}
		b.content = j >= 0 && bs[j].content && p[j] >= 0.5
	}
	// A short line between two paragraphs of the article is a subheading,
	// unless the model is sure it is not.
	for i, b := range bs {
		if b.content || b.cls != clsShort || b.sentEnd || b.runes > headingMaxLen || p[i] < headingMinP || ruleDecides(b, i == titleAt) {
			continue
		}
		prev, next := i-1, nextNonNoise(bs, i, len(bs))
		for prev >= 0 && bs[prev].cls == clsNoise && !bs[prev].content {
			prev--
		}
		b.content = prev >= 0 && bs[prev].content && next >= 0 && bs[next].content
	}
	keepIntroducedLists(bs, p, titleAt)
	for _, b := range bs {
		b.heading = b.content && !b.sentEnd && b.runes <= headingMaxLen && b.cls < clsNear
	}
	cutAtComments(bs)
	dropTeasers(bs)
	dropRankedTeasers(bs)
	dropLabelledTeasers(bs)
	dropDoubtfulRuns(bs, p, title)
	return title
}

// listMaxItems is the longest list keepIntroducedLists keeps.
const listMaxItems = 40

// listIntroWords: a sentence introduces a list, a heading of fewer
// words heads links ("More world stories from NBC News:").
const listIntroWords = 8

// keepIntroducedLists keeps the list a sentence of the article
// introduces ("…on these devices:"): the lines under it up to the next
// paragraph, boilerplate or label ("Search for:"), however little the
// model believes in them. Items are short lines: alone, the model takes
// them for a menu.
func keepIntroducedLists(bs []*block, p []float32, titleAt int) {
	for i := 0; i < len(bs); i++ {
		if !bs[i].content || p[i] < 0.5 || len(bs[i].words) < listIntroWords || !strings.HasSuffix(bs[i].text, ":") {
			continue
		}
		j := i + 1
		for j < len(bs) && j-i <= listMaxItems && !bs[j].content && bs[j].cls != clsNoise && bs[j].cls != clsGood &&
			!strings.HasSuffix(bs[j].text, ":") && !ruleDecides(bs[j], j == titleAt) {
			j++
		}
		if j-i-1 < 2 {
			continue
		}
		for k := i + 1; k < j; k++ {
			bs[k].content = true
		}
		i = j - 1
	}
}

// dropDoubtfulRuns leaves out the runs of content the model, on the
// whole, does not believe in. A run's score is how far its lines'
// probabilities are above one half, weighed by words; the best run is
// the article. After it, a run goes if it is no longer than the article
// and scores below zero or is believed much less than the article
// (afterMeanGap): a live ticker, teasers or a forum's questions that the
// rules took for prose and the model let stand line by line (a line the
// rules took stays unless the model is sure it is wrong). Before
// it, a run goes only when the headline (title, -1 if none) parts it from
// the article and the model is lukewarm about it (beforeMaxP), however
// long: a login form, a sidebar's book list or links above the headline;
// a doubtful run right above the article is more often its lead under
// its header than a teaser. Runs are parted by strayGap lines that are
// not content, and by the headline.
func dropDoubtfulRuns(bs []*block, p []float32, title int) {
	var runs []pRun
	gap := 0
	for i, b := range bs {
		if !b.content {
			gap++
			continue
		}
		if len(runs) == 0 || gap >= strayGap || runs[len(runs)-1].to < title && title < i {
			runs = append(runs, pRun{from: i})
		}
		r := &runs[len(runs)-1]
		r.to, r.words, gap = i, r.words+len(b.words), 0
		r.score += (float64(p[i]) - 0.5) * float64(len(b.words))
	}
	best := 0
	for k, r := range runs {
		if r.score > runs[best].score {
			best = k
		}
	}
	for k, r := range runs {
		above := k < best && r.to < title && title < runs[best].from && r.mean() < beforeMaxP-0.5
		after := k > best && r.words <= runs[best].words &&
			(r.score < 0 || r.mean() < runs[best].mean()-afterMeanGap)
		if !above && !after {
			continue
		}
		for _, b := range bs[r.from : r.to+1] {
			b.content = false
		}
	}
}

// pRun is a run of content lines and the model's belief in it.
type pRun struct {
	from, to, words int
	score           float64 // Σ (p − 0.5) × words over its lines
}

// mean is the run's probability averaged over its words, less one half.
func (r pRun) mean() float64 { return r.score / float64(max(r.words, 1)) }

// strayGap is how many lines that are not content part two runs of it.
const strayGap = 4

// afterMeanGap: a run after the article whose mean probability is this
// far under the article's is doubtful, as one the model disbelieves.
const afterMeanGap = 0.3

// beforeMaxP is the mean probability, weighed by words, under which a run
// above the headline is not the article's.
const beforeMaxP = 0.75

// cutAtComments ends the article at an end marker that follows more of
// it than comes after, as the HTML path does, or at an end marker or a
// comment count ("Comments", "53 comments… add one", "156 Responses to
// “Shuteye”") that follows some of it and is followed by a comment's
// header ("Jane says:", "Tim, 11.06.12 at 11:06 am"): a discussion is
// prose the model may take for the article's, and often longer. Before
// the article, such a line is its header ("by Jane Doe · 1 comment") or
// a sidebar's. A notice that comments are closed ends it once some of it
// precedes, whatever follows: the thread below it is closed, not the
// article. A link to the previous or next post ends it as an end marker
// does, when more of it precedes than follows. So does a thread that
// follows some of it with no count or marker above it: three comments or
// more, each under its author and date (see commentThreads), the form
// that takes a comment (commentFormField), and a ticker of the site's
// latest stories (newsTickers).
func cutAtComments(bs []*block) {
	total := 0
	for _, b := range bs {
		if b.content {
			total += len(b.words)
		}
	}
	threads, tickers := commentThreads(bs), newsTickers(bs)
	before := 0
	for i, b := range bs {
		if before >= endMarkerAfter && (startsDiscussion(threads, i, b) || tickers != nil && tickers[i]) ||
			endsArticle(before, total) && (b.endMarker || postNav(b.key)) ||
			before >= endMarkerAfter && (commentsClosed(b.key) ||
				b.byline == nil && (b.endMarker || isCommentCount(b.words)) && commentHeaderWithin(bs[i+1:], 10)) {
			for _, c := range bs[i:] {
				c.content = false
			}
			return
		}
		if b.content {
			before += len(b.words)
		}
	}
}

// commentHeaderWithin reports whether one of the first n lines of bs heads
// a comment: a comment's header, a byline with its date or time (after a
// count, a commenter's; the article's own byline under a tab bar,
// "Article | Comments", has none) or a reply link. Another count is no
// comment: a blog's front page ends each post with one ("07:50 PM |
// Permalink | Comments (3)").
func commentHeaderWithin(bs []*block, n int) bool {
	for _, b := range bs[:min(n, len(bs))] {
		ws := b.words
		if b.runes < 200 && !isCommentCount(ws) &&
			(isCommentHeader(b) || datedName(b) || saidHeader(ws) || b.byline != nil && strings.ContainsAny(b.text, "0123456789") || len(ws) > 0 && len(ws) <= 5 && replyWords[ws[0]]) {
			return true
		}
	}
	return false
}

// commentsClosed reports whether a line, by its markerKey, says the
// comments are closed ("Comments are now closed for this story",
// "Comments are closed.", "Les commentaires sont fermés").
func commentsClosed(key string) bool { return hasAnyPrefix(key, closedNotices) }

// postNav reports whether a line, by its markerKey, links to the previous
// or next post ("Previous post", "Next post: Benefits of spiritual
// partnership", "Older Post"): a blog's single post ends above it, and
// comments or other posts follow.
func postNav(key string) bool {
	for _, p := range postNavs {
		// The whole key, or its first words: "next post", not "next posters".
		if rest, ok := strings.CutPrefix(key, p); ok && (rest == "" || rest[0] == ' ') {
			return true
		}
	}
	return false
}

// postNavs are the post navigation links, after markerKey.
var postNavs = []string{
	"previous post", "next post", "older post", "newer post", "previous article", "next article",
	"previous entry", "next entry", "previous story", "next story",
}

// closedNotices start the notices that comments are closed, after
// markerKey.
var closedNotices = []string{
	"comments are closed", "comments are now closed", "comments closed", "commenting is closed",
	"commenting is now closed", "les commentaires sont fermés",
	"les commentaires sont clos", "kommentare geschlossen", "die kommentarfunktion ist geschlossen",
	"los comentarios están cerrados", "comentarios cerrados", "i commenti sono chiusi", "commenti chiusi",
}

// isCommentCount reports whether a short line counts comments: a comment
// word next to a number ("12 comments", "Comments (12)", "3 Responses to
// …").
func isCommentCount(ws []string) bool {
	if len(ws) > 12 {
		return false
	}
	for i := 0; i+1 < len(ws); i++ {
		if isCount(ws[i]) && commentWords[ws[i+1]] || commentWords[ws[i]] && isCount(ws[i+1]) {
			return true
		}
	}
	return false
}

// keepRuleP is the least probability the model may give a line the
// rules took for article text for it to stay.
const keepRuleP = 0.2

// continueMinP and continueMinWords: a paragraph right after the
// article stays with this probability and this many words at least.
const (
	continueMinP     = 0.02
	continueMinWords = 12
)

// headingMinP is the least probability the model may give a short line
// between two paragraphs for it to be kept as a subheading: below it the
// model is sure. Subheadings of short articles get 0.04 from the model
// trained on Chromium 156's renders (TestEnglishText); cross-validated
// figures are the same at 0.03 and 0.05.
const headingMinP = 0.03

// fromLines fills the extraction from judged blocks.
func (ex *extraction) fromLines(bs []*block, titleAt int, now time.Time) *extraction {
	ex.media = collectMedia(bs, titleAt)

	bodyStart := len(bs)
	for i, b := range bs {
		if b.content {
			bodyStart = i
			break
		}
	}
	for _, b := range bs {
		if b.content {
			kind := kindParagraph
			if b.heading {
				kind = kindHeading
			}
			ex.paras = append(ex.paras, para{kind: kind, text: b.text})
		} else if b.byline != nil {
			ex.addByline(*b.byline)
		}
	}
	ex.published, ex.publishedFloating = headerDate(bs, bodyStart, titleAt, now)
	if ex.source == "" {
		// The footer's copyright notice, the last one.
		for i := len(bs) - 1; i >= bodyStart && ex.source == ""; i-- {
			if !bs[i].content {
				ex.source = copyrightSource(bs[i].text)
			}
		}
	}
	if ex.title == "" && len(ex.paras) > 0 {
		ex.title = firstSentence(ex.paras[0].text, titleMaxRunes)
	}
	return ex
}

func firstOf(bs []*block, from int, c class) int {
	for i := from; i < len(bs); i++ {
		if bs[i].cls == c {
			return i
		}
	}
	return -1
}

// pickTitle chooses the headline among the lines before the first
// paragraph: not boilerplate, not a sentence, of headline length. A
// headline shares its words with the text below it, and sits close
// above it; menus, banners and teasers share few. A line repeated
// elsewhere (the headline printed twice) gets a small bonus.
func pickTitle(bs []*block, first int) int {
	end := first
	if end < 0 {
		end = len(bs)
	}
	lead := leadWords(bs, first)
	best, bestScore := -1, -1e9
	for i := 0; i < end; i++ {
		b := bs[i]
		if b.byline != nil || b.dateLine || b.endMarker || b.cls == clsBad || b.runes > titleMaxRunes {
			continue
		}
		if b.cls == clsNoise && !b.titleHint {
			continue
		}
		n := len(b.words)
		if n < 3 || n > 40 || strings.HasSuffix(b.text, ".") && !strings.HasSuffix(b.text, "...") || gluedMenu(b.text) {
			continue
		}
		score := float64(min(n, 10))/2 - 0.3*float64(min(end-i, 30)) + 12*overlap(b.contentWords(), lead)
		if b.titleHint {
			score += 2
		}
		if b.glued {
			score += 4
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best >= 0 {
		bs[best].cls = clsNoise
	}
	return best
}

// leadWords returns the content words of the first paragraphs of the
// text, from first on.
func leadWords(bs []*block, first int) map[string]bool {
	if first < 0 {
		return map[string]bool{}
	}
	var lead []*block
	for i := first; i < len(bs) && len(lead) < 4; i++ {
		if bs[i].cls >= clsNear {
			lead = append(lead, bs[i])
		}
	}
	return contentWordSet(lead)
}

// contentWordSet returns the content words of bs as a set, sized at once
// (about half of a paragraph's words are content words) rather than grown.
func contentWordSet(bs []*block) map[string]bool {
	n := 0
	for _, b := range bs {
		n += len(b.words)
	}
	set := make(map[string]bool, n/2)
	for _, b := range bs {
		addWords(set, b.contentWords())
	}
	return set
}

// isContentWord reports whether a lowercase word carries meaning: three
// letters or more and no stopword.
func isContentWord(w string) bool { return len(w) >= 3 && !isAnyStopword(w) }

// contentWords returns the content words of ws; nil if none.
func contentWords(ws []string) []string {
	var out []string
	for i, w := range ws {
		if isContentWord(w) {
			if out == nil {
				out = make([]string, 0, len(ws)-i)
			}
			out = append(out, w)
		}
	}
	return out
}

// addWords adds ws to set.
func addWords(set map[string]bool, ws []string) {
	for _, w := range ws {
		set[w] = true
	}
}

// overlap is the share of the content words cws found in set, a plural
// or singular form counting.
func overlap(cws []string, set map[string]bool) float64 {
	if len(cws) == 0 {
		return 0
	}
	hit := 0
	for _, w := range cws {
		if set[w] || set[strings.TrimSuffix(w, "s")] || set[w+"s"] {
			hit++
		}
	}
	return float64(hit) / float64(len(cws))
}

// dropRelated drops the headlines listed after a related-articles marker,
// up to the next paragraph.
func dropRelated(bs []*block) {
	for i, b := range bs {
		if !b.related {
			continue
		}
		for _, h := range bs[i+1:] {
			if h.cls == clsGood || h.endMarker || h.related {
				break
			}
			h.cls = clsNoise
		}
	}
}

// mainRegion finds the article in the page: the run of good paragraphs,
// with gaps of a few other lines (captions, ads, subheadings) allowed,
// that holds the most text. It returns its first and last good block, or
// -1, -1. Stray good blocks elsewhere (a cookie notice, a teaser, a
// sign-up form) stay out; text after an end marker (comments) weighs
// less, so a long discussion does not outweigh the article.
func mainRegion(bs []*block) (first, last int) {
	const maxGap = 8 // lines in a row, other than paragraphs and noise, that end a run
	first, last = -1, -1
	best, weight := 0, 3
	curFirst, curLast, cur, gap := -1, -1, 0, 0
	flush := func() {
		if cur > best {
			best, first, last = cur, curFirst, curLast
		}
		curFirst, curLast, cur, gap = -1, -1, 0, 0
	}
	for i, b := range bs {
		switch {
		case b.endMarker:
			flush()
			weight = 1
		case b.cls == clsGood:
			if curFirst < 0 {
				curFirst = i
			}
			curLast, cur, gap = i, cur+weight*b.runes, 0
		case b.cls == clsNear:
			gap = 0
		case b.cls == clsNoise:
		case curFirst >= 0:
			if gap++; gap > maxGap {
				flush()
			}
		}
	}
	flush()
	return first, last
}

// markContent decides which blocks form the body, jusText style: good
// blocks are content, near-good ones next to content too, short ones
// between content are subheadings; short runs after the last paragraph
// (related headlines) and everything after an end marker are dropped.
func markContent(bs []*block, first, last, titleAt int) {
	end := len(bs)
	for i := first; i < len(bs); i++ {
		if bs[i].endMarker {
			end = i
			break
		}
	}
	last = min(last, end-1)
	for i := first; i <= last; i++ {
		switch b := bs[i]; b.cls {
		case clsGood, clsNear:
			b.content = true
		case clsShort:
			next := nextNonNoise(bs, i, end)
			if next < 0 || bs[next].cls < clsNear {
				continue // a kicker or stray label, not a heading
			}
			b.content = true
			b.heading = !b.sentEnd && b.runes <= headingMaxLen
		}
	}
	// After the last good paragraph, near-good ones still belong to the
	// text, and so does a short line leading into one (a subheading); two
	// short lines in a row start a list of related headlines.
	for i := last + 1; i < end; i++ {
		b := bs[i]
		switch b.cls {
		case clsNoise:
			continue
		case clsNear:
			b.content = true
			continue
		case clsShort:
			if next := nextNonNoise(bs, i, end); next >= 0 && bs[next].cls == clsNear {
				b.content = true
				b.heading = !b.sentEnd && b.runes <= headingMaxLen
				continue
			}
		}
		break
	}
	// The lead may be shorter than a good paragraph: extend backwards
	// over near-good blocks up to the title.
	for i := first - 1; i > titleAt && i >= 0; i-- {
		if b := bs[i]; b.cls == clsNear {
			b.content = true
		} else if b.cls != clsNoise {
			break
		}
	}
}

func nextNonNoise(bs []*block, i, end int) int {
	for j := i + 1; j < end; j++ {
		if bs[j].cls != clsNoise {
			return j
		}
	}
	return -1
}

// firstSentence returns the opening sentences of s, at most max runes.
func firstSentence(s string, max int) string {
	out := ""
	// The breaks one at a time, as FindAll would find them (the regexp
	// has no anchors), so a long paragraph is read no further than needed.
	for pos := 0; pos < len(s); {
		l := sentenceBreak.FindStringIndex(s[pos:])
		if l == nil {
			break
		}
		l[0], l[1] = l[0]+pos, l[1]+pos
		cut := strings.TrimSpace(s[:l[0]+strings.IndexFunc(s[l[0]:l[1]], unicode.IsSpace)])
		if utf8.RuneCountInString(cut) > max {
			break
		}
		out, pos = cut, l[1]
	}
	if out == "" {
		out = truncateRunes(s, max)
	}
	return out
}

func truncateRunes(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimSpace(cut) + "…"
}

// headerDate finds the publication date in the lines around the headline:
// byline and date lines first, then other lines above the body (captions,
// kickers), never body paragraphs, menus or tickers. Of several, the one
// nearest the headline wins (a site's "today" banner sits further up), a
// line below the headline before one above it. floating reports a time of
// day printed without a zone.
func headerDate(bs []*block, bodyStart, titleAt int, now time.Time) (best time.Time, floating bool) {
	anchor := titleAt
	if anchor < 0 {
		anchor = bodyStart
	}
	bestCost := 1 << 30
	for i, b := range bs {
		meta := b.byline != nil || b.dateLine
		if !meta && (i >= bodyStart || b.cls == clsBad || b.endMarker) {
			continue
		}
		cost := 2 * (anchor - i) // above the headline
		if i > anchor {
			cost = i - anchor
		}
		if !meta {
			cost += 20
		}
		switch dateLabel(b.text) {
		case labelUpdated:
			cost += 40 // a later date; the publication date may be elsewhere
		case labelPublished:
			cost -= 5
		}
		if cost >= bestCost {
			continue
		}
		if h, ok := findDateHit(b.text, now); ok {
			best, floating, bestCost = h.t, h.floating(), cost
		}
	}
	return best, floating
}

type label int

const (
	labelNone label = iota
	labelPublished
	labelUpdated
)

var (
	publishedLabel = regexp.MustCompile(`(?i)^\W*(?:publié|publiée|published|posted|veröffentlicht|publiziert|erschienen|publicado|publicada|pubblicato|gepubliceerd|opublikowano)`)
	updatedLabel   = regexp.MustCompile(`(?i)^\W*(?:mis à jour|mise à jour|actualisé|updated|last updated|aktualisiert|zuletzt aktualisiert|actualizado|aggiornato|atualizado|bijgewerkt|zaktualizowano)`)
)

// dateLabel tells a publication date line from an update line.
func dateLabel(line string) label {
	switch {
	case updatedLabel.MatchString(line):
		return labelUpdated
	case publishedLabel.MatchString(line):
		return labelPublished
	}
	return labelNone
}

// isMeta reports whether a line is a byline or date line, which starts
// a new line even in lowercase ("dpa am 25.01.2022").
func isMeta(line string, now time.Time) bool {
	if _, ok := parseByline(line); ok {
		return true
	}
	return dateOnly(line, now)
}

// joinWrapped undoes hard wrapping (wire copy, e-mail): a line that does
// not end a sentence, directly followed by one starting in lowercase,
// continues it. With code, a line of code (codeLine) neither continues
// nor is continued: a script after a headline starts in lowercase too.
func joinWrapped(lines []string, now time.Time, code bool) []string {
	out := make([]string, 0, len(lines))
	// The line being built: its raw first line, then the trimmed lines
	// joined to it. Pieces are joined once, so a long run of wrapped
	// lines costs linear time.
	var raw string
	var parts []string
	size, open := 0, false
	flush := func() {
		switch {
		case !open:
		case len(parts) == 1:
			out = append(out, raw)
		default:
			out = append(out, strings.Join(parts, " "))
		}
		parts, size, open = parts[:0], 0, false
	}
	for _, l := range lines {
		next := strings.TrimSpace(l)
		if open && next != "" {
			r, _ := utf8.DecodeRuneInString(next)
			if size >= 30 && unicode.IsLower(r) && !endsSentence(parts[len(parts)-1]) && !hasColumns(raw) && !hasColumns(l) && !isMeta(next, now) &&
				!(code && (codeLine(next) || codeLine(parts[len(parts)-1]))) {
				parts = append(parts, next)
				size += 1 + len(next)
				continue
			}
		}
		flush()
		raw, parts, size, open = l, append(parts, next), len(next), true
	}
	flush()
	return out
}
