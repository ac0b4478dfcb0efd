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
