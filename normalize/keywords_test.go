package normalize

import (
	"context"
	"os"
	"slices"
	"testing"
)

// seedArticle normalizes a seed, as the publisher would.
func seedArticle(t testing.TB, prefix string) (title string, body []string, lang string) {
	t.Helper()
	name, data := readSeed(t, prefix)
	a, err := newTest().Normalize(context.Background(), Input{Name: name, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return a.Title, a.Body, a.Language
}

func TestKeywords(t *testing.T) {
	title, body, lang := seedArticle(t, "000")
	got := keywords(title, body, lang)
	t.Logf("000: %q", got)
	for _, want := range []string{"Vladimir Poutine", "Alexandre Loukachenko", "Biélorussie", "Minsk", "Russie"} {
		if !slices.Contains(got, want) {
			t.Errorf("seed 000: %q lacks %q", got, want)
		}
	}
	for _, bad := range []string{"Publicité", "Selon", "Il", "La Russie", "Poutine", "Livraisons", "AFP"} {
		if slices.Contains(got, bad) {
			t.Errorf("seed 000: %q has %q", got, bad)
		}
	}

	tests := []struct {
		name, lang, title string
		body              []string
		want, bad         []string
	}{{
		name:  "German",
		lang:  "de",
		title: "Scholz und Macron beraten in Paris über die Ukraine",
		body: []string{
			"Bundeskanzler Olaf Scholz ist am Montag zu Gesprächen mit dem französischen Präsidenten Emmanuel Macron nach Paris gereist. Im Mittelpunkt steht die weitere Unterstützung der Ukraine.",
			"Scholz sagte vor dem Treffen im Élysée-Palast, Deutschland und Frankreich würden der Ukraine so lange helfen wie nötig. Macron kündigte neue Waffenlieferungen an.",
			"Nach Angaben der Bundesregierung soll es auch um die Energiepolitik der Europäischen Union gehen. Die Ukraine hatte zuletzt mehr Luftabwehr gefordert, wie die Nachrichtenagentur dpa berichtet.",
		},
		want: []string{"Olaf Scholz", "Emmanuel Macron", "Paris", "Ukraine"},
		bad:  []string{"Die", "Im", "Nach", "dpa", "Montag", "Scholz"},
	}, {
		name:  "English",
		lang:  "en",
		title: "Storm Ciarán Leaves Thousands Without Power Across Southern England",
		body: []string{
			"Storm Ciarán has left more than 150,000 homes without power across southern England, the Met Office said on Thursday, as winds of up to 100 mph battered the coast.",
			"In Cornwall, firefighters rescued dozens of people from flooded homes. The Environment Agency issued more than 200 flood warnings, and train services were cancelled across the south.",
			"Prime Minister Rishi Sunak said the government was ready to help. Storm Ciarán is expected to move towards France and Belgium later on Thursday, Reuters reported.",
		},
		want: []string{"Storm Ciarán", "Met Office", "Rishi Sunak"},
		bad:  []string{"The", "In", "Thursday", "Reuters", "Leaves", "Thousands"},
	}}
	for _, tt := range tests {
		got := keywords(tt.title, tt.body, tt.lang)
		t.Logf("%s: %q", tt.name, got)
		if len(got) == 0 || len(got) > maxKeywords {
			t.Errorf("%s: %d keywords", tt.name, len(got))
		}
		for _, want := range tt.want {
			if !slices.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", tt.name, got, want)
			}
		}
		for _, bad := range tt.bad {
			if slices.Contains(got, bad) {
				t.Errorf("%s: %q has %q", tt.name, got, bad)
			}
		}
	}
}

func BenchmarkKeywords(b *testing.B) {
	type art struct {
		title, lang string
		body        []string
	}
	var arts []art
	for _, p := range []string{"000", "001", "002", "003", "004"} {
		title, body, lang := seedArticle(b, p)
		arts = append(arts, art{title, lang, body})
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a := arts[i%len(arts)]
		keywords(a.title, a.body, a.lang)
	}
}

// TestKeywordsDeterministic: the same article always gets the same tags,
// whatever the order Go walks its maps in.
func TestKeywordsDeterministic(t *testing.T) {
	data, err := os.ReadFile("testdata/corpus/en-html-bbc.html")
	if err != nil {
		t.Fatal(err)
	}
	n := New(Options{})
	var first []string
	for i := range 30 {
		a, err := n.Normalize(context.Background(), Input{Name: "bbc.html", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = a.Tags
		} else if !slices.Equal(a.Tags, first) {
			t.Fatalf("run %d: tags %q, first run %q", i, a.Tags, first)
		}
	}
}
