package story

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/normalize"
)

func wjac(x, y []Term) float64 {
	m := map[string]float64{}
	for _, t := range x {
		m[t.Stem] = t.Weight
	}
	var mn, mx float64
	seen := map[string]bool{}
	for _, t := range y {
		a := m[t.Stem]
		mn += min(a, t.Weight)
		mx += max(a, t.Weight)
		seen[t.Stem] = true
	}
	for _, t := range x {
		if !seen[t.Stem] {
			mx += t.Weight
		}
	}
	return mn / mx
}

func TestExplore(t *testing.T) {
	files, _ := filepath.Glob("../normalize/testdata/seeds/*.txt")
	files = append(files, "testdata/000_near_duplicate.txt", "testdata/names_hockey.txt", "testdata/names_gas.txt")
	n := normalize.New(normalize.Options{})
	var arts []*article.Article
	for _, f := range files {
		data, _ := os.ReadFile(f)
		a, _ := n.Normalize(context.Background(), normalize.Input{Name: filepath.Base(f), Data: data, ModTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
		arts = append(arts, a)
	}
	var fps []Fingerprint
	for _, a := range arts {
		fp := NewFingerprint(a)
		fps = append(fps, fp)
		fmt.Println(a.Origin, len(fp.Terms), fp.Terms[:12])
	}
	for i := range fps {
		for j := i + 1; j < len(fps); j++ {
			fmt.Printf("%d-%d jac=%.3f cos=%.3f wjac=%.3f\n", i, j, jaccard(fps[i].MinHash, fps[j].MinHash), cosine(fps[i].Terms, fps[j].Terms), wjac(fps[i].Terms, fps[j].Terms))
		}
	}
}
