package normalize

import (
	"regexp"
	"strings"
)

// Scraped text can hold what a browser never shows: a scraper that keeps
// every text node keeps the page's scripts, styles and the markup inside
// <noscript> (a tracking pixel's <img …>). Such lines are never an
// article's, but a model trained on rendered text has not seen them and
// may keep them beside the article.
var (
	// codeStart begins a line of code whatever its length: a declaration,
	// an assignment to a property, a control statement or a function, a
	// comment with code in it, a CSS at-rule, a jQuery call.
	codeStart = regexp.MustCompile(`^(?:(?:var|let|const)\s+[\w$]+\s*=|[\w$]+(?:\.[\w$]+)+\s*=[^=]|(?:function\s*[\w$]*|if|for|while)\s*\(|\(\s*function\b|//.*[;=({]|/\*|@(?:import|media|font-face)\b|\$\(|jQuery\()`)
	// codeAssign is an assignment to a variable of three characters or
	// more (a formula's are one letter: "A = (1.5)·(2)"); group 1 is an
	// object, array or call on its right.
	codeAssign = regexp.MustCompile(`^[\w$]{3,}(?:\[[^\]]*\])?\s*=\s*(?:["'\d]|([\[{(]))`)
	// codeCall is a statement that is one call; group 1 names the
	// function, group 2 holds its arguments.
	codeCall = regexp.MustCompile(`^(?:new\s+)?([\w$]+(?:\.[\w$]+)*)\((.*)\)\s*;?$`)
)

// codeLine reports whether a line is script, style or markup rather than
// text: an HTML comment or tag, CSS rules, JavaScript statements. Prose
// with a parenthesis ("Comments (26)", "Betsy (Omaha, NE)") or an equals
// sign ("Yale = New Haven; Harvard = Cambridge") is not; a code sample in
// a programming article may be, which costs little (under 0.01% of the
// development corpora's gold words).
func codeLine(s string) bool {
	if !strings.ContainsAny(s, ";{}<=()/@$") {
		return false // most lines end here
	}
	if strings.HasPrefix(s, "<!--") || strings.HasSuffix(s, "-->") || markupTag(s) {
		return true
	}
	var semi, brace, eq, colon, tag, gt int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '}':
			brace++
		case ';':
			semi++
		case '=':
			eq++
		case ':':
			colon++
		case '>':
			gt++
		case '<':
			if i+1 < len(s) && (s[i+1] == '/' || s[i+1] == '!' || isASCIILetter(s[i+1])) {
				tag++
			}
		}
	}
	// Code packs its signs: a sign for every four words or fewer. Markup
	// starts the line: "You may use these HTML tags: <a href=""> <b> …"
	// is a comment form's notice, which the line model knows.
	words := countWords(s)
	if dense := (semi+brace+eq+2*tag)*4 >= words; dense &&
		(tag >= 2 && gt >= 2 && s[0] == '<' || brace >= 2 && semi+eq+colon > 0 || semi >= 2 && eq >= 2) {
		return true
	}
	if codeStart.MatchString(s) {
		return true
	}
	// The submatch searches run only where they can match: an assignment
	// has its "=", a call ends with ")" and perhaps ";".
	if eq > 0 {
		if m := codeAssign.FindStringSubmatch(s); m != nil && (m[1] != "" || words <= 20 && strings.HasSuffix(s, ";")) {
			return true
		}
	}
	if !strings.HasSuffix(strings.TrimRight(strings.TrimSuffix(s, ";"), " \t\n\f\r"), ")") {
		return false
	}
	// A call: "showForm();", "BBC.adverts.write("mpu",true);". Without
	// its semicolon, a call needs empty parentheses or a name no word
	// has ("Comments (0)" has a space).
	if m := codeCall.FindStringSubmatch(s); m != nil {
		return strings.HasSuffix(s, ";") || m[2] == "" || strings.ContainsAny(m[1], "._$")
	}
	return false
}

// markupTag reports whether a line is an HTML tag with attributes: <img
// src="…">, <IMG SRC="…">, <form action="…">.
func markupTag(s string) bool {
	return len(s) >= 2 && s[0] == '<' && (s[1] == '!' || s[1] == '?' || isASCIILetter(s[1])) &&
		strings.HasSuffix(s, ">") && strings.Contains(s, "=")
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
