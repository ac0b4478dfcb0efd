package eval

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestDevScoresRefused(t *testing.T) {
	long := strings.Repeat("word ", refusedMinWords)
	short := strings.Repeat("word ", refusedMinWords-1)
	refused := errors.New("normalize: empty article")
	rs := []DevResult{
		{Page: &Page{Dataset: "dragnet", ID: "a", Gold: long}, Path: PathHTML, Err: refused},
		{Page: &Page{Dataset: "dragnet", ID: "b", Gold: short}, Path: PathHTML, Err: refused},
		{Page: &Page{Dataset: "dragnet", ID: "c", Gold: long}, Path: PathHTML, Body: PRF{P: 1, R: 1, F1: 1}},
		{Page: &Page{Dataset: "dragnet", ID: "a", Gold: long}, Path: PathWalk, Err: refused},
		{Page: &Page{Dataset: "dragnet", ID: "b", Gold: long}, Path: PathWalk, Err: refused, BlankInput: true},
		{Page: &Page{Dataset: "dragnet", ID: "c", Gold: long}, Path: PathWalk, Body: PRF{P: 1, R: 1, F1: 1}},
	}
	for _, s := range DevScores(rs) {
		var blank []string
		if s.Path == PathWalk {
			blank = []string{"dragnet/b"}
		}
		if s.Failed != 2 || !slices.Equal(s.RefusedLong, []string{"dragnet/a"}) || !slices.Equal(s.RefusedBlank, blank) || s.Low != 2.0/3 {
			t.Errorf("%s %s: failed %d, refused long %q, blank %q, low %.3f; want 2, [dragnet/a], %q, 0.667",
				s.Dataset, s.Path, s.Failed, s.RefusedLong, s.RefusedBlank, s.Low, blank)
		}
	}
	for _, tc := range []struct {
		names, blank []string
		want         string
	}{
		{nil, nil, "refused with 50 gold words or more: 0: met"},
		{[]string{"d/a"}, nil, "refused with 50 gold words or more: 1: MISSED (d/a)"},
		{[]string{"d/a", "d/b", "d/c", "d/d"}, nil, "refused with 50 gold words or more: 4: MISSED (d/a, d/b, d/c, …)"},
		{nil, []string{"d/e"}, "refused with 50 gold words or more: 0: met (and 1 whose rendering shows no text (d/e))"},
	} {
		if got := refusedLong(DevScore{RefusedLong: tc.names, RefusedBlank: tc.blank}); got != tc.want {
			t.Errorf("refusedLong(%q, %q) = %q, want %q", tc.names, tc.blank, got, tc.want)
		}
	}
}

func TestMetaTitled(t *testing.T) {
	for _, tc := range []struct {
		name, page, title string
		want              bool
	}{
		{"the title element, site cut", `<html><head><title>Storm hits coast - The Daily</title></head><body><h1>Storm hits coast</h1></body></html>`, "Storm hits coast", true},
		{"og:title", `<html><head><meta property="og:title" content="Storm hits the coast"></head><body></body></html>`, "Storm hits the coast", true},
		{"twitter:title", `<html><head><meta name="twitter:title" content="Storm hits the coast"></head><body></body></html>`, "storm hits the coast!", true},
		{"a headline the metadata does not give", `<html><head><title>The Daily</title></head><body><h1>Storm hits coast</h1></body></html>`, "Storm hits coast", false},
		{"no metadata", `<html><body><h1>Storm hits coast</h1></body></html>`, "Storm hits coast", false},
		{"no title", `<html><head><title>The Daily</title></head></html>`, "", false},
	} {
		if got := metaTitled([]byte(tc.page), tc.title); got != tc.want {
			t.Errorf("%s: metaTitled = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWritePages(t *testing.T) {
	rs := []DevResult{
		{Page: &Page{Dataset: "dragnet", ID: "R1"}, Path: PathChromium, Body: PRF{P: 0.5, R: 1, F1: 0.667},
			Title: "Storm hits\tcoast", HTMLTitle: "Storm hits coast", TitleFromMeta: true},
		{Page: &Page{Dataset: "dragnet", ID: "R2"}, Path: PathWalk, Err: errors.New("normalize: empty article")},
	}
	var b strings.Builder
	if err := WritePages(&b, rs); err != nil {
		t.Fatal(err)
	}
	want := "dragnet\tR1\ttext/chromium\t0.500\t1.000\t0.667\ttrue\tStorm hits coast\tStorm hits coast\t\ttrue\tfalse\n" +
		"dragnet\tR2\ttext/walk\t0.000\t0.000\t0.000\tfalse\t\t\tnormalize: empty article\tfalse\tfalse\n"
	if b.String() != want {
		t.Errorf("WritePages wrote\n%q\nwant\n%q", b.String(), want)
	}
}
