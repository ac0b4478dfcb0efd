package normalize

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"
)

// words splits s into lowercase word tokens; apostrophes split elisions
// ("l'armée" gives "l", "armée").
func words(s string) []string {
	ws := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	out := ws[:0]
	for _, w := range ws {
		if w = strings.Trim(w, "-"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// guardLangs are languages close to a stopLangs one, listed with their
// commonest function words so that their text does not pass for one of
// the stopLangs: Catalan and Galician are told apart here (whatlanggo
// knows neither), the others are left to whatlanggo. Their bits follow
// the stopLangs' in langSet.
var guardLangs = [...]struct{ tag, words string }{
	{"ca", `el la els les de del dels a al als en i amb per que qui un una uns unes és són
		va van ha han no però més com seu seva seus seves aquest aquesta aquests aquestes
		també li hi ho ja pel pels sobre entre fins molt perquè on quan`},
	{"gl", `o a os as de do da dos das no na nos nas en e que un unha uns unhas non con
		coa co cos polo pola polos polas para por se máis pero como xa tamén foi é ser
		está ao á ás cando sobre entre este esta iso isto dunha nunha súa seu`},
	{"sv", `och att det som en på är av för med till den har de inte om ett var jag hon
		han sig men från vid så kan eller efter när också sina hade skulle`},
	{"da", `og at det som en på er af for med til den har de ikke om et var jeg hun han
		sig men fra ved så kan eller efter når også sin havde skulle`},
	{"no", `og at det som en på er av for med til den har de ikke om et var jeg hun han
		seg men fra ved så kan eller etter når også sin hadde skal`},
	{"pl", `i w z na się nie do to że o jest jak a od po za ale co przez jego dla czy już
		tak są był była tym także może oraz który która które jako ze we`},
	{"tr", `ve bir bu da de için ile çok daha olarak gibi en ama ne o olan kadar sonra
		değil her şey var yok ise mi olduğu ki`},
	{"ro", `și în de la a cu pe care din că se nu o un este mai pentru sau dar fost au
		acest această lui ca sunt fi`},
}

// detectIndex is stopIndex with the guardLangs' words added.
var detectIndex = func() map[string]langSet {
	m := make(map[string]langSet, len(stopIndex)+300)
	for w, set := range stopIndex {
		m[w] = set
	}
	for i, g := range guardLangs {
		for _, w := range strings.Fields(g.words) {
			m[w] |= 1 << (len(stopLangs) + i)
		}
	}
	return m
}()

const (
	// detectMaxBytes of text decide: a couple of thousand characters
	// decide as well as the whole text.
	detectMaxBytes = 2500
	// detectLangs is the number of languages scored on stopwords.
	detectLangs = len(stopLangs) + len(guardLangs)
	// shareUnit is a word's weight, split evenly among the languages
	// whose list has it (2520 divides by 1 to 10).
	shareUnit = 2520
)

// Thresholds of the stopword vote. A language wins outright when it has
// at least minVoteWords words' worth of weight, voteRatio times the
// runner-up's, and its stopwords are at least minVoteShare of the words:
// prose runs at 35-55%, a title at 25-40%.
const (
	minVoteWords = 3
	voteRatio    = 2.5
	minVoteShare = 0.2
)

// langVote is the stopword evidence gathered from a text.
type langVote struct {
	words           int              // word tokens
	latin, nonLatin int              // letters by script
	score           [detectLangs]int // shareUnit per word, split among its languages
	hits            [detectLangs]int // words in each language's list
}

// scan tokenizes text without allocating (a word is looked up through a
// stack buffer) and votes each word for the languages whose list has it.
func (v *langVote) scan(text string) {
	var buf [64]byte
	n := 0 // bytes in buf; -1 while the word is too long to be a stopword
	flush := func() {
		if n > 0 {
			v.words++
			if set := detectIndex[string(buf[:n])]; set != 0 {
				w := shareUnit / bits.OnesCount32(uint32(set))
				for s := uint32(set); s != 0; s &= s - 1 {
					i := bits.TrailingZeros32(s)
					v.score[i] += w
					v.hits[i]++
				}
			}
		}
		n = 0
	}
	for _, r := range text {
		if !unicode.IsLetter(r) {
			flush()
			continue
		}
		if r < 0x250 || unicode.Is(unicode.Latin, r) {
			v.latin++
		} else {
			v.nonLatin++
		}
		if n < 0 {
			continue
		}
		r = unicode.ToLower(r)
		if n+utf8.RuneLen(r) > len(buf) {
			n = -1
			v.words++
			continue
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	flush()
}

// decide picks the winner of the vote, if it is clear.
func (v *langVote) decide() (string, bool) {
	if v.nonLatin > v.latin || v.words == 0 {
		return "", false
	}
	best, second := 0, 1
	if v.score[second] > v.score[best] {
		best, second = second, best
	}
	for i := 2; i < detectLangs; i++ {
		switch {
		case v.score[i] > v.score[best]:
			best, second = i, best
		case v.score[i] > v.score[second]:
			second = i
		}
	}
	if v.score[best] < minVoteWords*shareUnit ||
		float64(v.score[best]) < voteRatio*float64(v.score[second]) ||
		float64(v.hits[best]) < minVoteShare*float64(v.words) {
		return "", false
	}
	if best < len(stopLangs) {
		return stopLangs[best], true
	}
	switch tag := guardLangs[best-len(stopLangs)].tag; tag {
	case "ca", "gl":
		return tag, true
	}
	return "", false
}

// whatlangLangs restricts whatlanggo to common languages: on short news
// text the full set confuses close languages.
var whatlangLangs = map[whatlanggo.Lang]bool{
	whatlanggo.Fra: true, whatlanggo.Eng: true, whatlanggo.Deu: true, whatlanggo.Spa: true,
	whatlanggo.Ita: true, whatlanggo.Por: true, whatlanggo.Nld: true, whatlanggo.Rus: true,
	whatlanggo.Ukr: true, whatlanggo.Pol: true, whatlanggo.Tur: true, whatlanggo.Arb: true,
	whatlanggo.Cmn: true, whatlanggo.Jpn: true, whatlanggo.Kor: true, whatlanggo.Swe: true,
	whatlanggo.Dan: true, whatlanggo.Nob: true, whatlanggo.Fin: true, whatlanggo.Ces: true,
	whatlanggo.Ron: true, whatlanggo.Hun: true, whatlanggo.Ell: true, whatlanggo.Hin: true,
}

// detectLanguage returns the BCP 47 primary subtag of text's language,
// "und" when unsure. Latin-script text in one of the stopLangs is decided
// by a vote of its stopwords, in one pass (a tenth of whatlanggo's time);
// other scripts, other languages and weak votes go to whatlanggo.
func detectLanguage(text string) string {
	if len(text) > detectMaxBytes {
		text = strings.ToValidUTF8(text[:detectMaxBytes], "")
	}
	var v langVote
	v.scan(text)
	if v.words < 3 {
		return "und"
	}
	if lang, ok := v.decide(); ok {
		return lang
	}
	info := whatlanggo.DetectWithOptions(text, whatlanggo.Options{Whitelist: whatlangLangs})
	if info.Confidence < 0.3 {
		return "und"
	}
	if code := info.Lang.Iso6391(); code != "" {
		return code
	}
	return "und"
}

// normalizeLangTag reduces a declared language ("fr-FR", "fr_FR", "FR") to
// its primary subtag; "" if it is not a plausible tag.
func normalizeLangTag(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}
