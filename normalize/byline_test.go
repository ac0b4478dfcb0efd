package normalize

import (
	"strings"
	"testing"
)

// TestReadByline: a byline keeps people's names only; agencies go to
// agencies, and the publication, when the line names no person, to
// source. Lines as pages print them, and authors as HTML metadata gives
// them (go-trafilatura joins several with "; ").
func TestReadByline(t *testing.T) {
	tests := []struct {
		in       string
		names    string // joined with ", "
		source   string
		agencies []string
	}{
		// en
		{"By Jane Miller", "Jane Miller", "", nil},
		{"By Anna Schmidt, Reuters", "Anna Schmidt", "", []string{"Reuters"}},
		{"By Hillel ItalieThe Associated Press", "Hillel Italie", "", []string{"AP"}},
		{"By JANE DOE and JOHN O'NEIL", "Jane Doe, John O'Neil", "", nil},
		{"By Jane Doe, Staff Writer", "Jane Doe", "", nil},
		{"By Jane Doe, Chief Political Correspondent", "Jane Doe", "", nil},
		{"By Jane Doe in London", "Jane Doe", "", nil},
		{"By Jane Doe | Updated March 3, 2025 at 10:15 a.m. ET", "Jane Doe", "", nil},
		{"By Jane Doe Dec. 19, 2022", "Jane Doe", "", nil},
		{"By Jane Doe @janedoe", "Jane Doe", "", nil},
		{"By Jane Doe and John Roe, CNN", "Jane Doe, John Roe", "", nil},
		{"Reporting by Jane Doe; Editing by John Roe", "Jane Doe", "", nil},
		{"By Jane Doe, The Associated Press", "Jane Doe", "", []string{"AP"}},
		{"Posted by admin", "", "", nil},
		{"By Staff", "", "", nil},
		{"By BBC News", "", "BBC News", nil},
		{"Our Foreign Staff", "", "", nil},
		{"Username", "", "", nil},
		{"Jeffrey Gettleman; JEFFREY GETTLEMAN", "Jeffrey Gettleman", "", nil},
		{"NATALIYA VASILYEVA", "Nataliya Vasilyeva", "", nil},
		// fr
		{"Par euronews avec AFP, AP", "", "euronews", []string{"AFP", "AP"}},
		{"Par Sylvain Fort", "Sylvain Fort", "", nil},
		{"Par : Bastien Claverie| +Actu Pays Basque+Coronavirus+Société", "Bastien Claverie", "", nil},
		{"Par Jean DUPONT et Marie Martin", "Jean Dupont, Marie Martin", "", nil},
		{"Par Jean Dupont, envoyé spécial à Kiev", "Jean Dupont", "", nil},
		{"Par Jean Dupont (à Bruxelles)", "Jean Dupont", "", nil},
		{"Par Jean Dupont le 19 décembre 2022 à 10h15", "Jean Dupont", "", nil},
		{"Par Jean-Pierre de La Fontaine, correspondant à Berlin", "Jean-Pierre de La Fontaine", "", nil},
		{"Propos recueillis par Jean Dupont", "Jean Dupont", "", nil},
		{"Publié par Jean Dupont", "Jean Dupont", "", nil},
		{"Jean Dupont Publié le", "Jean Dupont", "", nil},
		{"Jean Dupont Publiée hier", "Jean Dupont", "", nil},
		{"Auteur Anna Kubišta", "Anna Kubišta", "", nil},
		{"Par La Rédaction", "", "", nil},
		{"Par Le Figaro avec AFP", "", "Le Figaro", []string{"AFP"}},
		{"Par AFP", "", "", []string{"AFP"}},
		// de
		{"Von Hans Muster, dpa", "Hans Muster", "", []string{"dpa"}},
		{"Von: det/dpa", "", "", []string{"dpa"}},
		{"Von Volkmar Kabisch, Jan Lukas Strozyk und Benedikt Strunz, NDR", "Volkmar Kabisch, Jan Lukas Strozyk, Benedikt Strunz", "", nil},
		{"Von Kopf bis Fuss", "", "", nil},
		{"Ein Kommentar von Anna Schmidt", "Anna Schmidt", "", nil},
		{"Von Anna Schmidt, Korrespondentin in Brüssel", "Anna Schmidt", "", nil},
		{"Von Anna Schmidt, aktualisiert am 19.12.2022, 20:53 Uhr", "Anna Schmidt", "", nil},
		{"Von Ursula von der Leyen", "Ursula von der Leyen", "", nil},
		{"Text: Hans Muster", "Hans Muster", "", nil},
		{"Red; Wien Orf At; Agenturen", "", "", nil},
		{"Markus M Haefliger; London; Beat Bumbacher", "Markus M Haefliger, Beat Bumbacher", "", nil},
		{"Redaktion", "", "", nil},
		{"Mac; I", "", "", nil},
		// es
		{"Por Gustavo E. Méndez", "Gustavo E. Méndez", "", nil},
		{"Por Agencia EFE", "", "", []string{"EFE"}},
		{"Por María del Carmen García López", "María del Carmen García López", "", nil},
		{"Por Juan Pérez y Ana Gómez / Madrid", "Juan Pérez, Ana Gómez", "", nil},
		{"Por Juan Pérez - 19 de diciembre de 2022", "Juan Pérez", "", nil},
		{"Redacción", "", "", nil},
		{"Cooperativa cl", "", "", nil}, // "Cooperativa.cl": a capitalised word alone may be a user name
		// it
		{"di Vegolosi.it", "", "Vegolosi.it", nil},
		{"di Mario Rossi", "Mario Rossi", "", nil},
		{"Di Luigi Di Maio e Marco Bianchi", "Luigi Di Maio, Marco Bianchi", "", nil},
		{"di Giampiero Maggio, inviato a Roma", "Giampiero Maggio", "", nil},
		{"A cura di Redazione", "", "", nil},
		{"Redazione ANSA", "", "", []string{"ANSA"}},
		// pt
		{"Por João da Silva", "João da Silva", "", nil},
		{"Por Ana Souza e Pedro Lima, da Folhapress", "Ana Souza, Pedro Lima", "", nil},
		{"Por Redação", "", "", nil},
		{"Por Lusa", "", "", []string{"Lusa"}},
		// nl
		{"Door Jan Jansen", "Jan Jansen", "", nil},
		{"Door Jan van der Berg en Piet de Vries", "Jan van der Berg, Piet de Vries", "", nil},
		{"Door Jan Jansen, correspondent in Brussel", "Jan Jansen", "", nil},
		{"Door onze redactie", "", "", nil},
		{"Door ANP", "", "", []string{"ANP"}},
		// pl
		{"Przez Jan Kowalski, PAP", "Jan Kowalski", "", []string{"PAP"}},
	}
	for _, tt := range tests {
		b := readByline(tt.in)
		if got := strings.Join(b.names, ", "); got != tt.names || b.source != tt.source || strings.Join(b.agencies, ",") != strings.Join(tt.agencies, ",") {
			t.Errorf("readByline(%q) = names %q source %q agencies %q, want %q %q %q",
				tt.in, got, b.source, b.agencies, tt.names, tt.source, tt.agencies)
		}
	}
}

// TestParseBylineNames: lines recognised as bylines keep only the names.
func TestParseBylineNames(t *testing.T) {
	tests := []struct {
		in    string
		names string
		ok    bool
	}{
		{"Par euronews avec AFP, AP", "", true},
		{"By Anna Schmidt, Reuters", "Anna Schmidt", true},
		{"Von Kopf bis Fuss", "", true}, // a rubric: out of the body, but no author
		{"Przez Jan Kowalski", "Jan Kowalski", true},
		{"by Eleanor Ainge Roy (reporting) and Adrian Malloch (photography)", "Eleanor Ainge Roy, Adrian Malloch", true},
		{"Text: Anna Müller, photos: Jan Kral", "Anna Müller, Jan Kral", true},
		{"By Jane Doe (Reuters)", "Jane Doe", true},
		{"Przez lata Polska była członkiem Unii.", "", false},
		{"By the end of the year, prices had doubled.", "", false},
	}
	for _, tt := range tests {
		b, ok := parseCreditLine(tt.in)
		if got := strings.Join(b.names, ", "); ok != tt.ok || got != tt.names {
			t.Errorf("parseCreditLine(%q) = %q %v, want %q %v", tt.in, got, ok, tt.names, tt.ok)
		}
	}
}

func TestBylineOf(t *testing.T) {
	tests := []struct {
		authors     []string
		source, url string
		want        string
	}{
		{[]string{"Jane Doe", "John Roe"}, "", "", "Jane Doe, John Roe"},
		{[]string{"La Stampa"}, "La Stampa", "", ""},
		{[]string{"Toronto Star", "Jane Doe"}, "Toronto Star", "", "Jane Doe"},
		{[]string{"Cooperativa Cl"}, "", "https://www.cooperativa.cl/x", "Cooperativa Cl"},
		{[]string{"Harbour Gazette"}, "", "https://harbourgazette.example/x", ""},
		{nil, "BBC News", "", ""},
	}
	for _, tt := range tests {
		if got := bylineOf(tt.authors, tt.source, tt.url); got != tt.want {
			t.Errorf("bylineOf(%q, %q, %q) = %q, want %q", tt.authors, tt.source, tt.url, got, tt.want)
		}
	}
}

// FuzzReadByline: whatever the line, the names are names (two to six
// words, no digit, no agency) and the source a plausible one.
func FuzzReadByline(f *testing.F) {
	for _, s := range []string{
		"Par euronews avec AFP, AP", "By Hillel ItalieThe Associated Press", "Von: det/dpa",
		"Por Juan Pérez y Ana Gómez / Madrid", "MIRJAM SWANSON THE PRESS-ENTERPRISE",
		"By LIZ AUSTIN PETERSON, Associated Press Writer Sat Dec 29, 10:10 AM ET", "di Vegolosi.it",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := readByline(s)
		for _, n := range b.names {
			if w := len(strings.Fields(n)); w < 2 || w > maxBylineName || strings.ContainsAny(n, "0123456789") || len(findAgencies(n)) > 0 {
				t.Fatalf("readByline(%q): name %q", s, n)
			}
		}
		if b.source != "" && len(b.names) > 0 {
			t.Fatalf("readByline(%q): source %q beside names %q", s, b.source, b.names)
		}
	})
}
