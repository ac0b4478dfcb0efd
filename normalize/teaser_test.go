package normalize

import "testing"

func TestDropTeasers(t *testing.T) {
	para := "The council voted on the plan after a long debate that went on late into the night, and the mayor said the new road would be built next year."
	bracket := "When initially Ram showcased the all-new super-stretched Long-Hauler concept, we saw the first pictures which [...]"
	more := "The storm reshaped communities along the coast and left thousands without power... Read More"
	quote := "The court said the trust had to pay for the litigation to reduce the burden and the bill. [...]"
	for _, tc := range []struct {
		name  string
		lines []string
		want  int // lines left as content
	}{
		{"teasers under headlines", []string{para, para, "The 24 foot Long-Hauler concept truck", bracket, "Let the power ride begin", bracket}, 2},
		{"teasers before a Read more link", []string{para, more, more}, 1},
		{"one teaser", []string{para, "The 24 foot Long-Hauler concept truck", bracket}, 3},
		{"cuts in quotes", []string{para, quote, para, quote}, 4},
	} {
		bs := contentBlocks(tc.lines)
		dropTeasers(bs)
		if n := contentLines(bs); n != tc.want {
			t.Errorf("%s: %d lines left, want %d", tc.name, n, tc.want)
		}
	}
}
