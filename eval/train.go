package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/crier/crier/internal/learn"
	"github.com/crier/crier/normalize"
)

// Sample is one page as a line model sees it, with the target of each
// line: a scraped-text rendering for the text path's model, or the page
// itself (Render "html") for the HTML path's.
type Sample struct {
	Page   *Page
	Render string
	Inputs [][]float32
	// Labels is the share of each line's words the gold has; the title
	// the HTML path found counts as no body, as in crier's articles.
	Labels []float32
	// Fixed lines are decided by the rules alone; they train nothing.
	Fixed []bool
	Words []int
	// Text is the rendering (text samples), Title the index of the line
	// that is the page's headline, -1 if none is.
	Text  string
	Title int
}

// Refs are what the HTML path found on each page: the title that the
// text path's labels leave out of the body.
type Refs map[*Page]string

// HTMLRefs runs the HTML path on every page for its title.
func HTMLRefs(ctx context.Context, pages []*Page, n *normalize.Normalizer) (Refs, error) {
	titles := make([]string, len(pages))
	err := parallel(ctx, len(pages), func(i int) error {
		if pages[i].HTML == nil {
			return nil
		}
		a, err := n.Normalize(ctx, normalize.Input{Name: pages[i].ID + ".html", Data: pages[i].HTML})
		if err == nil {
			titles[i] = a.Title
		}
		return nil
	})
	refs := Refs{}
	for i, p := range pages {
		refs[p] = titles[i]
	}
	return refs, err
}

// offGold reports whether a title shares no word with the gold text:
// the page's metadata named the site, not the article, and the line it
// matches is no headline to learn from.
func offGold(title, gold string) bool {
	set := map[string]bool{}
	for _, w := range tokens(gold) {
		set[w] = true
	}
	n := 0 // words of four letters or more: most function words are shorter
	for _, w := range tokens(title) {
		if len(w) < 4 {
			continue
		}
		n++
		if set[w] {
			return false
		}
	}
	return n > 0
}

// RenderHTML names the samples of the HTML path's model.
const RenderHTML = "html"

// Samples builds the line models' training samples: every rendering of
// every page for the text path's model, and every page with HTML for the
// HTML path's, their lines' inputs and their labels from the gold.
func Samples(ctx context.Context, pages []*Page, texts Texts, refs Refs) ([]Sample, error) {
	per := make([][]Sample, len(pages))
	// A fixed clock: the features do not depend on when training runs.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := parallel(ctx, len(pages), func(i int) error {
		p := pages[i]
		versions, err := texts(ctx, p)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name(), err)
		}
		title := p.Title
		if title == "" && !offGold(refs[p], p.Gold) {
			title = refs[p]
		}
		add := func(render, text string, lines []string, inputs [][]float32, fixed []bool) {
			labels := LineLabels(lines, p.Gold)
			words := make([]int, len(lines))
			at := -1
			for j, l := range lines {
				words[j] = len(tokens(l))
				if title != "" && SameTitle(l, title) {
					labels[j] = 0
					if at < 0 {
						at = j
					}
				}
			}
			per[i] = append(per[i], Sample{Page: p, Render: render, Inputs: inputs, Labels: labels, Fixed: fixed, Words: words, Text: text, Title: at})
		}
		for _, r := range []string{RenderWalk, RenderChromium} {
			if s, ok := versions[r]; ok {
				lines, inputs, fixed := normalize.TrainingLines(s, now)
				add(r, s, lines, inputs, fixed)
			}
		}
		if p.HTML != nil {
			lines, inputs, fixed, err := normalize.HTMLTrainingLines(p.HTML, now)
			switch {
			case normalize.IsBadInput(err):
				// A page crier refuses teaches nothing.
			case err != nil:
				return fmt.Errorf("%s: %w", p.Name(), err)
			default:
				add(RenderHTML, "", lines, inputs, fixed)
			}
		}
		return nil
	})
	var out []Sample
	for _, s := range per {
		out = append(out, s...)
	}
	return out, err
}

// Models are the two line models trained together.
type Models struct{ Text, HTML *normalize.LineModel }

// Train trains both line models on the samples whose page keep accepts.
func Train(samples []Sample, keep func(*Page) bool, o learn.Options) (Models, error) {
	var text, html []Sample
	for _, s := range samples {
		switch {
		case !keep(s.Page):
		case s.Render == RenderHTML:
			html = append(html, s)
		default:
			text = append(text, s)
		}
	}
	var ms Models
	var err error
	var p1 [][]float32
	if ms.Text, p1, err = trainLines(text, normalize.TextFeatureNames(), normalize.SecondFeatureNames(), o); err != nil {
		return ms, fmt.Errorf("text model: %w", err)
	}
	if ms.Text.Title, err = trainTitle(text, p1, o); err != nil {
		return ms, fmt.Errorf("title model: %w", err)
	}
	if ms.HTML, _, err = trainLines(html, normalize.HTMLFeatureNames(), normalize.HTMLSecondFeatureNames(), o); err != nil {
		return ms, fmt.Errorf("HTML model: %w", err)
	}
	return ms, nil
}

// projectWeight is how much more a page of the project's corpus counts
// in training than a page of the development corpora.
var projectWeight = 4.0

// trainLines trains a line model on the samples. The second classifier
// learns from the first one's answers on pages it was not trained on (an
// inner split by site), as it will see them on new pages.
func trainLines(train []Sample, first, second []string, o learn.Options) (*normalize.LineModel, [][]float32, error) {
	const inner = 3
	in := func(s *Sample, f int) bool { return Fold("inner:"+s.Page.Site, inner) == f }
	// The inner models and the first classifier train side by side.
	models := make([]*learn.Model, inner+1)
	err := parallel(context.Background(), inner+1, func(f int) error {
		use := func(s *Sample) bool { return f == inner || !in(s, f) }
		m, err := learn.Train(first, examples(train, use, nil), o)
		models[f] = m
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	p1 := make([][]float32, len(train))
	for i := range train {
		for f := range inner {
			if in(&train[i], f) {
				p1[i] = make([]float32, len(train[i].Inputs))
				for j, x := range train[i].Inputs {
					p1[i][j] = models[f].Predict(x, nil)
				}
			}
		}
	}
	m2, err := learn.Train(second, examples(train, func(*Sample) bool { return true }, p1), o)
	if err != nil {
		return nil, nil, err
	}
	return &normalize.LineModel{First: models[inner], Second: m2}, p1, nil
}

// titleEnsemble is how many title classifiers are trained, each with its
// own seed, and averaged.
const titleEnsemble = 5

// trainTitle trains the text path's title classifiers on the samples
// whose headline is one of their lines, with the first classifier's
// answers from models that did not see the page (an inner split by site).
func trainTitle(train []Sample, p1 [][]float32, o learn.Options) (learn.Ensemble, error) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var data []learn.Example
	for i, s := range train {
		if s.Title < 0 {
			continue
		}
		for j, x := range normalize.TitleTrainingInputs(s.Text, now, p1[i]) {
			if x != nil {
				data = append(data, learn.Example{X: x, Y: b2f32(j == s.Title), Weight: 1})
			}
		}
	}
	ms := make(learn.Ensemble, titleEnsemble)
	err := parallel(context.Background(), titleEnsemble, func(k int) error {
		ok := o
		ok.Seed = o.Seed + uint64(k)
		var err error
		ms[k], err = learn.Train(normalize.TitleFeatureNames(), data, ok)
		return err
	})
	return ms, err
}

func b2f32(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// examples turns the samples use accepts into weighted examples; with
// p1, the second classifier's inputs.
func examples(samples []Sample, use func(*Sample) bool, p1 [][]float32) []learn.Example {
	var data []learn.Example
	for i := range samples {
		s := &samples[i]
		if !use(s) {
			continue
		}
		total := 0
		for _, w := range s.Words {
			total += w
		}
		if total == 0 {
			continue
		}
		inputs := s.Inputs
		if p1 != nil {
			inputs = normalize.SecondInputs(s.Inputs, p1[i])
		}
		// Each page weighs about the same, and within it each line by its
		// words, as the shingle score counts them. The project's pages,
		// modern and in seven languages, weigh more than the corpora's.
		norm := 1 / math.Sqrt(float64(total))
		if s.Page.Dataset == ProjectDataset {
			norm *= projectWeight
		}
		for j, x := range inputs {
			if s.Fixed[j] {
				continue
			}
			data = append(data, learn.Example{X: x, Y: s.Labels[j], Weight: float32(float64(1+s.Words[j]) * norm)})
		}
	}
	return data
}

// parallel runs f(0..n-1) on every core and returns the first error.
func parallel(ctx context.Context, n int, f func(i int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// CrossValidate scores the line models' recipe without scoring a page on
// a model trained on its site: k pairs of models, each trained on the
// pages of the other folds, each normalizing the pages of its own fold.
func CrossValidate(ctx context.Context, pages []*Page, samples []Sample, o DevOptions, k int) ([]DevResult, error) {
	folds, err := TrainFolds(samples, k)
	if err != nil {
		return nil, err
	}
	return ScoreFolds(ctx, pages, folds, o)
}

// TrainFolds trains k pairs of models, the f-th on the pages of every
// fold but f. Training is deterministic: the same samples give the same
// models.
func TrainFolds(samples []Sample, k int) ([]Models, error) {
	folds := make([]Models, k)
	for f := range k {
		ms, err := Train(samples, func(p *Page) bool { return Fold(p.Site, k) != f }, TrainOptions)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f, err)
		}
		folds[f] = ms
	}
	return folds, nil
}

// ScoreFolds normalizes every page with the models of its fold (folds[f]
// trained without fold f's sites) and scores it.
func ScoreFolds(ctx context.Context, pages []*Page, folds []Models, o DevOptions) ([]DevResult, error) {
	k := len(folds)
	norms := make([]*normalize.Normalizer, k)
	for f, ms := range folds {
		norms[f] = normalize.New(normalize.Options{TextModel: ms.Text, HTMLModel: ms.HTML})
	}
	o.Normalizer = func(p *Page) *normalize.Normalizer { return norms[Fold(p.Site, k)] }
	return DevRun(ctx, pages, o)
}

// SaveFolds writes fold models to dir, as f0/text.json, f0/html.json,
// f1/…, for LoadFolds.
func SaveFolds(dir string, folds []Models) error {
	for f, ms := range folds {
		if err := WriteModels(filepath.Join(dir, fmt.Sprintf("f%d", f)), ms); err != nil {
			return fmt.Errorf("fold %d: %w", f, err)
		}
	}
	return nil
}

// WriteModels writes a pair of models to dir as text.json and html.json:
// the files normalize embeds (normalize/model), and those of a fold.
func WriteModels(dir string, ms Models) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, m := range map[string]*normalize.LineModel{"text.json": ms.Text, "html.json": ms.HTML} {
		data, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// LoadFolds reads the Folds fold models SaveFolds wrote to dir. Models of
// another version's features are refused; models trained before a change
// to what they learn from (the rules' labels, the pages) load but no
// longer give the cross-validated figures: retrain them.
func LoadFolds(dir string) ([]Models, error) {
	folds := make([]Models, Folds)
	for f := range folds {
		sub := filepath.Join(dir, fmt.Sprintf("f%d", f))
		text, err := os.ReadFile(filepath.Join(sub, "text.json"))
		if err != nil {
			return nil, fmt.Errorf("fold models: %w", err)
		}
		html, err := os.ReadFile(filepath.Join(sub, "html.json"))
		if err != nil {
			return nil, fmt.Errorf("fold models: %w", err)
		}
		if folds[f].Text, err = normalize.ParseLineModel(text); err != nil {
			return nil, fmt.Errorf("fold models, %s: %w", sub, err)
		}
		if folds[f].HTML, err = normalize.ParseHTMLModel(html); err != nil {
			return nil, fmt.Errorf("fold models, %s: %w", sub, err)
		}
	}
	return folds, nil
}

// Renders are the scraped-text versions of pages and the browser that
// made them.
type Renders struct {
	Texts Texts
	// Chromium is the browser's version: its renders, the line models
	// trained on them and so the figures depend on it.
	Chromium string
	// Close stops the browser.
	Close func()
}

// Renderings returns the scraped-text versions of pages: the walk, and
// Chromium's innerText (the binary chromium, renders cached in cacheDir,
// by default under the user cache dir). Call Close when done.
func Renderings(ctx context.Context, chromium, cacheDir string) (Renders, error) {
	path, err := exec.LookPath(chromium)
	if err != nil {
		return Renders{}, fmt.Errorf("Chromium renders the innerText versions: %w", err)
	}
	if cacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return Renders{}, err
		}
		cacheDir = filepath.Join(dir, "crier", "innertext")
	}
	c, err := NewChromium(ctx, path, cacheDir)
	if err != nil {
		return Renders{}, err
	}
	texts := func(ctx context.Context, p *Page) (map[string]string, error) {
		if p.HTML == nil {
			return map[string]string{RenderChromium: p.Text}, nil
		}
		s, err := c.InnerText(ctx, p.HTML)
		if err != nil {
			return nil, err
		}
		return map[string]string{RenderWalk: WalkText(p.HTML), RenderChromium: s, RenderRaw: RawText(p.HTML)}, nil
	}
	return Renders{Texts: texts, Chromium: c.Version(), Close: c.Close}, nil
}

// DevConfig says what DevEval runs on.
type DevConfig struct {
	Corpora     string   // the development datasets' root (../shared/corpora)
	ProjectDirs []string // the project's labelled corpus
	Chromium    string   // the browser that renders the innerText versions
	CacheDir    string   // where renders are cached; "" for the user cache dir
	// Folds, when set, is a directory of fold models saved by SaveFolds
	// (cmd/trainmodel -folds): the pages are scored with them rather than
	// with models trained anew, in a minute instead of five. They give the
	// cross-validated figures while what they learned from is unchanged,
	// as for a change after the models (a rule on their answers, the pick
	// of a headline).
	Folds string
}

// DevEval runs the cross-validated evaluation: the development datasets
// and the project's corpus, every path, the line models trained Folds
// times without the scored pages' sites.
func DevEval(ctx context.Context, c DevConfig) (*DevReport, error) {
	pages, err := LoadDatasets(c.Corpora, DevDatasets...)
	if err != nil {
		return nil, err
	}
	own, err := LoadProject(c.ProjectDirs...)
	if err != nil {
		return nil, err
	}
	pages = append(pages, own...)
	r, err := Renderings(ctx, c.Chromium, c.CacheDir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	refs, err := HTMLRefs(ctx, pages, normalize.New(normalize.Options{RulesOnly: true}))
	if err != nil {
		return nil, err
	}
	var folds []Models
	if c.Folds != "" {
		folds, err = LoadFolds(c.Folds)
	} else {
		var samples []Sample
		if samples, err = Samples(ctx, pages, r.Texts, refs); err == nil {
			folds, err = TrainFolds(samples, Folds)
		}
	}
	if err != nil {
		return nil, err
	}
	rs, err := ScoreFolds(ctx, pages, folds, DevOptions{Texts: r.Texts, Refs: refs})
	if err != nil {
		return nil, err
	}
	return &DevReport{Scores: DevScores(rs), Results: rs, Chromium: r.Chromium}, nil
}
