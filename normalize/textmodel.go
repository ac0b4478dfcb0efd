package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/crier/crier/internal/learn"
)

// The line model's inputs for one line are its own features (its shape
// and what the rules of text.go said of it), some of its neighbours', and
// the prose around it; textFeatureNames names them in order.

// The line's own features, in order.
const (
	fRunes = iota
	fWords
	fStop
	fPageStop
	fSentEnd
	fSentences
	fCapitals
	fDigits
	fPunct
	fSeparators
	fWordLen
	fUpper
	fFewWords
	fClsNoise
	fClsBad
	fClsShort
	fClsNear
	fClsGood
	fEndMarker
	fAfterEnd
	fRelated
	fTitleHint
	fCaption
	fByline
	fDateLine
	fCredit
	fRuleContent
	fInRegion
	fPosition
	fTextBefore
	fRepeats
	fIsTitle
	fBeforeTitle
	fTitleOverlap
	fCommentShape
	fLink
	fBullet
	fRunShare
	fTime
	fYear
	fMonth
	fTemplated
	fCommentMark
	fColonEnd
	fLowerStart
	fCommentsBefore
	fSinceMeta
	fRunOrdinal
	fRunAfterMeta
	fRunTemplated
	fRunAfterComment
	fNameLike
	fSecondPerson
	ownFeatures
)

var ownFeatureNames = [ownFeatures]string{
	"runes", "words", "stop", "page_stop", "sent_end", "sentences", "capitals", "digits", "punct",
	"separators", "word_len", "upper", "few_words", "cls_noise", "cls_bad", "cls_short", "cls_near",
	"cls_good", "end_marker", "after_end", "related", "title_hint", "caption", "byline", "date_line",
	"credit", "rule_content", "in_region", "position", "text_before", "repeats", "is_title",
	"before_title", "title_overlap", "comment_shape", "link", "bullet", "run_share",
	"time", "year", "month", "templated", "comment_mark", "colon_end", "lower_start",
	"comments_before", "since_meta", "run_ordinal", "run_after_meta", "run_templated",
	"run_after_comment", "name_like", "second_person",
}

// neighbourFeatures are the own features repeated for the lines around.
var neighbourFeatures = []int{fRunes, fStop, fSentEnd, fClsGood, fClsNear, fRuleContent, fByline, fDateLine, fCommentShape, fTemplated, fTime, fNameLike}

// neighbourOffsets are the neighbours' positions relative to the line.
var neighbourOffsets = []int{-2, -1, 1, 2}

// Window features: the prose around the line.
const (
	wGood5       = iota // share of good or near lines within 5 lines
	wRunes5             // mean runes feature within 5 lines
	wContent5           // share of rule-content lines within 5 lines
	wProse10            // share of the page's prose within 10 lines
	wTemplated10        // share of templated lines within 10 lines
	wNames6             // share of name-like lines within 6 lines
	wInterleave6        // name-like or dated lines between two prose lines, within 6
	wYou6               // mean second-person share within 6 lines
	windowFeatures
)

var windowFeatureNames = [windowFeatures]string{"good5", "runes5", "content5", "prose10", "templated10", "names6", "interleave6", "you6"}

// textFeatureNames names the line model's inputs.
var textFeatureNames = func() []string {
	names := append([]string(nil), ownFeatureNames[:]...)
	for _, off := range neighbourOffsets {
		for _, f := range neighbourFeatures {
			names = append(names, ownFeatureNames[f]+"@"+itoa(off))
		}
	}
	return append(names, windowFeatureNames[:]...)
}()

func itoa(n int) string {
	if n < 0 {
		return "-" + string(rune('0'-n))
	}
	return "+" + string(rune('0'+n))
}

// titleWindow is how many lines around the headline are compared with
// it.
const titleWindow = 30

// lineModelInputs computes the model's inputs for every block of a page.
// content holds the rules' decision, title the rules' headline (-1 if
// none), first and last the rules' main region.
func lineModelInputs(bs []*block, first, last, titleAt int) [][]float32 {
	n := len(bs)
	own := make([][ownFeatures]float32, n)
	pageWords := newFunctionWords(bs)
	var titleWords map[string]bool
	if titleAt >= 0 {
		cws := bs[titleAt].contentWords()
		titleWords = make(map[string]bool, len(cws))
		for _, w := range cws {
			titleWords[strings.TrimSuffix(w, "s")] = true
		}
	}
	total := 0
	prose := 0
	for _, b := range bs {
		total += b.runes
		if b.cls >= clsNear {
			prose += b.runes
		}
	}
	runs := proseRuns(bs)
	keys := map[string]int{}
	shapes := make([]string, n)
	shapeCount := map[string]int{}
	for i, b := range bs {
		keys[b.key]++
		if b.runes <= 200 {
			shapes[i] = lineShape(b.text)
			shapeCount[shapes[i]]++
		}
	}
	before, afterEnd, comments, sinceMeta := 0, false, 0, 30
	for i, b := range bs {
		f := &own[i]
		f[fRunes] = float32(math.Log1p(float64(b.runes)))
		f[fWords] = float32(math.Log1p(float64(len(b.words))))
		f[fStop] = float32(b.stop)
		f[fPageStop] = pageWords.share(b.words)
		f[fSentEnd] = b2f(b.sentEnd)
		f[fSentences] = float32(math.Log1p(float64(b.sentences)))
		caps, digits, punct, upper, letters, seps := shapeCounts(b.text)
		if len(b.words) > 0 {
			f[fCapitals] = float32(caps) / float32(len(b.words))
			f[fWordLen] = float32(letters) / float32(len(b.words))
		}
		if b.runes > 0 {
			f[fDigits] = float32(digits) / float32(b.runes)
			f[fPunct] = float32(punct) / float32(b.runes)
		}
		if letters > 0 {
			f[fUpper] = float32(upper) / float32(letters)
		}
		f[fSeparators] = float32(min(seps, 5))
		f[fFewWords] = b2f(len(b.words) <= 3)
		f[fClsNoise+int(b.cls)] = 1
		f[fEndMarker] = b2f(b.endMarker)
		afterEnd = afterEnd || b.endMarker
		f[fAfterEnd] = b2f(afterEnd)
		f[fRelated] = b2f(b.related)
		f[fTitleHint] = b2f(b.titleHint)
		f[fCaption] = b2f(b.caption)
		f[fByline] = b2f(b.byline != nil)
		f[fDateLine] = b2f(b.dateLine)
		f[fCredit] = b2f(b.creditRow || b.credit != "")
		f[fRuleContent] = b2f(b.content)
		f[fInRegion] = b2f(first >= 0 && i >= first && i <= last)
		f[fPosition] = float32(i) / float32(n)
		if total > 0 {
			f[fTextBefore] = float32(before) / float32(total)
		}
		before += b.runes
		f[fRepeats] = float32(math.Log1p(float64(keys[b.key] - 1)))
		f[fIsTitle] = b2f(i == titleAt)
		f[fBeforeTitle] = b2f(titleAt >= 0 && i < titleAt)
		// Only the lines near the headline are compared with it: far from
		// it, the overlap says little and costs as much.
		if titleWords != nil && i != titleAt && i-titleAt <= titleWindow && titleAt-i <= titleWindow {
			f[fTitleOverlap] = titleOverlap(b.words, titleWords)
		}
		f[fCommentShape] = b2f(b.runes < 200 && isCommentHeader(b))
		f[fLink] = b2f(hasLink(b.text))
		f[fBullet] = b2f(isBullet(b.text))
		f[fTime] = b2f(hasClockTime(b.text))
		f[fYear] = b2f(hasYear(b.text))
		if digits > 0 { // a month name dates something only with a number
			for _, w := range b.words {
				if _, ok := months[w]; ok && len(w) >= 3 {
					f[fMonth] = 1
					break
				}
			}
		}
		f[fTemplated] = b2f(shapes[i] != "" && shapeCount[shapes[i]] >= 3)
		mark := b.runes <= 120 && isCommentMarker(b.words)
		f[fCommentMark] = b2f(mark)
		f[fColonEnd] = b2f(strings.HasSuffix(b.text, ":"))
		r, _ := utf8.DecodeRuneInString(b.text)
		f[fLowerStart] = b2f(unicode.IsLower(r))
		f[fCommentsBefore] = float32(math.Log1p(float64(comments)))
		if mark || f[fCommentShape] > 0 {
			comments++
		}
		if b.byline != nil || b.dateLine {
			sinceMeta = 0
		} else if sinceMeta < 30 {
			sinceMeta++
		}
		f[fSinceMeta] = float32(math.Log1p(float64(sinceMeta)))
		f[fNameLike] = b2f(nameLike(b))
		f[fSecondPerson] = secondPersonShare(b.words)
	}
	for _, r := range runs.runs {
		var templated float32
		for i := r.from; i <= r.to; i++ {
			templated += own[i][fTemplated]
		}
		afterMeta := false
		for j := max(0, r.from-3); j < r.from; j++ {
			afterMeta = afterMeta || bs[j].byline != nil || bs[j].dateLine
		}
		for i := r.from; i <= r.to; i++ {
			f := &own[i]
			f[fRunShare] = float32(r.size) / float32(runs.best)
			f[fRunOrdinal] = float32(min(r.ordinal, 3))
			f[fRunAfterMeta] = b2f(afterMeta)
			f[fRunTemplated] = templated / float32(r.to-r.from+1)
			f[fRunAfterComment] = own[r.from][fCommentsBefore]
		}
	}
	width := len(textFeatureNames)
	flat := make([]float32, n*width)
	out := make([][]float32, n)
	for i := range bs {
		x := flat[i*width : (i+1)*width : (i+1)*width]
		k := copy(x, own[i][:])
		for _, off := range neighbourOffsets {
			j := i + off
			for _, f := range neighbourFeatures {
				if j >= 0 && j < n {
					x[k] = own[j][f]
				}
				k++
			}
		}
		var good, runes, content, near float32
		cnt := 0
		for j := max(0, i-5); j <= min(n-1, i+5); j++ {
			good += own[j][fClsGood] + own[j][fClsNear]
			runes += own[j][fRunes]
			content += own[j][fRuleContent]
			cnt++
		}
		x[k+wGood5] = good / float32(cnt)
		x[k+wRunes5] = runes / float32(cnt)
		x[k+wContent5] = content / float32(cnt)
		var templated float32
		tcnt := 0
		for j := max(0, i-10); j <= min(n-1, i+10); j++ {
			templated += own[j][fTemplated]
			tcnt++
		}
		x[k+wTemplated10] = templated / float32(tcnt)
		var names, inter, you float32
		ncnt := 0
		for j := max(0, i-6); j <= min(n-1, i+6); j++ {
			names += own[j][fNameLike]
			you += own[j][fSecondPerson]
			ncnt++
			if j > 0 && j < n-1 && (own[j][fNameLike] > 0 || own[j][fTime] > 0) && bs[j-1].cls >= clsNear && bs[j+1].cls >= clsNear {
				inter++
			}
		}
		x[k+wNames6] = names / float32(ncnt)
		x[k+wInterleave6] = inter / float32(ncnt)
		x[k+wYou6] = you / float32(ncnt)
		if prose > 0 {
			for j := max(0, i-10); j <= min(n-1, i+10); j++ {
				if bs[j].cls >= clsNear {
					near += float32(bs[j].runes)
				}
			}
			x[k+wProse10] = near / float32(prose)
		}
		out[i] = x
	}
	return out
}

// functionWords counts the page's short words in a small hashed table:
// the page's own most frequent ones are its function words, whatever its
// language, and running prose is full of them where menus are not.
type functionWords struct {
	counts    [1 << 12]uint16
	threshold uint16 // the count of the 20th most frequent word
}

// wordHash is FNV-1a, cut to the table's size.
func wordHash(w string) int {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	return int(h & (1<<12 - 1))
}

// isShortWord reports whether w has at most four letters (eight bytes
// allow for accented letters).
func isShortWord(w string) bool { return len(w) <= 8 && utf8.RuneCountInString(w) <= 4 }

// newFunctionWords counts the short words of bs; a value, so the table
// lives on the caller's stack.
func newFunctionWords(bs []*block) functionWords {
	var fw functionWords
	for _, b := range bs {
		for _, w := range b.words {
			if isShortWord(w) {
				if c := &fw.counts[wordHash(w)]; *c < 1<<16-1 {
					*c++
				}
			}
		}
	}
	// The 20th largest count, at least 3: a selection over the table.
	var top [20]uint16
	for _, c := range fw.counts {
		if c > top[19] {
			k := 19
			for k > 0 && top[k-1] < c {
				top[k] = top[k-1]
				k--
			}
			top[k] = c
		}
	}
	fw.threshold = max(top[19], 3)
	return fw
}

// share is the part of ws that are function words.
func (fw *functionWords) share(ws []string) float32 {
	if len(ws) == 0 {
		return 0
	}
	n := 0
	for _, w := range ws {
		if isShortWord(w) && fw.counts[wordHash(w)] >= fw.threshold {
			n++
		}
	}
	return float32(n) / float32(len(ws))
}

// proseRun is a run of good and near-good lines with gaps of a few
// other lines, as mainRegion builds them.
type proseRun struct {
	from, to, size int
	ordinal        int // 0 for the page's first run
}

type proseRunList struct {
	runs []proseRun
	best int // the largest run's size
}

// proseRuns finds the page's runs of prose.
func proseRuns(bs []*block) proseRunList {
	const maxGap = 8
	var out proseRunList
	start, last, size, gap := -1, -1, 0, 0
	end := func() {
		if start >= 0 {
			out.runs = append(out.runs, proseRun{from: start, to: last, size: size, ordinal: len(out.runs)})
			out.best = max(out.best, size)
		}
		start, size, gap = -1, 0, 0
	}
	for i, b := range bs {
		switch {
		case b.cls >= clsNear:
			if start < 0 {
				start = i
			}
			last = i
			size += b.runes
			gap = 0
		case b.cls == clsNoise:
		case start >= 0:
			if gap++; gap > maxGap {
				end()
			}
		}
	}
	end()
	return out
}

// lineShape reduces a short line to the shape of its tokens: numbers
// become 9, capitalised words A, longer lowercase words a, short words
// and punctuation stay. Comment headers and teaser lists repeat a shape
// ("by Jane on May 5, 2012 at 10:42 pm").
func lineShape(s string) string {
	b := make([]byte, 0, 32)
	var prev byte
	emit := func(c byte) {
		if c != prev || c == ' ' {
			b = append(b, c)
		}
		prev = c
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsDigit(r):
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i {
				j = i + size
			}
			emit('9')
			i = j
			continue
		case unicode.IsLetter(r):
			j := i
			for j < len(s) {
				q, qs := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(q) {
					break
				}
				j += qs
			}
			word := s[i:j]
			switch {
			case unicode.IsUpper(r):
				emit('A')
			case j-i <= 3:
				b = append(b, word...)
				prev = 0
			default:
				emit('a')
			}
			i = j
			continue
		case r == ' ':
		case r < utf8.RuneSelf:
			emit(byte(r))
		default:
			emit('*')
		}
		i += size
	}
	return string(b)
}

// nameLike reports whether a line looks like a commenter's name or
// handle: one to four words, no sentence, each capitalised, a handle or a
// link ("Jane Doe", "@jdoe", "http://x.org Jane", "sweetiepotato").
func nameLike(b *block) bool {
	if b.runes > 60 || b.sentEnd || len(b.words) == 0 || len(b.words) > 5 {
		return false
	}
	fields := strings.Fields(b.text)
	if len(fields) > 4 {
		return false
	}
	for _, f := range fields {
		r, _ := utf8.DecodeRuneInString(f)
		switch {
		case unicode.IsUpper(r), r == '@', strings.Contains(f, "://"), strings.HasPrefix(f, "www."):
		case len(fields) == 1 && unicode.IsLower(r) && !isAnyStopword(strings.ToLower(f)):
		default:
			return false
		}
	}
	return true
}

// secondPerson are the pronouns of a reader talking to the author, as
// comments do.
var secondPerson = map[string]bool{
	"you": true, "your": true, "you're": true, "yours": true, "vous": true, "votre": true, "tu": true,
	"ton": true, "du": true, "dein": true, "deine": true, "ihr": true, "usted": true, "tú": true,
	"tu's": true, "voi": true, "você": true, "jij": true, "je": true, "jouw": true,
}

// isCommentHeader reports whether a short line heads a comment: "Jane
// says:", "Reply", "Posted by X at 5:43 PM", "12 comments", "Log in to
// reply".
func isCommentHeader(b *block) bool {
	ws := b.words
	if len(ws) == 0 {
		return false
	}
	last := ws[len(ws)-1]
	switch {
	case last == "says" || last == "wrote" || last == "écrit" || last == "schrieb" || last == "escribió":
		return true
	case len(ws) == 1 && replyWords[ws[0]]:
		return true
	case len(ws) >= 2 && (ws[0] == "posted" || ws[0] == "written") && ws[1] == "by":
		return true
	case len(ws) >= 3 && ws[0] == "log" && ws[1] == "in":
		return true
	case len(ws) >= 2 && ws[0] == "report" && (ws[1] == "abuse" || ws[1] == "comment"):
		return true
	case len(ws) >= 2 && isCount(ws[0]) && commentWords[ws[1]]:
		return true
	case b.runes < 120 && hasClockTime(b.text) && (strings.Contains(b.text, " at ") || strings.Contains(b.text, " à ") || strings.Contains(b.text, " um ")):
		return true
	}
	for i, w := range ws {
		if (w == "reply" || w == "quote") && i+1 < len(ws) && (ws[i+1] == "quote" || ws[i+1] == "reply") {
			return true
		}
		if commentWords[w] && i+1 < len(ws) && isCount(ws[i+1]) {
			return true
		}
	}
	return false
}

// replyWords are the links under a comment.
var replyWords = map[string]bool{
	"reply": true, "répondre": true, "antworten": true, "responder": true, "rispondi": true,
	"permalink": true, "beantwoorden": true, "odpowiedz": true,
}

// isCount reports whether w is a number written in digits.
func isCount(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return w != ""
}

// hasLink reports a web address or an e-mail address.
func hasLink(s string) bool {
	if strings.Contains(s, "://") || strings.Contains(s, "www.") {
		return true
	}
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.IndexByte(s[at:], '.') > 1
}

// commentWords are the words of comment-section headers.
var commentWords = map[string]bool{
	"comment": true, "comments": true, "responses": true, "response": true, "replies": true, "reply": true,
	"reactions": true, "discussion": true, "commentaire": true, "commentaires": true, "réactions": true,
	"kommentar": true, "kommentare": true, "comentario": true, "comentarios": true, "commento": true,
	"commenti": true, "reacties": true, "komentarze": true, "komentarzy": true, "comentários": true,
	"yorum": true, "yorumlar": true, "trackbacks": true, "pingbacks": true,
}

// isCommentMarker reports whether a short line opens or heads comments:
// "53 Responses to …", "Leave a Reply", "Comments (12)", "Post a comment".
func isCommentMarker(ws []string) bool {
	if len(ws) == 0 || len(ws) > 12 {
		return false
	}
	for _, w := range ws {
		if commentWords[w] {
			return true
		}
	}
	return false
}

// hasClockTime reports a time of day ("7:25", "19h30").
func hasClockTime(s string) bool {
	for i := 1; i+2 < len(s); i++ {
		if (s[i] == ':' || s[i] == 'h') && isDigit(s[i-1]) && isDigit(s[i+1]) && isDigit(s[i+2]) && (i+3 == len(s) || !isDigit(s[i+3])) {
			return true
		}
	}
	return false
}

// hasYear reports a year from 1990 to 2039 as a number of its own.
func hasYear(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] == '1' && s[i+1] == '9' && s[i+2] == '9' || s[i] == '2' && s[i+1] == '0' && s[i+2] <= '3') &&
			isDigit(s[i+2]) && isDigit(s[i+3]) && (i == 0 || !isDigit(s[i-1])) && (i+4 == len(s) || !isDigit(s[i+4])) {
			return true
		}
	}
	return false
}

// shapeCounts counts, in one pass over s: words starting with a capital,
// digits, punctuation, upper-case letters, letters and separators
// (| • · » › /).
func shapeCounts(s string) (caps, digits, punct, upper, letters, seps int) {
	wordStart := true
	for _, r := range s {
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case 'a' <= c && c <= 'z':
				letters++
				wordStart = false
			case 'A' <= c && c <= 'Z':
				letters++
				upper++
				if wordStart {
					caps++
				}
				wordStart = false
			case '0' <= c && c <= '9':
				digits++
				wordStart = false
			case c == ' ':
				wordStart = true
			default:
				punct++
				if c == '|' || c == '/' {
					seps++
				}
			}
			continue
		}
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				upper++
				if wordStart {
					caps++
				}
			}
			wordStart = false
		case unicode.IsDigit(r):
			digits++
			wordStart = false
		case r == ' ':
			wordStart = true
		default:
			punct++
			if strings.ContainsRune("|•·»›/", r) {
				seps++
			}
		}
	}
	return
}

// isBullet reports whether a line starts like a list item.
func isBullet(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if strings.ContainsRune("•·-–—*▪►▸○●◦", r) {
		return true
	}
	if unicode.IsDigit(r) {
		rest := strings.TrimLeftFunc(s[size:], unicode.IsDigit)
		return strings.HasPrefix(rest, ". ") || strings.HasPrefix(rest, ") ")
	}
	return false
}

// titleOverlap is the share of the content words of ws in the
// headline's, plural s aside (title holds them without it).
func titleOverlap(ws []string, title map[string]bool) float32 {
	n, hit := 0, 0
	for _, w := range ws {
		if len(w) < 3 {
			continue
		}
		w = strings.TrimSuffix(w, "s")
		if title[w] {
			hit++
			n++
		} else if !isAnyStopword(w) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return float32(hit) / float32(n)
}

// secondPersonShare is the part of ws that are second-person pronouns.
func secondPersonShare(ws []string) float32 {
	if len(ws) == 0 {
		return 0
	}
	n := 0
	for _, w := range ws {
		if len(w) <= 6 && secondPerson[w] {
			n++
		}
	}
	return float32(n) / float32(len(ws))
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// TextFeatureNames names the text line model's inputs, in order.
func TextFeatureNames() []string { return slices.Clone(textFeatureNames) }

// LineModel is the text path's learned part: two line classifiers, the
// second of which also sees the first one's answers around each line
// (the article is a region, and whether a line belongs to it depends on
// what surrounds it).
type LineModel struct {
	First  *learn.Model `json:"first"`
	Second *learn.Model `json:"second"`
	// Title, on the text path, picks the headline among the lines: the
	// page's other headlines, section names and widgets look alike. It is
	// an ensemble: one classifier alone flips a whole site's headlines from
	// one training to the next.
	Title learn.Ensemble `json:"title,omitempty"`
}

// ParseLineModel reads a line model written as JSON and checks that it
// fits this version's features.
func ParseLineModel(data []byte) (*LineModel, error) {
	m, err := parseModel(data, textFeatureNames, SecondFeatureNames())
	if err != nil {
		return nil, err
	}
	var raw struct{ Title []json.RawMessage }
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("line model, title: %w (a model of an older version? retrain it: cmd/trainmodel)", err)
	}
	for _, r := range raw.Title {
		t, err := learn.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("line model, title: %w", err)
		}
		if !slices.Equal(t.Features, TitleFeatureNames()) {
			return nil, errors.New("line model: its title features are not this version's; retrain it (cmd/trainmodel)")
		}
		m.Title = append(m.Title, t)
	}
	return m, nil
}

// ParseHTMLModel reads the HTML path's line model written as JSON.
func ParseHTMLModel(data []byte) (*LineModel, error) {
	return parseModel(data, htmlFeatureNames, HTMLSecondFeatureNames())
}

func parseModel(data []byte, first, second []string) (*LineModel, error) {
	var raw struct{ First, Second json.RawMessage }
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("line model: %w", err)
	}
	var m LineModel
	var err error
	if m.First, err = learn.Parse(raw.First); err != nil {
		return nil, fmt.Errorf("line model, first: %w", err)
	}
	if m.Second, err = learn.Parse(raw.Second); err != nil {
		return nil, fmt.Errorf("line model, second: %w", err)
	}
	if !slices.Equal(m.First.Features, first) || !slices.Equal(m.Second.Features, second) {
		return nil, errors.New("line model: its features are not this version's; retrain it (cmd/trainmodel)")
	}
	return &m, nil
}

// contextFeatureNames name what the second classifier adds to a line's
// inputs: the first one's answers around it and where the region it
// marks lies.
var contextFeatureNames = []string{
	"p1", "p1@-3", "p1@-2", "p1@-1", "p1@+1", "p1@+2", "p1@+3",
	"p1_before10", "p1_after10", "p1_before30", "p1_after30",
	"mass_before", "mass_after", "in_segment", "before_segment", "after_segment",
	"segment_distance", "segment_share", "island",
}

// SecondFeatureNames names the second classifier's inputs, in order.
func SecondFeatureNames() []string {
	return append(slices.Clone(textFeatureNames), contextFeatureNames...)
}

// SecondInputs extends the inputs of a page's lines with the context of
// the first classifier's answers p1.
func SecondInputs(inputs [][]float32, p1 []float32) [][]float32 {
	if len(inputs) == 0 {
		return nil
	}
	width := len(inputs[0]) + len(contextFeatureNames)
	flat := make([]float32, len(inputs)*width)
	out := make([][]float32, len(inputs))
	eachSecondInput(inputs, p1, func(i int, y []float32) {
		out[i] = flat[i*width : (i+1)*width : (i+1)*width]
		copy(out[i], y)
	})
	return out
}

// eachSecondInput calls f with the second classifier's inputs of each
// line in turn, in one buffer that f must not keep.
func eachSecondInput(inputs [][]float32, p1 []float32, f func(i int, y []float32)) {
	n := len(inputs)
	words := make([]float64, n)
	var total float64
	for i, x := range inputs {
		words[i] = math.Expm1(float64(x[fWords]))
		total += float64(p1[i]) * words[i]
	}
	// The segment of lines whose first answers, weighed by words, sum
	// highest: the region the first classifier sees as the article.
	segFrom, segTo, segMass := -1, -1, 0.0
	curFrom, cur := 0, 0.0
	for i := range n {
		v := (float64(p1[i]) - 0.5) * math.Log1p(words[i])
		if cur <= 0 {
			curFrom, cur = i, 0
		}
		cur += v
		if cur > segMass {
			segFrom, segTo, segMass = curFrom, i, cur
		}
	}
	var segContent float64
	for i := max(segFrom, 0); i <= segTo; i++ {
		segContent += float64(p1[i]) * words[i]
	}
	if n == 0 {
		return
	}
	y := make([]float32, len(inputs[0])+len(contextFeatureNames))
	var before float64
	island, inIsland := 0, false
	for i, x := range inputs {
		clear(y)
		k := copy(y, x)
		at := func(j int) float32 {
			if j < 0 || j >= n {
				return 0
			}
			return p1[j]
		}
		y[k] = p1[i]
		k++
		for _, off := range []int{-3, -2, -1, 1, 2, 3} {
			y[k] = at(i + off)
			k++
		}
		y[k] = meanP(p1, i-10, i-1)
		y[k+1] = meanP(p1, i+1, i+10)
		y[k+2] = meanP(p1, i-30, i-1)
		y[k+3] = meanP(p1, i+1, i+30)
		k += 4
		if total > 0 {
			y[k] = float32(before / total)
			y[k+1] = float32((total - before - float64(p1[i])*words[i]) / total)
			y[k+6] = float32(segContent / total)
		}
		before += float64(p1[i]) * words[i]
		y[k+2] = b2f(i >= segFrom && i <= segTo && segFrom >= 0)
		y[k+3] = b2f(segFrom >= 0 && i < segFrom)
		y[k+4] = b2f(segFrom >= 0 && i > segTo)
		switch {
		case segFrom < 0:
			y[k+5] = float32(math.Log1p(float64(n)))
		case i < segFrom:
			y[k+5] = float32(math.Log1p(float64(segFrom - i)))
		case i > segTo:
			y[k+5] = float32(math.Log1p(float64(i - segTo)))
		}
		if p1[i] >= 0.5 && words[i] >= 3 {
			if !inIsland {
				island++
			}
			inIsland = true
		} else if p1[i] < 0.5 {
			inIsland = false
		}
		y[k+7] = float32(min(island, 4))
		f(i, y)
	}
}

// meanP is the mean of p over [from, to] clipped to the page, 0 if empty.
func meanP(p []float32, from, to int) float32 {
	from, to = max(from, 0), min(to, len(p)-1)
	if from > to {
		return 0
	}
	var s float32
	for _, v := range p[from : to+1] {
		s += v
	}
	return s / float32(to-from+1)
}

// predict returns each block's probability of being article text (0 for
// lines the model does not see) and the headline the title classifier
// picks, -1 if none.
func (m *LineModel) predict(bs []*block, first, last, titleAt int) ([]float32, int) {
	v := newModelView(bs, first, last, titleAt)
	inputs := lineModelInputs(v.bs, v.first, v.last, v.title)
	scratch := make([]float32, len(textFeatureNames)+len(contextFeatureNames))
	p1 := make([]float32, len(inputs))
	for i, x := range inputs {
		p1[i] = m.First.Predict(x, scratch)
	}
	p := make([]float32, len(bs))
	eachSecondInput(inputs, p1, func(i int, y []float32) {
		// The rules decide these lines whatever the model says.
		if !ruleDecides(v.bs[i], i == v.title) {
			p[v.at[i]] = m.Second.Predict(y, scratch)
		}
	})
	title := m.pickTitle(v.bs, inputs, p1)
	if title >= 0 {
		title = v.at[title]
	}
	return p, title
}
