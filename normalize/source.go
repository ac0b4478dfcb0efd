package normalize

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// copyrightLine: a footer's copyright notice, where scraped pages name
	// their publisher ("© 2020 The New York Times Company", "Tous droits
	// réservés © Société Radio-Canada 2020").
	copyrightLine = regexp.MustCompile(`(?i)^(?:(?:tous droits réservés|all rights reserved|alle rechte vorbehalten|derechos reservados|todos los derechos reservados|tutti i diritti riservati)\s*)?(?:©|\(c\)|copyright)\s*(.*)$`)
	// copyrightNoise: what surrounds the name in such a notice.
	copyrightNoise = regexp.MustCompile(`(?i)^(?:[©\s,.:–—-]|copyright|\d{4}(?:\s*[-–]\s*(?:\d{4})?)?)+`)
	// corporate words that are not part of a publication's name.
	corporatePrefix = regexp.MustCompile(`(?i)^(?:société|sociedad|c\.a\.|s\.a\.)\s+`)
	corporate       = regexp.MustCompile(`(?i)(?:\s+(?:newspapers|publishing|media|company|co\.?|ltd\.?|limited|inc\.?|llc|gmbh|ag|s\.a\.?|s\.l\.?|sas|srl|spa)\b\.?)+$`)
	// founders: a firm named after them ("Bennett, Coleman & Co. Ltd."),
	// whose first comma does not end its name.
	founders = regexp.MustCompile(`^[^,]+,\s*\p{Lu}\p{L}+\s*(?:&|and)\s*(?:Co\b|Company|Sons)`)
)

// copyrightSource returns the publication named by a copyright notice
// line, or "".
func copyrightSource(line string) string {
	m := copyrightLine.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	s := copyrightNoise.ReplaceAllString(m[1], "")
	s = corporatePrefix.ReplaceAllString(s, "")
	if founders.MatchString(s) {
		return "" // a firm named after its founders owns the paper; a part of its name is no source
	}
	// The name ends where the notice goes on: a comma, a full stop and a
	// space, a bar, a year, "All rights reserved".
	for _, sep := range []string{",", ". ", "|", " – ", " - ", "all rights", "tous droits", "alle rechte", "derechos", "todos los"} {
		if i := strings.Index(strings.ToLower(s), sep); i > 0 {
			s = s[:i]
		}
	}
	f := strings.Fields(s)
	for i, w := range f {
		if strings.ContainsAny(w, "0123456789") {
			f = f[:i]
			break
		}
	}
	if n := len(f); n > 1 && len(f[n-1]) <= 4 && strings.ToUpper(f[n-1]) == f[n-1] {
		f = f[:n-1] // a registration label ("RIF")
	}
	s = strings.Join(f, " ")
	if i := strings.LastIndex(s, " / "); i >= 0 {
		s = s[i+3:] // "ARD-aktuell / tagesschau.de": the site
	}
	s = strings.TrimSpace(corporate.ReplaceAllString(strings.TrimRight(s, " ."), ""))
	if n := len(strings.Fields(s)); n == 0 || n > 5 || !plausibleSource(s) {
		return ""
	}
	return s
}

// Bounds of a publication's name: "Oberösterreichisches Volksblatt",
// "One America News Network", "Folha de S.Paulo" fit well within them.
const (
	maxSourceRunes = 60
	maxSourceWords = 6
)

// pageWords are the words of page furniture and publishing software that
// scraping takes for a publication's name when they stand alone
// ("Home", "News", "Photo", "Admin"); with a distinctive word they are
// part of one ("BBC News").
var pageWords = setOf(`
	home homepage accueil startseite inicio início portada news nachrichten actualités
	actualites noticias notícias notizie nieuws photo photos foto fotos video videos vidéo
	vidéos image images bild bilder menu search recherche suche login subscribe share more
	top latest breaking live blog contact about copyright unknown none null undefined
	untitled sans titre author auteur autor`)

// plausibleSource reports whether s can name a publication: a host name
// ("actu.fr"), or a name of at most maxSourceWords words and
// maxSourceRunes runes with at least one distinctive word, that is a word
// of two letters or more that is no number, month or weekday name (in
// any of many languages: "Maret" is Indonesian for March), stopword,
// desk or page word ("Rédaction", "Staff", "Home").
func plausibleSource(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > maxSourceRunes || len(strings.Fields(s)) > maxSourceWords {
		return false
	}
	if domainName.MatchString(s) {
		return true
	}
	for _, w := range words(s) {
		if utf8.RuneCountInString(w) >= 2 && !isNumber(w) && !isCalendarWord(w) && !isAnyStopword(w) &&
			!staffWords[w] && !pageWords[w] && !roleWords[w] {
			return true
		}
	}
	return false
}

// isNumber reports whether w is made of digits, with separators such as
// "-" (words keeps them).
func isNumber(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) && r != '-' }) < 0
}
