package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// threadMinComments is how many comments, each under its author and
// date, make a thread.
const threadMinComments = 3

// threadGap is the most lines from one comment's header to the next.
const threadGap = 12

// commentThreads marks the line that opens each comment thread: a header
// naming the author and the date ("Jermaine 07 Nov 12", "Radex |
// November 7, 2012 at 9:12 pm") or what they said ("Paula said,")
// followed by a comment, the first of threadMinComments such headers or
// more, each within threadGap lines of the last, not all by one author (a
// wire's items under its name and date). Readers' comments under a post
// are prose the model takes for the article's; their headers, repeated,
// are what sets them apart. Only a thread's first header opens it: a
// forum's page, a thread from its top, has no article above any header.
func commentThreads(bs []*block) []bool {
	var opens []bool
	from, n, others := -1, 0, false // the thread being read
	var first string                // its first author
	last := -threadGap - 1          // its last header
	end := func() {
		if n >= threadMinComments && others {
			if opens == nil {
				opens = make([]bool, len(bs))
			}
			opens[from] = true
		}
	}
	for i, b := range bs {
		a, ok := commentAuthor(b)
		if !ok || i == last+1 || !commentFollows(bs, i) {
			continue
		}
		if i-last > threadGap {
			end()
			from, n, others, first = i, 0, false, a
		}
		n++
		others = others || a != first
		last = i
	}
	end()
	return opens
}

// startsDiscussion reports whether line i opens the readers' discussion
// under a post, given commentThreads' marks: a thread's first header, a
// heading that names the post (threadHeading) or a field of the form that
// takes a comment (commentFormField). Both paths end the article there
// once some of it precedes.
func startsDiscussion(threads []bool, i int, b *block) bool {
	return threads != nil && threads[i] || threadHeading(b) || commentFormField(b)
}

// commentAuthor returns the first word of the author's name a comment's
// header gives, if b is one.
func commentAuthor(b *block) (string, bool) {
	if a, ok := datedAuthor(b); ok {
		return a, true
	}
	if saidHeader(b.words) {
		return b.words[len(b.words)-2], true
	}
	return "", false
}

// commentFollows reports whether one of the two lines after line i is a
// comment: a sentence or more.
func commentFollows(bs []*block, i int) bool {
	for _, b := range bs[i+1 : min(i+3, len(bs))] {
		if _, ok := commentAuthor(b); ok {
			return false
		}
		if len(b.words) >= 5 {
			return true
		}
	}
	return false
}

// datedName reports whether a short line names an author and a date and
// nothing else, as a comment's header does: "Jermaine 07 Nov 12", "Jane
// Doe | November 7, 2012 at 9:12 pm", "markey on 12/11/2012 said:". A
// byline ("by Jane Doe, 7 Nov 2012") heads a post, not a comment.
func datedName(b *block) bool {
	_, ok := datedAuthor(b)
	return ok
}

// datedAuthor returns the first word of the name, lower-case, if b is a
// datedName.
func datedAuthor(b *block) (string, bool) {
	if b.runes > 100 || len(b.words) < 2 || len(b.words) > 12 || !strings.ContainsAny(b.text, "0123456789") {
		return "", false
	}
	author := ""
	var dated, calendar, seen bool // seen: a date's word before any name
	names, nums := 0, 0
	prev := ""
	for _, f := range strings.Fields(b.text) {
		afterBar := prev == "|" || prev == "·" || prev == "•"
		prev = f
		t := strings.Trim(f, ",.:;|()[]-–—")
		w := strings.ToLower(t)
		switch {
		case w == "":
		case w == "by" || f[0] == '(' && isCount(w) || notNames[w] || strings.HasPrefix(w, "comment") ||
			headerLabel(f, b.text):
			return "", false
		case isCount(w) && len(w) > 2 && !hasYear(w):
			// "Risks 258", "Column 1040": an issue's number, not a date's.
			return "", false
		case isCount(w) || isOrdinal(w):
			nums++
			seen = seen || !strings.HasSuffix(f, ".") // "2." numbers a comment
		case hasClockTime(w) || numericDate(w) || w == "ago":
			dated, seen = true, true
		case isCalendarWord(w):
			calendar, seen = true, true
		case headerWords[w]:
		case gluedDate(f):
			// "Fisch10/28/12": a name and a date whose space the
			// rendering lost.
			dated = true
			if names == 0 {
				author = w
			}
			names++
		default:
			// A name may start lower-case ("kevin on November 7"),
			// its later words may not.
			r, _ := utf8.DecodeRuneInString(f)
			upper := unicode.IsUpper(r) || r == '@'
			if !upper && (names > 0 || !unicode.IsLetter(r)) || isAnyStopword(w) || strings.ContainsAny(w, "0123456789") {
				return "", false
			}
			if len(t) > 2 || strings.ToUpper(t) != t {
				if names == 0 {
					if seen && !afterBar {
						// "FRI 1/19/2007 Brooklyn NY - Union
						// Hall": a date heading a listing; a
						// comment's is "October 24, 2012 | Chris".
						return "", false
					}
					author = w
				}
				names++ // "AZ, US - Feb 23, 2007" places an event
			}
		}
	}
	return author, (dated || calendar && nums >= 2) && names >= 1 && names <= 3
}

// numericDate reports a date of digits and separators: "12/11/2012",
// "11.06.12", "2012-11-07".
func numericDate(w string) bool {
	parts := strings.FieldsFunc(w, func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) != 3 {
		return false
	}
	long := false
	for _, p := range parts {
		if !isCount(p) || len(p) > 4 {
			return false
		}
		long = long || len(p) >= 2
	}
	return long
}

// notNames are words of lines that look like a comment's header but
// head or close a post, or list its links.
var notNames = setOf(`comments comment posted updated filed tags tagged category
	trackback trackbacks tracked gmt utc edition issue press books journal magazine review`)

// headerWords are the words a comment's header has beside its author's
// name and the date.
var headerWords = setOf(`at on said says wrote am pm a.m p.m ago reply à le um schrieb sagt dijo escribió
	ha scritto disse écrit a dit
	minute minutes hour hours day days week weeks month months year years`)

// isOrdinal reports a day of the month written as an ordinal: "15th".
func isOrdinal(w string) bool {
	n := len(w)
	return n >= 3 && n <= 4 && isCount(w[:n-2]) && (w[n-2:] == "st" || w[n-2:] == "nd" || w[n-2:] == "rd" || w[n-2:] == "th")
}

// gluedDate reports a word of letters ending in a numeric date.
func gluedDate(f string) bool {
	i := strings.IndexAny(f, "0123456789")
	if i <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(f[:i])
	return unicode.IsLetter(r) && numericDate(f[i:])
}

// headerLabel reports whether word f ends in a colon and is not the line's
// last: "Registered: July 3, 2001" is a profile's field, "markey on
// 12/11/2012 said:" a comment's header.
func headerLabel(f, line string) bool {
	return strings.HasSuffix(f, ":") && !strings.HasSuffix(strings.TrimSpace(line), f)
}

// threadHeading reports whether a line heads the thread under a post by
// naming it: "13 Responses to The Time Has Come", "8 appreciated
// comments on “New work”", "45 users responded in “Books”". Sidebars
// count comments ("12 comments"); only a thread names the post it
// answers. A numbered item ("9. Do comment on what others say") or two
// sentences ("3 comments in yesterday's post! Allow me…") are prose.
func threadHeading(b *block) bool {
	ws := b.words
	if len(ws) < 4 || len(ws) > 25 || !isCount(ws[0]) || !strings.HasPrefix(b.text, ws[0]+" ") ||
		strings.Contains(b.text, ". ") || strings.Contains(b.text, "! ") {
		return false
	}
	for i := 1; i <= 3 && i+2 <= len(ws)-1; i++ {
		if (commentWords[ws[i]] || threadWords[ws[i]]) && aboutWords[ws[i+1]] {
			return true
		}
	}
	return false
}

// threadWords are, beside the commentWords, what a thread's heading
// counts.
var threadWords = setOf(`thought thoughts responded`)

// pronouns say who said what in prose ("she said."), not in a header.
var pronouns = setOf(`he she they it i we you who which that this one`)

// aboutWords tie a thread's heading to the post's title.
var aboutWords = setOf(`to on in for about zu sur à a su sobre op na`)

// saidHeader reports a comment's header that ends with "said" ("Silver
// Phoenix said:", "Anonymous said..."): a name and nothing else, unlike
// the quote ending a news paragraph ("…, he said.").
func saidHeader(ws []string) bool {
	return len(ws) >= 2 && len(ws) <= 4 && ws[len(ws)-1] == "said" && !pronouns[ws[0]]
}

// commentFormField reports a field of the form under a post that takes a
// comment: "Name (required)", "Mail (will not be published)
// (required)", "Email *". The form ends the article; comments follow it.
func commentFormField(b *block) bool {
	if b.runes > 60 || len(b.words) == 0 || len(b.words) > 7 || !formFields[b.words[0]] {
		return false
	}
	return strings.HasSuffix(b.text, "*") || strings.Contains(b.text, "(required)") || strings.Contains(b.text, "(will not be published)")
}

// formFields are the first words of a comment form's fields.
var formFields = setOf(`name email e-mail mail website url`)
