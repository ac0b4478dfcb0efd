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

// stopFilter holds stopIndex's words for stopLangsOf.
var stopFilter = newWordFilter(stopIndex)

// stopLangsOf is stopIndex[w], quicker for most words that are not
// stopwords: the text path asks it of every word of a page several times.
func stopLangsOf(w string) langSet {
	if !stopFilter.mayHave(w) {
		return 0
	}
	return stopIndex[w]
}

// isAnyStopword reports whether w (lowercase) is a stopword of some
// stopLangs language.
func isAnyStopword(w string) bool { return stopLangsOf(w) != 0 }

// wordFilter says "not in the set" for most words a set lacks in a few
// instructions, where a map lookup hashes the whole word and probes: one
// bit for each hash of a word's length and first, second and last bytes.
type wordFilter [1 << 16 / 64]uint64

func newWordFilter[V any](set map[string]V) *wordFilter {
	var f wordFilter
	for w := range set {
		h := wordFilterHash(w)
		f[h/64] |= 1 << (h % 64) // the bit has reads
	}
	return &f
}

// mayHave reports false if w is surely not in the set.
func (f *wordFilter) mayHave(w string) bool { return f.has(wordFilterHash(w)) }

// mayHaveBytes is mayHave for a word in a buffer.
func (f *wordFilter) mayHaveBytes(w []byte) bool { return f.has(wordFilterHash(w)) }

func (f *wordFilter) has(h uint32) bool { return f[h/64]&(1<<(h%64)) != 0 }

func wordFilterHash[T string | []byte](w T) uint32 {
	if len(w) == 0 {
		return 0
	}
	h := uint32(len(w))<<24 | uint32(w[0])<<16 | uint32(w[min(1, len(w)-1)])<<8 | uint32(w[len(w)-1])
	return (h * 0x9E3779B1) >> 16 // Fibonacci hashing: the top 16 bits mix every byte
}

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
		if stopLangsOf(w) != 0 {
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
	return stopLangsOf(w)&set != 0
}
