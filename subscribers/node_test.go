package subscribers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNodeLibraryVerifies checks a real delivery with the Standard
// Webhooks library for Node, through the example the README shows
// (examples/verify/node), and that a tampered body is rejected.
func TestNodeLibraryVerifies(t *testing.T) {
	dir, err := filepath.Abs("../examples/verify/node")
	if err != nil {
		t.Fatal(err)
	}
	node, npm := lookTool(t, "node"), lookTool(t, "npm")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "standardwebhooks")); err != nil {
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}

	e := newEnv(t)
	rc := newReceiver(t, "", status(http.StatusOK))
	e.start(e.options(), rc.endpoint("node"))
	e.publish("fr", "euronews")
	h := rc.next(t)

	verify := func(body string) (string, error) {
		headers := map[string]string{}
		for k := range h.header {
			headers[strings.ToLower(k)] = h.header.Get(k)
		}
		in, err := json.Marshal(map[string]any{"headers": headers, "body": body})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, "verify.mjs")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CRIER_WEBHOOK_SECRET="+testSecret)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(string(h.body)); err != nil || !strings.Contains(out, "verified "+h.id+": article.published") {
		t.Errorf("Node library rejected a crier delivery: %v\n%s", err, out)
	}
	tampered := strings.Replace(string(h.body), "Second paragraph", "Forged paragraph", 1)
	if out, err := verify(tampered); err == nil {
		t.Errorf("Node library accepted a tampered body:\n%s", out)
	}
}

// lookTool finds a program on PATH; a test without it skips, except in CI,
// where a missing tool is an error.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (CI=%s): .ci/run installs it", name, os.Getenv("CI"))
	}
	t.Skipf("%s is not installed", name)
	return ""
}
