package eval

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// minRun is the shortest run of words the alignment trusts inside a
// line: shorter matches ("the", "news") are chance, unless they are a
// whole short line next to matched text (a subheading).
const minRun = 3

// LineLabels aligns a page's lines with its gold text, word by word in
// order (a diff of the two word sequences), and returns for each line the
// share of its words that belong to the gold: the target a line model is
// trained on. A line without words gets 0.
func LineLabels(lines []string, gold string) []float32 {
	ids := map[string]rune{}
	// Words become runes of the diff's alphabet, skipping surrogates.
	code := func(w string) rune {
		r, ok := ids[w]
		if !ok {
			r = rune(0xE000 + len(ids))
			if r >= 0xF900 {
				r += 0x10000 - 0xF900
			}
			ids[w] = r
		}
		return r
	}
	var page []rune
	lineOf := []int{} // line index of each page word
	for i, l := range lines {
		for _, w := range tokens(l) {
			page = append(page, code(w))
			lineOf = append(lineOf, i)
		}
	}
	var ref []rune
	for _, w := range tokens(gold) {
		ref = append(ref, code(w))
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact, so labels do not depend on the machine's speed
	matched := make([]bool, len(page))
	pos := 0
	for _, d := range dmp.DiffMainRunes(page, ref, false) {
		n := len([]rune(d.Text))
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			if n >= minRun || wholeLines(lineOf, pos, n) {
				for k := pos; k < pos+n; k++ {
					matched[k] = true
				}
			}
			pos += n
		case diffmatchpatch.DiffDelete:
			pos += n
		}
	}
	words := make([]int, len(lines))
	hits := make([]int, len(lines))
	for k, l := range lineOf {
		words[l]++
		if matched[k] {
			hits[l]++
		}
	}
	out := make([]float32, len(lines))
	for i := range lines {
		if words[i] > 0 {
			out[i] = float32(hits[i]) / float32(words[i])
		}
	}
	// A short line matched alone is chance unless matched text is near.
	for i := range out {
		if out[i] > 0 && words[i] < minRun && !nearMatched(out, words, i) {
			out[i] = 0
		}
	}
	return out
}

// wholeLines reports whether the page words pos..pos+n-1 are whole lines.
func wholeLines(lineOf []int, pos, n int) bool {
	first, last := lineOf[pos], lineOf[pos+n-1]
	return (pos == 0 || lineOf[pos-1] != first) && (pos+n == len(lineOf) || lineOf[pos+n] != last)
}

// nearMatched reports whether a line of minRun words or more within two
// lines of i is mostly matched.
func nearMatched(labels []float32, words []int, i int) bool {
	for j := max(0, i-2); j <= min(len(labels)-1, i+2); j++ {
		if j != i && words[j] >= minRun && labels[j] >= 0.5 {
			return true
		}
	}
	return false
}

// tokens splits s into lowercase words the way shingles does.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && !unicode.Is(unicode.Mn, r)
	})
}
