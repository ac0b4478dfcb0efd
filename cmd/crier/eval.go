package main

import (
	"context"
	"fmt"
	"os"

	"github.com/crier/crier/eval"
	"github.com/crier/crier/normalize"
)

func evalCmd(ctx context.Context, env *environment, args []string) int {
	fs := flags(env, "eval", "[-v] [-dev CORPORA [-folds DIR] [-pages FILE]] DIR...", "Score normalization against the labelled corpus in DIR (documents with .gold files\nbeside them): body precision, recall and F1 on 4-word shingles, title, date,\nsource, agencies, language and story pairs. Exit status 1 if a target is missed.\nWith -dev, run the cross-validated evaluation instead: the datasets of CORPORA\n(../shared/corpora) and DIR, every path (HTML, go-trafilatura, scraped text as\nrendered by a walk, by Chromium and by a raw walk that keeps scripts), the line models trained without the scored\npages' sites; exit status 1 if a figure falls below its recorded floor.")
	verbose := fs.Bool("v", false, "list every document that misses something; with -dev, print the ratchet's entries")
	dev := fs.String("dev", "", "the development corpora `dir` (../shared/corpora): run the cross-validated evaluation")
	chromium := fs.String("chromium", "chromium", "with -dev, the Chromium `binary` that renders innerText")
	folds := fs.String("folds", "", "with -dev, score with the fold models saved in `dir` (trainmodel -folds) instead of training them")
	pages := fs.String("pages", "", "with -dev, write every page's figures to `file`, one tab-separated line per page and path")
	if code, done := parse(fs, env, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	if *dev != "" {
		rep, err := eval.DevEval(ctx, eval.DevConfig{Corpora: *dev, ProjectDirs: fs.Args(), Chromium: *chromium, Folds: *folds})
		if err != nil {
			fmt.Fprintf(env.stderr, "crier: %v\n", err)
			return exitFailed
		}
		if *pages != "" {
			if err := writePages(*pages, rep.Results); err != nil {
				fmt.Fprintf(env.stderr, "crier: %v\n", err)
				return exitFailed
			}
		}
		eval.PrintDevReport(env.stdout, rep, *verbose)
		if len(eval.Regressions(rep)) > 0 {
			return exitFailed
		}
		return exitOK
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

// writePages writes the evaluation's per-page figures to a new file.
func writePages(name string, rs []eval.DevResult) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := eval.WritePages(f, rs); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}
