package normalize

import (
	"testing"
	"time"
)

// dateNow is the fetch time of the date tests. Its zone is not time.UTC
// so that "2 hours ago", an instant in now's zone, tells apart from a
// zone-unknown wall time.
var dateNow = time.Date(2023, 6, 15, 10, 0, 0, 0, time.FixedZone("fetch", 0))

// utc is a date without zone: wall time in time.UTC, zone unknown.
func utc(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
}

// zoned is a date with a known zone.
func zoned(y int, mo time.Month, d, h, mi int, name string, offMin int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, time.FixedZone(name, offMin*60))
}

func TestFindDateZone(t *testing.T) {
	none := time.Time{}
	tests := []struct {
		in   string
		want time.Time // zero: no date; in time.UTC: zone unknown
	}{
		// Numeric, day first.
		{"19.12.2022 - 20:53", utc(2022, 12, 19, 20, 53)},
		{"Publié dans L'Expression le 21 - 12 - 2022", utc(2022, 12, 21, 0, 0)},
		{"le 19/12/2022 à 14h30", utc(2022, 12, 19, 14, 30)},
		{"19.12.2022, 20:53 Uhr", utc(2022, 12, 19, 20, 53)},
		{"Aktualisiert am 19.12.2022 um 20:53 Uhr MEZ", zoned(2022, 12, 19, 20, 53, "MEZ", 60)},
		{"(19/12/2022)", utc(2022, 12, 19, 0, 0)},
		{"01/02/2023", utc(2023, 2, 1, 0, 0)},                                      // ambiguous: day first
		{"01.02.2023 8:53 pm ET", zoned(2023, 2, 1, 20, 53, "EST", -300)},          // dotted: always day first
		{"01/02/2023 8:53 PM ET", zoned(2023, 1, 2, 20, 53, "EST", -300)},          // US zone: month first
		{"12/19/2022", utc(2022, 12, 19, 0, 0)},                                    // second number > 12: US order
		{"12/19/2022 8:53 pm", utc(2022, 12, 19, 20, 53)},                          // 12-hour clock
		{"Le 19/12/2022 à 14 h 30", utc(2022, 12, 19, 14, 30)},                     // spaced French time
		{"19/12/2022 à 10h", utc(2022, 12, 19, 10, 0)},                             // hour only
		{"19/12/2022 à 14 heures", utc(2022, 12, 19, 14, 0)},                       // hour word
		{"19.12.2022 - 21.12.2022", utc(2022, 12, 19, 0, 0)},                       // a range of dates: the first
		{"Le 19 décembre 2022, 20 personnes sont mortes", utc(2022, 12, 19, 0, 0)}, // 20 is no time
		{"19/12/2022 20.53", utc(2022, 12, 19, 0, 0)},                              // dotted time needs a zone, Uhr or pm
		{"19/12/2022 25:70", utc(2022, 12, 19, 0, 0)},                              // impossible time dropped

		// Month names.
		{"19 décembre 2022", utc(2022, 12, 19, 0, 0)},
		{"lundi 19 décembre 2022 à 20h53", utc(2022, 12, 19, 20, 53)},
		{"Mis à jour le lundi 19 décembre 2022 à 20h53 (heure de Paris)", utc(2022, 12, 19, 20, 53)},
		{"1er janvier 2023", utc(2023, 1, 1, 0, 0)},
		{"1 janv. 2023 à 8h05", utc(2023, 1, 1, 8, 5)},
		{"December 19, 2022", utc(2022, 12, 19, 0, 0)},
		{"Published December 19th, 2022 at 8:53 a.m.", utc(2022, 12, 19, 8, 53)},
		{"Dec. 19, 2022 8:53 p.m. ET", zoned(2022, 12, 19, 20, 53, "EST", -300)},
		{"June 5, 2023 8:53 p.m. ET", zoned(2023, 6, 5, 20, 53, "EDT", -240)},
		{"June 5, 2023, 12:10 AM PT", zoned(2023, 6, 5, 0, 10, "PDT", -420)},
		{"Sept. 5, 2022 12 p.m. CT", zoned(2022, 9, 5, 12, 0, "CDT", -300)},
		{"March 12, 2023 1:30 am ET", zoned(2023, 3, 12, 1, 30, "EST", -300)}, // before the US switch at 2:00
		{"March 12, 2023 3:30 am ET", zoned(2023, 3, 12, 3, 30, "EDT", -240)},
		{"Nov. 5, 2006 3:00 pm ET", zoned(2006, 11, 5, 15, 0, "EST", -300)}, // pre-2007 rule: ended Oct 29
		{"19 Dec 2022 20:53 GMT", zoned(2022, 12, 19, 20, 53, "GMT", 0)},
		{"Monday 19 December 2022 20.53 GMT", zoned(2022, 12, 19, 20, 53, "GMT", 0)},
		{"Mon 12 Jun 2023 08.53 BST", zoned(2023, 6, 12, 8, 53, "BST", 60)},
		{"Monday 19 December 2022 8.53pm", utc(2022, 12, 19, 20, 53)},
		{"19. Dezember 2022, 20:53 Uhr", utc(2022, 12, 19, 20, 53)},
		{"19. März 2023 um 20:53 Uhr (MESZ)", zoned(2023, 3, 19, 20, 53, "MESZ", 120)},
		{"19 de diciembre de 2022", utc(2022, 12, 19, 0, 0)},
		{"19 de diciembre de 2022 a las 20:53 CET", zoned(2022, 12, 19, 20, 53, "CET", 60)},
		{"19 dicembre 2022", utc(2022, 12, 19, 0, 0)},
		{"19 dicembre 2022 alle 20:53", utc(2022, 12, 19, 20, 53)},
		{"19 de dezembro de 2022", utc(2022, 12, 19, 0, 0)},
		{"19 de dezembro de 2022 às 20h53", utc(2022, 12, 19, 20, 53)},
		{"1º de março de 2023", utc(2023, 3, 1, 0, 0)},
		{"19 december 2022", utc(2022, 12, 19, 0, 0)},
		{"19 december 2022 om 20:53", utc(2022, 12, 19, 20, 53)},
		{"3 mrt. 2023 14:05", utc(2023, 3, 3, 14, 5)},
		{"19-Dec-2022", utc(2022, 12, 19, 0, 0)},
		{"the 19th of December 2022", utc(2022, 12, 19, 0, 0)},
		{"19 déc. 2022 à 20:53 UTC+1", zoned(2022, 12, 19, 20, 53, "", 60)},
		{"19 Dec 2022 20:53 GMT+05:30", zoned(2022, 12, 19, 20, 53, "", 330)},
		{"19 Dec 2022 20:53 IST", zoned(2022, 12, 19, 20, 53, "IST", 330)},
		{"19 décembre 2022 14:30 HNE", zoned(2022, 12, 19, 14, 30, "HNE", -300)},
		{"19 Dec 2022 20:53 EEST", zoned(2022, 12, 19, 20, 53, "EEST", 180)},
		{"19 Dec 2022 20:53 WET", zoned(2022, 12, 19, 20, 53, "WET", 0)},
		{"19 Dec 2022 20:53 XYZ", utc(2022, 12, 19, 20, 53)}, // unknown zone

		// ISO 8601 and RFC dates.
		{"2022-12-19T20:53:00+01:00", zoned(2022, 12, 19, 20, 53, "", 60)},
		{"2022-12-19T20:53:00.000Z", zoned(2022, 12, 19, 20, 53, "UTC", 0)},
		{"2022-12-19T20:53:00-0500", zoned(2022, 12, 19, 20, 53, "", -300)},
		{"2022-12-19T20:53+01", zoned(2022, 12, 19, 20, 53, "", 60)},
		{"2022-12-19T20:53:00", utc(2022, 12, 19, 20, 53)},
		{"2022-12-19 20:53", utc(2022, 12, 19, 20, 53)},
		{"2022-12-19 20:53 CET", zoned(2022, 12, 19, 20, 53, "CET", 60)},
		{"2022-12-19", utc(2022, 12, 19, 0, 0)},
		{"2022/12/19", utc(2022, 12, 19, 0, 0)},
		{"Mon, 19 Dec 2022 20:53:00 GMT", zoned(2022, 12, 19, 20, 53, "GMT", 0)},
		{"Mon, 19 Dec 2022 20:53:00 +0100", zoned(2022, 12, 19, 20, 53, "", 60)},
		{"Mon, 19 Dec 22 20:53:00 -0500", zoned(2022, 12, 19, 20, 53, "", -300)},
		{"Monday, 19-Dec-22 20:53:00 EST", zoned(2022, 12, 19, 20, 53, "EST", -300)},
		{"19 Dec 22 20:53 PDT", zoned(2022, 12, 19, 20, 53, "PDT", -420)},

		// Relative to now (2023-06-15 10:00 UTC).
		{"Updated 2 hours ago", dateNow.Add(-2 * time.Hour)},
		{"an hour ago", dateNow.Add(-time.Hour)},
		{"5 mins ago", dateNow.Add(-5 * time.Minute)},
		{"2h ago", dateNow.Add(-2 * time.Hour)},
		{"il y a 3 heures", dateNow.Add(-3 * time.Hour)},
		{"Publié il y a 45 minutes", dateNow.Add(-45 * time.Minute)},
		{"il y a une heure", dateNow.Add(-time.Hour)},
		{"vor 2 Stunden", dateNow.Add(-2 * time.Hour)},
		{"vor einer Stunde", dateNow.Add(-time.Hour)},
		{"hace 5 horas", dateNow.Add(-5 * time.Hour)},
		{"3 ore fa", dateNow.Add(-3 * time.Hour)},
		{"un'ora fa", dateNow.Add(-time.Hour)},
		{"há 2 horas", dateNow.Add(-2 * time.Hour)},
		{"2 uur geleden", dateNow.Add(-2 * time.Hour)},
		{"3 days ago", utc(2023, 6, 12, 0, 0)},
		{"il y a 2 jours", utc(2023, 6, 13, 0, 0)},
		{"vor 1 Woche", utc(2023, 6, 8, 0, 0)},
		{"yesterday at 8:53 pm", utc(2023, 6, 14, 20, 53)},
		{"Updated yesterday", utc(2023, 6, 14, 0, 0)},
		{"hier à 14h30", utc(2023, 6, 14, 14, 30)},
		{"Publié hier", utc(2023, 6, 14, 0, 0)},
		{"avant-hier à 9h", utc(2023, 6, 13, 9, 0)},
		{"gestern, 20:53 Uhr", utc(2023, 6, 14, 20, 53)},
		{"vorgestern um 8:15 Uhr", utc(2023, 6, 13, 8, 15)},
		{"ayer a las 20:53", utc(2023, 6, 14, 20, 53)},
		{"ieri alle 20:53", utc(2023, 6, 14, 20, 53)},
		{"ontem às 20h53", utc(2023, 6, 14, 20, 53)},
		{"gisteren om 20:53", utc(2023, 6, 14, 20, 53)},
		{"today at 2:30 PM EDT", zoned(2023, 6, 15, 14, 30, "EDT", -240)},
		{"aujourd'hui à 08h15", utc(2023, 6, 15, 8, 15)},
		{"Heute, 09:30 Uhr", utc(2023, 6, 15, 9, 30)},
		{"hoy a las 9:30", utc(2023, 6, 15, 9, 30)},
		{"Le 19/12/2022, mis à jour il y a 2 heures", utc(2022, 12, 19, 0, 0)}, // first date wins

		// Not dates.
		{"En 2023, la Russie a annoncé de nouvelles mesures", none},
		{"the 2022 budget was voted", none},
		{"since 1990 the country has grown", none},
		{"la saison 2022-2023", none},
		{"2022-2023", none},
		{"2022-12", none},
		{"Appelez le 01 23 45 67 89 ou le 0800 123 456", none},
		{"Tél. +33 (0)1 23 45 20 22", none},
		{"Prix : 1 299,00 € ou 2 023 $", none},
		{"Score final 2-1, 3-2 en 2022", none},
		{"Version 1.12.2022 de l'application", none},
		{"v1.12.2022", none},
		{"Versión 2.1.2023", none},
		{"à 20:53", none},
		{"20:53 GMT", none},
		{"31.02.2022", none},
		{"30 février 2023", none},
		{"2022-13-01", none},
		{"32/01/2023", none},
		{"19 décembre 1989", none},
		{"19 décembre 2023", none}, // after now + 2 days
		{"Hier klicken für mehr", none},
		{"Klik hier", none},
		{"Heute", none},
		{"Hier", none},
		{"Today's paper", none},
		{"La Russie a dit hier que", none},
		{"il y a 3 ans", none},
		{"vor 20 Jahren", none},
		{"3 mai", none},
		{"19 monkeys 2022", none},
		{"12345678", none},
		{"119/12/2022", none},
		{"19/12/20222", none},
		{"19/12-2022", none},
		{"", none},
	}
	for _, tt := range tests {
		got, known, ok := findDateZone(tt.in, dateNow)
		if tt.want.IsZero() {
			if ok {
				t.Errorf("findDateZone(%q) = %v, want no date", tt.in, got)
			}
			continue
		}
		if !ok || !got.Equal(tt.want) {
			t.Errorf("findDateZone(%q) = %v %v, want %v", tt.in, got, ok, tt.want)
			continue
		}
		gn, gOff := got.Zone()
		wn, wo := tt.want.Zone()
		if gn != wn || gOff != wo {
			t.Errorf("findDateZone(%q) zone = %q %d, want %q %d", tt.in, gn, gOff, wn, wo)
		}
		if (got.Location() == time.UTC) != (tt.want.Location() == time.UTC) {
			t.Errorf("findDateZone(%q) location = %v, want %v", tt.in, got.Location(), tt.want.Location())
		}
		if known != (tt.want.Location() != time.UTC) {
			t.Errorf("findDateZone(%q) zone known = %v", tt.in, known)
		}
		if t2, ok2 := findDate(tt.in, dateNow); !ok2 || !t2.Equal(got) {
			t.Errorf("findDate(%q) = %v %v, want the same as findDateZone", tt.in, t2, ok2)
		}
	}
}

// BenchmarkFindDate measures findDate on the lines it mostly sees, without
// a date, and on date lines.
func BenchmarkFindDate(b *testing.B) {
	sets := []struct {
		name  string
		lines []string
	}{
		{"no-date", []string{
			"Le président russe Vladimir Poutine qui a foulé le sol bélarusse lundi, a insisté sur les liens étroits entre Moscou et Minsk, « les alliés les plus proches et des partenaires stratégiques » qui résistent « de manière efficace » aux sanctions occidentales.",
			"Selon lui, au cours de ces pourparlers « substantiels » avec son homologue Alexandre Loukachenko, Moscou et Minsk se sont mis d’accord pour renforcer leur coopération.",
			"La Russie va renforcer sa coopération militaire avec la Biélorussie, selon Poutine",
			"Die Regierung hat am Montag neue Maßnahmen gegen die Inflation angekündigt, hier die wichtigsten Punkte.",
			"The minister said the government would not raise taxes this year.",
			"« Livraisons mutuelles d’armes »",
			"Par euronews avec AFP, AP",
		}},
		{"year-no-date", []string{
			"Une annonce qui survient alors que Kiev craint une nouvelle offensive russe depuis la Biélorussie en 2023.",
			"En 2023, la Russie a annoncé de nouvelles mesures.",
			"The 2022 budget was voted by 312 votes to 150.",
		}},
		{"date", []string{
			"19.12.2022 - 20:53",
			"Publié dans L'Expression le 21 - 12 - 2022",
			"lundi 19 décembre 2022 à 20h53",
			"Dec. 19, 2022 8:53 p.m. ET",
			"2022-12-19T20:53:00+01:00",
			"Updated 2 hours ago",
			"hier à 14h30",
		}},
	}
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			for b.Loop() {
				for _, l := range set.lines {
					findDate(l, dateNow)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(set.lines)), "ns/line")
		})
	}
}

// FuzzFindDate checks that findDate does not panic and that what it
// returns is plausible.
func FuzzFindDate(f *testing.F) {
	for _, s := range []string{
		"19.12.2022 - 20:53", "Dec. 19, 2022 8:53 p.m. ET", "2022-12-19T20:53:00+01:00",
		"Mon, 19 Dec 22 20:53:00 -0500", "il y a 3 heures", "hier à 14h30", "19 Dec 2022 20:53 GMT+05:30",
		"1er janvier 2023", "today at 2:30 PM EDT", "19/12/2022 à 14 h 30", "Monday 19 December 2022 8.53pm",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := findDate(s, dateNow)
		if ok && !plausibleYear(got, dateNow) {
			t.Fatalf("findDate(%q) = %v: implausible", s, got)
		}
		if !ok && !got.IsZero() {
			t.Fatalf("findDate(%q) = %v with ok false", s, got)
		}
	})
}

// TestScrapedGlue: innerText glues a label's word to the date after it;
// a word of three letters or more is markup, a shorter one is a label.
func TestScrapedGlue(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for s, want := range map[string]bool{
		"La Información16.08.2020 - 21:03h": true,
		"Version v16.08.2020":               false,
		"ID12.05.2020":                      false,
	} {
		if _, ok := findDate(s, now); ok != want {
			t.Errorf("findDate(%q) found %v, want %v", s, ok, want)
		}
	}
	if dateLabel("Aktualisiert: 11.04.2020") != labelUpdated || dateLabel("Publiziert: 03.04.2020") != labelPublished {
		t.Error("dateLabel does not tell an update from a publication")
	}
}

func TestDateOnly(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		line string
		want bool
	}{
		{"19.12.2022", true},
		{"Mis à jour le 19 décembre 2022", true},
		{"Mis à jour le 19 décembre 2022 à 10h", false}, // nine words
		{"Fri Dec 28, 7:05 AM ET", false},               // no year: no date
		{"7:05 AM", false},
		{"May the best team win", false},
		{"March 3 marchers arrested", false},
		{"Le 12 mars, il a plu.", false},
	} {
		if got := dateOnly(c.line, now); got != c.want {
			t.Errorf("dateOnly(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}
