package normalize

import (
	"strings"
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
