package normalize

import "testing"

func TestFindKickerGlued(t *testing.T) {
	for _, tc := range []struct{ title, kicker, headline string }{
		{"Pourparlers à Minsk Poutine : «La Russie n'a pas intérêt à absorber qui que ce soit»", "Pourparlers à Minsk", "Poutine : «La Russie n'a pas intérêt à absorber qui que ce soit»"},
		{"AP Exclusive: Allen has new publisher, memoir out Monday", "AP Exclusive", "Allen has new publisher, memoir out Monday"},
		{"Solidarité. Le Centre Hospitalier de la Côte Basque lance un appel aux dons", "Solidarité", "Le Centre Hospitalier de la Côte Basque lance un appel aux dons"},
		{"Coronavirus und andere Zoonosen – Wie Umweltzerstörung neue Epidemien begünstigt", "Coronavirus und andere Zoonosen", "Wie Umweltzerstörung neue Epidemien begünstigt"},
		{`"Reformstau lösen" / Irme Stetter-Karp ist neue ZdK-Präsidentin`, `"Reformstau lösen"`, "Irme Stetter-Karp ist neue ZdK-Präsidentin"},
		// Not kickers: a topic before a colon, an abbreviation, a name
		// before a quote, a dash inside the headline.
		{"Brexit: Nervenkrieg geht in nächste Runde", "", "Brexit: Nervenkrieg geht in nächste Runde"},
		{"Mrs. Clinton wins the nomination in Philadelphia", "", "Mrs. Clinton wins the nomination in Philadelphia"},
		{"Emmanuel Macron : « Nous sommes en guerre »", "", "Emmanuel Macron : « Nous sommes en guerre »"},
		{"La réforme des retraites adoptée – sans vote", "", "La réforme des retraites adoptée – sans vote"},
	} {
		k, h := splitKicker(tc.title)
		if k != tc.kicker || h != tc.headline {
			t.Errorf("splitKicker(%q) = %q, %q; want %q, %q", tc.title, k, h, tc.kicker, tc.headline)
		}
	}
}

func TestCleanCredit(t *testing.T) {
	for in, want := range map[string]string{
		"Tous droits réservés Pavel Bednyakov/Sputnik": "Pavel Bednyakov/Sputnik",
		"IMAGES":                  "",
		"Photo: Reuters":          "Reuters",
		"© Keystone-SDA":          "Keystone-SDA",
		"Foto: dpa":               "dpa",
		"Getty Images":            "Getty Images",
		"Bild: Christian Beutler": "Christian Beutler",
	} {
		if got := cleanCredit(in); got != want {
			t.Errorf("cleanCredit(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCopyrightSource(t *testing.T) {
	for in, want := range map[string]string{
		"© 2020 The New York Times Company":                                        "The New York Times",
		"© Copyright Toronto Star Newspapers Ltd. 1996 - 2020The Toronto Star and": "Toronto Star",
		"© 2022 C.A. Últimas Noticias RIF J-00037398-1":                            "Últimas Noticias",
		"Tous droits réservés © Société Radio‑Canada 2020.":                        "Radio‑Canada",
		"© © 1997-, Guinéenews. Tous droits réservés.":                             "Guinéenews",
		"© 2020 actu.fr, détenu et coexploité par Publihebdos et ses filiales.":    "actu.fr",
		"© ARD-aktuell / tagesschau.de":                                            "tagesschau.de",
		"© L'Express":                                                              "L'Express",
		"Derechos Reservados © - 2022":                                             "",
		"Eileen Gu, Freestylerin. © GETTY IMAGES NORTH AMERICA / MADDIE MEYER":     "",
		"Copyright and trademark law protects this page.":                          "",
		"© Maret 2023":          "", // id: March
		"© 12 Maret 2023":       "",
		"Copyright © 2023 Home": "",
		"© Rédaction":           "",
		"Copyright © 2020 Bennett, Coleman & Co. Ltd. All rights reserved.": "",
		"© 2023 Herring Networks, Inc.":                                     "Herring Networks",
	} {
		if got := copyrightSource(in); got != want {
			t.Errorf("copyrightSource(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLineShape(t *testing.T) {
	for _, tc := range []struct {
		line          string
		breaks, cut   int
		credit, colum bool
	}{
		{line: "Un. Deux! «Trois» fin", breaks: 2},
		{line: "Il a dit «non.» Puis il est parti.", breaks: 1},
		{line: "M. Poutine, à Minsk. IMAGES", breaks: 2, cut: 22}, // "M. P" counts: cheap, and harmless
		{line: "« Elle a dit oui. » ÉDITION SPÉCIALE", breaks: 0, cut: 22},
		{line: "The U.S. economy grew", breaks: 0},
		{line: "Photo : Reuters", credit: true},
		{line: "Le ministre. © AFP", credit: true},
		{line: "Home   News   Sport   Météo", colum: true},
		{line: "Deux  espaces  ne  font  pas  de  colonnes"},
	} {
		if got := sentenceBreaks(tc.line); got != tc.breaks {
			t.Errorf("sentenceBreaks(%q) = %d, want %d", tc.line, got, tc.breaks)
		}
		if got := captionCreditAt(tc.line); got != tc.cut {
			t.Errorf("captionCreditAt(%q) = %d, want %d", tc.line, got, tc.cut)
		}
		if got := isCreditPrefix(tc.line); got != tc.credit {
			t.Errorf("isCreditPrefix(%q) = %v", tc.line, got)
		}
		if got := hasColumns(tc.line); got != tc.colum {
			t.Errorf("hasColumns(%q) = %v", tc.line, got)
		}
	}
}

func TestRepairMojibake(t *testing.T) {
	for in, want := range map[string]string{
		"Le prÃ©sident russe a assurÃ© lundi quâ€™il nâ€™y aurait pas": "Le président russe a assuré lundi qu’il n’y aurait pas",
		"Ã‰tÃ© Ã\u00a0 Minsk":       "Été à Minsk",               // à is C3 A0: a no-break space in Windows-1252
		"SÃO PAULO et le président": "SÃO PAULO et le président", // real Ã, not mojibake
		"Le président est là":       "Le président est là",
	} {
		if got := repairMojibake(in); got != want {
			t.Errorf("repairMojibake(%q) = %q, want %q", in, got, want)
		}
	}
}
