package story

import "strings"

// primaryLanguage is the primary subtag of a BCP 47 tag ("pt-BR" -> "pt").
func primaryLanguage(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
