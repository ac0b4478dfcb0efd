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

func TestDropRankedTeasers(t *testing.T) {
	para := "The council voted on the plan after a long debate that went on late into the night, and the mayor said the new road would be built next year."
	for _, tc := range []struct {
		name  string
		lines []string
		want  int // lines left as content
	}{
		{"views above headlines", []string{para, "22669", "Guardia de seguridad de Johnny Depp se sincera", "13155", "Alcalde Carter se llenó de troleos por propuesta", "11651", "Pollo Castillo baja un video tras ser acusado", para}, 2},
		{"ranks above headlines", []string{"1", "Storm leaves thousands without power on the coast", "2.", "Mayor promises a new road by next year", "3", "Council debate runs late into the night", para}, 1},
		{"two ranked headlines", []string{para, "1", "Storm leaves thousands without power on the coast", "2", "Mayor promises a new road by next year", para}, 6},
		{"a numbered list says more", []string{para, "1", para, "2", para, "3", para}, 7},
		{"standings: names, not headlines", []string{"1", "Lewis Hamilton", "2", "Max Verstappen", "3", "Charles Leclerc"}, 6},
	} {
		bs := contentBlocks(tc.lines)
		dropRankedTeasers(bs)
		if n := contentLines(bs); n != tc.want {
			t.Errorf("%s: %d lines left, want %d", tc.name, n, tc.want)
		}
	}
}
