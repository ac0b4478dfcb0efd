package normalize

import (
	"strings"
	"testing"
	"time"
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

func TestUpdatedLine(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	checkLines(t, "updatedLine", func(b *block) bool { return updatedLine(b.text, lower(b.text), now) }, []lineCase{
		{"Thu 3 Jan 2019 02.00 EST Last modified on Wed 16 Jan 2019 06.16 EST", true},
		{"12 mars 2024 à 10h00, mis à jour le 13 mars 2024 à 08h12", true},
		{"Published 3 Jan 2019 | Updated 4 Jan 2019", true},
		{"Published 3 Jan 2019 | UPDATED 4 Jan 2019", true},
		{"Updated 4 Jan 2019", false}, // a date line already (dateOnly)
		{"The rules updated on 4 Jan 2019 change everything for savers", false},
		{"3 Jan 2019: Parliament updated the law on 4 Jan 2019 after a long debate in both houses", false},
	})
}
