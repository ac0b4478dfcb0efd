package eval

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// corporaDir is ../shared/corpora seen from this package.
const corporaDir = "../../shared/corpora"

// need stops the test when something it needs is missing: a failure
// when CI=true, a skip elsewhere.
func need(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true: %v", what, err)
	}
	t.Skipf("skipping: %s not available (%v)", what, err)
}

// TestDevEval is the cross-validated evaluation on the development
// corpora and the project corpus: every path on every dataset, the text
// path scored with models trained on the other folds' sites. It fails when
// a figure falls below the ratchet (Baseline). It takes some minutes (the
// first run renders every page in Chromium; the renders are cached), so
// -short skips it:
//
//	go test -run DevEval -v ./eval/
func TestDevEval(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the development evaluation takes minutes")
	}
	_, err := os.Stat(filepath.Join(corporaDir, "README.md"))
	need(t, "../shared/corpora", err)
	_, err = exec.LookPath("chromium")
	need(t, "chromium (apt-get install chromium)", err)

	rep, err := DevEval(context.Background(), DevConfig{Corpora: corporaDir, Chromium: "chromium",
		CacheDir: os.Getenv("CRIER_RENDER_CACHE"), ProjectDirs: []string{"../normalize/testdata/corpus", "../normalize/testdata/seeds"}})
	if err != nil {
		t.Fatal(err)
	}
	regs := Regressions(rep)
	var out bytes.Buffer
	PrintDevReport(&out, rep, testing.Verbose() || len(regs) > 0)
	report(t, "crier-eval-dev.txt", out.Bytes())
	for _, r := range regs {
		t.Error(r)
	}
}

// report prints a report and keeps a copy in the temporary directory,
// where .ci/run shows it (go test shows a passing test's output only
// with -v).
func report(t *testing.T, name string, data []byte) {
	t.Helper()
	os.Stdout.Write(data)
	if err := os.WriteFile(filepath.Join(os.TempDir(), name), data, 0o644); err != nil {
		t.Logf("keeping the report: %v", err)
	}
}
