package normalize

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/crier/crier/article"
)

// FuzzNormalizeText and FuzzNormalizeHTML feed any bytes to the two
// paths: no panic, no hang, a bad-input error or a well-formed article.
// Their findings are kept in testdata/fuzz.
func FuzzNormalizeText(f *testing.F) {
	files, _ := filepath.Glob("testdata/seeds/*.txt")
	more, _ := filepath.Glob("testdata/corpus/*-text-*.txt")
	for _, p := range append(files, more[:min(len(more), 6)]...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("Caf\xe9 cr\xe8me\n\nLe caf\xe9 a rouvert."))
	f.Add([]byte("Publié le 27 Mar 20 à 9:21\n\n© 2020 actu.fr\nÀ lire aussi :\nx"))
	fuzzNormalize(f, "text/plain")
}

func FuzzNormalizeHTML(f *testing.F) {
	files := []string{"testdata/corpus/fr-html-liberation.html", "testdata/corpus/de-html-heise.html"}
	for _, p := range append(files, "testdata/article.html") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<html><head><meta property="article:published_time" content="2022-12-19T21:00:00+01:00"></head><body><h1>T</h1><p>Un texte <a href="/x">assez</a> long.</p><figure><img src="a.jpg"><figcaption>Photo: AFP</figcaption></figure></body></html>`))
	fuzzNormalize(f, "text/html")
}

func fuzzNormalize(f *testing.F, contentType string) {
	n := New(Options{MaxBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := Input{Name: "fuzz", Data: data, ContentType: contentType}
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
		for _, p := range a.Body {
			if !utf8.ValidString(p) {
				t.Fatalf("invalid UTF-8 in body: %q", p)
			}
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
	if len(ins) == 0 {
		b.Fatal("no seeds in testdata/seeds")
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
