package normalize

import (
	"regexp"
	"strings"
	"unicode"
)

// agencyNames are news agencies in their canonical spelling. Longer names
// come first so "Keystone-SDA" is not read as "SDA".
var agencyNames = []string{
	"Keystone-SDA", "Keystone-ATS", "ITAR-TASS", "RIA Novosti", "Europa Press", "Associated Press",
	"AFP", "AP", "Reuters", "ATS", "SDA", "dpa", "ANSA", "EFE", "Belga", "APA", "Kyodo",
	"Xinhua", "TASS", "ANP", "PAP", "ČTK", "CTK", "MTI", "Agerpres", "Anadolu", "UPI", "KNA",
	"epd", "Lusa", "Interfax", "Yonhap", "PTI", "IANS", "Ritzau", "NTB", "LETA", "BTA", "Sputnik",
}

// agencyInitials are the first bytes of the agency names: a line with
// none of them upper-case names none, and the regexp need not run.
var agencyInitials = func() [256]bool {
	var set [256]bool
	for _, a := range agencyNames {
		set[a[0]] = true
	}
	return set
}()

// mayNameAgency is a cheap prefilter for findAgencies: some agency's
// name as a substring.
func mayNameAgency(s string) bool {
	for i := 0; i < len(s); i++ {
		if !agencyInitials[s[i]] {
			continue
		}
		for _, a := range agencyNames {
			if strings.HasPrefix(s[i:], a) {
				return true
			}
		}
	}
	return false
}

// agencyAliases maps other spellings to an agency's usual short name.
var agencyAliases = map[string]string{"Associated Press": "AP", "CTK": "ČTK"}

// agencyRe matches agency names as whole words, case-sensitively: "AP" is
// an agency, "ap" is not.
var agencyRe = func() *regexp.Regexp {
	alts := make([]string, len(agencyNames))
	for i, a := range agencyNames {
		alts[i] = regexp.QuoteMeta(a)
	}
	return regexp.MustCompile(`(?:^|[^\p{L}\p{N}-])(` + strings.Join(alts, "|") + `)(?:$|[^\p{L}\p{N}-])`)
}()

// findAgencies returns the agencies named in s, in order, without repeats.
func findAgencies(s string) []string {
	if !mayNameAgency(s) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for rest := s; ; {
		m := agencyRe.FindStringSubmatchIndex(rest)
		if m == nil {
			break
		}
		a := rest[m[2]:m[3]]
		if c, ok := agencyAliases[a]; ok {
			a = c
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
		rest = rest[m[3]:]
	}
	return out
}

var (
	// bylinePrefix: "Par X", "By X", "Von X", "Por X", "Di X" (at most a few
	// words, checked in parseByline).
	bylinePrefix = regexp.MustCompile(`(?i)^(?:par|by|von|por|di|door|av|texte|text|propos recueillis par)\s*:?\s+(.+)$`)
	// bylineSplit separates authors from agencies: "X avec AFP".
	bylineSplit = regexp.MustCompile(`(?i)\s+(?:avec|with|mit|con|et|and|und|y|e|\+|/)\s+|\s*[,/&+]\s*`)
	// publishedIn: "Publié dans L'Expression le 21 - 12 - 2022".
	publishedIn = regexp.MustCompile(`(?i)^(?:publié|paru|published|posted|veröffentlicht|erschienen|publicado|pubblicato|mis à jour|updated|aktualisiert|actualizado|aggiornato)(?:\s+(?:dans|in|en|on|sur|su|auf)\s+(.+?))?(?:\s+(?:le|on|am|el|il|at|à|a)\s.*|\s*:.*|\s+\d.*)?$`)
	// agencySep: what agencyOnly lets stand between the agency names of
	// a line ("AFP/Reuters", "(AFP)", "ATS avec AFP").
	agencySep = regexp.MustCompile(`[\s,/&+()\-–—.]+|\b(?:avec|with|mit|und|and|et|y|e)\b`)
)

// publishedWords and bylineWords are the first words of the lines
// publishedIn and bylinePrefix match: a cheap test before the regexps.
var (
	publishedWords = map[string]bool{
		"publié": true, "paru": true, "published": true, "posted": true, "veröffentlicht": true,
		"erschienen": true, "publicado": true, "pubblicato": true, "mis": true, "updated": true,
		"aktualisiert": true, "actualizado": true, "aggiornato": true,
	}
	bylineWords = map[string]bool{
		"par": true, "by": true, "von": true, "por": true, "di": true, "door": true, "av": true,
		"texte": true, "text": true, "propos": true,
	}
)

// firstWord returns the first run of letters of s, lowercased.
func firstWord(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(s)
	}
	return strings.ToLower(s[:end])
}

// byline is what a byline-like line told us.
type byline struct {
	text     string
	source   string
	agencies []string
	author   bool // the line names a person or publication, not only agencies
}

// parseByline recognises byline, agency and "published in" lines.
func parseByline(line string) (byline, bool) {
	if len([]rune(line)) > 140 || len(strings.Fields(line)) > 16 {
		return byline{}, false
	}
	if ags, ok := agencyOnly(line); ok {
		return byline{agencies: ags}, true
	}
	first := firstWord(line)
	if publishedWords[first] {
		if m := publishedIn.FindStringSubmatch(line); m != nil {
			return byline{source: strings.TrimSpace(m[1])}, true
		}
	}
	if !bylineWords[first] {
		return byline{}, false
	}
	m := bylinePrefix.FindStringSubmatch(line)
	if m == nil {
		return byline{}, false
	}
	rest := strings.TrimSpace(m[1])
	ags := findAgencies(rest)
	var names []string
	for _, part := range bylineSplit.Split(rest, -1) {
		part = strings.Trim(part, " .;:")
		if part == "" || len(findAgencies(part)) > 0 && agencyRe.ReplaceAllString(" "+part+" ", "") == "" {
			continue
		}
		names = append(names, part)
	}
	if len(ags) == 0 && !looksLikeNames(names) {
		return byline{}, false
	}
	b := byline{text: line, agencies: ags, author: len(names) > 0}
	// A single lowercase or one-word name before the agencies is the
	// publication itself ("Par euronews avec AFP").
	if len(names) == 1 && len(ags) > 0 && len(strings.Fields(names[0])) == 1 {
		b.source = names[0]
	}
	return b, true
}

// looksLikeNames reports whether every part is a short capitalised name.
func looksLikeNames(parts []string) bool {
	if len(parts) == 0 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		ws := strings.Fields(p)
		if len(ws) == 0 || len(ws) > 4 {
			return false
		}
		for _, w := range ws {
			r := []rune(w)[0]
			if !unicode.IsUpper(r) && !isAnyStopword(strings.ToLower(w)) {
				return false
			}
		}
	}
	return true
}

// agencyOnly returns the agencies of a line made of agency names and
// separators only ("AFP/Reuters", "(ATS)"); false for any other line.
func agencyOnly(line string) ([]string, bool) {
	ags := findAgencies(line)
	if len(ags) == 0 {
		return nil, false
	}
	rest := agencyRe.ReplaceAllString(" "+line+" ", " ")
	// The replacement eats one separator per match; run twice for "A/B/C".
	rest = agencyRe.ReplaceAllString(" "+rest+" ", " ")
	return ags, strings.TrimSpace(agencySep.ReplaceAllString(rest, "")) == ""
}
