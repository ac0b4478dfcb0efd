package normalize

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func TestPublicationZone(t *testing.T) {
	tests := []struct {
		name, url, source string
		agencies          []string
		want              string
	}{
		{"swiss domain", "https://www.letemps.ch/monde/x", "", nil, "Europe/Zurich"},
		{"second-level domain", "https://www.bbc.co.uk/news/x", "", nil, "Europe/London"},
		{"indian domain", "https://www.thehindu.in/x", "", nil, "Asia/Kolkata"},
		{"host name with a dot at the end", "https://www.spiegel.de./x", "", nil, "Europe/Berlin"},
		{"generic domain says nothing", "https://www.example.com/x", "", nil, ""},
		{"several zones say nothing", "https://www.nytimes.us/x", "", nil, ""},
		{"domain-like source", "", "lemonde.fr", nil, "Europe/Paris"},
		{"domain-like source with capitals", "", "wien.ORF.at", nil, "Europe/Vienna"},
		{"source name without a domain", "", "Le Monde", nil, ""},
		{"national agency", "", "", []string{"ATS"}, "Europe/Zurich"},
		{"national agency after a world agency", "", "", []string{"AFP", "Keystone-SDA"}, "Europe/Zurich"},
		{"Austrian agency", "", "", []string{"APA"}, "Europe/Vienna"},
		{"Italian agency", "", "", []string{"ANSA"}, "Europe/Rome"},
		{"world agencies say nothing", "", "", []string{"AFP", "AP", "Reuters", "EFE", "dpa"}, ""},
		{"two homes say nothing", "", "", []string{"ATS", "APA"}, ""},
		{"two names of one home", "", "", []string{"ATS", "SDA"}, "Europe/Zurich"},
		{"the URL first", "https://www.lefigaro.fr/x", "", []string{"ATS"}, "Europe/Paris"},
		{"the source before the agency", "", "tdg.ch", []string{"ANSA"}, "Europe/Zurich"},
		{"a generic URL leaves the agency", "https://www.swissinfo.com/x", "", []string{"Keystone-ATS"}, "Europe/Zurich"},
		{"nothing known", "", "", nil, ""},
	}
	for _, tt := range tests {
		if got := publicationZone(tt.url, tt.source, tt.agencies); got != tt.want {
			t.Errorf("%s: publicationZone(%q, %q, %q) = %q, want %q", tt.name, tt.url, tt.source, tt.agencies, got, tt.want)
		}
	}
}

// TestZoneTables checks that every zone loads and that every agency with
// a home zone can be found in a text.
func TestZoneTables(t *testing.T) {
	for tld, z := range ccTLDZones {
		if _, err := time.LoadLocation(z); err != nil || tld != strings.ToLower(tld) {
			t.Errorf("ccTLDZones[%q] = %q: %v", tld, z, err)
		}
	}
	for a, z := range agencyZones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("agencyZones[%q] = %q: %v", a, z, err)
		}
		if got := findAgencies("(" + a + ")"); len(got) != 1 || got[0] != a {
			t.Errorf("agencyZones has %q, which findAgencies reads as %q", a, got)
		}
	}
}

func TestInferZone(t *testing.T) {
	wall := func(mo time.Month, h int) time.Time { return time.Date(2022, mo, 19, h, 53, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		wall     time.Time
		url      string
		agencies []string
		want     string // RFC 3339; the wall time unchanged when not inferred
		inferred bool
	}{
		{"winter in Zurich", wall(12, 20), "", []string{"ATS"}, "2022-12-19T20:53:00+01:00", true},
		{"summer in Zurich", wall(6, 20), "", []string{"ATS"}, "2022-06-19T20:53:00+02:00", true},
		{"India, half-hour offset", wall(6, 9), "https://example.in/a", nil, "2022-06-19T09:53:00+05:30", true},
		{"London in winter is UTC, but inferred", wall(12, 20), "https://example.co.uk/a", nil, "2022-12-19T20:53:00Z", true},
		{"unknown", wall(12, 20), "https://example.com/a", []string{"AFP"}, "2022-12-19T20:53:00Z", false},
	}
	for _, tt := range tests {
		got, inferred := inferZone(tt.wall, tt.url, "", tt.agencies)
		if got.Format(time.RFC3339) != tt.want || inferred != tt.inferred {
			t.Errorf("%s: inferZone = %s %v, want %s %v", tt.name, got.Format(time.RFC3339), inferred, tt.want, tt.inferred)
		}
	}
}

// TestSeedZoneInJSON: the Swiss seed's "19.12.2022 - 20:53" is Swiss
// time, and the wire document says so.
func TestSeedZoneInJSON(t *testing.T) {
	name, data := readSeed(t, "003")
	a := normalizeOK(t, Input{Name: name, Data: data})
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"published":"2022-12-19T20:53:00+01:00"`, `"published_zone_inferred":true`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("JSON lacks %s:\n%.400s", want, out)
		}
	}
	if strings.Contains(string(out), "published_zone_unknown") {
		t.Errorf("JSON says the zone is unknown")
	}
	if want := time.Date(2022, 12, 19, 19, 53, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("published = %v, want %v", a.Published, want)
	}
}

// TestPublishedZone runs the three cases through Normalize on each path:
// a zone the page gave, one crier infers, one it cannot.
func TestPublishedZone(t *testing.T) {
	text := func(dateLine string) string {
		return "Stürme legen den Bahnverkehr lahm\n" + dateLine + "\n" +
			"Heftige Stürme haben am Montag in weiten Teilen des Landes den Bahnverkehr lahmgelegt, wie die Bahn am Abend mitteilte, und viele Reisende mussten die Nacht in den Zügen verbringen.\n" +
			"Die Reparaturen an den Oberleitungen sollen nach Angaben des Unternehmens noch bis zum Mittwoch dauern, sagte eine Sprecherin der Bahn in der Hauptstadt.\n"
	}
	page, err := os.ReadFile("testdata/article.html")
	if err != nil {
		t.Fatal(err)
	}
	zoneless := strings.ReplaceAll(string(page), "2024-03-14T07:45:00+01:00", "2024-03-14T07:45:00")
	jsonDoc := func(url, body string) []byte {
		data, _ := json.Marshal(map[string]string{"url": url, "text": body})
		return data
	}
	tests := []struct {
		name              string
		in                Input
		want              string // RFC 3339
		inferred, unknown bool
	}{
		{"text, zone given", Input{Name: "a.txt", Data: []byte(text("19.12.2022, 20:53 Uhr MEZ"))}, "2022-12-19T20:53:00+01:00", false, false},
		{"text, agency's zone", Input{Name: "a.txt", Data: []byte(text("19.12.2022, 20:53 Uhr\nAPA"))}, "2022-12-19T20:53:00+01:00", true, false},
		{"text, source's domain", Input{Name: "a.txt", Data: []byte(text("19.12.2022, 20:53 Uhr") + "© 2022 tagesschau.de\n")}, "2022-12-19T20:53:00+01:00", true, false},
		{"text, unknown zone", Input{Name: "a.txt", Data: []byte(text("19.12.2022, 20:53 Uhr"))}, "2022-12-19T20:53:00Z", false, true},
		{"text, a day without time", Input{Name: "a.txt", Data: []byte(text("19.12.2022\nAPA"))}, "2022-12-19T00:00:00Z", false, false},
		{"JSON, the URL's domain", Input{Name: "a.json", Data: jsonDoc("https://www.example.de/a", text("19.12.2022, 20:53 Uhr"))}, "2022-12-19T20:53:00+01:00", true, false},
		{"HTML, zone given", Input{Name: "a.html", Data: page}, "2024-03-14T07:45:00+01:00", false, false},
		{"HTML, unknown zone", Input{Name: "a.html", Data: []byte(zoneless)}, "2024-03-14T07:45:00Z", false, true},
		{"HTML, the URL's domain", Input{Name: "a.html", Data: []byte(strings.ReplaceAll(zoneless, "harbourgazette.example", "harbourgazette.ie"))}, "2024-03-14T07:45:00Z", true, false},
		{"HTML, the URL's domain, summer", Input{Name: "a.html", Data: []byte(strings.ReplaceAll(strings.ReplaceAll(zoneless, "harbourgazette.example", "harbourgazette.pt"), "2024-03-14", "2024-06-14"))}, "2024-06-14T07:45:00+01:00", true, false},
	}
	for _, tt := range tests {
		a, err := newTest().Normalize(context.Background(), tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := a.Published.Format(time.RFC3339); got != tt.want || a.PublishedZoneInferred != tt.inferred || a.PublishedZoneUnknown != tt.unknown || a.PublishedEstimated {
			t.Errorf("%s: published %s inferred=%v unknown=%v estimated=%v, want %s inferred=%v unknown=%v",
				tt.name, got, a.PublishedZoneInferred, a.PublishedZoneUnknown, a.PublishedEstimated, tt.want, tt.inferred, tt.unknown)
		}
	}
}
