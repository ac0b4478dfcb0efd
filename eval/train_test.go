package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crier/crier/normalize"
)

func TestSaveLoadFolds(t *testing.T) {
	text, err := normalize.DefaultLineModel()
	if err != nil {
		t.Fatal(err)
	}
	html, err := normalize.DefaultHTMLModel()
	if err != nil {
		t.Fatal(err)
	}
	folds := make([]Models, Folds)
	for f := range folds {
		folds[f] = Models{Text: text, HTML: html}
	}
	dir := t.TempDir()
	if err := SaveFolds(dir, folds); err != nil {
		t.Fatal(err)
	}
	got, err := LoadFolds(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(text)
	for f, ms := range got {
		if data, _ := json.Marshal(ms.Text); !bytes.Equal(data, want) {
			t.Errorf("fold %d: the text model read back differs from the one saved", f)
		}
	}

	if err := os.Remove(filepath.Join(dir, "f3", "html.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFolds(dir); err == nil || !strings.Contains(err.Error(), "html.json") {
		t.Errorf("a missing fold model: LoadFolds error %v, want one naming html.json", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f1", "text.json"), []byte(`{"first":{},"second":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFolds(dir); err == nil {
		t.Error("a fold model of other features loaded")
	}
}

// TestTrainFoldsDeterministic: the same samples train the same fold
// models, which is what makes saved folds (SaveFolds, crier eval -dev
// -folds) score as a fresh cross-validation does.
func TestTrainFoldsDeterministic(t *testing.T) {
	pages, err := LoadProject("../normalize/testdata/seeds", "../normalize/testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	texts := func(_ context.Context, p *Page) (map[string]string, error) {
		if p.HTML != nil {
			return map[string]string{RenderWalk: WalkText(p.HTML)}, nil
		}
		return map[string]string{RenderChromium: p.Text}, nil
	}
	samples, err := Samples(context.Background(), pages, texts, Refs{})
	if err != nil {
		t.Fatal(err)
	}
	const k = 2
	a, err := TrainFolds(samples, k)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainFolds(samples, k)
	if err != nil {
		t.Fatal(err)
	}
	for f := range k {
		for _, pair := range [][2]*normalize.LineModel{{a[f].Text, b[f].Text}, {a[f].HTML, b[f].HTML}} {
			x, _ := json.Marshal(pair[0])
			y, _ := json.Marshal(pair[1])
			if !bytes.Equal(x, y) {
				t.Errorf("fold %d: two trainings on the same samples gave different models", f)
			}
		}
	}
}
