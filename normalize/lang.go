package normalize

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"

	"github.com/crier/crier/article"
)

// words splits s into lowercase word tokens; apostrophes split elisions
// ("l'armée" gives "l", "armée").
func words(s string) []string {
	low := strings.ToLower(s) // one allocation; the words are slices of it
	out := make([]string, 0, len(low)/6+1)
	start := -1
	for i, r := range low {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if w := strings.Trim(low[start:i], "-"); w != "" {
				out = append(out, w)
			}
			start = -1
		}
	}
	if start >= 0 {
		if w := strings.Trim(low[start:], "-"); w != "" {
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

// Thresholds of the stopword vote. The leader wins outright when its
// stopwords are at least minVoteHits words and minVoteShare of all words
// (prose runs at 35-55%, a headline at 25-40%), and when, against every
// other language, the words only the leader's list has are at least
// minVoteMargin and voteRatio times the words only the other's list has.
// Shared words ("de", "la", "en") thus count for nothing between the
// languages that share them.
const (
	minVoteHits   = 3
	minVoteShare  = 0.2
	minVoteMargin = 2
	voteRatio     = 2.0
)

// langVote is the stopword evidence gathered from a text.
type langVote struct {
	words           int // word tokens
	latin, nonLatin int // letters by script
	cyrillic        int // of the nonLatin
	// score is shareUnit a word, split among the languages that have it:
	// it picks the leader.
	score [detectLangs]int
	// hits counts the words in each language's list; only[i][j] those
	// in i's list and not in j's.
	hits [detectLangs]int
	only [detectLangs][detectLangs]int
	// letters counts the letters that mark a language (or rule it out)
	// where whatlanggo is unsure; see letterHint.
	letters [4]int
}

// Letters that mark Russian or Polish, or rule them out: the last word
// on a headline whatlanggo cannot place (Russian or Ukrainian? Polish or
// Czech?).
const (
	ruMark = iota
	notRu
	plMark
	notPl
)

// letterClass is the class of r among ruMark... for letterHint, or -1.
func letterClass(r rune) int {
	switch r {
	case 'ы', 'э', 'ё':
		return ruMark
	case 'і', 'ї', 'є', 'ґ', 'ў', 'ј', 'љ', 'њ', 'ћ', 'ђ', 'ѓ', 'ќ', 'ѕ', 'џ',
		'ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'җ':
		return notRu
	case 'ł', 'ą', 'ę', 'ś', 'ź', 'ż', 'ć', 'ń':
		return plMark
	case 'ě', 'ř', 'ů', 'š', 'č', 'ž', 'ď', 'ť', 'ň', 'ľ', 'ĺ', 'ŕ', 'ő', 'ű', 'ė', 'į', 'ų', 'ū',
		'ș', 'ț', 'ş', 'ţ', 'ă', 'ğ', 'ı', 'å', 'ä', 'æ', 'ø':
		return notPl
	}
	return -1
}

// letterHint names the language the marked letters point to, "" if none:
// Russian for Cyrillic text with ы, э or ё, or long enough to miss them,
// and none of the letters of other Cyrillic alphabets (Ukrainian's і is
// in nearly every sentence); Polish for two of ł, ą, ę, ś, ź, ż, ć, ń
// without the letters of other Latin alphabets.
func (v *langVote) letterHint() string {
	switch {
	case v.cyrillic*2 > v.latin+v.nonLatin && v.letters[notRu] == 0 &&
		(v.letters[ruMark] > 0 || v.cyrillic >= 30):
		return "ru"
	case v.letters[plMark] >= 2 && v.letters[notPl] == 0:
		return "pl"
	}
	return ""
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
				v.vote(set)
			}
		} else if n < 0 {
			v.words++
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
			if unicode.Is(unicode.Cyrillic, r) {
				v.cyrillic++
			}
		}
		if n < 0 {
			continue
		}
		r = unicode.ToLower(r)
		if r > 0xe0 {
			if c := letterClass(r); c >= 0 {
				v.letters[c]++
			}
		}
		if n+utf8.RuneLen(r) > len(buf) {
			n = -1
			continue
		}
		n += utf8.EncodeRune(buf[n:], r)
	}
	flush()
}

// vote counts a stopword of the languages in set.
func (v *langVote) vote(set langSet) {
	w := shareUnit / bits.OnesCount32(uint32(set))
	others := ^set & (1<<detectLangs - 1)
	for s := uint32(set); s != 0; s &= s - 1 {
		i := bits.TrailingZeros32(s)
		v.score[i] += w
		v.hits[i]++
		for o := uint32(others); o != 0; o &= o - 1 {
			v.only[i][bits.TrailingZeros32(o)]++
		}
	}
}

// decide returns the winner of the vote, if it is clear.
func (v *langVote) decide() (string, bool) {
	if v.nonLatin > v.latin || v.words == 0 {
		return "", false
	}
	best := 0
	for i := range v.score {
		if v.score[i] > v.score[best] {
			best = i
		}
	}
	if v.hits[best] < minVoteHits || float64(v.hits[best]) < minVoteShare*float64(v.words) {
		return "", false
	}
	for j := range v.only {
		if a, b := v.only[best][j], v.only[j][best]; j != best && (a < minVoteMargin || float64(a) < voteRatio*float64(b)) {
			return "", false
		}
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
// other scripts, other languages and weak votes go to whatlanggo, and
// what it is unsure of to a few telltale letters.
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
	if code := info.Lang.Iso6391(); info.Confidence >= 0.3 && code != "" {
		return code
	}
	if hint := v.letterHint(); hint != "" {
		return hint
	}
	return "und"
}

// normalizeLangTag reduces a declared language ("fr-FR", "fr_FR", "FR") to
// its primary subtag; "" if it is not a plausible tag.
func normalizeLangTag(s string) string {
	s = article.PrimaryLanguage(strings.TrimSpace(s))
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
