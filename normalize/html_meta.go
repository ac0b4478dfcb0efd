package normalize

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	xhtml "golang.org/x/net/html"
)

// kicker returns the label the page marks above or inside its headline:
// a kicker-classed element inside an <h1> or near one (sharing an
// ancestor at most three levels up), short enough to be a label.
func (pg *pageInfo) kicker() string {
	near := map[*xhtml.Node]bool{}
	for _, h := range pg.h1s {
		p := h
		for i := 0; i < 4 && p != nil; i++ {
			near[p] = true
			p = p.Parent
		}
	}
	for _, k := range pg.kickers {
		p := k
		ok := false
		for i := 0; i < 4 && p != nil && !ok; i++ {
			ok = near[p] && (i > 0 || p.Data != "h1")
			p = p.Parent
		}
		if inH1(k) {
			ok = true
		}
		if !ok {
			continue
		}
		t := strings.Trim(cleanLine(textOf(k)), " :|-–—")
		if t != "" && len([]rune(t)) <= 60 && len(strings.Fields(t)) <= 8 {
			return t
		}
	}
	return ""
}

func inH1(n *xhtml.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == xhtml.ElementNode && p.Data == "h1" {
			return true
		}
	}
	return false
}

// titleSeparators split a site name or section from a headline.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " / "}

// cleanTitle removes the kicker and the site name (or author, section
// name when it is one of names) from a headline.
func cleanTitle(title, kicker string, names []string) string {
	t := cleanLine(title)
	if kicker != "" && len(t) > len(kicker) && strings.EqualFold(t[:len(kicker)], kicker) {
		if rest := strings.TrimLeft(t[len(kicker):], " :|-–—"); rest != "" && rest != t[len(kicker):] || t[len(kicker)] == ' ' {
			t = strings.TrimSpace(rest)
		}
	}
	for range 2 {
		cut := false
		for _, sep := range titleSeparators {
			if i := strings.LastIndex(t, sep); i > 0 && isSiteName(t[i+len(sep):], names) && len(strings.Fields(t[:i])) >= 2 {
				t, cut = strings.TrimSpace(t[:i]), true
				break
			}
			if i := strings.Index(t, sep); i > 0 && isSiteName(t[:i], names[:1]) && len(strings.Fields(t[i+len(sep):])) >= 2 {
				t, cut = strings.TrimSpace(t[i+len(sep):]), true
				break
			}
		}
		if !cut {
			break
		}
	}
	return t
}

// isSiteName reports whether a title segment names the site: it matches
// one of names, or one contains it or the other way round.
func isSiteName(seg string, names []string) bool {
	seg = strings.TrimSpace(seg)
	k := markerKey(seg)
	if k == "" || len([]rune(seg)) > 60 || len(strings.Fields(seg)) > 6 {
		return false
	}
	flat := strings.ReplaceAll(k, " ", "")
	for _, n := range names {
		nk := markerKey(n)
		if len(nk) < 2 {
			continue
		}
		nflat := strings.ReplaceAll(nk, " ", "")
		// "BBC News" names the site bbc; "Le Monde" is part of "Le Monde.fr".
		if nk == k || nflat == flat ||
			len(nflat) >= 3 && len(strings.Fields(seg)) <= 3 && strings.Contains(flat, nflat) ||
			len(flat) >= 3 && 2*len(flat) >= len(nflat) && strings.Contains(nflat, flat) {
			return true
		}
	}
	return false
}

// hostLabel returns the distinctive label of a URL's host ("bbc" for
// www.bbc.co.uk, "lemonde" for www.lemonde.fr).
func hostLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	labels := strings.Split(strings.TrimPrefix(u.Hostname(), "www."), ".")
	best := ""
	for _, l := range labels[:max(len(labels)-1, 1)] {
		if len(l) > len(best) && l != "co" && l != "com" {
			best = l
		}
	}
	return best
}

// pickSource returns the publication's name as the site calls itself:
// the segment of its <title> that names the site (og:site_name
// "Libération.fr", title "... - Libération"), else its declared site
// name, cleaned. A candidate that cannot be a name (plausibleSource: a
// date, "Home") is passed over.
func pickSource(pg *pageInfo, sitename, pageURL string) string {
	names := []string{pg.siteName, pg.appName, sitename, hostLabel(pageURL)}
	segs := splitTitle(pg.titleTag)
	for i := len(segs) - 1; i >= 1 && i >= len(segs)-3; i-- {
		seg := strings.TrimSpace(segs[i])
		if !isSiteName(seg, names) && !abbreviates(seg, names) || !plausibleSource(seg) {
			continue
		}
		// A shorter form of og:site_name only replaces a domain name
		// ("Libération" for "Libération.fr", not "Folha" for "Folha de S.Paulo").
		flat, og := strings.ReplaceAll(markerKey(seg), " ", ""), strings.ReplaceAll(markerKey(pg.siteName), " ", "")
		if og != "" && flat != og && strings.Contains(og, flat) &&
			(!domainSuffix.MatchString(pg.siteName) || strings.IndexFunc(seg, unicode.IsUpper) != 0) {
			continue
		}
		return seg
	}
	src := cleanSource(pg.siteName)
	if !plausibleSource(src) {
		src = cleanSource(sitename)
	}
	if !plausibleSource(src) {
		return ""
	}
	// "the Guardian" and "The Guardian": the capitalised spelling.
	if app := cleanSource(pg.appName); strings.EqualFold(app, src) && app != src && strings.IndexFunc(app, unicode.IsUpper) == 0 {
		src = app
	}
	return src
}

// splitTitle splits a <title> at its separators.
func splitTitle(t string) []string {
	segs := []string{t}
	for _, sep := range titleSeparators {
		var next []string
		for _, s := range segs {
			next = append(next, strings.Split(s, sep)...)
		}
		segs = next
	}
	return segs
}

// abbreviates reports whether one of names ("NYTimes") is an abbreviation
// of seg ("The New York Times"): its letters appear in order in seg's.
func abbreviates(seg string, names []string) bool {
	if len(strings.Fields(seg)) > 5 {
		return false
	}
	flat := strings.ReplaceAll(markerKey(seg), " ", "")
	for _, n := range names {
		nflat := strings.ReplaceAll(markerKey(n), " ", "")
		if len(nflat) < 5 || len(nflat) >= len(flat) {
			continue
		}
		i := 0
		for j := 0; j < len(flat) && i < len(nflat); j++ {
			if flat[j] == nflat[i] {
				i++
			}
		}
		if i == len(nflat) && flat[len(flat)-1] == nflat[len(nflat)-1] {
			return true
		}
	}
	return false
}

// domainSuffix is a host's top-level domain glued to a name: "Le Monde.fr".
var domainSuffix = regexp.MustCompile(`\.[a-z]{2,4}$`)

// cleanSource returns the publication's name: taglines after a separator
// and a domain suffix glued to a capitalised name are dropped ("Le
// Monde.fr" is "Le Monde"); a bare URL becomes its host name.
func cleanSource(s string) string {
	s = cleanLine(s)
	if u, err := url.Parse(s); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	for _, sep := range []string{" | ", " - ", " – ", " — "} {
		if i := strings.Index(s, sep); i >= 2 {
			s = s[:i]
		}
	}
	if loc := domainSuffix.FindStringIndex(s); loc != nil && strings.ContainsRune(s[:loc[0]], ' ') {
		s = s[:loc[0]]
	}
	return strings.TrimSpace(s)
}

// captionOf reports whether a body line is (part of) a caption the page
// marks, and returns that figure.
func (pg *pageInfo) captionOf(t string) (figure, bool) {
	if len(pg.figures) == 0 {
		return figure{}, false
	}
	for _, f := range pg.figures {
		if f.alt != "" {
			if strings.TrimRight(t, ".") == strings.TrimRight(f.alt, ".") || sameWords(t, f.alt) {
				return figure{url: f.url, caption: t}, true
			}
			continue
		}
		full := strings.TrimSpace(f.caption + " " + f.credit)
		switch {
		case f.caption != "" && (t == f.caption || t == full),
			f.credit != "" && t == f.credit,
			len(t) >= 20 && strings.Contains(full, t),
			len(f.caption) >= 20 && strings.HasPrefix(t, f.caption) && len(t) <= len(full)+40:
			return f, true
		}
	}
	return figure{}, false
}

var (
	// creditLabel introduces an agency credit: "Quelle: dpa", "Source :
	// AFP", "Mit Material von dpa", "With reporting by Reuters".
	creditLabel = regexp.MustCompile(`(?i)^(?:quellen?|sources?|fuentes?|fontes?|fonti|bron|agences?|agencias?|agenzie|mit material (?:von|der|aus)|with (?:reporting|material|additional reporting) (?:by|from)|avec|with|mit|con|com)\s*:?\s*`)
	// datelineParen: "PARIS (AFP) - ", "Berlin (dpa) – ", "MADRID, 3 may (EFE).-".
	datelineParen = regexp.MustCompile(`^[^()]{0,60}\(([^()]{2,40})\)\s*[-–—.:,]`)
	// trailingParen: "... (AFP)", "... (dpa/Reuters)." at a paragraph's end.
	trailingParen = regexp.MustCompile(`\(([^()]{2,40})\)\s*\.?\s*$`)
)

// creditLine reads a line that only credits agencies: "Quelle: dpa",
// "(AFP)", "Mit Material von dpa und Reuters".
func creditLine(t string) ([]string, bool) {
	if len(t) > 120 {
		return nil, false
	}
	s := strings.Trim(t, " ()[].")
	s = creditLabel.ReplaceAllString(s, "")
	if s == "" {
		return nil, false
	}
	return agencyOnly(s)
}

// datelineAgencies returns the agencies of an opening dateline.
func datelineAgencies(t string) []string {
	if m := datelineParen.FindStringSubmatch(t); m != nil {
		if ags, ok := creditLine(m[1]); ok {
			return ags
		}
	}
	return nil
}

// trailingAgencies returns the agencies credited at a paragraph's end.
func trailingAgencies(t string) []string {
	if !strings.HasSuffix(t, ")") && !strings.HasSuffix(t, ").") {
		return nil
	}
	if m := trailingParen.FindStringSubmatch(t); m != nil {
		if ags, ok := creditLine(m[1]); ok {
			return ags
		}
	}
	return nil
}

// sameWords reports whether two captions of similar length share nearly
// all their words (an alt text and the visible caption often differ by a
// word or a spelling).
func sameWords(a, b string) bool {
	if len(a) < 25 || len(a)*10 < len(b)*7 || len(b)*10 < len(a)*7 {
		return false
	}
	wa, wb := strings.Fields(strings.ToLower(a)), strings.Fields(strings.ToLower(b))
	set := make(map[string]bool, len(wb))
	for _, w := range wb {
		set[strings.Trim(w, ".,;:()")] = true
	}
	hit := 0
	for _, w := range wa {
		if set[strings.Trim(w, ".,;:()")] {
			hit++
		}
	}
	return hit*10 >= len(wa)*8
}

// headline returns the page's visible headline: the first <h1> that reads
// like one (three words or more, sharing words with the opening of the
// text), else the metadata title (og:title or <title>), which is written
// for sharing and often differs.
func (pg *pageInfo) headline(metaTitle string, blocks []*htmlBlock) string {
	lead := map[string]bool{}
	for i, n := 0, 0; i < len(blocks) && n < 4; i++ {
		ws := words(blocks[i].text.String())
		if len(ws) < 15 {
			continue
		}
		n++
		addWords(lead, contentWords(ws))
	}
	for i, h := range pg.h1s {
		if i == 3 {
			break
		}
		t := cleanLine(textOf(h))
		if n := len(strings.Fields(t)); n >= 3 && n <= 40 && overlap(contentWords(words(t)), lead) >= 0.3 {
			if m := cleanLine(metaTitle); len(m) > len(t) && strings.HasPrefix(m, t) {
				return m // the h1 shortened, or the title with the site name, which cleanTitle strips
			}
			return t
		}
	}
	return metaTitle
}
