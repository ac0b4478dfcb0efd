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
	}
	for _, s := range DevScores(rs) {
		if s.Failed != 2 || !slices.Equal(s.RefusedLong, []string{"dragnet/a"}) || s.Low != 2.0/3 {
			t.Errorf("%s %s: failed %d, refused long %q, low %.3f; want 2, [dragnet/a], 0.667", s.Dataset, s.Path, s.Failed, s.RefusedLong, s.Low)
		}
	}
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, "refused with 50 gold words or more: 0: met"},
		{[]string{"d/a"}, "refused with 50 gold words or more: 1: MISSED (d/a)"},
		{[]string{"d/a", "d/b", "d/c", "d/d"}, "refused with 50 gold words or more: 4: MISSED (d/a, d/b, d/c, …)"},
	} {
		if got := refusedLong(DevScore{RefusedLong: tc.names}); got != tc.want {
			t.Errorf("refusedLong(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
