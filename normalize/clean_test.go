package normalize

import (
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
