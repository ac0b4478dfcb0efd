package normalize

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A news ticker beside an article lists the site's latest stories
// newest first, each under its time ("14:44 Accusations de viols : …",
// "13:24" above the story's first lines). Its items are prose and
// headlines the model may take for the article's; their times, falling
// from one line to the next, are what sets them apart. A schedule or a
// race calendar counts up; comments, oldest first, too.

// tickerMinItems is how many timed items make a ticker.
const tickerMinItems = 3

// tickerGap is the most lines from one item's time to the next.
const tickerGap = 6

// clockStamp matches a line that starts with a time of day: "14:44",
// "14h10", "7:28 PM ET", "11:57 AM", "14:06 Uhr", then what follows it.
var clockStamp = regexp.MustCompile(`(?i)^([01]?\d|2[0-3])[:h]([0-5]\d)(?:\s*([ap])\.?m\.?)?(?:\s*(?:uhr|et|gmt|utc|cet|cest|bst|est|pst))?(?:\s+(.*))?$`)

// tickerStamp returns the time of day a line starts with, in minutes
// after midnight, and whether a headline follows it on the line.
func tickerStamp(b *block) (minutes int, headline, ok bool) {
	if b.runes > 200 || b.text == "" || b.text[0] < '0' || b.text[0] > '9' {
		return 0, false, false // most lines: no regexp run
	}
	m := clockStamp.FindStringSubmatch(b.text)
	if m == nil {
		return 0, false, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	switch strings.ToLower(m[3]) {
	case "a":
		if h > 12 {
			return 0, false, false
		}
		h %= 12
	case "p":
		if h > 12 {
			return 0, false, false
		}
		h = h%12 + 12
	}
	// A headline starts with a word or a quote; a post's footer does
	// not ("07:50 PM | Permalink | Comments (3)").
	rest := strings.Fields(m[4])
	first, _ := utf8.DecodeRuneInString(m[4])
	headline = len(rest) >= 3 && len(rest) <= 25 && !endsSentence(m[4]) &&
		(unicode.IsLetter(first) || strings.ContainsRune(`"'«“‘`, first))
	return h*60 + mm, headline, true
}

// newsTickers marks the first line of each ticker: tickerMinItems lines
// or more that start with a time, each within tickerGap lines of the
// last, the times never rising and falling at least once, half of them
// or more with a headline on their line (a live blog's entries are its
// prose under a time of their own).
func newsTickers(bs []*block) []bool {
	var opens []bool
	from, n, headlines, falls := -1, 0, 0, false // the ticker being read
	last, lastMin := -tickerGap-1, 0             // its last item
	end := func() {
		if n >= tickerMinItems && falls && 2*headlines >= n {
			if opens == nil {
				opens = make([]bool, len(bs))
			}
			opens[from] = true
		}
	}
	for i, b := range bs {
		t, headline, ok := tickerStamp(b)
		if !ok {
			continue
		}
		if i-last > tickerGap || t > lastMin {
			end()
			from, n, headlines, falls = i, 0, 0, false
		} else if t < lastMin {
			falls = true
		}
		n++
		if headline {
			headlines++
		}
		last, lastMin = i, t
	}
	end()
	return opens
}
