package eval

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/crier/crier/normalize"
)

// TestEval scores normalization on the labelled corpus and fails when a
// target is missed. Run it with -v to see the figures:
//
//	go test -run Eval -v ./eval/
func TestEval(t *testing.T) {
	docs, err := LoadCorpus("../normalize/testdata/corpus", "../normalize/testdata/seeds")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), docs, normalize.New(normalize.Options{}), GroupStories)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out, testing.Verbose())
	report(t, "crier-eval-project.txt", out.Bytes())
	for _, f := range rep.Failures() {
		t.Error(f)
	}
}

func TestShingleScore(t *testing.T) {
	for _, tc := range []struct {
		name, gold, pred string
		p, r             float64
	}{
		{"identical", "one two three four five", "One, two; three four five!", 1, 1},
		{"both empty", "", "", 1, 1},
		{"nothing predicted", "one two three four five", "", 0, 0},
		{"extra text", "a b c d", "a b c d e", 0.5, 1},
		{"half missing", "a b c d e f g", "a b c d e", 1, 0.5},
		{"repeat counts", "a b c d", "a b c d. a b c d", 0.2, 1}, // 5 shingles, 1 true
		{"short texts", "a b", "a b", 1, 1},
	} {
		got := shingleScore(tc.gold, tc.pred)
		if math.Abs(got.P-tc.p) > 1e-9 || math.Abs(got.R-tc.r) > 1e-9 {
			t.Errorf("%s: P %.3f R %.3f, want %.3f %.3f", tc.name, got.P, got.R, tc.p, tc.r)
		}
	}
}

func TestCompactSource(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Le Monde", "lemonde.fr"}, {"Le Monde.fr", "Le Monde"}, {"www.spiegel.de", "SPIEGEL"},
		{"euronews", "Euronews"},
	} {
		if compact(tc.a) != compact(tc.b) {
			t.Errorf("compact(%q) = %q, compact(%q) = %q", tc.a, compact(tc.a), tc.b, compact(tc.b))
		}
	}
	if compact("Le Figaro") == compact("Le Monde") {
		t.Error("different sources compare equal")
	}
}

func TestParseGold(t *testing.T) {
	g, err := ParseGold([]byte("title: T\nkicker:\ndate: 2022-12-19\nsource: euronews\nagencies: AFP, AP\nlanguage: fr\nstory: s1\nurl:\nfrom: x\n---\nPara one.\n\nPara two.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Title != "T" || g.Date != "2022-12-19" || len(g.Agencies) != 2 || g.Agencies[1] != "AP" || g.Body != "Para one.\n\nPara two." {
		t.Fatalf("parsed %+v", g)
	}
	for _, bad := range []string{
		"title: T\n---\nbody",    // missing keys
		"title: T\nno separator", // no ---
		"title: T\nkicker:\ndate: 19.12.2022\nsource:\nagencies:\nlanguage: fr\nstory: s\nurl:\nfrom:\n---\nb", // bad date
		"title: T\nkicker:\ndate: 2022-02-30\nsource:\nagencies:\nlanguage: fr\nstory: s\nurl:\nfrom:\n---\nb", // no such day
	} {
		if _, err := ParseGold([]byte(bad)); err == nil {
			t.Errorf("ParseGold(%q) accepted", bad)
		}
	}
}
