package normalize

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// seedTexts returns what Normalize hands detectLanguage for each seed:
// the title and the body, one paragraph a line.
func seedTexts(b testing.TB) []string {
	b.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.txt"))
	if err != nil || len(files) == 0 {
		b.Fatalf("seeds: %v %v", files, err)
	}
	var out []string
	for _, f := range files {
		name, data := readSeed(b, strings.SplitN(filepath.Base(f), "_", 2)[0])
		a, err := newTest().Normalize(context.Background(), Input{Name: name, Data: data})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, a.Title+"\n"+strings.Join(a.Body, "\n"))
	}
	return out
}

func BenchmarkDetectLanguage(b *testing.B) {
	texts := seedTexts(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if l := detectLanguage(texts[i%len(texts)]); l != "fr" {
			b.Fatalf("got %q", l)
		}
	}
}
