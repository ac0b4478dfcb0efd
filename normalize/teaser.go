package normalize

import "strings"

// teaserMin is how many cut-short paragraphs make a list of teasers.
const teaserMin = 2

// teaserMinWords: a teaser is a paragraph's start, not a link's label.
const teaserMinWords = 8

// dropTeasers leaves out the teasers of other stories the model took for
// the article's text, when there are teaserMin of them or more: a
// paragraph its site cut short before a "Read more" link ("…a lot of
// money... Read More"), or one ending in "[...]" under its headline
// ("The 24 foot Long-Hauler concept truck", "When initially Ram
// showcased… [...]"), and that headline. A writer marks a cut in a quote
// with "[...]" too, but not under a headline of its own.
func dropTeasers(bs []*block) {
	teasers := make([]bool, len(bs))
	n := 0
	for i, b := range bs {
		if !b.content {
			continue
		}
		switch cutShort(b) {
		case cutMore:
			teasers[i] = true
		case cutBracket:
			teasers[i] = i > 0 && headlineLike(bs[i-1])
		}
		if teasers[i] {
			n++
		}
	}
	if n < teaserMin {
		return
	}
	for i, b := range bs {
		if !teasers[i] {
			continue
		}
		b.content = false
		if i > 0 && headlineLike(bs[i-1]) {
			bs[i-1].content = false
		}
	}
}

// headlineLike reports a short line of content with no sentence's end: a
// teaser's headline.
func headlineLike(b *block) bool {
	return b.content && !b.sentEnd && b.cls <= clsShort
}

// cut is how a paragraph was cut short.
type cut int

const (
	cutNone    cut = iota
	cutMore        // an ellipsis, then "Read more": the site's cut
	cutBracket     // "[...]": the site's cut, or a writer's in a quote
)

// moreLinks are the links after a teaser's ellipsis, lower-case.
var moreLinks = []string{"read more", "read more »", "continue reading", "more »"}

// cutShort tells how a paragraph of teaserMinWords or more was cut
// short.
func cutShort(b *block) cut {
	if len(b.words) < teaserMinWords {
		return cutNone
	}
	t := b.text
	for _, more := range moreLinks {
		if len(t) > len(more) && strings.EqualFold(t[len(t)-len(more):], more) {
			t = strings.TrimSpace(t[:len(t)-len(more)])
			if strings.HasSuffix(t, "...") || strings.HasSuffix(t, "…") {
				return cutMore
			}
		}
	}
	if strings.HasSuffix(t, "[...]") || strings.HasSuffix(t, "[…]") {
		return cutBracket
	}
	return cutNone
}

// rankedMin is how many numbered headlines make a ranked list.
const rankedMin = 3

// dropRankedTeasers leaves out the lists of other stories ranked by
// readers, which a page sets beside or inside its article ("Most read",
// "Las + leídas"): rankedMin headlines or more, each under a line that is
// only a number (its rank or its count of views: "1", "22669"), one pair
// right after the other. An article's numbered list says more than a
// headline under each number, and its items are not headlines.
func dropRankedTeasers(bs []*block) {
	for i := 0; i < len(bs); {
		j := i
		for j+1 < len(bs) && numberLine(bs[j].text) && teaserHeadline(bs[j+1]) {
			j += 2
		}
		if (j-i)/2 < rankedMin {
			i = max(j, i+1)
			continue
		}
		for _, b := range bs[i:j] {
			b.content = false
		}
		i = j
	}
}

// numberLine reports whether a line is a number alone: a rank or a
// count ("3", "3.", "22669", "1,204").
func numberLine(t string) bool {
	digits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r != '.' && r != ',':
			return false
		}
	}
	return digits > 0 && len(t) <= 9
}

// teaserHeadline reports whether a line could be another story's
// headline in a list: four words or more, no sentence.
func teaserHeadline(b *block) bool {
	return len(b.words) >= 4 && !b.sentEnd && b.runes <= titleMaxRunes
}

// labelledMaxWords is the longest teaser a label introduces: a headline,
// not a paragraph.
const labelledMaxWords = 25

// dropLabelledTeasers leaves out the links to other stories set inside
// the article under a label ("Related: Chicago is America's most
// segregated city", "À lire aussi : …", "Lesen Sie auch: …") and the
// labels a site gives its media for screen readers ("Media caption …",
// "Image copyright …"), which the model takes for the article's lines
// around them.
func dropLabelledTeasers(bs []*block) {
	for _, b := range bs {
		if !b.content || len(b.words) > labelledMaxWords || b.sentEnd && !hasAnyPrefix(b.key, readerLabels) {
			continue
		}
		if teaserLabels[colonLabel(b.text)] || hasAnyPrefix(b.key, readerLabels) {
			b.content = false
		}
	}
}

// readerLabels start a picture's or a video's label for screen readers,
// compared after markerKey.
var readerLabels = []string{"media caption ", "image caption ", "image copyright "}
