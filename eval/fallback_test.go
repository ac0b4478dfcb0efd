package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crier/crier/internal/learn"
	"github.com/crier/crier/normalize"
)

// TestHTMLTextFallback: on a page where go-trafilatura finds nothing and
// the HTML model rejects every block (Dragnet's R50, a Blogger post whose
// text sits straight in its div), the text path reads the page's lines
// rather than the page being refused.
func TestHTMLTextFallback(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corporaDir, "dragnet", "html", "R50.html"))
	need(t, "../shared/corpora", err)
	reject := func(features []string) *learn.Model {
		n := len(features)
		return &learn.Model{Features: features, Mean: make([]float32, n), Scale: make([]float32, n),
			Hidden: 1, W1: make([]float32, n), B1: []float32{0}, W2: []float32{0}, B2: -50}
	}
	m := &normalize.LineModel{First: reject(normalize.HTMLFeatureNames()), Second: reject(normalize.HTMLSecondFeatureNames())}
	a, err := normalize.New(normalize.Options{HTMLModel: m}).Normalize(context.Background(), normalize.Input{Name: "R50.html", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Body) == 0 || !strings.HasPrefix(a.Body[0], "There's a weird genre on the twitter") {
		t.Errorf("body %q, want the post", a.Body)
	}
}
