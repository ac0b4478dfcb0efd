package normalize

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/crier/crier/article"
)

// creditNoise are words around a credit that are not the credit itself.
var creditNoise = regexp.MustCompile(`(?i)^(?:tous droits réservés|all rights reserved|alle rechte vorbehalten|photo|foto|image|bild|crédit|credit|source|quelle|fuente|©|:|-|–|—|/|\s)+|[\s.]+$`)

// mediaLabels are labels printed where a credit would be.
var mediaLabels = map[string]bool{
	"image": true, "images": true, "photo": true, "photos": true, "foto": true, "fotos": true,
	"bild": true, "bilder": true, "video": true, "vidéo": true, "videos": true, "vidéos": true,
}

// cleanCredit reduces "Tous droits réservés Pavel Bednyakov/Sputnik" to
// the credited names; labels such as "IMAGES" or "VIDEO" are no credit.
func cleanCredit(s string) string {
	if mediaLabels[markerKey(s)] {
		return ""
	}
	return strings.TrimSpace(creditNoise.ReplaceAllString(s, ""))
}

// collectMedia moves captions and their credits out of the text into the
// media list: caption lines, lines printed twice (a caption and its
// repeat, often with the credit appended), and short credit lines right
// after a caption. An agency name in such a credit line credits the
// picture, not the article, so its byline is dropped.
func collectMedia(bs []*block, titleAt int) []article.Media {
	var media []article.Media
	var titleKey string
	if titleAt >= 0 {
		titleKey = markerKey(bs[titleAt].text)
	}
	seen := map[string]int{} // caption key -> index in media
	last := -1               // index in bs of the last caption, for credit lines
	for i, b := range bs {
		switch {
		case b.caption && i != titleAt && markerKey(b.text) != titleKey:
			key := markerKey(b.text)
			credit := cleanCredit(b.credit)
			if at, ok := seen[key]; ok {
				if media[at].Credit == "" {
					media[at].Credit = credit
				}
			} else {
				seen[key] = len(media)
				media = append(media, article.Media{Caption: b.text, Credit: credit})
			}
			last = i
		case last >= 0 && b.dateLine:
			// A caption's date ("19.12.2022") does not end its block.
		case last >= 0 && i-last <= 2 && len(media) > 0 && isCreditLine(b):
			if m := &media[len(media)-1]; m.Credit == "" {
				m.Credit = cleanCredit(b.text)
			}
			b.byline, b.cls = nil, clsNoise
			last = -1
		default:
			if b.creditRow && len(media) > 0 && media[len(media)-1].Credit == "" {
				media[len(media)-1].Credit = cleanCredit(b.text)
			}
			last = -1
		}
	}
	return media
}

// isCreditLine reports whether b, right after a caption, is its credit:
// a few capitalised words ("Getty Images", "Keystone-SDA", "AFP/Reuters"),
// not a sentence.
func isCreditLine(b *block) bool {
	if b.creditRow {
		return true
	}
	if b.sentEnd || len(b.words) == 0 || len(b.words) > 5 || b.runes > 60 {
		return false
	}
	for _, w := range strings.Fields(b.text) {
		r := []rune(strings.TrimLeft(w, "©(/"))
		if len(r) > 0 && unicode.IsLetter(r[0]) && !unicode.IsUpper(r[0]) {
			return false
		}
	}
	return true
}

// kickerQuote matches a headline with a label glued before a quoted
// statement: "Pourparlers à Minsk Poutine : «La Russie n'a pas…»" gives
// the kicker "Pourparlers à Minsk".
var kickerQuote = regexp.MustCompile(`^(\p{Lu}.*?\s\p{Lu}[\p{L}'’.-]*)\s+(\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*)?\s*:\s*[«"“].*)$`)

var (
	// kickerLabel: "AP Exclusive: Allen has…", "Analyse : …".
	kickerLabel = regexp.MustCompile(`^([^:]{2,30}?)\s*:\s+(\p{Lu}.{15,})$`)
	// kickerWord: "Solidarité. Le Centre hospitalier lance…" (five letters
	// or more, so "Mrs." or "Dr." are no kicker).
	kickerWord = regexp.MustCompile(`^(\p{Lu}[\p{L}'’-]{4,20})\.\s+(\p{Lu}.{20,})$`)
	// kickerDash: "Coronavirus und andere Zoonosen – Wie Umweltzerstörung…",
	// "«Reformstau lösen» / Irme Stetter-Karp ist neue…".
	kickerDash = regexp.MustCompile(`^(\S.{2,40}?)\s+[–—/]\s+(\p{Lu}.{15,})$`)
)

// labelWords mark a prefix before a colon as a rubric, not part of the
// headline ("Brexit: …" stays whole, "Exclusive: …" does not).
var labelWords = []string{
	"exclusive", "exclusif", "exklusiv", "exclusiva", "esclusiva", "live", "direct", "breaking",
	"update", "analysis", "analyse", "análisis", "analisi", "opinion", "opinión", "kommentar",
	"interview", "entretien", "entrevista", "intervista", "video", "vidéo", "podcast", "fact check",
	"explainer", "décryptage", "reportage", "chronik", "edito", "éditorial", "editorial", "tribune",
}

// splitKicker splits a kicker glued before the headline: before a quoted
// headline, a rubric before a colon, one word and a full stop, a short
// phrase and a dash or slash. kicker is "" when there is none.
func splitKicker(title string) (kicker, headline string) {
	// Each regexp runs only when the title has the mark it needs.
	if strings.Contains(title, ":") {
		if m := kickerQuote.FindStringSubmatch(title); m != nil && hasLowerWord(m[1]) && len(strings.Fields(m[1])) <= 6 {
			return m[1], m[2]
		}
		if m := kickerLabel.FindStringSubmatch(title); m != nil && hasLabelWord(m[1]) {
			return m[1], m[2]
		}
	}
	if strings.Contains(title, ".") {
		if m := kickerWord.FindStringSubmatch(title); m != nil {
			return m[1], m[2]
		}
	}
	if strings.ContainsAny(title, "–—/") {
		if m := kickerDash.FindStringSubmatch(title); m != nil && len(strings.Fields(m[1])) <= 5 && len(strings.Fields(m[2])) >= 4 {
			return m[1], m[2]
		}
	}
	return "", title
}

// findKicker returns the kicker of a scraped page's headline and the
// headline without it: glued to it (splitKicker), or a short label on the
// line directly before or after it.
func findKicker(bs []*block, titleAt int, title string) (kicker, headline string) {
	if k, h := splitKicker(title); k != "" {
		return k, h
	}
	if k, h := kickerFromTitleLine(bs, titleAt, title); k != "" {
		return k, h
	}
	for _, i := range []int{titleAt - 1, titleAt + 1} {
		if i < 0 || i >= len(bs) {
			continue
		}
		if b := bs[i]; isKicker(b) {
			b.cls, b.kicker = clsNoise, true
			return b.text, title
		}
	}
	return "", title
}

// kickerFromTitleLine splits a kicker glued before the headline when a
// line above prints the two apart, as a <title> does: "Daten von
// Rheinmetall gehackt - Interne Unterlagen im Netz" above "Interne
// Unterlagen im Netz Daten von Rheinmetall gehackt".
func kickerFromTitleLine(bs []*block, titleAt int, title string) (kicker, headline string) {
	for i := range titleAt {
		if len(bs[i].text) < len(title) {
			continue // it cannot print both parts apart
		}
		segs := splitTitle(bs[i].text)
		if len(segs) < 2 {
			continue
		}
		for j := range segs {
			segs[j] = strings.TrimSpace(segs[j])
		}
		for _, h := range segs {
			if len(h) < 15 || !strings.HasSuffix(title, " "+h) {
				continue
			}
			if k := strings.TrimRight(strings.TrimSpace(strings.TrimSuffix(title, h)), ":"); slices.Contains(segs, k) {
				return k, h
			}
		}
	}
	return "", title
}

func isKicker(b *block) bool {
	if b.cls != clsShort || b.caption || b.byline != nil || b.dateLine || b.sentEnd {
		return false
	}
	n := len(strings.Fields(b.text))
	return n >= 1 && n <= 8 && b.runes <= 60 && !strings.ContainsAny(b.text, "_|<>{}=")
}

// hasLowerWord reports whether s has a word starting in lowercase: a
// phrase, not a run of names.
func hasLowerWord(s string) bool {
	for _, w := range strings.Fields(s) {
		if r := []rune(w); unicode.IsLower(r[0]) {
			return true
		}
	}
	return false
}

func hasLabelWord(s string) bool {
	low := strings.ToLower(s)
	for _, w := range labelWords {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}
