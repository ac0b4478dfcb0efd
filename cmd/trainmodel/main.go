// Command trainmodel trains the line models of the text and HTML paths on
// the labelled pages of ../shared/corpora and writes them where normalize
// embeds them:
//
//	go run ./cmd/trainmodel
//
// It also learns from the project's own labelled corpus, which weighs
// more. It renders every page as scraped text twice (a plain walk of the HTML
// and headless Chromium's innerText, cached), labels each line by
// aligning it with the page's gold text, and trains the two classifiers
// of normalize.LineModel. With -cv it first prints the cross-validated
// figures (folds by site) of the same recipe. With -folds DIR it writes the
// cross-validation's fold models to DIR instead of the models normalize
// embeds, so that `crier eval -dev … -folds DIR` scores a change made after
// the models without training them again.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/crier/crier/eval"
	"github.com/crier/crier/normalize"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "trainmodel: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("trainmodel", flag.ContinueOnError)
	corpora := fs.String("corpora", "../shared/corpora", "the labelled `dir` of development datasets")
	out := fs.String("out", "normalize/model", "the `dir` to write the models to (text.json, html.json)")
	chromium := fs.String("chromium", "chromium", "the Chromium `binary` that renders innerText")
	cache := fs.String("cache", "", "where Chromium's renders are cached (default: the user cache dir)")
	project := fs.String("project", "normalize/testdata/corpus,normalize/testdata/seeds", "the project's labelled corpus `dirs`, comma-separated")
	cv := fs.Int("cv", 0, "print `k`-fold cross-validated figures (folds by site) before training")
	folds := fs.String("folds", "", "write the cross-validation's fold models to `dir` (for crier eval -dev -folds) instead of training the embedded models")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pages, err := eval.LoadDatasets(*corpora, eval.DevDatasets...)
	if err != nil {
		return err
	}
	own, err := eval.LoadProject(strings.Split(*project, ",")...)
	if err != nil {
		return err
	}
	pages = append(pages, own...)
	r, err := eval.Renderings(ctx, *chromium, *cache)
	if err != nil {
		return err
	}
	defer r.Close()
	texts := r.Texts
	slog.Info("rendering and labelling", "pages", len(pages), "chromium", r.Chromium)
	refs, err := eval.HTMLRefs(ctx, pages, normalize.New(normalize.Options{RulesOnly: true}))
	if err != nil {
		return err
	}
	samples, err := eval.Samples(ctx, pages, texts, refs)
	if err != nil {
		return err
	}
	if *folds != "" {
		slog.Info("training the fold models", "folds", eval.Folds, "samples", len(samples))
		ms, err := eval.TrainFolds(samples, eval.Folds)
		if err != nil {
			return err
		}
		if err := eval.SaveFolds(*folds, ms); err != nil {
			return err
		}
		slog.Info("wrote the fold models", "dir", *folds)
		return nil
	}
	if *cv > 0 {
		rs, err := eval.CrossValidate(ctx, pages, samples, eval.DevOptions{Texts: texts, Refs: refs}, *cv)
		if err != nil {
			return err
		}
		eval.PrintDev(os.Stdout, eval.DevScores(rs))
	}
	slog.Info("training", "samples", len(samples))
	ms, err := eval.Train(samples, func(*eval.Page) bool { return true }, eval.TrainOptions)
	if err != nil {
		return err
	}
	if err := eval.WriteModels(*out, ms); err != nil {
		return err
	}
	slog.Info("wrote the models", "dir", *out)
	return nil
}
