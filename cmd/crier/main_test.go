package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCrier(t *testing.T, environ []string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, environ)
	return code, out.String(), errb.String()
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runCrier(t, nil, "", c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Usage: crier "+c.name) {
			t.Errorf("%s --help: status %d, output %q", c.name, code, out)
		}
	}
	if code, out, _ := runCrier(t, nil, "", "--help"); code != exitOK || !strings.Contains(out, "run-once") {
		t.Errorf("crier --help: %d %q", code, out)
	}
	if code, _, errOut := runCrier(t, nil, "", "frobnicate"); code != exitUsage || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, out, _ := runCrier(t, nil, "", "version"); code != exitOK || !strings.HasPrefix(out, "crier ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestBadConfigExitsTwoNamingTheKey(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, yaml, key string }{
		{"unknown key", "http:\n  lisen: 127.0.0.1:8080\n", "http.lisen: unknown key"},
		{"bad cron", "publisher:\n  schedule: \"every minute\"\n", "publisher.schedule: bad cron spec"},
		{"bad url", "subscribers:\n  webhooks:\n    - {name: a, url: 'not a url', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}\n", "subscribers.webhooks[0].url"},
		{"bad secret", "subscribers:\n  webhooks:\n    - {name: a, url: 'http://127.0.0.1:9/', secret: 'hunter2'}\n", "subscribers.webhooks[0].secret"},
		{"bad signing key", "subscribers:\n  webhooks:\n    - {name: a, url: 'http://127.0.0.1:9/', signing_key: 'whsk_hunter2'}\n", "subscribers.webhooks[0].signing_key"},
		{"empty tag", "subscribers:\n  webhooks:\n    - {name: a, url: 'http://127.0.0.1:9/', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, tags: ['']}\n", "subscribers.webhooks[0].tags[0]"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
		if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"serve"}, {"run-once"}, {"export", "--out", dir}} {
			code, _, errOut := runCrier(t, nil, "", append(cmd, "--config", path)...)
			if code != exitUsage || !strings.Contains(errOut, tc.key) {
				t.Errorf("%s %s: status %d, stderr %q; want 2 naming %q", cmd, tc.name, code, errOut, tc.key)
			}
			if strings.Contains(errOut, "hunter2") {
				t.Errorf("%s %s: the secret was echoed", cmd, tc.name)
			}
		}
	}
	if code, _, errOut := runCrier(t, nil, "", "export"); code != exitUsage || !strings.Contains(errOut, "--out DIR is required") {
		t.Errorf("export without --out: status %d, stderr %q; want 2", code, errOut)
	}
	if code, out, errOut := runCrier(t, nil, "", "serve", "--bogus"); code != exitUsage || out != "" || !strings.Contains(errOut, "flag provided but not defined: -bogus") {
		t.Errorf("unknown flag: status %d, stdout %q, stderr %q; want 2 and the error on stderr", code, out, errOut)
	}
}

func TestNormalizePrintsJSONLines(t *testing.T) {
	seeds, _ := filepath.Glob("../../examples/inbox/*.txt")
	if len(seeds) != 5 {
		t.Fatalf("seeds: %v", seeds)
	}
	code, out, errOut := runCrier(t, nil, "Un texte venu de l'entrée standard, avec une phrase complète pour le lire.\n", append(append([]string{"normalize"}, seeds...), "-")...)
	if code != exitOK {
		t.Fatalf("status %d: %s", code, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	var n int
	for sc.Scan() {
		var a struct{ ID, Title string }
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.ID == "" {
			t.Errorf("line %d is not an article: %v", n+1, err)
		}
		n++
	}
	if n != 6 {
		t.Errorf("%d lines, want 6", n)
	}
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCrier(t, nil, "", "normalize", empty); code != exitFailed || !strings.Contains(errOut, "empty.txt") {
		t.Errorf("empty input: status %d, stderr %q", code, errOut)
	}
}

func TestRunOnceExitStatus(t *testing.T) {
	inbox := t.TempDir()
	seed, err := os.ReadFile("../../examples/inbox/004_678681fda66f4638.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "good.txt"), seed, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CRIER_DATA_DIR=" + t.TempDir(), "CRIER_PUBLISHER_INBOX=" + inbox, "CRIER_PUBLISHER_SETTLE=0s"}
	if code, out, errOut := runCrier(t, env, "", "run-once"); code != exitOK || !strings.Contains(out, "published 1,") {
		t.Fatalf("good inbox: status %d, %q %q", code, out, errOut)
	}
	if err := os.WriteFile(filepath.Join(inbox, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCrier(t, env, "", "run-once")
	if code != exitFailed || !strings.Contains(out, "published 0, updated 0, duplicates 0, failed 1") {
		t.Fatalf("bad input: status %d, %q; want 1 and one failure", code, out)
	}
	if _, err := os.Stat(filepath.Join(inbox, "failed", "bad.json.error")); err != nil {
		t.Errorf("no .error beside the failed input: %v", err)
	}

	// crier export reads what run-once published and writes it out.
	out = filepath.Join(t.TempDir(), "site")
	code, stdout, errOut := runCrier(t, env, "", "export", "--out", out)
	if code != exitOK || !strings.Contains(stdout, "wrote ") {
		t.Fatalf("export: status %d, %q %q", code, stdout, errOut)
	}
	for _, name := range []string{"index.html", "index.html.gz", "feeds/all.atom", "feeds/all.atom.gz"} {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Errorf("export: %v", err)
		} else if !strings.HasSuffix(name, ".gz") && !strings.Contains(string(data), "Vladimir Poutine en visite officielle") {
			t.Errorf("export: %s lacks the published article", name)
		}
	}
}

// TestEval: crier eval scores a labelled folder and says so; a folder
// without gold files is a usage error.
func TestEval(t *testing.T) {
	code, out, errOut := runCrier(t, nil, "", "eval", "-v", "../../normalize/testdata/seeds")
	if code != exitOK || !strings.Contains(out, "story pairs: precision 1.000, recall 1.000") || !strings.Contains(out, "all targets met") {
		t.Fatalf("status %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCrier(t, nil, "", "eval", t.TempDir()); code != exitUsage || !strings.Contains(errOut, "no .gold files") {
		t.Errorf("empty folder: status %d: %s", code, errOut)
	}
}
