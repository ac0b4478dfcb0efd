package normalize

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/crier/crier/article"
)

func FuzzNormalize(f *testing.F) {
	files, _ := filepath.Glob("testdata/seeds/*.txt")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, uint8(0))
	}
	if data, err := os.ReadFile("testdata/article.html"); err == nil {
		f.Add(data, uint8(2))
	}
	f.Add([]byte(`{"title":"t","text":"Un texte assez long.\n\nPublicité"}`), uint8(3))
	f.Add([]byte("Caf\xe9 cr\xe8me\n\nLe caf\xe9 a rouvert."), uint8(1))
	types := []string{"", "text/plain", "text/html", "application/json", "text/plain; charset=iso-8859-1"}
	n := New(Options{MaxBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		in := Input{Name: "fuzz", Data: data, ContentType: types[int(kind)%len(types)]}
		a, err := n.Normalize(context.Background(), in)
		if err != nil {
			if !IsBadInput(err) {
				t.Fatalf("error is not a bad-input error: %v", err)
			}
			return
		}
		if len(a.Body) == 0 || a.ContentHash != article.HashBody(a.Body) || a.Language == "" {
			t.Fatalf("bad article: %+v", a)
		}
	})
}

func BenchmarkNormalizeText(b *testing.B) {
	files, _ := filepath.Glob("testdata/seeds/*.txt")
	var ins []Input
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, Input{Name: filepath.Base(p), Data: data})
	}
	benchInputs(b, ins)
}

func BenchmarkNormalizeHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/article.html")
	if err != nil {
		b.Fatal(err)
	}
	benchInputs(b, []Input{{Name: "article.html", Data: data}})
}

func benchInputs(b *testing.B, ins []Input) {
	n := New(Options{})
	ctx := context.Background()
	var size int64
	for _, in := range ins {
		size += int64(len(in.Data))
	}
	b.SetBytes(size / int64(len(ins)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := n.Normalize(ctx, ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "articles/s")
}
