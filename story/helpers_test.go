package story

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/normalize"
)

// seedModTimes are the file times given to the seeds whose pages carry no
// date (normalize falls back to the input's time): the days the events
// happened, as an inbox would see them. The others are dated by the page.
var seedModTimes = map[string]time.Time{
	"000": time.Date(2022, 12, 19, 17, 0, 0, 0, time.UTC),
	"004": time.Date(2024, 5, 24, 9, 0, 0, 0, time.UTC),
}

// otherModTime is the file time of the other seeds and fixtures.
var otherModTime = time.Date(2022, 12, 20, 12, 0, 0, 0, time.UTC)

// normalizeFile normalizes a fixture like the inbox does.
func normalizeFile(t testing.TB, path string, modTime time.Time) *article.Article {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := normalize.New(normalize.Options{}).Normalize(context.Background(),
		normalize.Input{Name: filepath.Base(path), Data: data, ModTime: modTime})
	if err != nil {
		t.Fatalf("normalize %s: %v", path, err)
	}
	return a
}

// seed is a normalized seed with its short name ("000").
type seed struct {
	name string
	a    *article.Article
}

// loadSeeds returns the five seeds in the order of their dates.
func loadSeeds(t testing.TB) []seed {
	t.Helper()
	files, err := filepath.Glob("../normalize/testdata/seeds/*.txt")
	if err != nil || len(files) != 5 {
		t.Fatalf("seeds: %v %v", files, err)
	}
	var seeds []seed
	for _, f := range files {
		name := filepath.Base(f)[:3]
		mt, ok := seedModTimes[name]
		if !ok {
			mt = otherModTime
		}
		seeds = append(seeds, seed{name: name, a: normalizeFile(t, f, mt)})
	}
	slices.SortStableFunc(seeds, func(x, y seed) int { return x.a.Published.Compare(y.a.Published) })
	return seeds
}

// languageCase is one language's fixtures: a dispatch, an outlet's rewrite
// of it, and another event with the same names on the same day.
type languageCase struct {
	Language string `json:"language"`
	Dispatch string `json:"dispatch"`
	Rewrite  string `json:"rewrite"`
	Other    string `json:"other"`
}

func loadLanguages(t testing.TB) []languageCase {
	t.Helper()
	data, err := os.ReadFile("testdata/languages.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []languageCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// textArticle builds an article from plain paragraphs, the ID derived from
// the text as the publisher does without a URL.
func textArticle(lang, text string, published time.Time) *article.Article {
	body := strings.Split(text, "\n")
	return &article.Article{
		ID:        article.NewID("", article.HashBody(body)),
		Body:      body,
		Language:  lang,
		Published: published,
	}
}
