package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/crier/crier/config"
	"github.com/crier/crier/normalize"
)

func normalizeCmd(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "normalize", "FILE... | -", "Normalize each input (.txt, .html, .json; - reads stdin as text) and print it as one\nJSON article per line. Needs no NATS. Exit status 1 if an input could not be normalized.")
	maxBytes := fs.Int64("max-bytes", config.Default().Publisher.MaxInputBytes, "largest input in `bytes` (publisher.max_input_bytes)")
	if code, done := parse(fs, env, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	norm := normalize.New(normalize.Options{MaxBytes: *maxBytes})
	enc := json.NewEncoder(env.stdout)
	enc.SetEscapeHTML(false)
	code := exitOK
	for _, name := range fs.Args() {
		if err := normalizeOne(ctx, env, norm, enc, name, *maxBytes); err != nil {
			fmt.Fprintf(env.stderr, "crier: %s: %v\n", name, err)
			code = exitFailed
		}
	}
	return code
}

func normalizeOne(ctx context.Context, env *environment, norm *normalize.Normalizer, enc *json.Encoder, name string, maxBytes int64) error {
	in, err := readInput(env, name, maxBytes)
	if err != nil {
		return err
	}
	a, err := norm.Normalize(ctx, in)
	if err != nil {
		return err
	}
	return enc.Encode(a)
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
