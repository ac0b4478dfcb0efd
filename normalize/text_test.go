package normalize

import (
	"strings"
	"testing"
)

func TestMarkRepeats(t *testing.T) {
	p1 := "Hill bought three of the players as Christmas presents for his children last week."
	p2 := "Hill questioned why the store would sell used merchandise as new, against its own policies."
	caption := "The mayor opens the new bridge over the river on Monday."
	for _, tc := range []struct {
		name  string
		lines []string
		want  string // one letter a line: k kept, r left out as a repeat
	}{
		{"the article printed twice: the first copy stays", []string{p1, p2, "Fri Dec 28", p1, p2}, "kkkrr"},
		{"a caption printed twice: both go", []string{caption, p1, caption, p2}, "rkrk"},
		{"one sentence printed twice, apart", []string{p1, caption, p2, p1}, "rkkr"},
	} {
		bs := newBlocks(tc.lines)
		markRepeats(bs, true)
		var got strings.Builder
		for _, b := range bs {
			if b.repeat {
				got.WriteByte('r')
			} else {
				got.WriteByte('k')
			}
		}
		if got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got.String(), tc.want)
		}
	}
}
