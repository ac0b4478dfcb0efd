package normalize

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// cleanLine applies text hygiene to one line: NFC, no control or invisible
// characters (zero-width, soft hyphen, BOM, bidi marks), all spaces
// collapsed to one ASCII space. Typographic quotes and dashes are kept.
func cleanLine(s string) string {
	clean, nfc := isClean(s)
	nfc = nfc || norm.NFC.QuickSpanString(s) == len(s) // most text is NFC already
	if clean && nfc {
		return s // most lines end here, with no copy
	}
	if !nfc {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if r <= ' ' || r == 0x7f { // ASCII spaces and controls
				space = b.Len() > 0
				continue
			}
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case unicode.Is(unicode.Cf, r):
			// Format characters are invisible; U+00AD soft hyphen is Cf too.
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lower is strings.ToLower, quicker on text that is mostly ASCII: it calls
// unicode.ToLower only for the other runes, where strings.ToLower calls it
// through a function value for every rune of a non-ASCII string.
func lower(s string) string {
	i := 0 // s[:i] is lowercase already
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || unicode.ToLower(r) != r {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + utf8.UTFMax)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// hasColumns reports whether a raw line has three or more runs of three
// spaces or more (NBSP included): a menu or ticker laid out in columns.
func hasColumns(raw string) bool {
	raw = strings.TrimSpace(raw)
	gaps, run := 0, 0
	for i := 0; i < len(raw); {
		c, size, space := raw[i], 1, false
		if c < utf8.RuneSelf {
			space = c == ' ' || '\t' <= c && c <= '\r'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(raw[i:])
			space = unicode.IsSpace(r)
		}
		i += size
		if space {
			if run++; run == 3 {
				if gaps++; gaps == 3 {
					return true
				}
			}
		} else {
			run = 0
		}
	}
	return false
}

// markerKey reduces a line to lowercase letters, digits, apostrophes and
// single spaces, for whole-line boilerplate matching.
func markerKey(s string) string {
	var b strings.Builder // one allocation: String does not copy
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
		case r < utf8.RuneSelf && 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r == '\'' || r == '’':
			b.WriteByte('\'')
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// boilerplateLines are whole-line boilerplate markers (compared after
// markerKey), in the languages crier sees most.
var boilerplateLines = map[string]bool{
	"publicité": true, "publicite": true, "pub": true, "advertisement": true, "advertising": true,
	"ad": true, "sponsored": true, "anzeige": true, "werbung": true, "publicidad": true,
	"pubblicità": true, "annonce": true, "contenu sponsorisé": true, "sponsored content": true,
	"partager": true, "partagez": true, "share": true, "teilen": true, "compartir": true,
	"condividi": true, "tweet": true, "imprimer": true, "print": true, "drucken": true,
	"email": true, "e mail": true, "facebook": true, "twitter": true, "whatsapp": true, "linkedin": true,
	"lire la suite": true, "weiterlesen": true, "leer más": true,
	"getty images": true, "images": true, "photo": true, "foto": true, "video": true, "vidéo": true,
	"menu": true, "accueil": true, "home": true, "startseite": true, "inicio": true,
	"fermer": true, "close": true, "schließen": true, "cerrar": true, "chiudi": true,
	"s'abonner": true, "abonnez vous": true, "subscribe": true, "abonnieren": true, "suscríbete": true,
}

// boilerplatePrefixes mark short lines (UI glued together, form prompts).
var boilerplatePrefixes = []string{
	"partager cet article", "partager sur", "share this", "share on", "diesen artikel teilen",
	"compartir en", "condividi su", "copier/coller", "copy to clipboard", "copy link",
	"s'il vous plaît entrez", "s'il vous plait entrez", "please enter", "bitte geben sie",
	"merci d'avoir signalé", "signaler", "report this", "thank you for reporting",
	"cliquez ici", "click here", "klicken sie hier", "haga clic", "clicca qui",
	"abonnez-vous", "inscrivez-vous", "subscribe to", "sign up", "newsletter",
	"accepter les cookies", "accept cookies", "nous utilisons des cookies", "we use cookies",
	"votre adresse e-mail", "your email address", "ihre e-mail",
	"lire l'article depuis sa source", "lire l’article depuis sa source",
}

// boilerplateContains mark short lines wherever they occur in them.
var boilerplateContains = []string{
	"captcha", "copy to clipboard", "lire l'article depuis sa source", "lire l’article depuis sa source",
	"read the original article", "javascript", "cookie", "automatiquement bloquée",
	"tous droits réservés", "all rights reserved", "alle rechte vorbehalten", "todos los derechos reservados",
	"tutti i diritti riservati",
}

// endMarkers close the article: comment forms and most-read lists.
var endMarkers = map[string]bool{
	"laisser un commentaire": true, "laissez un commentaire": true, "commentaires": true,
	"réagir": true, "leave a comment": true, "leave a reply": true, "comments": true,
	"kommentare": true, "kommentar schreiben": true, "deja un comentario": true, "comentarios": true,
	"lascia un commento": true, "commenti": true, "vos commentaires": true,
	"les plus lus": true, "les plus populaires": true, "most read": true, "most popular": true,
	"meistgelesen": true, "lo más leído": true, "i più letti": true, "nos derniers articles": true,
}

// relatedMarkers open a list of related headlines, at the end of the
// article or boxed inside it: the headlines after them are dropped, but
// the article goes on if paragraphs follow.
var relatedMarkers = map[string]bool{
	"lire aussi": true, "à lire aussi": true, "a lire aussi": true, "à découvrir également": true,
	"a découvrir également": true, "à découvrir aussi": true, "sur le même sujet": true,
	"dans la même rubrique": true, "articles similaires": true, "articles liés": true,
	"related articles": true, "related stories": true, "more stories": true, "you may also like": true,
	"read more": true, "read also": true, "mehr zum thema": true, "das könnte sie auch interessieren": true,
	"lesen sie auch": true, "auch interessant": true, "noticias relacionadas": true, "te puede interesar": true,
	"le puede interesar": true, "lea también": true, "lee también": true, "nota relacionada": true,
	"potrebbe interessarti": true, "articoli correlati": true, "leggi anche": true, "leia também": true,
	"veja também": true, "lees ook": true, "zie ook": true, "czytaj także": true, "czytaj też": true,
}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isBoilerplateKey reports whether a cleaned line, whose markerKey is key
// and lowercase form low, is a known boilerplate marker.
func isBoilerplateKey(low, key string) bool {
	if key == "" {
		return true
	}
	if boilerplateLines[key] || endMarkers[key] || relatedMarkers[key] {
		return true
	}
	if len(low) > 4*160 || utf8.RuneCountInString(low) > 160 {
		return false
	}
	if hasAnyPrefix(low, boilerplatePrefixes) {
		return true
	}
	for _, c := range boilerplateContains {
		if strings.Contains(low, c) {
			return true
		}
	}
	return false
}

// consentWords appear in cookie and privacy notices beside "cookie".
var consentWords = []string{
	"accept", "consent", "privacy", "navigat", "données", "vie privée", "datenschutz", "zustimm",
	"einwillig", "akzept", "acept", "privacidad", "consenso", "navegación", "prywatno",
	"zgod", "toestemming", "témoins",
}

// isConsent reports whether a line is a cookie or privacy notice, which
// reads like prose but is boilerplate.
func isConsent(line string) bool {
	if !strings.Contains(line, "ookie") && !strings.Contains(line, "OOKIE") && !strings.Contains(line, "émoins") {
		return false
	}
	low := strings.ToLower(line)
	if !strings.Contains(low, "cookie") && !strings.Contains(low, "témoins de navigation") {
		return false
	}
	for _, w := range consentWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// creditPrefixes start a credit line ("Photo: AFP"), compared lowercased.
var creditPrefixes = []string{"photo", "foto", "image", "crédit", "credit", "bild", "illustration", "source"}

// isCreditPrefix reports whether a line is a picture credit: "Photo: X",
// "Crédit : X", or any line with a © sign.
func isCreditPrefix(line string) bool {
	if strings.Contains(line, "©") {
		return true
	}
	head := lower(line[:min(len(line), 16)])
	for _, p := range creditPrefixes {
		if rest, ok := strings.CutPrefix(head, p); ok && strings.HasPrefix(strings.TrimLeft(rest, " "), ":") {
			return true
		}
	}
	return false
}

// labelledCredit is a picture's credit in brackets at the end of its
// caption: "(Bild: Kirsty Wigglesworth / AP)", "(Credit: NASA)".
var labelledCredit = regexp.MustCompile(`(?i)\(\s*(?:bild|bilder|foto|fotos|photo|photos|photograph|picture|image|credit|crédit|crédito)\s*:\s*[^()]{2,80}\)\s*$`)

// labelledCreditAt returns where a caption's credit in brackets starts
// (0 when the line is the credit alone), and whether the line ends in one.
func labelledCreditAt(line string) (int, bool) {
	if !strings.HasSuffix(line, ")") {
		return 0, false
	}
	loc := labelledCredit.FindStringIndex(line)
	if loc == nil {
		return 0, false
	}
	return loc[0], true
}

// captionCreditAt returns where the credit of a caption starts, the
// caption ending with a sentence and the credit in capitals ("… des
// coupures de courant. IMAGES"), or 0.
func captionCreditAt(line string) int {
	// Walk back over the capitals, spaces and / . & - of the credit.
	i, letters := len(line), 0
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(line[:i])
		if unicode.IsUpper(r) {
			letters++
		} else if !strings.ContainsRune("/ .&-", r) {
			break
		}
		i -= size
	}
	// The credit is the capitals after the sentence's end: a full stop
	// (which the walk took in) or a closing mark, then a space.
	start, ended := i, false
	for start < len(line) {
		r, size := utf8.DecodeRuneInString(line[start:])
		if unicode.IsUpper(r) {
			break
		}
		ended = ended || strings.ContainsRune(".!?", r)
		start += size
	}
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(line[:i])
		ended = ended || strings.ContainsRune("!?…»\"”", r)
	}
	if letters < 3 || start >= len(line) || !ended || start == 0 || line[start-1] != ' ' {
		return 0
	}
	return start
}

// sentenceBreaks counts the ends of sentences inside s: a full stop,
// question or exclamation mark, closing quotes, a space and a capital
// (opening quotes allowed).
func sentenceBreaks(s string) int {
	n := 0
	for i := 0; i < len(s); {
		// Bytes, not runes: a stop is ASCII or begins with 0xE2, which
		// no other rune has inside it.
		switch c := s[i]; {
		case c == '.' || c == '!' || c == '?':
			i++
		case c == 0xE2 && strings.HasPrefix(s[i:], "…"):
			i += len("…")
		default:
			i++
			continue
		}
		j := i
		for j < len(s) {
			q, qs := utf8.DecodeRuneInString(s[j:])
			if !strings.ContainsRune(`»"”’)`, q) {
				break
			}
			j += qs
		}
		if j >= len(s) || !unicode.IsSpace(rune(s[j])) {
			continue
		}
		for j < len(s) && unicode.IsSpace(rune(s[j])) {
			j++
		}
		q, qs := utf8.DecodeRuneInString(s[j:])
		if strings.ContainsRune(`«"“`, q) {
			q, _ = utf8.DecodeRuneInString(s[j+qs:])
		}
		if unicode.IsUpper(q) {
			n++
		}
	}
	return n
}

// isClean reports whether cleanLine would leave s as it is, NFC aside:
// no control, format or non-ASCII space character, single ASCII spaces
// between words, none at either end, valid UTF-8. nfc is true when every
// rune is one NFC leaves alone wherever it stands (nfcStable), so s is NFC
// without asking the norm package; false says nothing.
func isClean(s string) (clean, nfc bool) {
	space, nfc := true, true // a leading space is not clean
	for _, r := range s {
		if r < utf8.RuneSelf {
			switch {
			case r == ' ':
				if space {
					return false, false
				}
				space = true
			case r < 0x20 || r == 0x7f:
				return false, false
			default:
				space = false
			}
			continue
		}
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false, false
		}
		nfc = nfc && nfcStable(r)
		space = false
	}
	return !space || s == "", nfc
}

// nfcStable reports whether r is NFC_Quick_Check=Yes with combining class
// 0, so a string made only of such runes is NFC: Latin, IPA and spacing
// modifiers below the combining diacritics (U+0300), and the common
// punctuation of U+2010 to U+2027 (dashes, quotes, bullet, ellipsis).
func nfcStable(r rune) bool {
	return r < 0x300 || 0x2010 <= r && r <= 0x2027
}
