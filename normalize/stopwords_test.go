package normalize

import "testing"

func TestStoplists(t *testing.T) {
	for i, lang := range stopLangs {
		n := 0
		for _, set := range stopIndex {
			if set&(1<<i) != 0 {
				n++
			}
		}
		if n < 100 {
			t.Errorf("%s stoplist: %d words", lang, n)
		}
	}
	for _, w := range []string{"le", "the", "und", "los", "della", "não", "het"} {
		if !stopwordSet[w] {
			t.Errorf("%q is not a stopword", w)
		}
	}
}

func TestStopDensityLang(t *testing.T) {
	ws := words("Le président a annoncé une réforme de la santé")
	tests := []struct {
		lang string
		want float64
	}{
		{"fr", 5.0 / 9},         // le a une de la
		{"fr-FR", 5.0 / 9},      // a tag reduced to its language
		{"en", 1.0 / 9},         // a
		{"pl", stopDensity(ws)}, // no list: any language
	}
	for _, tt := range tests {
		if got := stopDensityLang(ws, tt.lang); got != tt.want {
			t.Errorf("stopDensityLang(%s) = %v, want %v", tt.lang, got, tt.want)
		}
	}
	if got := stopDensityLang(nil, "fr"); got != 0 {
		t.Errorf("empty: %v", got)
	}
}
