// Package stopwords holds the function words of the languages crier reads
// best: the Snowball project's stoplists (BSD) for French, English, German,
// Spanish, Italian, Portuguese and Dutch, with a few additions marked in
// each file. Boilerplate detection, language identification, keywords and
// story matching all read them from here.
package stopwords

import (
	"bufio"
	"embed"
	"strings"
	"sync"
)

// Languages are the languages with a list, as BCP 47 primary subtags.
var Languages = [...]string{"fr", "en", "de", "es", "it", "pt", "nl"}

//go:embed lists/*.txt
var files embed.FS

// sets holds each language's words, read once.
var sets = sync.OnceValue(func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(Languages))
	for _, lang := range Languages {
		data, err := files.ReadFile("lists/" + lang + ".txt")
		if err != nil {
			panic("stopwords: " + lang + ": " + err.Error()) // embedded: cannot happen
		}
		set := make(map[string]bool)
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "|") // "|" starts a comment
			for _, w := range strings.Fields(strings.ToLower(line)) {
				set[w] = true
			}
		}
		out[lang] = set
	}
	return out
})

// List returns the stopwords of lang (a primary subtag), in no order; nil
// for a language without a list.
func List(lang string) []string {
	set := sets()[lang]
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	return out
}

// Is reports whether the lowercase word is a stopword of lang (a BCP 47
// tag; only its primary subtag counts).
func Is(lang, word string) bool {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return sets()[strings.ToLower(lang)][word]
}
