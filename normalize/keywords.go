package normalize

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of keywords.
const (
	maxKeywords = 8
	maxNames    = 6 // names among them; they come first
	maxTopics   = 2 // topic words among them
	minScore    = 3 // a name's count, +3 in the title, +1 in the lead
	minTopicLen = 5 // runes
	maxNameLen  = 5 // words in a name
)

// generalWords are frequent words of news text that make poor tags
// although no stoplist has them: reporting verbs, time words, titles,
// page furniture. Lowercase; month and day names are in calendarWords.
var generalWords = setOf(`
	selon lors alors ainsi aussi encore toujours également notamment toutefois cependant
	depuis pendant avant après contre entre dont quant plusieurs certains certaines autres
	autre chaque leurs celui celle ceux celles tandis lequel laquelle lesquels lesquelles
	président présidente ministre homologue porte-parole chef cheffe directeur directrice
	déclaré annoncé affirmé indiqué précisé assuré ajouté expliqué estimé souligné rappelé
	lancé confirmé dernier dernière derniers dernières premier première premiers premières
	nouveau nouvelle nouveaux nouvelles grand grande grands grandes petit petite
	année années semaine semaines heure heures minutes jours mois journée matin soir
	publicité article articles photo photos vidéo vidéos lire aussi abonnez commentaire
	commentaires partager newsletter source sources cours fois façon moment partie
	monsieur madame état etat états etats
	according president minister spokesman spokeswoman chief officials official
	said says told added asked according percent people years year weeks week months month
	first second third last other others would could should there their about after
	before while where which these those being still however although because during
	against between through around under since without within another never always
	already including latest advertisement subscribe newsletter reading share comments
	sagte sagt sagten erklärte erklärt teilte mitteilte laut prozent jahre jahren
	jahres woche wochen monat monaten ersten zweiten letzten neuen neue neuer bereits
	sowie gegen zwischen etwa mehr immer wieder schon heute gestern morgen dabei damit
	dafür darauf daher deshalb jedoch allerdings außerdem zudem worden wurde wurden
	präsident präsidentin präsidenten minister ministerin ministers sprecher sprecherin
	kanzler kanzlerin bundeskanzler bundeskanzlerin ministerpräsident regierungschef
	angaben anzeige werbung prime secretary
	según dijo afirmó aseguró explicó añadió señaló presidente ministro ministra
	portavoz además también todavía mientras después entonces semana semanas años
	secondo detto dichiarato affermato spiegato aggiunto presidente ministro anche
	ancora mentre dopo prima sempre settimana settimane anni
	segundo disse afirmou explicou acrescentou presidente ministro ministra também
	ainda enquanto depois semana semanas anos
	volgens zegt zei verklaarde president minister premier woordvoerder jaar jaren
	week weken maanden ongeveer echter inmiddels
`)

// calendarWords are month and day names in the stopLangs.
var calendarWords = setOf(`
	janvier février mars avril mai juin juillet août septembre octobre novembre décembre
	lundi mardi mercredi jeudi vendredi samedi dimanche
	january february march april may june july august september october november december
	monday tuesday wednesday thursday friday saturday sunday
	januar februar märz april mai juni juli august september oktober november dezember
	montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
	enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
	lunes martes miércoles jueves viernes sábado domingo
	gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
	lunedì martedì mercoledì giovedì venerdì sabato domenica
	janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro
	segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo
	januari februari maart april mei juni juli augustus september oktober november december
	maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
`)

// nameTitles are the abbreviated titles before a name ("M. Poutine"):
// their full stop ends no sentence and they are not part of the name.
var nameTitles = setOf(`m mm mme mmes mlle dr pr mr mrs ms prof hr st sr sra`)

// nameParticles may join the capitalised words of one name
// ("Charles de Gaulle", "Ursula von der Leyen").
var nameParticles = setOf(`de du d von van da di del della dos das y bin ter zu`)

// innerParticles join a name only after another particle ("von der
// Leyen", "van den Berg"): alone they are articles ("Unterstützung der
// Ukraine").
var innerParticles = setOf(`der den des`)

// elisions are the clitics cut before an apostrophe ("l'Ukraine").
var elisions = setOf(`l d j m n s t c qu jusqu lorsqu puisqu quoiqu all dell nell sull dall un`)

func setOf(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// agencyWords are agencyNames in lowercase.
var agencyWords = func() map[string]bool {
	m := make(map[string]bool, len(agencyNames))
	for _, a := range agencyNames {
		m[strings.ToLower(a)] = true
	}
	return m
}()

// kwToken is a word of a paragraph as written, with its place.
type kwToken struct {
	start, end int32  // bytes in the paragraph: the word as written, elision cut
	lower      string // word in lowercase (as written if it begins in lowercase)
	upper      bool   // begins with a capital
	initial    bool   // first word of a sentence
	glued      bool   // nothing but a space since the previous word
	digit      bool   // has a digit
}

// tokenizeKeywords appends the words of a paragraph to out, marking
// sentence starts and the punctuation between words.
func tokenizeKeywords(out []kwToken, p string) []kwToken {
	initial, glued := true, false
	i := 0
	for i < len(p) {
		r, size := rune(p[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(p[i:])
		}
		if !isLetter(r) && !isDigitRune(r) {
			switch {
			case unicode.IsSpace(r):
			case strings.ContainsRune(".!?…:«“\"•|", r):
				initial, glued = true, false
			default:
				glued = false
			}
			i += size
			continue
		}
		// A word: letters, digits, inner hyphens and apostrophes.
		j, apos, digit := i, -1, false
		for j < len(p) {
			r, size := rune(p[j]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(p[j:])
			}
			if isLetter(r) {
				j += size
				continue
			}
			if isDigitRune(r) {
				j, digit = j+size, true
				continue
			}
			if r == '-' || r == '\'' || r == '’' {
				if n, _ := utf8.DecodeRuneInString(p[j+size:]); isLetter(n) {
					if r != '-' && apos < 0 {
						apos = j - i
					}
					j += size
					continue
				}
			}
			break
		}
		t := kwToken{start: int32(i), end: int32(j), initial: initial, glued: glued && !initial, digit: digit}
		w := p[i:j]
		if apos > 0 {
			_, size := utf8.DecodeRuneInString(w[apos:])
			pre, post := w[:apos], w[apos+size:]
			switch {
			case elisions[strings.ToLower(pre)]:
				t.start += int32(len(w) - len(post))
				w = post
			case post == "s" || post == "S":
				t.end -= int32(len(w) - apos)
				w = pre
			}
		}
		first, _ := utf8.DecodeRuneInString(w)
		t.lower, t.upper = w, unicode.IsUpper(first)
		if t.upper {
			t.lower = strings.ToLower(w) // a lowercase word stays as it is: no copy
		}
		i = j
		// A title ("M.") or an initial ("F.") ends no sentence.
		if i < len(p) && p[i] == '.' && (nameTitles[strings.ToLower(w)] || utf8.RuneCountInString(w) == 1) {
			i++
			initial, glued = false, false
			continue
		}
		out = append(out, t)
		initial, glued = false, true
	}
	return out
}

// isLetter is unicode.IsLetter with a short way for ASCII.
func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return uint32(r|0x20)-'a' < 26
	}
	return unicode.IsLetter(r)
}

// isDigitRune is unicode.IsDigit with a short way for ASCII.
func isDigitRune(r rune) bool {
	if r < utf8.RuneSelf {
		return uint32(r)-'0' < 10
	}
	return unicode.IsDigit(r)
}

// kwCandidate is a name or topic and its evidence.
type kwCandidate struct {
	forms   []formCount // as written
	count   int
	inTitle bool
	inLead  bool
	words   []string // lowercase words of a name
}

// formCount is a way a candidate is written and how often.
type formCount struct {
	form string
	n    int
}

func (c *kwCandidate) addForm(form string, n int) {
	for i := range c.forms {
		if c.forms[i].form == form {
			c.forms[i].n += n
			return
		}
	}
	c.forms = append(c.forms, formCount{form, n})
}

// form is the commonest way the candidate is written.
func (c *kwCandidate) form() string {
	best := c.forms[0]
	for _, f := range c.forms[1:] {
		if f.n > best.n || f.n == best.n && f.form < best.form {
			best = f
		}
	}
	return best.form
}

func (c *kwCandidate) score() int {
	s := c.count
	if c.inTitle {
		s += 3
	}
	if c.inLead {
		s++
	}
	return s
}

// keywords returns up to maxKeywords tags for title and body in lang, as
// written in the text: names of people, places and organisations (runs of
// capitalised words, the short form "Poutine" counted with the full
// "Vladimir Poutine"), then topic words (lowercase words of minTopicLen
// runes or more that recur or are in the title). A capitalised word that
// only begins sentences is no name unless it is capitalised elsewhere.
func keywords(title string, body []string, lang string) []string {
	// The opening of an article names what it is about; a budget keeps
	// the cost bounded on huge inputs.
	const budget = 24 << 10
	for n, i := len(title), 0; i < len(body); i++ {
		if n += len(body[i]); n > budget {
			keep := max(0, len(body[i])-(n-budget))
			for keep > 0 && !utf8.RuneStart(body[i][keep]) {
				keep--
			}
			body = append(body[:i:i], body[i][:keep]) // a copy: the caller's slice stays
			break
		}
	}
	texts := append([]string{title}, body...)
	size := 0
	for _, p := range texts {
		size += len(p)
	}
	tokens := make([]kwToken, 0, size/6+len(texts)) // one array for all: a word in six bytes or more
	paras := make([][]kwToken, 0, len(texts))
	for _, p := range texts {
		n := len(tokens)
		tokens = tokenizeKeywords(tokens, p)
		paras = append(paras, tokens[n:len(tokens):len(tokens)])
	}
	titleCase := isTitleCase(paras[0], lang)
	// Capitalised words seen within sentences: names for sure (or, in
	// German, nouns).
	confirmed := make(map[string]bool, 64)
	for pi, ts := range paras {
		for _, t := range ts {
			if t.upper && !t.initial && !(pi == 0 && titleCase) {
				confirmed[texts[pi][t.start:t.end]] = true
			}
		}
	}
	names := map[string]*kwCandidate{}
	topicCount := make(map[string]int, 128) // title words count 1000 more
	add := func(m map[string]*kwCandidate, key, form string, pi int, ws []string) {
		c := m[key]
		if c == nil {
			c = &kwCandidate{words: ws}
			m[key] = c
		}
		c.addForm(form, 1)
		c.count++
		c.inTitle = c.inTitle || pi == 0
		c.inLead = c.inLead || pi == 1
	}
	for pi, ts := range paras {
		p := texts[pi]
		for i := 0; i < len(ts); i++ {
			t := ts[i]
			lw := t.lower
			if !t.upper {
				if lang != "de" && !t.digit && len(lw) >= minTopicLen && utf8.RuneCountInString(lw) >= minTopicLen {
					if pi == 0 {
						topicCount[lw] += 1000
					}
					topicCount[lw]++
				}
				continue
			}
			// A name: capitalised words, particles between them, not
			// beginning with a sentence's unconfirmed first word.
			nameWord := func(u kwToken) bool {
				return u.upper && !u.digit && isTagWord(u.lower, lang)
			}
			sure := func(u kwToken) bool {
				return (!u.initial && !(pi == 0 && titleCase)) || confirmed[p[u.start:u.end]]
			}
			if !nameWord(t) {
				continue
			}
			last := i
			for j := i + 1; j < len(ts) && j-i < 2*maxNameLen && ts[j].glued; j++ {
				lw := ts[j].lower
				switch {
				case nameWord(ts[j]) && sure(ts[j]):
					last = j
					continue
				case ts[j].upper:
				case nameParticles[lw], innerParticles[lw] && !ts[j-1].upper:
					continue
				}
				break
			}
			first := i
			// A sentence's first word is part of the name when it is
			// capitalised elsewhere or always comes with the name
			// ("Storm Ciarán" twice).
			if !sure(t) && !(last > i && ts[i+1].upper && countIn(texts, p[t.start:ts[i+1].end]) >= 2) {
				for first++; first <= last && !nameWord(ts[first]); first++ {
				}
			}
			next := last
			if first > last {
				i = next
				continue
			}
			var ws []string
			for k := first; k <= last; k++ {
				if ts[k].upper {
					ws = append(ws, ts[k].lower)
				}
			}
			if len(ws) <= maxNameLen {
				form := p[ts[first].start:ts[last].end]
				add(names, strings.ToLower(form), form, pi, ws)
			}
			i = next
		}
	}
	topics := map[string]*kwCandidate{}
	for w, n := range topicCount {
		if n%1000 >= 2 && isTagWord(w, lang) {
			topics[w] = &kwCandidate{forms: []formCount{{w, n % 1000}}, count: n % 1000, inTitle: n >= 1000}
		}
	}
	dropGluedNames(names)
	mergeShortNames(names)
	mergePlurals(topics)
	return pickKeywords(names, topics, lang)
}

// countIn counts s in texts.
func countIn(texts []string, s string) int {
	n := 0
	for _, t := range texts {
		n += strings.Count(t, s)
	}
	return n
}

// isTagWord reports whether a lowercase word may be (part of) a tag: in
// lang's stoplist only, since "Met" (Dutch "with") begins "Met Office".
func isTagWord(w, lang string) bool {
	return !isStopword(w, lang) && !generalWords[w] && !calendarWords[w] && !agencyWords[w] &&
		!nameTitles[w] && utf8.RuneCountInString(w) > 1
}

// isTitleCase reports whether a headline, given as its tokens, capitalises
// its words ("Storm Leaves Thousands Without Power"): then its capitals say
// nothing.
func isTitleCase(title []kwToken, lang string) bool {
	up, n := 0, 0
	for _, t := range title {
		if t.digit || isStopword(t.lower, lang) {
			continue
		}
		n++
		if t.upper {
			up++
		}
	}
	return n >= 3 && up*5 >= n*4
}

// dropGluedNames drops a name seen once whose every word is also in
// another name: two names glued by a scraped headline ("Pourparlers à
// Minsk Poutine : ...").
func dropGluedNames(names map[string]*kwCandidate) {
	inOther := func(w string, self *kwCandidate) bool {
		for _, d := range names {
			if d != self && slices.Contains(d.words, w) {
				return true
			}
		}
		return false
	}
	var drop []string
	for key, c := range names {
		if c.count != 1 || len(c.words) < 2 {
			continue
		}
		all := true
		for _, w := range c.words {
			all = all && inOther(w, c)
		}
		if all {
			drop = append(drop, key)
		}
	}
	for _, key := range drop {
		delete(names, key)
	}
}

// mergePlurals counts a topic word ending in s or x with its singular.
func mergePlurals(topics map[string]*kwCandidate) {
	for _, key := range slices.Sorted(maps.Keys(topics)) {
		c := topics[key]
		sing := strings.TrimRight(key, "sx")
		if sing == key {
			continue
		}
		if d := topics[sing]; d != nil {
			for _, f := range c.forms {
				d.addForm(f.form, f.n)
			}
			d.count += c.count
			d.inTitle = d.inTitle || c.inTitle
			d.inLead = d.inLead || c.inLead
			delete(topics, key)
		}
	}
}

// likeName reports whether a topic word is a name's derivative or
// inflection ("biélorusse" of "Biélorussie", "russe" of "Russie"): a
// common beginning of 4 runes or more, short of at most 3 of the shorter.
func likeName(topic string, nameWords map[string]bool) bool {
	t := []rune(topic)
	for w := range nameWords {
		r := []rune(w)
		cp := 0
		for cp < len(r) && cp < len(t) && r[cp] == t[cp] {
			cp++
		}
		if cp >= 4 && cp >= min(len(r), len(t))-3 {
			return true
		}
	}
	return false
}

// verbLike reports whether a topic word has the ending of a verb form in
// lang (French infinitives, English past tenses), which make poor tags.
func verbLike(w, lang string) bool {
	switch lang {
	case "fr":
		return strings.HasSuffix(w, "er")
	case "en":
		return strings.HasSuffix(w, "ed")
	}
	return false
}

// mergeShortNames counts a one-word name with the longer name it ends or
// begins ("Poutine" with "Vladimir Poutine"), the most frequent if several.
// Keys are visited in order, so the tags do not depend on map order.
func mergeShortNames(names map[string]*kwCandidate) {
	keys := slices.Sorted(maps.Keys(names))
	for _, key := range keys {
		c := names[key]
		if c == nil || len(c.words) != 1 {
			continue
		}
		var into *kwCandidate
		for _, dk := range keys {
			d := names[dk]
			if d == nil || len(d.words) < 2 || (d.words[0] != c.words[0] && d.words[len(d.words)-1] != c.words[0]) {
				continue
			}
			if into == nil || d.count > into.count {
				into = d
			}
		}
		if into != nil {
			into.count += c.count
			into.inTitle = into.inTitle || c.inTitle
			into.inLead = into.inLead || c.inLead
			delete(names, key)
		}
	}
}

// pickKeywords ranks the names, then the topics, and keeps the strong ones.
func pickKeywords(names, topics map[string]*kwCandidate, lang string) []string {
	rank := func(m map[string]*kwCandidate, keep func(*kwCandidate) bool) []*kwCandidate {
		var out []*kwCandidate
		for _, c := range m {
			if keep(c) {
				out = append(out, c)
			}
		}
		slices.SortFunc(out, func(a, b *kwCandidate) int {
			if d := cmp.Compare(b.score(), a.score()); d != 0 {
				return d
			}
			return strings.Compare(a.form(), b.form())
		})
		return out
	}
	var out []string
	seen := map[string]bool{}
	push := func(s string) bool {
		k := strings.ToLower(s)
		if seen[k] || len(out) >= maxKeywords {
			return false
		}
		seen[k] = true
		for _, w := range strings.Fields(k) {
			seen[w] = true
		}
		out = append(out, s)
		return true
	}
	for _, c := range rank(names, func(c *kwCandidate) bool { return c.score() >= minScore }) {
		if len(out) < maxNames {
			push(c.form())
		}
	}
	// Full names said once ("son homologue Alexandre Loukachenko").
	for _, c := range rank(names, func(c *kwCandidate) bool { return c.score() < minScore && len(c.words) >= 2 }) {
		if len(out) < maxNames {
			push(c.form())
		}
	}
	nameWords := map[string]bool{}
	for k := range seen {
		nameWords[k] = true
	}
	n := 0
	for _, c := range rank(topics, func(c *kwCandidate) bool { return c.count >= 3 || c.inTitle && c.count >= 2 }) {
		f := c.form()
		if n < maxTopics && !verbLike(f, lang) && !likeName(f, nameWords) && push(f) {
			n++
		}
	}
	return out
}
