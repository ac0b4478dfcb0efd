package normalize

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Every pair of runes nfcStable accepts is NFC, so isClean may skip the
// norm package for strings made of them.
func TestNFCStable(t *testing.T) {
	var stable []rune
	for r := rune(0); r < 0x3000; r++ {
		if nfcStable(r) {
			stable = append(stable, r)
		}
	}
	for _, a := range stable {
		for _, b := range stable {
			if s := string(a) + string(b); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%U %U is not NFC", a, b)
			}
		}
	}
	for _, s := range []string{"e\u0301", "\u212b", "\u2000"} { // combining acute, angstrom, en quad
		if _, nfc := isClean(s); nfc {
			t.Errorf("isClean(%+q) says NFC", s)
		}
	}
}

func TestLower(t *testing.T) {
	for _, s := range []string{
		"", "abc", "ABC déjà", "Élysée", "ÉLYSÉE À PARIS", "İstanbul", "\u212a elvin", "bad \xff byte",
		"ok \ufffd", "ΣΟΦΙΑ", "Ünal – «Zürich»", "ǅungla",
	} {
		if got, want := lower(s), strings.ToLower(s); got != want {
			t.Errorf("lower(%+q) = %+q, want %+q", s, got, want)
		}
	}
}

func FuzzLower(f *testing.F) {
	f.Add("Élysée À PARIS \xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := lower(s), strings.ToLower(s); got != want {
			t.Fatalf("lower(%+q) = %+q, want %+q", s, got, want)
		}
	})
}

func TestLowerWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"l'armée a dit -- oui", []string{"l", "armée", "a", "dit", "oui"}},
		{"jean-pierre -x- 2024 ÉTÉ", []string{"jean-pierre", "x", "2024", "ÉTÉ"}},
		{"bad\xffbyte ٣٤ 東京", []string{"bad", "byte", "٣٤", "東京"}},
	} {
		if got := lowerWords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("lowerWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSentenceBreaks(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"One. Two! Three? Four… Five", 4},
		{"Il a dit « Non. » Puis il est parti.", 0}, // a space before the closing quote
		{"3.5 percent. and lower", 0},
		{"Fin.\xe2 Pas", 0},
		{"He said \"Go.\" Then \"Stop.\" “Now", 2},
	} {
		if got := sentenceBreaks(c.in); got != c.want {
			t.Errorf("sentenceBreaks(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestLabelledCreditAt(t *testing.T) {
	for _, tc := range []struct {
		line string
		at   int
		ok   bool
	}{
		{"Anti-Brexit-Demonstrationen vor dem Parlament. (Bild: Kirsty Wigglesworth / AP)", 47, true},
		{"(Credit: Josh Miller/CNET)", 0, true},
		{"The new phone, shown on Monday (Photo: Apple)", 31, true},
		{"The council (which met on Monday) voted for the plan.", 0, false},
		{"Prices rose (see chart: inflation since 2010)", 0, false},
	} {
		at, ok := labelledCreditAt(tc.line)
		if at != tc.at || ok != tc.ok {
			t.Errorf("labelledCreditAt(%q) = %d, %v; want %d, %v", tc.line, at, ok, tc.at, tc.ok)
		}
	}
}
