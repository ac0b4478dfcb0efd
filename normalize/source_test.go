package normalize

import (
	"strings"
	"testing"
)

func TestPlausibleSource(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Le Monde", true},
		{"euronews", true},
		{"lemonde.fr", true},
		{"news.de", true}, // a host name, even of common words
		{"wien.ORF.at", true},
		{"BBC News", true},
		{"Mac & i", true},
		{"SAT.1 REGIONAL", true},
		{"20 Minuten", true},
		{"Folha de S.Paulo", true},
		{"Oberösterreichisches Volksblatt", true},
		{"L'Express", true},
		{"Die Zeit", true},
		{"HT", true},
		{"One America News Network", true},

		{"", false},
		{"Maret", false},      // id: March
		{"Maret 2023", false}, // a date's scrap
		{"12 Maret 2023", false},
		{"März", false},
		{"Marzec", false},    // pl
		{"Listopadu", false}, // cs
		{"Mart", false},      // tr
		{"Ekim", false},      // tr
		{"Março", false},
		{"Montag", false},
		{"Senin", false},       // id: Monday
		{"Pazartesi", false},   // tr
		{"Понедельник", false}, // ru
		{"января", false},
		{"19 décembre 2022", false},
		{"Lundi 19 décembre", false},
		{"2023", false},
		{"12", false},
		{"2020-2023", false},
		{"Home", false},
		{"News", false},
		{"Photo", false},
		{"Rédaction", false},
		{"Staff", false},
		{"Admin", false},
		{"Anonymous", false},
		{"The", false},
		{"Über", false},
		{"The News", false},
		{"Accueil Actualités", false},
		{"A publication whose name runs on for seven words", false},
		{strings.Repeat("Nachrichtenagentur", 4), false},
	}
	for _, tt := range tests {
		if got := plausibleSource(tt.in); got != tt.want {
			t.Errorf("plausibleSource(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPickSourceSkipsWords(t *testing.T) {
	tests := []struct {
		name     string
		pg       pageInfo
		sitename string
		want     string
	}{
		{"site name", pageInfo{siteName: "Kompas", titleTag: "Banjir di Jakarta - Kompas"}, "", "Kompas"},
		{"a month as site name", pageInfo{siteName: "Maret", titleTag: "Banjir di Jakarta"}, "Kompas.com", "Kompas.com"},
		{"a word as site name", pageInfo{siteName: "Home", titleTag: "Storm - Home"}, "", ""},
		{"a title segment that is a month", pageInfo{siteName: "Maret", titleTag: "Banjir - Maret"}, "", ""},
	}
	for _, tt := range tests {
		if got := pickSource(&tt.pg, tt.sitename, ""); got != tt.want {
			t.Errorf("%s: pickSource = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSourceNotAWord runs whole pages: a month in a copyright line, a
// desk in the byline never become the source.
func TestSourceNotAWord(t *testing.T) {
	body := "Banjir besar melanda sebagian besar wilayah Jakarta pada hari Senin setelah hujan deras sepanjang malam, dan ribuan warga harus mengungsi ke tempat yang lebih aman.\n" +
		"Pemerintah daerah menyatakan bahwa bantuan sudah dikirim ke semua wilayah yang terdampak dan sekolah-sekolah ditutup sampai air surut.\n"
	tests := []struct{ name, text string }{
		{"copyright with a month", "Banjir melanda Jakarta\n" + body + "© Maret 2023\n"},
		{"desk in the byline", "Banjir melanda Jakarta\nBy Staff with AFP\n" + body},
		{"published in a month", "Banjir melanda Jakarta\nPublished in Maret on 12.03.2023\n" + body},
	}
	for _, tt := range tests {
		a := normalizeOK(t, Input{Name: "id.txt", Data: []byte(tt.text)})
		if a.Source != "" {
			t.Errorf("%s: source = %q, want none", tt.name, a.Source)
		}
	}
}
