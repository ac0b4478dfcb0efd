package eval

import (
	"strings"
	"testing"
)

func TestLineLabels(t *testing.T) {
	gold := "Ministers met on Monday to discuss the budget for next year.\nThe talks will go on.\nBackground\nThe budget was cut twice."
	lines := []string{
		"Home", "News", // menu: "news" is no gold word anyway
		"Ministers met on Monday to discuss the budget for next year.",
		"Share this",
		"The talks will go on.",
		"Background", // a short line next to aligned text: a subheading
		"The budget was cut twice.",
		"Related: the budget", // a chance match of two words
	}
	want := []float32{0, 0, 1, 0, 1, 1, 1, 0}
	got := LineLabels(lines, gold)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %q: label %.2f, want %.0f", lines[i], got[i], want[i])
		}
	}
}

func TestWalkText(t *testing.T) {
	page := `<html><head><title>T</title><style>p{}</style></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<h1>A   headline</h1><p>First <b>bold</b> paragraph.<br>Second line.</p>
<div hidden>secret</div><script>var x</script><ul><li>one</li><li>two</li></ul></body></html>`
	got := WalkText([]byte(page))
	want := "Home News\nA headline\nFirst bold paragraph.\nSecond line.\none\ntwo\n"
	if got != want {
		t.Errorf("WalkText = %q, want %q", got, want)
	}
	// The raw walk keeps the title, styles, scripts, <noscript> markup
	// and hidden elements.
	raw := strings.Replace(page, "<ul>", `<noscript><img src="p.gif"></noscript><ul>`, 1)
	got = RawText([]byte(raw))
	want = "T\np{}\nHome News\nA headline\nFirst bold paragraph.\nSecond line.\nsecret\nvar x\n<img src=\"p.gif\">\none\ntwo\n"
	if got != want {
		t.Errorf("RawText = %q, want %q", got, want)
	}
}

func TestSiteOf(t *testing.T) {
	for _, tc := range []struct{ page, want string }{
		{`<text id="http://www.bbc.co.uk/news/x.html" title="t">`, "bbc.co.uk"},
		{`<link rel="canonical" href="https://edition.cnn.com/a">`, "cnn.com"},
		{`<a href="http://news.example.org/1">a</a><a href="http://www.example.org/2">b</a><a href="http://example.org/3">c</a><a href="http://twitter.com/x">t</a>`, "example.org"},
		{`<p>no links</p>`, ""},
	} {
		if got := siteOf([]byte(tc.page)); got != tc.want {
			t.Errorf("siteOf(%.40q) = %q, want %q", tc.page, got, tc.want)
		}
	}
	if Fold("bbc.co.uk", 5) != Fold("bbc.co.uk", 5) || Fold("a", 5) < 0 || Fold("a", 5) >= 5 {
		t.Error("Fold is not a stable fold number")
	}
}

func TestSameTitle(t *testing.T) {
	if !SameTitle("Obama admits US gun laws are his 'biggest frustration'", "obama admits us gun laws are his “biggest frustration”") {
		t.Error("case and quotes should not matter")
	}
	if SameTitle("", "") || SameTitle("Obama wins", "Obama loses") {
		t.Error("empty or different titles compared equal")
	}
	if !strings.Contains(formatFloors(&DevReport{Scores: []DevScore{{Dataset: "d", Path: PathHTML, Body: PRF{F1: 0.9}}}}), `"html": {F1: 0.900`) {
		t.Error("formatFloors does not print a floor")
	}
}

// TestRegressions: the ratchet holds a figure to its floor, strictly
// with the Chromium it was recorded with, more loosely with another.
func TestRegressions(t *testing.T) {
	floor := Baseline["dragnet"][PathWalk]
	for _, tc := range []struct {
		name     string
		chromium string
		f1, low  float64
		want     int
	}{
		{"at the floor", BaselineChromium, floor.F1, floor.Low, 0},
		{"a point lower", BaselineChromium, floor.F1 - 0.01, floor.Low, 1},
		{"more pages under 0.5", BaselineChromium, floor.F1, floor.Low + 0.01, 1},
		{"a point lower, another Chromium", "HeadlessChrome/1.0", floor.F1 - 0.01, floor.Low + 0.01, 0},
		{"three points lower, another Chromium", "HeadlessChrome/1.0", floor.F1 - 0.03, floor.Low, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &DevReport{Chromium: tc.chromium, Scores: []DevScore{{
				Dataset: "dragnet", Path: PathWalk, Pages: 1000, TitlePages: 1000,
				Body: PRF{F1: tc.f1}, Low: tc.low, Title: floor.Title,
			}}}
			if got := Regressions(r); len(got) != tc.want {
				t.Errorf("Regressions = %q, want %d", got, tc.want)
			}
		})
	}
}

func TestNoRefresh(t *testing.T) {
	page := `<head><META HTTP-EQUIV="Refresh" content="0; url=http://example.com/"><meta http-equiv=refresh content=5><meta charset="utf-8"></head>`
	if got, want := noRefresh(page), `<head><meta charset="utf-8"></head>`; got != want {
		t.Errorf("noRefresh = %q, want %q", got, want)
	}
}
