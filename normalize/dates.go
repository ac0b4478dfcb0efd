package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// months maps month names and abbreviations (en, fr, de, es, it, pt, nl),
// lowercase and without the abbreviation's dot, to numbers. It is never
// written to.
var months = map[string]time.Month{
	"january": 1, "jan": 1, "janvier": 1, "janv": 1, "januar": 1, "jänner": 1, "enero": 1, "ene": 1, "gennaio": 1, "gen": 1, "janeiro": 1, "januari": 1,
	"february": 2, "feb": 2, "febr": 2, "février": 2, "fevrier": 2, "févr": 2, "fév": 2, "fev": 2, "februar": 2, "febrero": 2, "febbraio": 2, "fevereiro": 2, "februari": 2,
	"march": 3, "mar": 3, "mars": 3, "märz": 3, "marzo": 3, "março": 3, "marco": 3, "maart": 3, "mrt": 3,
	"april": 4, "apr": 4, "avril": 4, "avr": 4, "abril": 4, "abr": 4, "aprile": 4,
	"may": 5, "mai": 5, "mayo": 5, "maggio": 5, "mag": 5, "maio": 5, "mei": 5,
	"june": 6, "jun": 6, "juin": 6, "juni": 6, "junio": 6, "giugno": 6, "giu": 6, "junho": 6,
	"july": 7, "jul": 7, "juillet": 7, "juil": 7, "juli": 7, "julio": 7, "luglio": 7, "lug": 7, "julho": 7,
	"august": 8, "aug": 8, "août": 8, "aout": 8, "agosto": 8, "ago": 8, "augustus": 8,
	"september": 9, "sep": 9, "sept": 9, "septembre": 9, "septiembre": 9, "setiembre": 9, "settembre": 9, "sett": 9, "set": 9, "setembro": 9,
	"october": 10, "oct": 10, "octobre": 10, "oktober": 10, "okt": 10, "octubre": 10, "ottobre": 10, "ott": 10, "outubro": 10, "out": 10,
	"november": 11, "nov": 11, "novembre": 11, "noviembre": 11, "novembro": 11,
	"december": 12, "dec": 12, "décembre": 12, "decembre": 12, "déc": 12, "dezember": 12, "dez": 12, "diciembre": 12, "dic": 12, "dicembre": 12, "dezembro": 12,
}

// isCalendarWord reports whether w (lowercase) is a month or weekday name
// or abbreviation: those of months and calendarWords (keywords.go), and
// otherCalendarWords. No publication is called one, so a source candidate
// that is one is a scrap of a date.
func isCalendarWord(w string) bool {
	_, month := months[w]
	return month || calendarWords[w] || otherCalendarWords[w]
}

// otherCalendarWords are month and weekday names of languages news pages
// crier sees are written in beyond the stopLangs (id, pl, cs, tr, ru, uk,
// ro, hu, hr, sv, da, no, fi, ca), and weekday abbreviations.
var otherCalendarWords = setOf(`
	maret agustus desember agu agt okt des
	styczeń stycznia luty lutego marzec marca kwiecień kwietnia maj maja czerwiec czerwca
	lipiec lipca sierpień sierpnia wrzesień września październik października listopad
	listopada grudzień grudnia sty lut kwi cze lip sie wrz paź lis gru
	leden ledna únor února březen března duben dubna květen května červen června červenec
	července srpen srpna září říjen října listopadu prosinec prosince
	ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık
	январь января февраль февраля март марта апрель апреля май мая июнь июня июль июля
	август августа сентябрь сентября октябрь октября ноябрь ноября декабрь декабря
	січень січня лютий лютого березень березня квітень квітня травень травня червень
	червня липень липня серпень серпня вересень вересня жовтень жовтня листопада грудень грудня
	ianuarie februarie martie aprilie iunie iulie septembrie octombrie noiembrie decembrie
	január február március április május június július augusztus szeptember október
	siječanj veljača ožujak travanj svibanj lipanj srpanj kolovoz rujan studeni prosinac
	augusti desember
	tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu
	marraskuu joulukuu
	gener febrer març maig juny juliol agost setembre novembre desembre
	mon tue tues wed thu thurs fri sat sun lun mer jeu ven sam dim
	miercoles sabado lunedi martedi mercoledi giovedi venerdi terca-feira segunda terça quarta quinta sexta
	senin selasa rabu kamis jumat sabtu minggu
	poniedziałek wtorek środa czwartek piątek sobota niedziela
	pondělí úterý středa čtvrtek pátek neděle
	pazartesi salı çarşamba perşembe cuma cumartesi pazar
	понедельник вторник среда четверг пятница суббота воскресенье
	понеділок вівторок середа четвер п'ятниця субота неділя
	måndag tisdag onsdag torsdag fredag lördag söndag mandag tirsdag lørdag søndag
	maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai
`)

// The regexps below only find the date, and only in a short window that
// ends with the year (or the relative marker word) dateScan found: the
// regexps never run over a whole line. The time of day and the zone that
// may follow the date are read by parseClock, by hand. Boundaries (no
// digit or letter glued to the date) are checked in code against the
// whole line.
var (
	// 19.12.2022, 19/12/2022, 21 - 12 - 2022, 12/19/2022.
	numDate = regexp.MustCompile(`(\d{1,2})\s*([./-])\s*(\d{1,2})\s*([./-])\s*(\d{4})$`)
	// 19 décembre 2022, 1er janvier 2023, 19. Dezember 2022,
	// 19 de diciembre de 2022, 19-Dec-2022, Mon, 19 Dec 2022 (RFC 1123).
	dayMonthDate = regexp.MustCompile(`(?i)(\d{1,2})(?:er|re|e|º|ª|°|o|st|nd|rd|th|\.)?(?:\s+|\s*[-/]\s*)(?:(?:de|of)\s+)?(\p{L}{3,10})\.?(?:\s*,\s*|\s+|\s*[-/]\s*)(?:(?:de|del)\s+)?(\d{4})$`)
	// December 19, 2022; Dec. 19, 2022; Sept 5th 2022.
	monthDayDate = regexp.MustCompile(`(?i)(\p{L}{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4})$`)
	// RFC 822 and RFC 850 with a two-digit year, before the time that
	// must follow: 19 Dec 22 20:53 GMT, 19-Dec-22 20:53:00 GMT.
	rfc822Date = regexp.MustCompile(`(?i)(\d{1,2})[ -](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[ -](\d{2})$`)

	// 2 hours ago, 3 ore fa, 2 uur geleden, an hour ago, un'ora fa.
	agoAfter = regexp.MustCompile(`(?i)\b(\d{1,3}|an?|one|un'|una?|uma?|een)\s*` + relUnit + `\.?\s+(?:ago|geleden|fa|atrás)$`)
	// il y a 3 heures, vor 2 Stunden, hace 5 horas, há 2 horas.
	agoBefore = regexp.MustCompile(`(?i)^(?:il y a|vor|hace|há)\s+(\d{1,3}|une?|einer|einem|una?|uma?|an?|one)\s*` + relUnit + `\b`)
)

// relUnit is the unit of a relative date, seconds to weeks; months and
// years are too vague to date an article.
const relUnit = `(seconds?|secs?|s|secondes?|sekunden?|sek|segundos?|secondi|seconden|minutes?|mins?|m|minuten?|minutos?|minuti|minuut|hours?|hrs?|h|heures?|stunden?|std|horas?|ora|ore|uur|u|days?|d|jours?|j|tagen?|días?|dias?|giorni|giorno|dagen|dag|weeks?|w|semaines?|wochen?|semanas?|settimane|settimana|weken)`

// findDate returns the first date written in s. A date with a known zone
// is returned in a time.FixedZone with that offset (never time.UTC, even
// for "GMT" or "Z"); without a zone it is the wall-clock time in time.UTC,
// which the caller treats as zone-unknown. Relative dates ("2 hours ago",
// "hier à 14h30") are relative to now, the page's fetch time.
func findDate(s string, now time.Time) (time.Time, bool) {
	t, _, ok := findDateZone(s, now)
	return t, ok
}

// dateHit is one date found in a line, at byte offset at.
type dateHit struct {
	at        int
	t         time.Time
	zoneKnown bool
	clock     bool // a time of day was read, not only a day
}

// floating reports whether the date is a wall-clock time whose zone the
// text did not say: a zone inferred from elsewhere may place it.
func (h dateHit) floating() bool { return h.clock && !h.zoneKnown }

// findDateHit is findDate returning what was read: the zone, the time of
// day.
func findDateHit(s string, now time.Time) (dateHit, bool) { return dateScan(s, now) }

// findDateZone is findDate that also says whether the zone was known: from
// the text (offset or abbreviation), or because the date is an instant
// relative to now ("2 hours ago").
//
// Only full dates count: day, month and year; ISO dates; RFC 822 dates;
// relative dates. A year alone, a time alone, a range (2022-2023) or a
// number with a year-like run of digits is not a date. Dates before 1990 or
// after now plus two days are rejected. A numeric date such as 01/02/2023
// is read day first unless a North American zone (ET, EST, PT...) follows
// it; 12/19/2022 (second number over 12) is read month first.
func findDateZone(s string, now time.Time) (t time.Time, zoneKnown, ok bool) {
	h, ok := dateScan(s, now)
	if !ok {
		return time.Time{}, false, false
	}
	return h.t, h.zoneKnown, true
}

// maxRelativeLine is the longest line searched for relative dates: they
// stand in short date and byline lines, and the word scan costs.
const maxRelativeLine = 200

// dateScan is the cheap byte-level pass that findDate makes over every
// line, most of which have no date. It stops at anchors, a run of exactly
// four digits (a year), a clock time after a two-digit year (RFC 822) or,
// in short lines, a marker word of a relative date (ago, vor, hier...),
// and tries there the forms that end or start at the anchor. It returns the
// first date found, in the order of the anchors.
func dateScan(s string, now time.Time) (dateHit, bool) {
	words := len(s) <= maxRelativeLine
	start := -1 // of the current word
	for i := 0; i < len(s); {
		b := s[i]
		if b-'0' > 9 {
			if words {
				if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80 {
					if start < 0 {
						start = i
					}
				} else if start >= 0 {
					if n := i - start; n >= 2 && n <= 13 && relativeInitial(s[start]) {
						if h, ok := relativeAt(s, start, i, now); ok {
							return h, true
						}
					}
					start = -1
				}
			}
			i++
			continue
		}
		if start >= 0 { // a digit ends a word
			if n := i - start; words && n >= 2 && n <= 13 && relativeInitial(s[start]) {
				if h, ok := relativeAt(s, start, i, now); ok {
					return h, true
				}
			}
			start = -1
		}
		j := i + 1
		for j < len(s) && s[j]-'0' <= 9 {
			j++
		}
		switch {
		case j-i == 4:
			if h, ok := yearDate(s, i, now); ok {
				return h, true
			}
		case j-i == 2 && i >= 4 && s[i-1] == ':' && isDigit(s[i-2]):
			if h, ok := rfc822At(s, i-2, now); ok {
				return h, true
			}
		}
		i = j
	}
	if words && start >= 0 && len(s)-start >= 2 && len(s)-start <= 13 {
		return relativeAt(s, start, len(s), now)
	}
	return dateHit{}, false
}

// relativeInitial reports whether a word starting with b may mark a
// relative date, to skip most words without lowercasing them.
func relativeInitial(b byte) bool {
	switch b | 0x20 {
	case 'a', 'e', 'f', 'g', 'h', 'i', 'o', 't', 'v', 'y':
		return true
	}
	return false
}

// window returns the start of the text, at most n bytes before end, in
// which a date ending at end is looked for; it starts after a space so
// that no word is cut.
func window(s string, end, n int) int {
	if end <= n {
		return 0
	}
	lo := end - n
	for lo < end && s[lo-1] != ' ' {
		lo++
	}
	return lo
}

// matchIn matches re, anchored at the end, in s[lo:hi] and returns the
// submatch indexes relative to s.
func matchIn(re *regexp.Regexp, s string, lo, hi int) []int {
	m := re.FindStringSubmatchIndex(s[lo:hi])
	for i := range m {
		if m[i] >= 0 {
			m[i] += lo
		}
	}
	return m
}

// yearDate tries the dates whose year is the four digits at p: ISO dates
// start there, numeric and month-name dates end there.
func yearDate(s string, p int, now time.Time) (dateHit, bool) {
	if h, ok := isoAt(s, p); ok {
		return h, plausibleYear(h.t, now)
	}
	k := p
	for k > 0 && (s[k-1] == ' ' || s[k-1] == ',') {
		k--
	}
	if k == 0 {
		return dateHit{}, false
	}
	lo := window(s, p, 40)
	var h dateHit
	var ok bool
	switch c := s[k-1]; {
	case c == '.' || c == '/' || c == '-':
		if h, ok = numHit(s, matchIn(numDate, s, lo, p+4)); !ok && k >= 2 && !isDigit(s[k-2]) {
			h, ok = nameHit(s, matchIn(dayMonthDate, s, lo, p+4), 4, 2, 6) // 19 déc. 2022, 19-Dec-2022
		}
	case isDigit(c):
		h, ok = nameHit(s, matchIn(monthDayDate, s, lo, p+4), 2, 4, 6)
	default:
		if h, ok = nameHit(s, matchIn(dayMonthDate, s, lo, p+4), 4, 2, 6); !ok {
			h, ok = nameHit(s, matchIn(monthDayDate, s, lo, p+4), 2, 4, 6) // Dec 19th, 2022
		}
	}
	return h, ok && plausibleYear(h.t, now)
}

// isoAt reads 2022-12-19 (or 2022/12/19) at p and the time after it.
func isoAt(s string, p int) (dateHit, bool) {
	if p+10 > len(s) || !strings.ContainsRune("-/.", rune(s[p+4])) || s[p+7] != s[p+4] ||
		!twoDigitsAt(s, p+5) || !twoDigitsAt(s, p+8) || gluedBefore(s, p) || (p+10 < len(s) && isDigit(s[p+10])) {
		return dateHit{}, false
	}
	c := parseClock(s[p+10:], tailISO)
	t, known, ok := mkTime(atoi(s[p:p+4]), atoi(s[p+5:p+7]), atoi(s[p+8:p+10]), c)
	return dateHit{p, t, known, c.ok}, ok
}

func numHit(s string, m []int) (dateHit, bool) {
	if m == nil {
		return dateHit{}, false
	}
	sep := s[m[4]]
	if sep != s[m[8]] || gluedBefore(s, m[2]) || gluedAfter(s, m[1]) || versionBefore(s[:m[2]]) {
		return dateHit{}, false
	}
	a, b := atoi(s[m[2]:m[3]]), atoi(s[m[6]:m[7]])
	c := parseClock(s[m[1]:], tailLoose)
	day, month := a, b
	// Day first, as in European news, unless the numbers or a North
	// American zone say otherwise; dotted dates are never month first.
	if a <= 12 && (b > 12 || (sep != '.' && c.zone.us)) {
		day, month = b, a
	}
	t, known, ok := mkTime(atoi(s[m[10]:m[11]]), month, day, c)
	return dateHit{m[2], t, known, c.ok}, ok
}

// nameHit reads a date with a month name; mi, di and yi are the indexes in
// m of the month, day and year groups.
func nameHit(s string, m []int, mi, di, yi int) (dateHit, bool) {
	if m == nil || gluedBefore(s, m[0]) || gluedAfter(s, m[1]) {
		return dateHit{}, false
	}
	month, found := months[strings.ToLower(s[m[mi]:m[mi+1]])]
	if !found {
		return dateHit{}, false
	}
	c := parseClock(s[m[1]:], tailLoose)
	t, known, ok := mkTime(atoi(s[m[yi]:m[yi+1]]), int(month), atoi(s[m[di]:m[di+1]]), c)
	return dateHit{m[0], t, known, c.ok}, ok
}

// rfc822At reads an RFC 822 date with a two-digit year before the clock
// time at p: "19 Dec 22 20:53 GMT".
func rfc822At(s string, p int, now time.Time) (dateHit, bool) {
	if isDigit(s[p-1]) {
		p--
	}
	if p < 4 || s[p-1] != ' ' || !isDigit(s[p-2]) {
		return dateHit{}, false
	}
	m := matchIn(rfc822Date, s, window(s, p-1, 24), p-1)
	if m == nil || gluedBefore(s, m[0]) {
		return dateHit{}, false
	}
	c := parseClock(s[m[1]:], tailStrict)
	if !c.ok {
		return dateHit{}, false
	}
	y := atoi(s[m[6]:m[7]])
	if y < 90 {
		y += 2000
	} else {
		y += 1900
	}
	t, known, ok := mkTime(y, int(months[strings.ToLower(s[m[4]:m[5]])]), atoi(s[m[2]:m[3]]), c)
	return dateHit{m[0], t, known, true}, ok && plausibleYear(t, now)
}

// relativeAt tries the relative dates marked by the word s[i:j].
func relativeAt(s string, i, j int, now time.Time) (dateHit, bool) {
	var buf [13]byte
	for k := i; k < j; k++ {
		b := s[k]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		buf[k-i] = b
	}
	back := 0
	switch w := string(buf[:j-i]); w {
	case "ago", "geleden", "fa", "atrás":
		return agoHit(s, matchIn(agoAfter, s, window(s, i, 24), j), now)
	case "vor", "hace", "há", "il":
		return agoHit(s, matchIn(agoBefore, s, i, min(len(s), i+40)), now)
	case "yesterday", "hier", "gestern", "ayer", "ieri", "ontem", "gisteren":
		back = 1
		if k := i - len("avant-"); (w == "hier" && k >= 0 && strings.EqualFold(s[k:i], "avant-")) ||
			(w == "ieri" && k >= 0 && strings.EqualFold(s[k:i], "altro ")) {
			back, i = 2, k
		}
	case "vorgestern", "anteayer", "anteontem", "eergisteren":
		back = 2
	case "aujourd":
		if !strings.HasPrefix(s[j:], "'hui") {
			return dateHit{}, false
		}
		j += len("'hui")
	case "today", "aujourd’hui", "heute", "hoy", "oggi", "hoje", "vandaag":
	default:
		return dateHit{}, false
	}
	return dayWordHit(s, i, j, back, now)
}

// agoHit reads "2 hours ago" and its translations: an instant before now
// for seconds to hours, a calendar day (zone unknown) for days and weeks,
// where the time of day would be made up.
func agoHit(s string, m []int, now time.Time) (dateHit, bool) {
	if m == nil {
		return dateHit{}, false
	}
	n := 1
	if w := s[m[2]:m[3]]; isDigit(w[0]) {
		n = atoi(w)
	}
	unit := strings.ToLower(s[m[4]:m[5]])
	if d := unitDuration(unit); d > 0 {
		return dateHit{m[0], now.Add(-time.Duration(n) * d), true, true}, true
	}
	days := n
	if isWeekUnit(unit) {
		days *= 7
	}
	y, mo, d := now.AddDate(0, 0, -days).Date()
	return dateHit{m[0], time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), false, false}, true
}

// unitDuration is the length of a relative unit of seconds, minutes or
// hours, 0 for days and weeks.
func unitDuration(u string) time.Duration {
	switch u {
	case "s", "sec", "secs", "second", "seconds", "seconde", "secondes", "sekunde", "sekunden", "sek",
		"segundo", "segundos", "secondi", "seconden":
		return time.Second
	case "m", "min", "mins", "minute", "minutes", "minuten", "minuto", "minutos", "minuti", "minuut":
		return time.Minute
	case "h", "hr", "hrs", "hour", "hours", "heure", "heures", "stunde", "stunden", "std",
		"hora", "horas", "ora", "ore", "uur", "u":
		return time.Hour
	}
	return 0
}

func isWeekUnit(u string) bool {
	switch u {
	case "w", "week", "weeks", "semaine", "semaines", "woche", "wochen", "semana", "semanas",
		"settimana", "settimane", "weken":
		return true
	}
	return false
}

// dayWordHit reads the day word s[i:j], back days before now:
// "yesterday", "hier", "heute"... A day word counts with a time ("hier à
// 14h30", "today at 2:30 pm") or after a publication cue ("Updated
// yesterday", "Publié hier"): "hier" is also Dutch and German for "here",
// and "Heute" alone is a menu item.
func dayWordHit(s string, i, j, back int, now time.Time) (dateHit, bool) {
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); r == '\'' || r == '’' || unicode.IsLetter(r) {
			return dateHit{}, false // d'aujourd'hui
		}
	}
	c := parseClock(s[j:], tailLoose)
	if !c.ok && !publicationCue(s[:i]) {
		return dateHit{}, false
	}
	y, mo, d := now.AddDate(0, 0, -back).Date()
	t, known, ok := mkTime(y, int(mo), d, c)
	return dateHit{i, t, known, c.ok}, ok
}

// publicationCue reports whether before, the text in front of a day word,
// is only a "published" or "updated" label.
func publicationCue(before string) bool {
	before = strings.Trim(before, " \t,.:;-|•·\u00a0")
	if before == "" || len(before) > 30 {
		return false
	}
	before = strings.ToLower(before)
	for _, p := range []string{"publi", "mis à jour", "mise à jour", "modifi", "updat", "posted", "veröffentlicht",
		"aktualisiert", "actualiza", "aggiornat", "atualizad", "gepubliceerd", "bijgewerkt"} {
		if strings.HasPrefix(before, p) {
			return true
		}
	}
	return false
}

// gluedBefore reports whether the date starting at i is part of a larger
// token: a digit, a letter, or a dotted number ("v1.12.2022") before it.
func gluedBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if unicode.IsDigit(r) {
		return true
	}
	if unicode.IsLetter(r) {
		// A word of three letters or more glued on is scraped markup
		// ("La Información16.08.2020"); one or two are a label ("v1.2",
		// "ID12.05.2020").
		n := 0
		for _, r := range strings.ToLower(s[max(0, i-12):i]) {
			if unicode.IsLetter(r) {
				n++
			} else {
				n = 0
			}
		}
		return n < 3
	}
	return (r == '.' || r == '/' || r == '-' || r == ':') && i >= 2 && isDigit(s[i-2])
}

// versionBefore reports whether before, the text in front of a numeric
// date, ends with a version label: "Version 1.12.2022" is not a date.
func versionBefore(before string) bool {
	before = strings.TrimRight(before, " \t")
	for _, w := range []string{"version", "versión", "versione", "versão", "versie", "release", "build", "ver."} {
		if len(before) >= len(w) && strings.EqualFold(before[len(before)-len(w):], w) {
			return true
		}
	}
	return false
}

// gluedAfter reports whether the date ending at i continues with a digit,
// or with a separator and a digit ("19.12.2022.1").
func gluedAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if isDigit(s[i]) {
		return true
	}
	return (s[i] == '.' || s[i] == '/' || s[i] == '-') && i+1 < len(s) && isDigit(s[i+1])
}

// mkTime builds the date and time, rejecting impossible dates (31.02). With
// a zone it is in a FixedZone; without, the wall time is in UTC.
func mkTime(y, month, d int, c clock) (time.Time, bool, bool) {
	if month < 1 || month > 12 || d < 1 || d > 31 {
		return time.Time{}, false, false
	}
	t := time.Date(y, time.Month(month), d, c.h, c.m, c.s, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false, false
	}
	z := c.zone
	if !c.ok || !z.known {
		return t, false, true
	}
	off, name := z.offset, z.name
	if z.usRule {
		name = z.std
		if usDaylight(y, time.Month(month), d, c.h) {
			off, name = off+3600, z.dst
		}
	}
	return time.Date(y, time.Month(month), d, c.h, c.m, c.s, 0, time.FixedZone(name, off)), true, true
}

// usDaylight reports whether the wall time falls in US daylight saving
// time: from the second Sunday of March to the first Sunday of November at
// 2:00 since 2007, from the first Sunday of April to the last Sunday of
// October before. The repeated hour in autumn is read as daylight time.
func usDaylight(y int, month time.Month, d, h int) bool {
	start := time.Date(y, time.March, sunday(y, time.March, 8), 2, 0, 0, 0, time.UTC)
	end := time.Date(y, time.November, sunday(y, time.November, 1), 2, 0, 0, 0, time.UTC)
	if y < 2007 {
		start = time.Date(y, time.April, sunday(y, time.April, 1), 2, 0, 0, 0, time.UTC)
		end = time.Date(y, time.October, sunday(y, time.October, 25), 2, 0, 0, 0, time.UTC)
	}
	wall := time.Date(y, month, d, h, 0, 0, 0, time.UTC)
	return !wall.Before(start) && wall.Before(end)
}

// sunday returns the day of month of the first Sunday on or after day
// from: 1 for the first Sunday, 8 for the second, 25 for the last of a
// 31-day month.
func sunday(y int, month time.Month, from int) int {
	wd := time.Date(y, month, from, 0, 0, 0, 0, time.UTC).Weekday()
	return from + (7-int(wd))%7
}

// clock is the time of day and zone read after a date.
type clock struct {
	h, m, s int
	ok      bool // a time of day was read
	zone    zone
}

// zone is a time zone read after a time of day.
type zone struct {
	known  bool
	name   string // abbreviation as written; "" for a numeric offset
	offset int    // seconds east of UTC
	// usRule: a generic North American zone (ET, PT): offset is standard
	// time, and std or dst name it depending on the date.
	usRule   bool
	std, dst string
	us       bool // a North American zone: month-first numeric dates
}

// tailMode says what may come between a date and its time of day.
type tailMode uint8

const (
	tailLoose  tailMode = iota // connectors (",", "à", "at", "um"), 14h30, 8:53 pm, 20.53 GMT
	tailISO                    // as loose, or T right after the date
	tailStrict                 // RFC 822: a space and hh:mm
)

// parseClock reads the time of day and zone at the start of s, the text
// after a date. It returns the zero clock when there is none.
func parseClock(s string, mode tailMode) clock {
	i := 0
	switch {
	case mode == tailISO && len(s) > 0 && (s[0] == 'T' || s[0] == 't'):
		i = 1
	case mode == tailStrict:
		if i = skipSpace(s, 0); i == 0 {
			return clock{}
		}
	default:
		i = skipConnectors(s)
	}
	var c clock
	j := i
	for j < len(s) && j-i < 3 && isDigit(s[j]) {
		j++
	}
	if j == i || j-i > 2 {
		return clock{}
	}
	c.h = atoi(s[i:j])
	i = j
	hasMin, dot, suffix := false, false, false
	switch {
	case twoDigitsAt(s, i+1) && s[i] == ':':
		c.m, hasMin, i = atoi(s[i+1:i+3]), true, i+3
		if i < len(s) && s[i] == ':' && twoDigitsAt(s, i+1) {
			c.s, i = atoi(s[i+1:i+3]), i+3
			for k := i; k+1 < len(s) && (s[k] == '.' || s[k] == ',') && isDigit(s[k+1]); {
				for k++; k < len(s) && isDigit(s[k]); k++ {
				}
				i = k
				break
			}
		}
	case mode == tailStrict:
		return clock{}
	case twoDigitsAt(s, i+1) && s[i] == '.':
		c.m, hasMin, dot, i = atoi(s[i+1:i+3]), true, true, i+3
	default:
		// 14h30, 14 h 30, 14h, 14 heures
		k := skipSpace(s, i)
		if n := hourWord(s[k:]); n > 0 {
			suffix, i = true, k+n
			if k2 := skipSpace(s, i); twoDigitsAt(s, k2) && !(k2+2 < len(s) && isDigit(s[k2+2])) {
				c.m, hasMin, i = atoi(s[k2:k2+2]), true, k2+2
			}
		}
	}
	if i < len(s) && isDigit(s[i]) {
		return clock{}
	}
	k := skipSpace(s, i)
	pm, am := false, false
	if n, p := ampm(s[k:]); n > 0 {
		am, pm, i = !p, p, k+n
		k = skipSpace(s, i)
	}
	if !suffix {
		if n := hourWord(s[k:]); n > 0 {
			suffix, i = true, k+n
		}
	}
	if n, z := parseZone(s[i:], mode); n > 0 {
		c.zone, i = z, i+n
	}
	if !(hasMin && (!dot || am || pm || suffix || c.zone.known)) && !(!hasMin && (am || pm || suffix)) {
		return clock{}
	}
	if am || pm {
		if c.h < 1 || c.h > 12 {
			return clock{}
		}
		c.h %= 12
		if pm {
			c.h += 12
		}
	}
	if c.h > 23 || c.m > 59 || c.s > 59 {
		return clock{}
	}
	c.ok = true
	return c
}

// hourWord returns the length of an hour marker at the start of s: "h",
// "heures", "Uhr", "hrs", "horas", "uur", followed by a non-letter.
func hourWord(s string) int {
	for _, w := range []string{"heures", "heure", "horas", "hrs", "uhr", "uur", "hs", "h"} {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) && !letterAt(s, len(w)) {
			return len(w)
		}
	}
	return 0
}

// ampm returns the length of "am", "a.m.", "PM", "p. m." at the start of s
// and whether it is pm.
func ampm(s string) (int, bool) {
	if len(s) < 2 {
		return 0, false
	}
	var pm bool
	switch s[0] {
	case 'a', 'A':
	case 'p', 'P':
		pm = true
	default:
		return 0, false
	}
	i := 1
	dotted := i < len(s) && s[i] == '.'
	if dotted {
		i = skipSpace(s, i+1)
	}
	if i >= len(s) || (s[i] != 'm' && s[i] != 'M') {
		return 0, false
	}
	i++
	if dotted && i < len(s) && s[i] == '.' {
		i++
	}
	if letterAt(s, i) {
		return 0, false
	}
	return i, pm
}

// parseZone reads a zone at the start of s, the text after a time of day:
// Z, +01:00, +0100, UTC+1, GMT, CET, ET... It returns the bytes read, 0 if
// there is no zone.
func parseZone(s string, mode tailMode) (int, zone) {
	attached := len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == 'Z')
	i := skipSpace(s, 0)
	paren := i < len(s) && s[i] == '('
	if paren {
		i++
	}
	start := i
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' && i-start < 5 {
		i++
	}
	var z zone
	if word := s[start:i]; word != "" {
		if letterAt(s, i) {
			return 0, zone{}
		}
		switch word {
		case "UTC", "GMT", "UT":
			z = zone{known: true, name: word}
			if n, off := parseOffset(strings.TrimPrefix(s[i:], " "), true); n > 0 {
				i += n + len(s[i:]) - len(strings.TrimPrefix(s[i:], " "))
				z.offset, z.name = off, ""
			}
		case "Z":
			if !attached || mode != tailISO {
				return 0, zone{}
			}
			z = zone{known: true, name: "UTC"}
		default:
			var ok bool
			if z, ok = zoneAbbrev(word); !ok {
				return 0, zone{}
			}
		}
	} else {
		n, off := parseOffset(s[i:], attached)
		if n == 0 {
			return 0, zone{}
		}
		i += n
		z = zone{known: true, offset: off}
	}
	if paren {
		if i >= len(s) || s[i] != ')' {
			return 0, zone{}
		}
		i++
	}
	return i, z
}

// parseOffset reads +01:00, +0100, and with short, +1 or +01 too. The sign
// may be a Unicode minus.
func parseOffset(s string, short bool) (int, int) {
	sign, i := 1, 0
	switch {
	case strings.HasPrefix(s, "+"):
		i = 1
	case strings.HasPrefix(s, "-"):
		sign, i = -1, 1
	case strings.HasPrefix(s, "−"):
		sign, i = -1, len("−")
	default:
		return 0, 0
	}
	j := i
	for j < len(s) && isDigit(s[j]) && j-i < 5 {
		j++
	}
	var h, m int
	switch n := j - i; {
	case n == 4:
		h, m = atoi(s[i:i+2]), atoi(s[i+2:j])
	case n == 2 && twoDigitsAt(s, j+1) && s[j] == ':':
		h, m, j = atoi(s[i:j]), atoi(s[j+1:j+3]), j+3
	case (n == 1 || n == 2) && short:
		h = atoi(s[i:j])
	default:
		return 0, 0
	}
	if j < len(s) && isDigit(s[j]) || h > 14 || m > 59 {
		return 0, 0
	}
	return j, sign * (h*3600 + m*60)
}

// zoneAbbrev maps the zone abbreviations of news pages to offsets. Where an
// abbreviation is ambiguous the usual reading in news is taken: CST is US
// Central, BST British Summer, IST India (+05:30). AST (Atlantic or
// Arabia) is left out.
func zoneAbbrev(a string) (zone, bool) {
	const h = 3600
	us := func(off int) zone { return zone{known: true, name: a, offset: off, us: true} }
	generic := func(off int, std, dst string) zone {
		return zone{known: true, offset: off, usRule: true, std: std, dst: dst, us: true}
	}
	fixed := func(off int) zone { return zone{known: true, name: a, offset: off} }
	switch a {
	case "WET", "WEZ":
		return fixed(0), true
	case "WEST", "WESZ", "BST", "CET", "MEZ", "HEC", "WAT":
		return fixed(h), true
	case "CEST", "MESZ", "HAEC", "EET", "OEZ", "CAT", "SAST":
		return fixed(2 * h), true
	case "EEST", "OESZ", "MSK", "EAT":
		return fixed(3 * h), true
	case "IST":
		return fixed(5*h + 1800), true
	case "HKT", "SGT", "AWST":
		return fixed(8 * h), true
	case "JST", "KST":
		return fixed(9 * h), true
	case "AEST":
		return fixed(10 * h), true
	case "AEDT":
		return fixed(11 * h), true
	case "BRT", "ART":
		return fixed(-3 * h), true
	case "EST", "HNE", "CDT", "HAC":
		return us(-5 * h), true
	case "EDT", "HAE":
		return us(-4 * h), true
	case "CST", "HNC", "MDT", "HAR":
		return us(-6 * h), true
	case "MST", "HNR", "PDT", "HAP":
		return us(-7 * h), true
	case "PST", "HNP":
		return us(-8 * h), true
	case "AKST":
		return us(-9 * h), true
	case "AKDT":
		return us(-8 * h), true
	case "HST":
		return us(-10 * h), true
	case "ET":
		return generic(-5*h, "EST", "EDT"), true
	case "CT":
		return generic(-6*h, "CST", "CDT"), true
	case "MT":
		return generic(-7*h, "MST", "MDT"), true
	case "PT":
		return generic(-8*h, "PST", "PDT"), true
	}
	return zone{}, false
}

// skipConnectors skips what may stand between a date and its time: spaces,
// punctuation and words such as "à", "at", "um", "a las", "alle", "às".
func skipConnectors(s string) int {
	i := 0
	for n := 0; n < 4; n++ {
		i = skipSpace(s, i)
		if i >= len(s) {
			return i
		}
		switch s[i] {
		case ',', '-', '|', '/', '@', ';':
			i++
			continue
		}
		if r, size := utf8.DecodeRuneInString(s[i:]); r == '–' || r == '—' || r == '·' || r == '•' {
			i += size
			continue
		}
		found := false
		for _, w := range []string{"a las", "a la", "alle ore", "alle", "à", "às", "ás", "as", "at", "a", "um", "om", "ore", "kl.", "klo"} {
			if len(s)-i > len(w) && strings.EqualFold(s[i:i+len(w)], w) && (s[i+len(w)] == ' ' || isDigit(s[i+len(w)])) {
				i += len(w)
				found = true
				break
			}
		}
		if !found {
			return i
		}
	}
	return skipSpace(s, i)
}

// skipSpace skips ASCII spaces and the no-break and thin spaces of typeset
// dates.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case strings.HasPrefix(s[i:], "\u00a0"):
			i += len("\u00a0")
		case strings.HasPrefix(s[i:], "\u202f"), strings.HasPrefix(s[i:], "\u2009"):
			i += len("\u202f")
		default:
			return i
		}
	}
	return i
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func twoDigitsAt(s string, i int) bool {
	return i+1 < len(s) && isDigit(s[i]) && isDigit(s[i+1])
}

// letterAt reports whether s has a letter at byte i.
func letterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// atoi converts the digits the regexps matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func plausibleYear(t, now time.Time) bool {
	return t.Year() >= 1990 && t.Before(now.AddDate(0, 0, 2))
}

// dateOnly reports whether line is little more than a date ("19.12.2022",
// "Mis à jour le 19 décembre 2022").
func dateOnly(line string, now time.Time) bool {
	if len(line) > 120 || endsSentence(line) || len(words(line)) > 8 {
		return false
	}
	_, ok := findDate(line, now)
	return ok
}
