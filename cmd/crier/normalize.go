package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/crier/crier/config"
	"github.com/crier/crier/normalize"
)

func normalizeCmd(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "normalize", "FILE... | -", "Normalize each input (.txt, .html, .json; - reads stdin as text) and print it as one\nJSON article per line, in the order given. Inputs are normalized in parallel. Needs no\nNATS. Exit status 1 if an input could not be normalized.")
	maxBytes := fs.Int64("max-bytes", config.Default().Publisher.MaxInputBytes, "largest input in `bytes` (publisher.max_input_bytes)")
	jobs := fs.Int("jobs", 0, "inputs normalized at once (0: GOMAXPROCS)")
	if code, done := parse(fs, env, args); done {
		return code
	}
	names := fs.Args()
	if len(names) == 0 {
		fs.Usage()
		return exitUsage
	}
	if i := slices.Index(names, "-"); i >= 0 && slices.Contains(names[i+1:], "-") {
		// The second read of stdin would race the first for its bytes.
		fmt.Fprintln(env.stderr, "crier: normalize: - given more than once")
		return exitUsage
	}
	if *jobs <= 0 {
		*jobs = runtime.GOMAXPROCS(0)
	}
	norm := normalize.New(normalize.Options{MaxBytes: *maxBytes})
	return normalizeAll(ctx, env, norm, names, *maxBytes, min(*jobs, len(names)))
}

// normalized is one input's outcome: a JSON line, or the error to report.
type normalized struct {
	line []byte
	err  error
}

type normalizeJob struct {
	name string
	out  chan<- normalized
}

// normalizeAll normalizes names on workers goroutines and prints each
// result as soon as it and every earlier one are done, so the output is in
// input order whatever each input costs. At most 4×workers results wait
// behind a slow one: memory stays bounded on any number of inputs.
func normalizeAll(ctx context.Context, env *environment, norm *normalize.Normalizer, names []string, maxBytes int64, workers int) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan normalizeJob)
	// pending holds each started input's result channel, in input order.
	pending := make(chan chan normalized, 4*workers)
	go func() {
		defer close(jobs)
		defer close(pending)
		for _, name := range names {
			if ctx.Err() != nil {
				return
			}
			out := make(chan normalized, 1)
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- normalizeJob{name, out}:
			case <-ctx.Done():
				out <- normalized{err: ctx.Err()}
				return
			}
		}
	}()
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel: no worker outlives the command
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				j.out <- normalizeOne(ctx, env, norm, j.name, maxBytes)
			}
		})
	}

	var done, failed, interrupted int
	for out := range pending {
		name := names[done]
		done++
		r := <-out
		switch {
		case ctx.Err() != nil && errors.Is(r.err, ctx.Err()):
			interrupted++ // not the input's fault: counted, not reported
		case r.err != nil:
			failed++
			fmt.Fprintf(env.stderr, "crier: %s: %v\n", name, r.err)
		default:
			if _, err := env.stdout.Write(r.line); err != nil {
				fmt.Fprintf(env.stderr, "crier: writing output: %v\n", err)
				cancel()
				for range pending { // until the dispatcher has stopped
				}
				return exitFailed
			}
		}
	}
	code := exitOK
	if failed > 0 {
		fmt.Fprintf(env.stderr, "crier: %d of %d inputs failed\n", failed, len(names))
		code = exitFailed
	}
	if skipped := len(names) - done + interrupted; skipped > 0 {
		fmt.Fprintf(env.stderr, "crier: interrupted: %d of %d inputs not normalized\n", skipped, len(names))
		code = exitFailed
	}
	return code
}

// normalizeOne reads, normalizes and encodes one input; the encoding is
// done here so that it runs on the workers too.
func normalizeOne(ctx context.Context, env *environment, norm *normalize.Normalizer, name string, maxBytes int64) normalized {
	if err := ctx.Err(); err != nil {
		return normalized{err: err}
	}
	in, err := readInput(env, name, maxBytes)
	if err != nil {
		return normalized{err: err}
	}
	a, err := norm.Normalize(ctx, in)
	if err != nil {
		return normalized{err: err}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		return normalized{err: fmt.Errorf("encoding the article: %w", err)}
	}
	return normalized{line: buf.Bytes()}
}

func readInput(env *environment, name string, maxBytes int64) (normalize.Input, error) {
	if name == "-" {
		data, err := io.ReadAll(io.LimitReader(env.stdin, maxBytes+1))
		return normalize.Input{Name: "stdin.txt", Data: data, ModTime: time.Now()}, err
	}
	f, err := os.Open(name)
	if err != nil {
		return normalize.Input{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return normalize.Input{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	return normalize.Input{Name: info.Name(), Data: data, ModTime: info.ModTime()}, err
}
