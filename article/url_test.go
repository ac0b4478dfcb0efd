package article

import "testing"

func TestCanonicalURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.org/a/b.html", "https://example.org/a/b.html"},
		{"HTTPS://Example.ORG:443/a?utm_source=x&utm_medium=rss#top", "https://example.org/a"},
		{"http://example.org:80/a?id=3&fbclid=abc&gclid=z", "http://example.org/a?id=3"},
		{"https://example.org/a?page=2&UTM_Campaign=y", "https://example.org/a?page=2"},
		{"https://example.org:8443/a?b=1&a=2", "https://example.org:8443/a?b=1&a=2"}, // order kept
		{"https://[::1]:443/a", "https://[::1]/a"},
		{"https://example.org/a?", "https://example.org/a"},
		{"not a url", "not a url"},
	} {
		if got := CanonicalURL(tc.in); got != tc.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if NewID("https://example.org/a?utm_source=x", "") != NewID("https://example.org/a", "") {
		t.Error("a tracking parameter changes the article id")
	}
}

func TestRevisionHash(t *testing.T) {
	base := RevisionHash("Le titre", []string{"Un paragraphe.", "Un autre."})
	for _, tc := range []struct {
		title string
		body  []string
		same  bool
	}{
		{"Le  titre ", []string{"Un paragraphe.\n", "Un   autre."}, true},
		{"Le titre", []string{"Un paragraphe. Un autre."}, true}, // paragraphs joined
		{"Le titre corrigé", []string{"Un paragraphe.", "Un autre."}, false},
		{"Le titre", []string{"Un paragraphe.", "Un autre!"}, false},
		{"Le", []string{"titre Un paragraphe.", "Un autre."}, false}, // title and body apart
	} {
		if got := RevisionHash(tc.title, tc.body) == base; got != tc.same {
			t.Errorf("RevisionHash(%q, %q) same = %v, want %v", tc.title, tc.body, got, tc.same)
		}
	}
}
