package eval

import (
	"bytes"
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
