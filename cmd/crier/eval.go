package main

import (
	"context"
	"fmt"

	"github.com/crier/crier/eval"
	"github.com/crier/crier/normalize"
)

func evalCmd(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "eval", "[-v] DIR...", "Score normalization against the labelled corpus in DIR (documents with .gold files\nbeside them): body precision, recall and F1 on 4-word shingles, title, date,\nsource, agencies, language and story pairs. Exit status 1 if a target is missed.")
	verbose := fs.Bool("v", false, "list every document that misses something")
	if code, done := parse(fs, env, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	docs, err := eval.LoadCorpus(fs.Args()...)
	if err != nil {
		fmt.Fprintf(env.stderr, "crier: %v\n", err)
		return exitUsage
	}
	rep, err := eval.Run(ctx, docs, normalize.New(normalize.Options{}), eval.GroupStories)
	if err != nil {
		fmt.Fprintf(env.stderr, "crier: %v\n", err)
		return exitFailed
	}
	rep.Print(env.stdout, *verbose)
	if len(rep.Failures()) > 0 {
		return exitFailed
	}
	return exitOK
}
