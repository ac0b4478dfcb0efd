package feeds

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// cleanText makes s safe for XML 1.0 and JSON: invalid UTF-8 becomes U+FFFD,
// and characters XML forbids or discourages (C0 and C1 controls other than
// tab and newlines, U+FFFE, U+FFFF) are dropped. encoding/xml would replace
// them in character data but not inside CDATA sections, and readers choke on
// them either way.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t', r == '\n', r == '\r':
			return r
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff:
			return -1
		}
		return r
	}, s)
}

// cleanLine is cleanText for one-line fields such as titles: runs of white
// space, newlines included, collapse to one space.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// cleanLines is cleanLine on each of lines, the empty results dropped;
// nil when none is left.
func cleanLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = cleanLine(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// httpURL returns s normalized when it is an absolute http(s) URL, else "".
// Anything else (javascript:, relative paths, garbage) must not become a
// link in a feed or a page.
func httpURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// languageTag returns the canonical BCP 47 form of s, or "" when s is not a
// well-formed tag or is "und": xml:lang and <language> must not lie.
func languageTag(s string) string {
	t, err := language.Parse(strings.TrimSpace(s))
	if err != nil || t == language.Und {
		return ""
	}
	return t.String()
}

// paragraphsHTML renders plain-text paragraphs as HTML, for articles that
// arrive without body_html.
func paragraphsHTML(body []string) string {
	var b strings.Builder
	for _, p := range body {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>")
			b.WriteString(html.EscapeString(p))
			b.WriteString("</p>\n")
		}
	}
	return b.String()
}

// excerpt returns s cut to at most n runes on a word boundary, with an
// ellipsis when cut.
func excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, count := len(s), 0
	for i := range s {
		if count == n {
			cut = i
			break
		}
		count++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > 0 {
		cut = sp
	}
	return strings.TrimSpace(s[:cut]) + "…"
}
