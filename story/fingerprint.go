package story

import (
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/crier/crier/article"
	"github.com/crier/crier/stopwords"
)

// Fingerprint parameters. They are constants, not options: fingerprints
// stored by one replica are compared with those of another.
const (
	// ShingleWords is the length of the word shingles of the MinHash.
	ShingleWords = 4
	// NumHashes is the length of the MinHash signature.
	NumHashes = 128
	// MaxTerms bounds the content terms kept per fingerprint.
	MaxTerms = 128
	// stemRunes is where a content word is cut: a language-independent
	// stemmer ("militaire", "militaires" -> "milita") that is close to real
	// stemmers for retrieval in European languages.
	stemRunes = 6
	// minTermRunes drops short words (articles, clitics, "M.").
	minTermRunes = 3
	// nameWeight scales a name's weight: the same people and places appear
	// in unrelated stories, so shared names alone must not make a story.
	nameWeight = 0.25
	// titleCount is how many body occurrences a title word counts for.
	titleCount = 2
)

// Fingerprint is what the matcher keeps of an article: a MinHash signature
// of its body's word shingles (near duplicates) and its weighted content
// terms (stories). It is computed once per article and is small and
// JSON-serialisable (a few KB).
type Fingerprint struct {
	ID        string    `json:"id"`
	Language  string    `json:"language"`
	Published time.Time `json:"published"`
	// Estimated is true when the page gave no date and Published is only
	// when crier got it: then only the text can tell a story.
	Estimated bool `json:"estimated,omitempty"`
	// MinHash holds NumHashes minima over the body's shingle hashes; empty
	// when the body has no words.
	MinHash []uint32 `json:"minhash,omitempty"`
	// Terms are the heaviest content terms, heaviest first.
	Terms []Term `json:"terms,omitempty"`
}

// Term is a content word stem with its weight in the article.
type Term struct {
	Stem   string  `json:"s"`
	Weight float64 `json:"w"`
	// Name is true when the word is always capitalized, also inside a
	// sentence: a person, place or organisation. Its weight is reduced.
	Name bool `json:"n,omitempty"`
}

// NewFingerprint computes the fingerprint of a normalized article.
func NewFingerprint(a *article.Article) Fingerprint {
	lang := article.PrimaryLanguage(a.Language)
	body := tokenize(a.Body)
	fp := Fingerprint{
		ID:        a.ID,
		Language:  lang,
		Published: a.Published.UTC(),
		Estimated: a.PublishedEstimated,
		MinHash:   minHash(body),
	}
	fp.Terms = contentTerms(lang, tokenize([]string{a.Title}), body)
	return fp
}

// token is one word of a text.
type token struct {
	lower   string
	upper   bool // starts with an upper-case letter
	initial bool // first word of a sentence, paragraph or quotation
}

// tokenize splits paragraphs into words: maximal runs of letters and
// digits; apostrophes, hyphens and punctuation separate words.
func tokenize(paras []string) []token {
	var toks []token
	for _, p := range paras {
		initial := true
		start := -1
		for i, r := range p + " " {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				w := p[start:i]
				first, _ := utf8.DecodeRuneInString(w)
				toks = append(toks, token{lower: strings.ToLower(w), upper: unicode.IsUpper(first), initial: initial})
				start = -1
				initial = false
			}
			switch r {
			case '.', '!', '?', ':', '«', '»', '"', '“', '”', '„', '(', '—', '–':
				initial = true
			}
		}
	}
	return toks
}

// minHash returns the MinHash signature of the ShingleWords-word shingles
// of toks (a shorter text is one shingle). Hash i of a shingle hash x is
// the multiply-shift hash (a_i*x + b_i) >> 32, a_i odd.
func minHash(toks []token) []uint32 {
	if len(toks) == 0 {
		return nil
	}
	var a, b [NumHashes]uint64
	seed := uint64(0x9e3779b97f4a7c15)
	for i := range NumHashes {
		a[i] = splitmix(&seed) | 1
		b[i] = splitmix(&seed)
	}
	sig := make([]uint32, NumHashes)
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	n := max(len(toks)-ShingleWords+1, 1)
	h := fnv.New64a()
	for i := range n {
		h.Reset()
		for j := i; j < min(i+ShingleWords, len(toks)); j++ {
			h.Write([]byte(toks[j].lower))
			h.Write([]byte{' '})
		}
		x := h.Sum64()
		for k := range sig {
			if v := uint32((a[k]*x + b[k]) >> 32); v < sig[k] {
				sig[k] = v
			}
		}
	}
	return sig
}

// splitmix is the SplitMix64 generator: the fixed hash family of minHash.
func splitmix(state *uint64) uint64 {
	*state += 0x9e3779b97f4a7c15
	z := *state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// contentTerms weighs the stems of the content words of title and body:
// (1 + ln tf) with title words counted titleCount times, names scaled by
// nameWeight. Ties are broken by the stem's hash, so two texts keep the
// same sample of their equally weighted words.
func contentTerms(lang string, title, body []token) []Term {
	type stat struct {
		tf            float64
		lower, inside bool
	}
	stats := map[string]*stat{}
	add := func(toks []token, count float64) {
		for _, t := range toks {
			if utf8.RuneCountInString(t.lower) < minTermRunes || stopwords.Is(lang, t.lower) {
				continue
			}
			s := stem(t.lower)
			st := stats[s]
			if st == nil {
				st = &stat{}
				stats[s] = st
			}
			st.tf += count
			st.lower = st.lower || !t.upper
			st.inside = st.inside || (t.upper && !t.initial)
		}
	}
	add(body, 1)
	add(title, titleCount)
	// German capitalizes every noun: capitals say nothing about names.
	names := lang != "de"
	terms := make([]Term, 0, len(stats))
	for s, st := range stats {
		t := Term{Stem: s, Weight: 1 + math.Log(st.tf), Name: names && !st.lower && st.inside}
		if t.Name {
			t.Weight *= nameWeight
		}
		terms = append(terms, t)
	}
	slices.SortFunc(terms, func(x, y Term) int {
		if x.Weight != y.Weight {
			if x.Weight > y.Weight {
				return -1
			}
			return 1
		}
		hx, hy := hash64(x.Stem), hash64(y.Stem)
		if hx != hy {
			if hx < hy {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Stem, y.Stem)
	})
	if len(terms) > MaxTerms {
		terms = terms[:MaxTerms]
	}
	return terms
}

// stem folds a lowercased word (diacritics off, ligatures spelled out) and
// cuts it to stemRunes.
func stem(w string) string {
	if ascii(w) {
		return w[:min(len(w), stemRunes)] // nothing to fold
	}
	var b strings.Builder
	n := 0
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'œ':
			b.WriteString("oe")
		case 'æ':
			b.WriteString("ae")
		case 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
		if n++; n >= stemRunes {
			break
		}
	}
	return b.String()
}

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hash64 is the FNV-1a hash of s.
func hash64(s string) uint64 {
	// FNV-1a, as hash/fnv's New64a, without its allocations.
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// jaccard estimates the Jaccard similarity of two shingle sets from their
// MinHash signatures: the share of equal minima.
func jaccard(x, y []uint32) float64 {
	if len(x) == 0 || len(x) != len(y) {
		return 0
	}
	eq := 0
	for i := range x {
		if x[i] == y[i] {
			eq++
		}
	}
	return float64(eq) / float64(len(x))
}

// cosine is the cosine similarity of two weighted term lists.
func cosine(x, y []Term) float64 { return newTermVector(x).cosine(y) }

// termVector is a term list ready to be compared with others: a match
// compares one article with ten.
type termVector struct {
	weights map[string]float64
	norm2   float64
}

func newTermVector(x []Term) termVector {
	v := termVector{weights: make(map[string]float64, len(x))}
	for _, t := range x {
		v.weights[t.Stem] = t.Weight
		v.norm2 += t.Weight * t.Weight
	}
	return v
}

// cosine is the cosine similarity of v and y.
func (v termVector) cosine(y []Term) float64 {
	if len(v.weights) == 0 || len(y) == 0 {
		return 0
	}
	var ny, dot float64
	for _, t := range y {
		ny += t.Weight * t.Weight
		dot += v.weights[t.Stem] * t.Weight
	}
	return dot / math.Sqrt(v.norm2*ny)
}
