package stopwords

import "testing"

func TestLists(t *testing.T) {
	for _, lang := range Languages {
		if n := len(List(lang)); n < 100 {
			t.Errorf("%s: %d words, want a full list", lang, n)
		}
	}
	for _, tc := range []struct {
		lang, word string
		want       bool
	}{
		{"fr", "les", true}, {"fr-CA", "dans", true}, {"en", "the", true}, {"de", "und", true},
		{"es", "los", true}, {"it", "della", true}, {"pt", "não", true}, {"nl", "het", true},
		{"fr", "poutine", false}, {"en", "minsk", false}, {"xx", "the", false}, {"EN", "the", true},
	} {
		if got := Is(tc.lang, tc.word); got != tc.want {
			t.Errorf("Is(%q, %q) = %v", tc.lang, tc.word, got)
		}
	}
}
