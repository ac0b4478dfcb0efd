package article

import "testing"

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"euronews", "euronews"},
		{"L'Expression", "l-expression"},
		{"Keystone-SDA", "keystone-sda"},
		{"  Le Monde  ", "le-monde"},
		{"Élysée.fr", "elysee-fr"},
		{"", "unknown"},
		{"***", "unknown"},
		{"a.b>c*d", "a-b-c-d"},
		{"pt-BR", "pt-br"},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNewIDStable(t *testing.T) {
	h := HashBody([]string{"a", "b"})
	if HashBody([]string{"a", "b"}) != h || HashBody([]string{"ab"}) == h {
		t.Fatal("HashBody must depend on paragraphs, deterministically")
	}
	if NewID("", h) != NewID("", h) || len(NewID("", h)) != 32 {
		t.Fatal("NewID not stable or wrong length")
	}
	if NewID("https://example.org/a", h) == NewID("", h) {
		t.Fatal("URL identity must win over content hash")
	}
}

func TestPrimaryLanguage(t *testing.T) {
	for in, want := range map[string]string{"pt-BR": "pt", "fr": "fr", "EN_us": "en", "": ""} {
		if got := PrimaryLanguage(in); got != want {
			t.Errorf("PrimaryLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
