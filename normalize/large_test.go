package normalize

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestLargePathological normalizes 1 MB inputs of the shapes that cost
// most (one wrapped line, names everywhere, markers and captions in
// bulk): a super-linear step would not finish.
func TestLargePathological(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	const size = 1 << 20
	fill := func(unit string) []byte {
		return []byte(strings.Repeat(unit, size/len(unit)))
	}
	inputs := map[string][]byte{
		"wrapped":  fill("the quick brown fox jumps over the lazy dog and\n"),
		"names":    fill("Vladimir Poutine Alexandre Loukachenko Emmanuel Macron Olaf Scholz "),
		"related":  fill("À lire aussi :\nUn titre court\n"),
		"captions": fill("Le président à Minsk. IMAGES\nLe président à Minsk. IMAGES\nGetty Images\n"),
		"dates":    fill("Publié le 19.12.2022 à 20:53 - mis à jour le 20/12/2022\n"),
		"prose":    fill("Le président russe a assuré lundi que la Russie n'a pas intérêt à absorber le Bélarus. "),
		"breaks":   fill("A. "),
	}
	n := New(Options{MaxBytes: 2 << 20})
	for name, data := range inputs {
		for _, ct := range []string{"text/plain", "text/html"} {
			start := time.Now()
			_, err := n.Normalize(context.Background(), Input{Name: name, Data: data, ContentType: ct})
			if err != nil && !IsBadInput(err) {
				t.Errorf("%s %s: %v", name, ct, err)
			}
			t.Logf("%s %s: %v", name, ct, time.Since(start).Round(time.Millisecond))
		}
	}
}
