package story

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker/brokertest"
)

// benchStart is the publication time of the first synthetic article.
var benchStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// synthetic makes n articles of 150 words drawn from a Zipf distribution
// over a 30,000-word vocabulary, published within five days: as many
// articles as the index is asked to hold at once, all in the window.
func synthetic(n int, seed uint64) []*article.Article {
	rng := rand.New(rand.NewPCG(seed, 1))
	vocab := make([]string, 30000)
	letters := "abcdefghijklmnopqrstuvwxyz"
	vrng := rand.New(rand.NewPCG(42, 42))
	for i := range vocab {
		var b strings.Builder
		for range 6 + vrng.IntN(5) {
			b.WriteByte(letters[vrng.IntN(len(letters))])
		}
		vocab[i] = b.String()
	}
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(vocab)-1))
	arts := make([]*article.Article, n)
	step := 5 * 24 * time.Hour / time.Duration(max(n, 1))
	for i := range arts {
		words := make([]string, 150)
		for j := range words {
			words[j] = vocab[zipf.Uint64()]
		}
		arts[i] = textArticle("en", strings.Join(words, " ")+".", benchStart.Add(time.Duration(i)*step))
	}
	return arts
}

// benchArchive is the largest archive's fingerprints, built once per run.
var benchArchive = sync.OnceValue(func() []Fingerprint {
	arts := synthetic(100_000, 1)
	fps := make([]Fingerprint, len(arts))
	for i, a := range arts {
		fps[i] = NewFingerprint(a)
	}
	return fps
})

// benchQueries are new articles published after the archive.
var benchQueries = sync.OnceValue(func() []Fingerprint {
	arts := synthetic(4096, 2)
	fps := make([]Fingerprint, len(arts))
	for i, a := range arts {
		fp := NewFingerprint(a)
		fp.Published = benchStart.Add(5*24*time.Hour + time.Duration(i)*time.Second)
		fps[i] = fp
	}
	return fps
})

// BenchmarkMatch matches a new article against in-memory archives of
// growing size: the cost per article stays flat.
func BenchmarkMatch(b *testing.B) {
	archive, queries := benchArchive(), benchQueries()
	ctx := context.Background()
	for _, n := range []int{1_000, 10_000, 100_000} {
		m := NewMatcher(NewMemoryIndex(0), Options{})
		for _, fp := range archive[:n] {
			if err := m.Add(ctx, fp, fp.ID); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("archive=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Match(ctx, queries[i%len(queries)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkMatchAddKV is one Match and one Add per article on the KV index
// of an in-process embedded NATS server, on an archive of 10,000 articles.
func BenchmarkMatchAddKV(b *testing.B) {
	archive, queries := benchArchive(), benchQueries()
	ctx := context.Background()
	br, _ := brokertest.Start(b)
	m := NewMatcher(newKVIndex(b, br.JS, newBucket(b, br.JS, "crier_story")), Options{})
	for _, fp := range archive[:10_000] {
		if err := m.Add(ctx, fp, fp.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		fp := queries[i%len(queries)]
		fp.ID = fmt.Sprintf("q%d", i)
		r, err := m.Match(ctx, fp)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Add(ctx, fp, r.StoryID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkFingerprint is the cost of fingerprinting seed 002 (about 900
// words).
func BenchmarkFingerprint(b *testing.B) {
	var a *article.Article
	for _, s := range loadSeeds(b) {
		if s.name == "002" {
			a = s.a
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		NewFingerprint(a)
	}
}

// BenchmarkPostingSetMemory holds the postings of DefaultMaxArticles
// synthetic articles, as a KVIndex does at its default bound, and reports
// the heap they keep per article (what the README's "about 1.5 KB each"
// of publisher.story_max_articles rests on). Run with -benchtime 1x.
func BenchmarkPostingSetMemory(b *testing.B) {
	archive := benchArchive()[:DefaultMaxArticles]
	keys := make([][]string, len(archive))
	for i, fp := range archive {
		keys[i] = indexKeys(fp)
	}
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newPostingSet(0, DefaultMaxArticles)
		for i, fp := range archive {
			t := fp.Published.Unix()
			s.add(fp.ID, t, keys[i], cutoff(fp, DefaultWindow).Unix(), t, 0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(s.held) != len(archive) {
			b.Fatalf("%d articles held, want %d", len(s.held), len(archive))
		}
		runtime.KeepAlive(s)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(archive)), "B/article")
}
