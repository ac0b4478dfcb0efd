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
		if !isAnyStopword(w) {
			t.Errorf("%q is not a stopword", w)
		}
	}
}

func TestStopDensity(t *testing.T) {
	ws := words("Le président a annoncé une réforme de la santé")
	if got, want := stopDensity(ws), 5.0/9; got != want { // le a une de la
		t.Errorf("stopDensity = %v, want %v", got, want)
	}
	if got := stopDensity(nil); got != 0 {
		t.Errorf("empty: %v", got)
	}
}
