package normalize

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
		if !agencyInitials[s[i]] || i > 0 && isLetter(rune(s[i-1])) {
			continue // agencyRe wants a name at a word's start
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
	bylinePrefix = regexp.MustCompile(`(?i)^(?:par|by|von|por|di|door|av|przez|texte|text|propos recueillis par)\s*:?\s+(.+)$`)
	// roleNote: what a credited person did, after the name ("Eleanor
	// Ainge Roy (reporting)", "Jan Kral (Fotos)").
	roleNote = regexp.MustCompile(`(?i)\s*\((?:additional reporting|reporting|reportage|words|text|texte|texto|photography|photographs|photos?|fotos?|bilder|pictures|video|videos|illustrations?|graphics|grafik)\)`)
	// roleLabel: a second role's label inside a byline ("Text: Anna
	// Müller, photos: Jan Kral"): another name follows.
	roleLabel = regexp.MustCompile(`(?i)\s*[,;]\s*(?:photos?|fotos?|photography|pictures|bilder|video|videos|illustrations?|graphics|grafik)\s*:\s*`)
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
		"texte": true, "text": true, "propos": true, "przez": true,
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
	names    []string // the people who wrote the article, cleaned (readByline)
	source   string   // the publication, when the line names it and no person
	agencies []string
}

// parseByline recognises byline, agency and "published in" lines.
func parseByline(line string) (byline, bool) {
	if utf8.RuneCountInString(line) > 140 || strings.Count(line, " ") > 20 && len(strings.Fields(line)) > 16 {
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
	// Whether the line is a byline at all is decided as loosely as it
	// always was, since it takes the line out of the body; what it names
	// is then read strictly (readByline).
	rest := strings.TrimSpace(m[1])
	var names []string
	for _, part := range bylineSplit.Split(rest, -1) {
		part = strings.Trim(part, " .;:")
		if part == "" || len(findAgencies(part)) > 0 && agencyRe.ReplaceAllString(" "+part+" ", "") == "" {
			continue
		}
		names = append(names, part)
	}
	if len(findAgencies(rest)) == 0 && !looksLikeNames(names) {
		return byline{}, false
	}
	return readByline(line), true
}

// parseCreditLine is parseByline that also reads a byline crediting
// each person's part ("… Roy (reporting) and … Malloch (photography)").
// The text path asks for it only at normalization: its models learned
// with such lines as text, and retrained otherwise they moved every
// figure by training noise for the one development page that has one.
func parseCreditLine(line string) (byline, bool) {
	if b, ok := parseByline(line); ok || !bylineWords[firstWord(line)] {
		return b, ok // roles change nothing in a line that does not start as a byline
	}
	if r := dropRoles(line); r != line {
		return parseByline(r)
	}
	return byline{}, false
}

// dropRoles leaves only names and their separators where a byline says
// what each person did: "by Eleanor Ainge Roy (reporting) and Adrian
// Malloch (photography)", "Text: Anna Müller, photos: Jan Kral".
func dropRoles(s string) string {
	if !strings.ContainsAny(s, "(:") {
		return s
	}
	return roleLabel.ReplaceAllString(roleNote.ReplaceAllString(s, ""), ", ")
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
	if len(line) > 120 || strings.Count(line, " ") > 12 { // a credit names a few agencies, no more
		return nil, false
	}
	ags := findAgencies(line)
	if len(ags) == 0 {
		return nil, false
	}
	rest := agencyRe.ReplaceAllString(" "+line+" ", " ")
	// The replacement eats one separator per match; run twice for "A/B/C".
	rest = agencyRe.ReplaceAllString(" "+rest+" ", " ")
	return ags, strings.TrimSpace(agencySep.ReplaceAllString(rest, "")) == ""
}

// What a byline holds besides names, by the words that show it; all
// lowercase.
var (
	// staffWords name no one: a desk, a role without a name, a CMS
	// account, the agencies in general.
	staffWords = setOf(`
		staff redaction rédaction redaktion redaktionen redacción redaccion redazione redação
		redacao redactie redaksjonen redakcja red newsroom desk team équipe equipe equipo
		admin administrator administrateur administrador webmaster anonymous anonyme anonym
		anónimo anonimo anônimo guest invité gast user username utilisateur usuario utente
		editorial éditorial contributor contributors collectif
		agencies agences agenturen agencias agenzie agências agency agence agentur agencia
		agenzia agência agentschap agencja wires wire`)
	// roleWords are job titles after a name ("Jane Doe, Staff Writer").
	roleWords = setOf(`
		correspondent correspondents correspondant correspondante correspondants corresponsal
		corrispondente correspondente korrespondent korrespondentin reporter reporterin
		reporters editor editors editora editore redakteur redakteurin redacteur rédacteur
		rédactrice redactor redactora redattore redattrice journalist journaliste journalistin
		giornalista periodista jornalista dziennikarz writer writers columnist kolumnist
		kolumnistin columnista colunista chroniqueur chroniqueuse envoyé envoyée envoyés
		envoyées enviado enviada inviato inviata verslaggever analyst photographer fotograf
		fotografin photographe fotógrafo fotografo producer stagiaire praktikant praktikantin
		volontär volontärin`)
	// outletWords mark a publication's name ("BBC News", "Tages-Anzeiger").
	outletWords = setOf(`
		news times zeitung journal radio tv télé presse press media médias magazine magazin
		gazette gazzetta tribune herald daily nachrichten diario corriere telegraph observer
		express chronicle courier kurier blatt tagblatt rundschau noticias notícias nieuws
		notizie giornale jornal krant dagblad online network channel sport sports star mail
		weekly`)
	// rankWords qualify a role and are never part of a name ("Chief
	// Political Correspondent", "Saeed Shah Special").
	rankWords = setOf(`senior chief special deputy associate assistant managing executive contributing`)
	// roleModifiers stand between a name and a role when no comma does
	// ("Michelle Shephard National Security Reporter"); some are names
	// too ("Jack White"), so they go only when a name is left.
	roleModifiers = setOf(`
		senior chief staff special deputy associate assistant managing executive contributing
		national international foreign political politics business economics economic
		financial sports sport entertainment security diplomatic legal health science
		technology tech education environment arts culture music film travel investigative
		local city state regional global world europe asia africa washington white house
		associated`)
	// notNameWords are the function words that start or end a phrase but
	// no name ("Our Foreign Staff", "The Guardian"); particles such as
	// "de", "van", "Le" are not among them.
	notNameWords = setOf(`
		the our your my his her their its this that these all more read share follow and or
		of at on for from with to by in les los las il lo gli het een ein eine die`)
	// outletArticles start publications' names ("Le Figaro", "El País"),
	// capitalised; personName has turned down such a phrase before.
	outletArticles = setOf(`The Le La Les El Il Lo Der Die Das De Het Os`)
	// bylineParticles join the words of a name in bylines, besides
	// nameParticles and innerParticles (keywords.go).
	bylineParticles = setOf(`la le ten dei degli do al el`)
)

var (
	// bylineLabel: what introduces the names ("By", "Par", "Auteur :",
	// "Propos recueillis par"). It may come twice ("Text: Von X").
	bylineLabel = regexp.MustCompile(`(?i)^(?:(?:written|reported|reporting|words|story|text|edited|posted|compiled)\s+by|by|(?:publié|publiée|écrit|rédigé|propos recueillis) par|publicado por|pubblicato da|veröffentlicht von|par|text(?:e|es)?(?:\s+et\s+photos?)?|un article de|von|ein (?:kommentar|bericht|gastbeitrag|interview) von|autor(?:in|a|e)?|auteure?|author|por|escrito por|reportaje de|di|a cura di|scritto da|door|geschreven door|av|przez|tekst)\s*:?\s+`)
	// bylineTail: where the names end: a bar, a dash between spaces, an
	// update or publication label.
	bylineTail = regexp.MustCompile(`(?i)\s*(?:[|•·]|\s[-–—]\s|\b(?:last updated|updated|published|posted|mis à jour|mise à jour|publié|publiée|modifié|aktualisiert|veröffentlicht|actualizado|publicado|aggiornato|pubblicato|atualizado|bijgewerkt|gepubliceerd|opublikowano|zaktualizowano)(?:[^\p{L}]|$)).*$`)
	// namesSplit separates the names, agencies and outlets of a byline:
	// "A, B und C", "X avec AFP", "A / B", "A (NDR)".
	namesSplit = regexp.MustCompile(`\s*[,;/&+()\[\]]\s*|\s+(?:and|et|und|y|e|en|i|avec|with|mit|con|com|met|z)\s+`)
	// placeSuffix: "Jane Doe in Paris", "Jean Dupont à Berlin".
	placeSuffix = regexp.MustCompile(`\s+(?:in|à|aus|em|from|w|desde|depuis|dans|au|nach)\s+.*$`)
	// initial: "J.", "E", "J.-P."
	initial = regexp.MustCompile(`^\p{Lu}\.?(?:-\p{Lu}\.?)?$`)
)

// maxBylineName is the most words a person's name has in a byline
// ("María del Carmen García López").
const maxBylineName = 6

// readByline reads a byline, with or without its label ("Par euronews
// avec AFP, AP", "Jane Doe; JANE DOE", "Von Volkmar Kabisch und Benedikt
// Strunz, NDR"): the names of the people in it, the agencies it credits,
// and, when it names no person, the publication it names instead. A name
// is two to six capitalised words (particles and initials allowed); what
// is not a name is dropped: agencies, outlets, roles, places, dates, desks
// ("Rédaction", "Staff"), a lone word.
func readByline(s string) byline {
	s = unglue(dropRoles(s))
	for range 2 {
		s = bylineLabel.ReplaceAllString(strings.TrimLeft(s, " :"), "")
	}
	s = cutBylineTail(s)
	b := byline{agencies: findAgencies(s)}
	var outlet string
	seen := map[string]bool{}
	for _, part := range namesSplit.Split(s, -1) {
		part = trimNamePart(placeSuffix.ReplaceAllString(part, ""))
		if part != "" && len(findAgencies(part)) > 0 {
			// "Agencia EFE", "The Associated Press": the agency and its
			// article go; what is left may be a name glued to it.
			part = agencyRe.ReplaceAllString(" "+part+" ", " ")
			part = trimNamePart(trimArticles(agencyRe.ReplaceAllString(" "+part+" ", " ")))
		}
		if part == "" {
			continue
		}
		if a, ok := agencyInCapitals(part); ok {
			b.agencies = appendNew(b.agencies, a)
			continue
		}
		if name, ok := personName(nameBeforeRole(part)); ok {
			if k := strings.ToLower(name); !seen[k] {
				seen[k] = true
				b.names = append(b.names, name)
			}
			continue
		}
		if outlet == "" && outletName(part, len(b.agencies) > 0) {
			outlet = part
		}
	}
	if len(b.names) == 0 {
		b.source = outlet
	}
	return b
}

// cutBylineTail drops what follows the names: a bar or dash and what
// comes after, an update label, a date or time (from the first token that
// starts with a digit, with the month, weekday and connecting words before
// it), a handle or an e-mail address.
func cutBylineTail(s string) string {
	s = bylineTail.ReplaceAllString(s, "")
	f := strings.Fields(s)
	for i, w := range f {
		r, _ := utf8.DecodeRuneInString(w)
		if strings.ContainsRune(w, '@') || strings.HasPrefix(w, "http") {
			f = f[:i]
			break
		}
		if unicode.IsDigit(r) && letters(w) <= 2 {
			f = f[:i]
			for len(f) > 0 {
				last := strings.Trim(f[len(f)-1], ".,;:")
				if lw := strings.ToLower(last); last != "" && !isCalendarWord(lw) && !startsLower(last) {
					break
				}
				f = f[:len(f)-1]
			}
			break
		}
	}
	return strings.Join(f, " ")
}

// unglue separates words that scraping glued together ("Hillel
// ItalieThe Associated Press"): a capital after five letters or more of
// a word, followed by a lowercase letter. Shorter heads are names
// ("McDonald", "DeLillo", "MacGregor").
func unglue(s string) string {
	var b strings.Builder
	run := 0 // letters of the current word so far
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) && run >= 5 && unicode.IsLower(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) {
			b.WriteByte(' ')
			run = 0
		}
		if unicode.IsLetter(r) {
			run++
		} else {
			run = 0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// trimNamePart trims punctuation and, around capitalised words, the
// lowercase words no name starts or ends with ("le", "am" before a date
// that was cut).
func trimNamePart(p string) string {
	const punct = " .,;:-–—'\"«»“”*"
	f := strings.Fields(strings.Trim(p, punct))
	if slices.IndexFunc(f, func(w string) bool { return !startsLower(w) }) >= 0 {
		for len(f) > 0 && startsLower(f[len(f)-1]) {
			f = f[:len(f)-1]
		}
		for len(f) > 0 && startsLower(f[0]) {
			f = f[1:]
		}
	}
	return strings.Trim(strings.Join(f, " "), punct)
}

// trimArticles drops the function words left around an agency's name
// once it is removed ("Hillel Italie The" from "Hillel ItalieThe
// Associated Press").
func trimArticles(p string) string {
	f := strings.Fields(p)
	for len(f) > 0 && notNameWords[strings.ToLower(f[len(f)-1])] {
		f = f[:len(f)-1]
	}
	for len(f) > 0 && notNameWords[strings.ToLower(f[0])] {
		f = f[1:]
	}
	return strings.Join(f, " ")
}

// nameBeforeRole returns the name at the start of a part that goes on,
// without a comma, with a role, an outlet or an agency ("Marc Katz Staff
// Writer", "MIRJAM SWANSON THE PRESS-ENTERPRISE", "John Leyden More by
// this author"), or p when no name comes first.
func nameBeforeRole(p string) string {
	f := strings.Fields(p)
	if n := len(f); n > 2 && rankWords[strings.ToLower(f[n-1])] {
		f = f[:n-1]
		p = strings.Join(f, " ")
	}
	for i := 2; i < len(f); i++ {
		lw := strings.ToLower(strings.Trim(f[i], ".,;:"))
		// A function word ends a name only before more words: "Wien Orf
		// At" is no name followed by "At".
		if !roleWords[lw] && !staffWords[lw] && !outletWords[lw] && !agencyWords[lw] &&
			!(notNameWords[lw] && i < len(f)-1) {
			continue
		}
		head := f[:i]
		for len(head) > 2 && roleModifiers[strings.ToLower(head[len(head)-1])] {
			head = head[:len(head)-1]
		}
		if name := strings.Join(head, " "); isPersonName(name) {
			return name
		}
		break
	}
	return p
}

func isPersonName(p string) bool {
	_, ok := personName(p)
	return ok
}

// personName reports whether p is a person's name and returns it with
// words written in capitals title-cased ("JEAN DUPONT" is "Jean Dupont").
func personName(p string) (string, bool) {
	f := strings.Fields(p)
	if len(f) < 2 || len(f) > maxBylineName {
		return "", false
	}
	full, initials := 0, 0
	for i, w := range f {
		lw := strings.ToLower(w)
		switch {
		case (nameParticles[lw] || innerParticles[lw] || bylineParticles[lw]) && i < len(f)-1:
			continue // "de", "van der", "Le" (Le Pen); last, a name ("Andrew Das")
		case nameTitles[strings.TrimSuffix(lw, ".")] && i == 0:
			continue // "M.", "Dr"
		case initial.MatchString(w):
			initials++
			continue
		case startsLower(w) || notNameWords[lw] || staffWords[lw] || roleWords[lw] || rankWords[lw] ||
			outletWords[lw] || agencyWords[lw] || !nameWord(w):
			return "", false
		}
		full++
		if letters(w) >= 3 && strings.ToUpper(w) == w {
			f[i] = titleCase(w)
		}
	}
	if full == 0 || full+initials < 2 {
		return "", false
	}
	return strings.Join(f, " "), true
}

// nameWord reports whether w is spelled like a word of a name: letters,
// with apostrophes, hyphens or an abbreviating full stop.
func nameWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !strings.ContainsRune("'’-.", r) {
			return false
		}
	}
	return true
}

// agencyInCapitals reads an agency's name spelled otherwise than
// findAgencies expects, whole and of four letters or more: "ASSOCIATED
// PRESS", "REUTERS" ("AP" must stay case-sensitive).
func agencyInCapitals(p string) (string, bool) {
	for _, a := range agencyNames {
		if len(a) >= 4 && strings.EqualFold(p, a) {
			if c, ok := agencyAliases[a]; ok {
				a = c
			}
			return a, true
		}
	}
	return "", false
}

// appendNew appends s to list unless it is there.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// outletName reports whether a byline part that is no name names a
// publication: a host name ("Vegolosi.it"), a phrase with a word of
// publications ("BBC News") or led by an article ("Le Figaro"), one
// lowercase word of five letters or more ("euronews"; shorter ones are
// authors' initials, "det"). A capitalised word or an acronym ("NDR")
// counts only beside credited agencies ("Par Lefigaro avec AFP"): alone
// it is as often a user name ("TonyZ").
func outletName(p string, credited bool) bool {
	if domainName.MatchString(p) {
		return true
	}
	ws := words(p)
	for _, w := range ws {
		if outletWords[w] {
			return true
		}
	}
	for _, w := range ws {
		if staffWords[w] || roleWords[w] {
			return false // "La Rédaction"
		}
	}
	if f := strings.Fields(p); len(f) > 1 && len(f) <= maxSourceWords && outletArticles[f[0]] {
		return true // "Le Figaro", "The Guardian", "De Telegraaf"
	}
	if len(ws) != 1 || strings.ContainsAny(p, " ") {
		return false
	}
	if w := ws[0]; isAnyStopword(w) || isCalendarWord(w) {
		return false
	}
	n := letters(p)
	if startsLower(p) {
		return n >= 5
	}
	return credited && (n >= 5 || n >= 2 && strings.ToUpper(p) == p)
}

// titleCase writes a word in capitals as a name: "DUPONT" is "Dupont",
// "JEAN-PIERRE" is "Jean-Pierre", "O'NEIL" is "O'Neil".
func titleCase(w string) string {
	rs := []rune(strings.ToLower(w))
	up := true
	for i, r := range rs {
		if up && unicode.IsLetter(r) {
			rs[i] = unicode.ToUpper(r)
		}
		up = !unicode.IsLetter(r)
	}
	return string(rs)
}

// startsLower reports whether w starts with a lowercase letter.
func startsLower(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

// letters counts the letters of w.
func letters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}
