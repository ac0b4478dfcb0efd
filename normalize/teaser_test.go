package normalize

import "testing"

func TestDropTeasers(t *testing.T) {
	para := testPara
	bracket := "When initially Ram showcased the all-new super-stretched Long-Hauler concept, we saw the first pictures which [...]"
	more := "The storm reshaped communities along the coast and left thousands without power... Read More"
	quote := "The court said the trust had to pay for the litigation to reduce the burden and the bill. [...]"
	checkDrops(t, dropTeasers, []dropCase{
		{"teasers under headlines", []string{para, para, "The 24 foot Long-Hauler concept truck", bracket, "Let the power ride begin", bracket}, 2},
		{"teasers before a Read more link", []string{para, more, more}, 1},
		{"one teaser", []string{para, "The 24 foot Long-Hauler concept truck", bracket}, 3},
		{"cuts in quotes", []string{para, quote, para, quote}, 4},
	})
}

func TestDropRankedTeasers(t *testing.T) {
	para := testPara
	checkDrops(t, dropRankedTeasers, []dropCase{
		{"views above headlines", []string{para, "22669", "Guardia de seguridad de Johnny Depp se sincera", "13155", "Alcalde Carter se llenó de troleos por propuesta", "11651", "Pollo Castillo baja un video tras ser acusado", para}, 2},
		{"ranks above headlines", []string{"1", "Storm leaves thousands without power on the coast", "2.", "Mayor promises a new road by next year", "3", "Council debate runs late into the night", para}, 1},
		{"two ranked headlines", []string{para, "1", "Storm leaves thousands without power on the coast", "2", "Mayor promises a new road by next year", para}, 6},
		{"a numbered list says more", []string{para, "1", para, "2", para, "3", para}, 7},
		{"standings: names, not headlines", []string{"1", "Lewis Hamilton", "2", "Max Verstappen", "3", "Charles Leclerc"}, 6},
	})
}

func TestDropLabelledTeasers(t *testing.T) {
	para := testPara
	checkDrops(t, dropLabelledTeasers, []dropCase{
		{"related link", []string{para, "Related: Chicago is America's most segregated city", para}, 2},
		{"lire aussi", []string{para, "À lire aussi : Le maire promet une nouvelle route", para}, 2},
		{"lesen sie auch", []string{para, "Lesen Sie auch: Der Bürgermeister verspricht eine Straße", para}, 2},
		{"screen reader caption", []string{para, "Media caption Barack Obama: \"Great Britain has always been our best partner\"", para}, 2},
		{"image caption ending a sentence", []string{para, "Image caption The mayor opened the road in May.", para}, 2},
		{"a label's long paragraph", []string{para, "Related: " + para + " " + para, para}, 3},
		{"a sentence under a label", []string{para, "Read more: the council said it would publish the plan.", para}, 3},
		{"a heading with a colon", []string{para, "Brexit: what happens next", para}, 3},
	})
}
