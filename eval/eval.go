package eval

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/normalize"
	"github.com/crier/crier/story"
)

// Targets are the figures the corpus must reach.
var Targets = struct {
	TextF1, HTMLF1, Title, Date, Language, StoryPrecision, StoryRecall float64
}{0.95, 0.96, 0.9, 0.9, 0.98, 0.95, 0.8}

// GroupFunc assigns a story id to each article; the articles come in the
// order crier would see them (publication time).
type GroupFunc func(ctx context.Context, as []*article.Article) ([]string, error)

// Result is one document's outcome.
type Result struct {
	Doc     Doc
	Article *article.Article // nil when normalization failed
	Err     error
	Body    PRF
	Title   bool
	Date    bool // meaningful only when the gold has a date
	Source  bool // meaningful only when the gold has a source
	Agency  bool
	Lang    bool
	Story   string // predicted story id
}

// PRF is a precision, recall and F1 triple.
type PRF struct{ P, R, F1 float64 }

// Score aggregates results of one kind of document.
type Score struct {
	Docs                        int
	Body                        PRF
	Title, Date, Source, Agency float64
	Lang                        float64
	DateDocs, SourceDocs        int
	AgencyDocs                  int // documents whose gold names agencies
}

// Report is the outcome of one evaluation.
type Report struct {
	Results                     []Result
	Text, HTML, All             Score
	StoryP, StoryR              float64
	GoldPairs, PredPairs, Pairs int
	Languages                   []string
}

// Run normalizes every document and scores it against its gold file.
// group may be nil: every article is then its own story.
func Run(ctx context.Context, docs []Doc, n *normalize.Normalizer, group GroupFunc) (*Report, error) {
	rep := &Report{}
	langs := map[string]bool{}
	for _, d := range docs {
		langs[d.Gold.Language] = true
		data, err := os.ReadFile(d.Path)
		if err != nil {
			return nil, err
		}
		r := Result{Doc: d}
		r.Article, r.Err = n.Normalize(ctx, normalize.Input{Name: d.Name, Data: data})
		if r.Err == nil {
			score(&r)
		}
		rep.Results = append(rep.Results, r)
	}
	for l := range langs {
		rep.Languages = append(rep.Languages, l)
	}
	sort.Strings(rep.Languages)
	if err := rep.stories(ctx, group); err != nil {
		return nil, err
	}
	rep.Text = aggregate(rep.Results, "text")
	rep.HTML = aggregate(rep.Results, "html")
	rep.All = aggregate(rep.Results, "")
	return rep, nil
}

func score(r *Result) {
	a, g := r.Article, r.Doc.Gold
	r.Body = shingleScore(g.Body, a.Text())
	r.Title = canon(a.Title) == canon(g.Title)
	r.Date = sameDay(a, g.Date)
	r.Source = g.Source != "" && compact(a.Source) == compact(g.Source)
	r.Agency = sameSet(a.Agencies, g.Agencies)
	r.Lang = article.PrimaryLanguage(a.Language) == article.PrimaryLanguage(g.Language)
}

// sameDay reports whether the article's date falls on the gold day, in the
// page's zone when crier kept it, else in UTC. An estimated date never
// counts.
func sameDay(a *article.Article, day string) bool {
	if day == "" || a.PublishedEstimated {
		return false
	}
	return a.Published.Format("2006-01-02") == day || a.Published.UTC().Format("2006-01-02") == day
}

func (rep *Report) stories(ctx context.Context, group GroupFunc) error {
	var ok []*Result
	for i := range rep.Results {
		if rep.Results[i].Article != nil {
			ok = append(ok, &rep.Results[i])
		}
	}
	sort.SliceStable(ok, func(i, j int) bool {
		return ok[i].Article.Published.Before(ok[j].Article.Published)
	})
	as := make([]*article.Article, len(ok))
	for i, r := range ok {
		as[i] = r.Article
	}
	ids := make([]string, len(as))
	if group != nil {
		var err error
		if ids, err = group(ctx, as); err != nil {
			return fmt.Errorf("grouping stories: %w", err)
		}
	} else {
		for i, a := range as {
			ids[i] = a.ID
		}
	}
	for i, r := range ok {
		r.Story = ids[i]
	}
	// Pairwise precision and recall over every pair of documents; a
	// document that failed to normalize is in no predicted pair.
	rs := rep.Results
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			gold := rs[i].Doc.Gold.Story == rs[j].Doc.Gold.Story
			pred := rs[i].Story != "" && rs[i].Story == rs[j].Story
			if gold {
				rep.GoldPairs++
			}
			if pred {
				rep.PredPairs++
			}
			if gold && pred {
				rep.Pairs++
			}
		}
	}
	rep.StoryP, rep.StoryR = 1, 1
	if rep.PredPairs > 0 {
		rep.StoryP = float64(rep.Pairs) / float64(rep.PredPairs)
	}
	if rep.GoldPairs > 0 {
		rep.StoryR = float64(rep.Pairs) / float64(rep.GoldPairs)
	}
	return nil
}

func aggregate(rs []Result, kind string) Score {
	var s Score
	var p, r []float64
	var title, date, source, agency, lang int
	for _, res := range rs {
		if kind != "" && res.Doc.Kind() != kind {
			continue
		}
		s.Docs++
		g := res.Doc.Gold
		if g.Date != "" {
			s.DateDocs++
		}
		if g.Source != "" {
			s.SourceDocs++
		}
		if len(g.Agencies) > 0 {
			s.AgencyDocs++
		}
		if res.Article == nil {
			p, r = append(p, 0), append(r, 0)
			continue
		}
		p, r = append(p, res.Body.P), append(r, res.Body.R)
		title += b2i(res.Title)
		date += b2i(res.Date) // sameDay is false without a gold date
		source += b2i(res.Source)
		agency += b2i(res.Agency)
		lang += b2i(res.Lang)
	}
	if s.Docs == 0 {
		return s
	}
	s.Body.P, s.Body.R = mean(p), mean(r)
	s.Body.F1 = f1(s.Body.P, s.Body.R)
	s.Title = ratio(title, s.Docs)
	s.Date = ratio(date, s.DateDocs)
	s.Source = ratio(source, s.SourceDocs)
	s.Agency = ratio(agency, s.Docs)
	s.Lang = ratio(lang, s.Docs)
	return s
}

// Failures lists the targets the report misses; empty when all are met.
func (rep *Report) Failures() []string {
	var out []string
	check := func(name string, got, want float64) {
		if got < want {
			out = append(out, fmt.Sprintf("%s %.3f < %.2f", name, got, want))
		}
	}
	if rep.Text.Docs > 0 {
		check("text body F1", rep.Text.Body.F1, Targets.TextF1)
	}
	if rep.HTML.Docs > 0 {
		check("HTML body F1", rep.HTML.Body.F1, Targets.HTMLF1)
	}
	check("title", rep.All.Title, Targets.Title)
	check("date", rep.All.Date, Targets.Date)
	check("language", rep.All.Lang, Targets.Language)
	check("story precision", rep.StoryP, Targets.StoryPrecision)
	check("story recall", rep.StoryR, Targets.StoryRecall)
	for _, r := range rep.Results {
		if r.Err != nil {
			out = append(out, fmt.Sprintf("%s: %v", r.Doc.Name, r.Err))
		}
	}
	return out
}

// shingleScore compares bodies the way the article-extraction benchmark
// does: multisets of 4-word shingles of the lowercased word sequence,
// counts normalised per document so long texts weigh no more.
func shingleScore(gold, pred string) PRF {
	g, p := shingles(gold), shingles(pred)
	var tp, fp, fn float64
	for k, gc := range g {
		pc := p[k]
		tp += float64(min(gc, pc))
		fn += float64(max(0, gc-pc))
	}
	for k, pc := range p {
		fp += float64(max(0, pc-g[k]))
	}
	out := PRF{P: 1, R: 1} // nothing missed, nothing extra (two empty texts)
	if fp > 0 || fn > 0 {
		out.P, out.R = 0, 0
		if tp+fp > 0 {
			out.P = tp / (tp + fp)
		}
		if tp+fn > 0 {
			out.R = tp / (tp + fn)
		}
	}
	out.F1 = f1(out.P, out.R)
	return out
}

func shingles(s string) map[string]int {
	toks := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && !unicode.Is(unicode.Mn, r)
	})
	m := map[string]int{}
	if len(toks) == 0 {
		return m
	}
	// A text shorter than a shingle is one shingle.
	const n = 4
	for i := range max(1, len(toks)-n+1) {
		m[strings.Join(toks[i:min(i+n, len(toks))], " ")]++
	}
	return m
}

// canon is the form titles are compared in: NFC, whitespace collapsed.
func canon(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// compact reduces a source name to letters and digits, without a leading
// "www" or a trailing top-level domain: "Le Monde", "lemonde.fr" and
// "LeMonde" compare equal.
func compact(s string) string {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "www.")
	if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 4 && !strings.Contains(s[i:], " ") {
		s = s[:i]
	}
	return article.Slug(strings.ReplaceAll(s, " ", ""))
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[strings.ToLower(x)] = true
	}
	for _, x := range b {
		if !m[strings.ToLower(x)] {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// GroupStories groups articles with the publisher's own story index: a
// key-value bucket on an embedded NATS server in a temporary directory,
// each article matched against the earlier ones, then added.
func GroupStories(ctx context.Context, as []*article.Article) (ids []string, err error) {
	dir, err := os.MkdirTemp("", "crier-eval-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	b, err := broker.Start(ctx, broker.Options{StoreDir: dir, Name: "crier-eval"})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	kv, err := b.JS.CreateOrUpdateKeyValue(ctx, story.BucketConfig("crier_eval_stories", story.DefaultWindow, 1))
	if err != nil {
		return nil, fmt.Errorf("story bucket: %w", err)
	}
	idx, err := story.NewKVIndex(ctx, b.JS, kv, story.KVOptions{Window: story.DefaultWindow})
	if err != nil {
		return nil, err
	}
	m := story.NewMatcher(idx, story.Options{})
	ids = make([]string, len(as))
	for i, a := range as {
		fp := story.NewFingerprint(a)
		res, err := m.Match(ctx, fp)
		if err != nil {
			return nil, err
		}
		ids[i] = res.StoryID
		if err := m.Add(ctx, fp, res.StoryID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
