package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// months maps month names and abbreviations (en, fr, de, es, it) to numbers.
var months = map[string]time.Month{
	"january": 1, "jan": 1, "janvier": 1, "janv": 1, "januar": 1, "jänner": 1, "enero": 1, "ene": 1, "gennaio": 1, "gen": 1,
	"february": 2, "feb": 2, "février": 2, "fevrier": 2, "févr": 2, "fév": 2, "februar": 2, "febrero": 2, "febbraio": 2,
	"march": 3, "mar": 3, "mars": 3, "märz": 3, "marzo": 3,
	"april": 4, "apr": 4, "avril": 4, "avr": 4, "abril": 4, "abr": 4, "aprile": 4,
	"may": 5, "mai": 5, "mayo": 5, "maggio": 5, "mag": 5,
	"june": 6, "jun": 6, "juin": 6, "juni": 6, "junio": 6, "giugno": 6, "giu": 6,
	"july": 7, "jul": 7, "juillet": 7, "juil": 7, "juli": 7, "julio": 7, "luglio": 7, "lug": 7,
	"august": 8, "aug": 8, "août": 8, "aout": 8, "agosto": 8, "ago": 8,
	"september": 9, "sep": 9, "sept": 9, "septembre": 9, "septiembre": 9, "settembre": 9, "set": 9,
	"october": 10, "oct": 10, "octobre": 10, "oktober": 10, "okt": 10, "octubre": 10, "ottobre": 10, "ott": 10,
	"november": 11, "nov": 11, "novembre": 11, "noviembre": 11,
	"december": 12, "dec": 12, "décembre": 12, "decembre": 12, "déc": 12, "dezember": 12, "dez": 12, "diciembre": 12, "dic": 12, "dicembre": 12,
}

const (
	monthAlt = `([\p{L}]{3,10})\.?`
	timeOpt  = `(?:\s*(?:-|–|,|à|a|um|at|alle|às)?\s*(\d{1,2})\s*[:h]\s*(\d{2}))?`
)

var (
	// 2022-12-19, 2022-12-19T20:53:00+01:00
	isoDate = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?`)
	// 19.12.2022 - 20:53, 19/12/2022, 21 - 12 - 2022 (day first, as in
	// European news).
	numDate = regexp.MustCompile(`(?:^|[^\d])(\d{1,2})\s*([./-])\s*(\d{1,2})\s*[./-]\s*(\d{4})\b` + timeOpt)
	// 19 décembre 2022, 19. Dezember 2022, 19 de diciembre de 2022
	dayMonthDate = regexp.MustCompile(`(?i)\b(\d{1,2})(?:er|\.|º|st|nd|rd|th)?\s+(?:de\s+)?` + monthAlt + `\s+(?:de\s+)?(\d{4})\b` + timeOpt)
	// December 19, 2022
	monthDayDate = regexp.MustCompile(`(?i)\b` + monthAlt + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b` + timeOpt)
)

// findDate returns the first date written in s. Dates without a zone are
// taken as UTC: the page does not say, and the wall-clock time is kept.
func findDate(s string, now time.Time) (time.Time, bool) {
	type hit struct {
		at int
		t  time.Time
	}
	if !hasYear(s) {
		return time.Time{}, false
	}
	var best *hit
	try := func(at int, t time.Time, ok bool) {
		if ok && plausibleYear(t, now) && (best == nil || at < best.at) {
			best = &hit{at, t}
		}
	}
	if m := isoDate.FindStringSubmatchIndex(s); m != nil {
		g := groups(s, m)
		t, ok := mkDate(g[1], int(monthNum(g[2])), g[3], g[4], g[5], g[6])
		if ok && g[7] != "" {
			if tz, err := time.Parse("-0700", strings.Replace(strings.Replace(g[7], ":", "", 1), "Z", "+0000", 1)); err == nil {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, tz.Location()).UTC()
			}
		}
		try(m[0], t, ok)
	}
	if m := numDate.FindStringSubmatchIndex(s); m != nil {
		g := groups(s, m)
		day, mon := g[1], g[3]
		if n, _ := strconv.Atoi(mon); n > 12 { // US order, 12/19/2022
			day, mon = mon, day
		}
		t, ok := mkDate(g[4], int(monthNum(mon)), day, g[5], g[6], "")
		try(m[2], t, ok)
	}
	if m := dayMonthDate.FindStringSubmatchIndex(s); m != nil {
		g := groups(s, m)
		if mon, found := months[strings.ToLower(g[2])]; found {
			t, ok := mkDate(g[3], int(mon), g[1], g[4], g[5], "")
			try(m[0], t, ok)
		}
	}
	if m := monthDayDate.FindStringSubmatchIndex(s); m != nil {
		g := groups(s, m)
		if mon, found := months[strings.ToLower(g[1])]; found {
			t, ok := mkDate(g[3], int(mon), g[2], g[4], g[5], "")
			try(m[0], t, ok)
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.t, true
}

func groups(s string, m []int) []string {
	g := make([]string, len(m)/2)
	for i := range g {
		if m[2*i] >= 0 {
			g[i] = s[m[2*i]:m[2*i+1]]
		}
	}
	return g
}

func monthNum(s string) time.Month {
	n, _ := strconv.Atoi(s)
	return time.Month(n)
}

// mkDate builds a UTC time and rejects impossible dates (31.02).
func mkDate(year string, month int, day, hour, minute, second string) (time.Time, bool) {
	y, _ := strconv.Atoi(year)
	d, _ := strconv.Atoi(day)
	h, _ := strconv.Atoi(hour)
	mi, _ := strconv.Atoi(minute)
	se, _ := strconv.Atoi(second)
	if month < 1 || month > 12 || d < 1 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(month), d, h, mi, se, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func plausibleYear(t, now time.Time) bool {
	return t.Year() >= 1990 && t.Before(now.AddDate(0, 0, 2))
}

// dateOnly reports whether line is little more than a date ("19.12.2022",
// "Mis à jour le 19 décembre 2022 à 10h").
func dateOnly(line string, now time.Time) bool {
	if len(line) > 120 || endsSentence(line) || len(words(line)) > 8 {
		return false
	}
	_, ok := findDate(line, now)
	return ok
}

// hasYear reports whether s has four digits in a row: every date form
// findDate knows has one, and the check is much cheaper than the regexps.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
