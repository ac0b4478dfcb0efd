package normalize

import (
	"os"
	"testing"
)

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

// The filter never turns a stopword away, and turns away most other words.
func TestStopFilter(t *testing.T) {
	for w, set := range stopIndex {
		if stopLangsOf(w) != set {
			t.Fatalf("stopLangsOf(%q) = %b, want %b", w, stopLangsOf(w), set)
		}
	}
	data, err := os.ReadFile("testdata/seeds/000_c7389a0de46d1d46.txt")
	if err != nil {
		t.Fatal(err)
	}
	passed, other := 0, 0
	for _, w := range words(string(data)) {
		if stopIndex[w] == 0 {
			other++
			if stopFilter.mayHave(w) {
				passed++
			}
		}
	}
	if other == 0 || passed*2 > other {
		t.Errorf("the filter let %d of %d other words through", passed, other)
	}
	t.Logf("the filter let %d of %d other words through", passed, other)
}
