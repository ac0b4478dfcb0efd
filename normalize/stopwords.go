package normalize

import (
	"github.com/crier/crier/stopwords"
)

// stopLangs are the languages with a stoplist, in the bit order of langSet.
var stopLangs = stopwords.Languages

// langSet is a set of languages, one bit each: the stopLangs first, then
// the languages lang.go only uses to tell them apart.
type langSet uint32

// stopAny is the set of every stopLangs language.
const stopAny langSet = 1<<len(stopLangs) - 1

// stopIndex maps a lowercase word to the languages whose stoplist has it:
// one map lookup answers for every language at once.
var stopIndex = func() map[string]langSet {
	m := make(map[string]langSet, 1600)
	for i, lang := range stopLangs {
		for _, w := range stopwords.List(lang) {
			m[w] |= 1 << i
		}
	}
	return m
}()

// isAnyStopword reports whether w (lowercase) is a stopword of some
// stopLangs language.
func isAnyStopword(w string) bool { return stopIndex[w] != 0 }

// stopLangIndex returns the bit of lang in langSet, or -1 if lang has no
// stoplist.
func stopLangIndex(lang string) int {
	for i, l := range stopLangs {
		if l == lang {
			return i
		}
	}
	return -1
}

// stopDensity is the share of ws that are stopwords in any of the
// stopLangs: the boilerplate classifier's measure of running prose when
// the language is not known yet.
func stopDensity(ws []string) float64 {
	if len(ws) == 0 {
		return 0
	}
	n := 0
	for _, w := range ws {
		if stopIndex[w] != 0 {
			n++
		}
	}
	return float64(n) / float64(len(ws))
}

// isStopword reports whether w (lowercase) is a stopword of lang, or of any
// stopLangs language when lang has no stoplist.
func isStopword(w, lang string) bool {
	set := stopAny
	if i := stopLangIndex(lang); i >= 0 {
		set = 1 << i
	}
	return stopIndex[w]&set != 0
}
