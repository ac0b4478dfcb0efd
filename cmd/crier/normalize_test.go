package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// normalizeInputs writes n inputs of very different costs to a temporary
// folder: large HTML pages first and every seventh, small texts between,
// and every sixth input fails (empty, binary, missing). want is, per input,
// the origin its JSON line must carry, or "" if it must fail.
func normalizeInputs(t *testing.T, n int) (paths, want []string) {
	t.Helper()
	pages, _ := filepath.Glob("../../normalize/testdata/corpus/*-html-*.html")
	seeds, _ := filepath.Glob("../../examples/inbox/*.txt")
	if len(pages) < 4 || len(seeds) == 0 {
		t.Fatalf("fixtures: %d pages, %d seeds", len(pages), len(seeds))
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	dir := t.TempDir()
	for i := range n {
		var name string
		var data []byte
		switch {
		case i%6 == 5 && i%4 == 1:
			paths, want = append(paths, filepath.Join(dir, "missing.txt")), append(want, "")
			continue
		case i%6 == 5 && i%4 == 3:
			name, data = fmt.Sprintf("%02d.bin", i), []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
		case i%6 == 5:
			name = fmt.Sprintf("%02d-empty.txt", i)
		case i < 4 || i%7 == 0:
			name, data = fmt.Sprintf("%02d.html", i), read(pages[i%len(pages)])
		default:
			name, data = fmt.Sprintf("%02d.txt", i), read(seeds[i%len(seeds)])
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		if i%6 == 5 {
			want = append(want, "")
		} else {
			want = append(want, "file:"+name)
		}
	}
	return paths, want
}

// TestNormalizeKeepsInputOrder: with more workers than cores and the most
// expensive inputs first, the articles and the errors still come out in
// input order, interleaved as the inputs are (stdout and stderr share one
// buffer here), then the count of failures.
func TestNormalizeKeepsInputOrder(t *testing.T) {
	paths, want := normalizeInputs(t, 48)
	var out bytes.Buffer
	code := run(context.Background(), append([]string{"normalize", "-jobs", "8"}, paths...), strings.NewReader(""), &out, &out, nil)
	if code != exitFailed {
		t.Errorf("status %d, want %d", code, exitFailed)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(want)+1 {
		t.Fatalf("%d lines for %d inputs:\n%s", len(lines), len(want), out.String())
	}
	var failed int
	for i, w := range want {
		line := lines[i]
		if w == "" {
			failed++
			if prefix := "crier: " + paths[i] + ": "; !strings.HasPrefix(line, prefix) {
				t.Errorf("line %d = %.80q, want the error of %s", i, line, paths[i])
			}
			continue
		}
		var a struct{ Origin string }
		if err := json.Unmarshal([]byte(line), &a); err != nil || a.Origin != w {
			t.Errorf("line %d = %.80q (%v), want the article of %s", i, line, err, w)
		}
	}
	if summary := fmt.Sprintf("crier: %d of %d inputs failed", failed, len(want)); lines[len(want)] != summary {
		t.Errorf("last line %q, want %q", lines[len(want)], summary)
	}
}

func TestNormalizeExitStatus(t *testing.T) {
	seed := "../../examples/inbox/000_c7389a0de46d1d46.txt"
	empty := filepath.Join(t.TempDir(), "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		lines   int    // JSON lines on stdout
		summary string // last line of stderr, "" if none
	}{
		{"all good", []string{seed, seed}, exitOK, 2, ""},
		{"one bad", []string{seed, empty, seed}, exitFailed, 2, "crier: 1 of 3 inputs failed"},
		{"all bad", []string{empty, empty}, exitFailed, 0, "crier: 2 of 2 inputs failed"},
		{"stdin twice", []string{"-", seed, "-"}, exitUsage, 0, "crier: normalize: - given more than once"},
		{"bad jobs", []string{"-jobs", "x", seed}, exitUsage, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCrier(t, nil, "", append([]string{"normalize"}, tt.args...)...)
			if code != tt.code || strings.Count(out, "\n") != tt.lines {
				t.Errorf("status %d and %d lines, want %d and %d; stderr %q", code, strings.Count(out, "\n"), tt.code, tt.lines, errOut)
			}
			errLines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if last := errLines[len(errLines)-1]; tt.summary != "" && last != tt.summary {
				t.Errorf("stderr ends with %q, want %q", last, tt.summary)
			}
			if tt.summary == "" && strings.Contains(errOut, "inputs failed") {
				t.Errorf("a summary without failures: %q", errOut)
			}
		})
	}
}

// notifyWriter calls first on its first write.
type notifyWriter struct {
	bytes.Buffer
	first func()
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	if w.first != nil {
		w.first()
		w.first = nil
	}
	return w.Buffer.Write(p)
}

// TestNormalizeStreams: the first article is printed while the second
// input (stdin, not written yet) is still being read.
func TestNormalizeStreams(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	printed := make(chan struct{})
	stdout := &notifyWriter{first: func() { close(printed) }}
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(context.Background(), []string{"normalize", "-jobs", "2", "../../examples/inbox/000_c7389a0de46d1d46.txt", "-"}, stdinR, stdout, &stderr, nil)
	}()
	select {
	case <-printed:
	case <-time.After(30 * time.Second): // a deadline for the failure, not a wait for success
		stdinW.CloseWithError(io.ErrUnexpectedEOF)
		<-code
		t.Fatal("nothing printed before stdin was closed: the output is not streamed")
	}
	io.WriteString(stdinW, "Un texte venu de l'entrée standard, avec une phrase complète pour le lire.\n")
	stdinW.Close()
	if c := <-code; c != exitOK || strings.Count(stdout.String(), "\n") != 2 {
		t.Errorf("status %d, %d lines; stderr %q", c, strings.Count(stdout.String(), "\n"), stderr.String())
	}
}

// TestNormalizeStopsOnCancel: once the context is cancelled, no input is
// started (a started missing file would be reported); the ones cut short
// are counted, not reported one by one.
func TestNormalizeStopsOnCancel(t *testing.T) {
	seed := "../../examples/inbox/000_c7389a0de46d1d46.txt"
	missing := filepath.Join(t.TempDir(), "missing.txt")
	const n = 40
	tests := []struct {
		name          string
		input         func(i int) string
		before        bool // cancel before the run, else on the first article
		printed, most int  // articles printed: at least, at most
	}{
		{"before", func(i int) string { return []string{seed, missing}[i%2] }, true, 0, 0},
		{"on the first article", func(int) string { return seed }, false, 1, n/2 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"normalize", "-jobs", "1"}
			for i := range n {
				args = append(args, tt.input(i))
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout := &notifyWriter{first: cancel}
			if tt.before {
				cancel()
			}
			var stderr bytes.Buffer
			code := run(ctx, args, strings.NewReader(""), stdout, &stderr, nil)
			printed := strings.Count(stdout.String(), "\n")
			if code != exitFailed || printed < tt.printed || printed > tt.most {
				t.Fatalf("status %d, %d of %d printed; stderr %q", code, printed, n, stderr.String())
			}
			want := fmt.Sprintf("crier: interrupted: %d of %d inputs not normalized\n", n-printed, n)
			if stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestNormalizeStopsOnWriteError: an output that cannot be written ends
// the command at once, whatever is left to do.
func TestNormalizeStopsOnWriteError(t *testing.T) {
	args := []string{"normalize"}
	for range 20 {
		args = append(args, "../../examples/inbox/000_c7389a0de46d1d46.txt")
	}
	var stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), failingWriter{}, &stderr, nil)
	if want := "crier: writing output: io: read/write on closed pipe\n"; code != exitFailed || stderr.String() != want {
		t.Errorf("status %d, stderr %q; want %d, %q", code, stderr.String(), exitFailed, want)
	}
}
