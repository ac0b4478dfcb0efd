package normalize

import (
	"strings"
	"unicode"

	"github.com/RadhiFadlillah/whatlanggo"
)

// stopwords is a small merged French/English/German/Spanish/Italian
// stoplist; its density tells running prose from menus and headlines.
var stopwords = func() map[string]bool {
	const list = `
a à au aux avec ce ces cet cette d dans de des du elle en et est il ils je l la le les leur lui m mais me même n ne nous on ou où par pas pour qu que qui s sa se ses si son sont sur t ta te tout tous un une vous y été être a ont avait était c j aussi plus comme après selon lors entre depuis sans
the of and to in is was it for on that with as at by from this be are were has have had not but or an he she they his her its their which who will would been also than after about into more said
der die das und ist im in den dem des ein eine einer eines zu mit von auf für sich nicht auch es als an bei nach wie aus er sie wir hat war wird werden sind oder noch am zum zur dass um
el la los las y en de del que un una por con para es se no al lo su sus como más pero fue ha han este esta entre sobre también
il lo la gli le di da in con su per tra fra un una uno è e che non si del della dei delle al alla nel nella sono ha come anche più ma`
	m := make(map[string]bool)
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}()

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

// stopDensity is the share of stopwords among the words of s.
func stopDensity(ws []string) float64 {
	if len(ws) == 0 {
		return 0
	}
	n := 0
	for _, w := range ws {
		if stopwords[w] {
			n++
		}
	}
	return float64(n) / float64(len(ws))
}

// detectLangs restricts whatlanggo to common languages: on short news text
// the full set confuses close languages.
var detectLangs = map[whatlanggo.Lang]bool{
	whatlanggo.Fra: true, whatlanggo.Eng: true, whatlanggo.Deu: true, whatlanggo.Spa: true,
	whatlanggo.Ita: true, whatlanggo.Por: true, whatlanggo.Nld: true, whatlanggo.Rus: true,
	whatlanggo.Ukr: true, whatlanggo.Pol: true, whatlanggo.Tur: true, whatlanggo.Arb: true,
	whatlanggo.Cmn: true, whatlanggo.Jpn: true, whatlanggo.Kor: true, whatlanggo.Swe: true,
	whatlanggo.Dan: true, whatlanggo.Nob: true, whatlanggo.Fin: true, whatlanggo.Ces: true,
	whatlanggo.Ron: true, whatlanggo.Hun: true, whatlanggo.Ell: true, whatlanggo.Hin: true,
}

// detectLanguage returns the BCP 47 tag of text, "und" when unsure.
func detectLanguage(text string) string {
	// A couple of thousand characters decide as well as the whole text.
	if len(text) > 2500 {
		text = strings.ToValidUTF8(text[:2500], "")
	}
	if len(words(text)) < 3 {
		return "und"
	}
	info := whatlanggo.DetectWithOptions(text, whatlanggo.Options{Whitelist: detectLangs})
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
