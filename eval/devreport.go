package eval

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DevScore is one path's figures on one dataset.
type DevScore struct {
	Dataset, Path string
	Pages         int
	Body          PRF     // precision and recall averaged per page, F1 of the averages
	Low           float64 // share of pages with F1 below 0.5 (failed ones included)
	Failed        int     // pages normalization refused
	// RefusedLong names the refused pages whose gold text has
	// refusedMinWords words or more: articles crier should have taken.
	RefusedLong []string
	// RefusedBlank names the pages of as many gold words refused on a
	// rendering that shows fewer: the renderer's loss, not crier's.
	RefusedBlank []string
	// Title is the share of pages, among those whose HTML path took its
	// title from the page's metadata (TitleFromMeta, as the issue's
	// target counts), where this path found the same one (text paths
	// only).
	Title      float64
	TitlePages int
	// TitleShown is Title among the pages whose rendering prints the
	// HTML path's title as a line: what the text path can reach.
	TitleShown      float64
	TitleShownPages int
	// Dated is the share of pages given a date found on the page (not
	// estimated from the file's time); crier's paths only.
	Dated float64
}

// DevScores aggregates results by dataset and path, in the order of
// DevDatasets and the paths, with an "all" row per path.
func DevScores(rs []DevResult) []DevScore {
	type key struct{ ds, path string }
	groups := map[key][]DevResult{}
	for _, r := range rs {
		groups[key{r.Page.Dataset, r.Path}] = append(groups[key{r.Page.Dataset, r.Path}], r)
		if r.Path != PathText { // only the project gives text: its row is the whole
			groups[key{"all", r.Path}] = append(groups[key{"all", r.Path}], r)
		}
	}
	var out []DevScore
	for k, g := range groups {
		out = append(out, devScore1(k.ds, k.path, g))
	}
	order := map[string]int{"all": len(reportOrder)}
	for i, d := range reportOrder {
		order[d] = i
	}
	paths := map[string]int{PathHTML: 0, PathTrafilatura: 1, PathWalk: 2, PathChromium: 3, PathRaw: 4, PathText: 5}
	sort.Slice(out, func(i, j int) bool {
		if a, b := order[out[i].Dataset], order[out[j].Dataset]; a != b {
			return a < b
		}
		if out[i].Dataset != out[j].Dataset {
			return out[i].Dataset < out[j].Dataset
		}
		return paths[out[i].Path] < paths[out[j].Path]
	})
	return out
}

func devScore1(ds, path string, rs []DevResult) DevScore {
	s := DevScore{Dataset: ds, Path: path, Pages: len(rs)}
	var p, r []float64
	low, titles, same, dated, shown, shownSame := 0, 0, 0, 0, 0, 0
	for _, res := range rs {
		if res.Article != nil && !res.Article.PublishedEstimated {
			dated++
		}
		if res.Err != nil {
			s.Failed++
			switch {
			case len(strings.Fields(res.Page.Gold)) < refusedMinWords:
			case res.BlankInput:
				s.RefusedBlank = append(s.RefusedBlank, res.Page.Name())
			default:
				s.RefusedLong = append(s.RefusedLong, res.Page.Name())
			}
		}
		p, r = append(p, res.Body.P), append(r, res.Body.R)
		if res.Err != nil || res.Body.F1 < 0.5 {
			low++
		}
		if strings.HasPrefix(path, "text/") && res.HTMLTitle != "" && res.TitleFromMeta {
			titles++
			ok := res.Err == nil && SameTitle(res.Title, res.HTMLTitle)
			if ok {
				same++
			}
			if res.TitleShown {
				shown++
				if ok {
					shownSame++
				}
			}
		}
	}
	s.Body.P, s.Body.R = mean(p), mean(r)
	s.Body.F1 = f1(s.Body.P, s.Body.R)
	s.Low = ratio(low, len(rs))
	s.Title, s.TitlePages = ratio(same, titles), titles
	s.TitleShown, s.TitleShownPages = ratio(shownSame, shown), shown
	s.Dated = ratio(dated, len(rs))
	return s
}

// refusedMinWords: a page whose gold text has this many words is an
// article, and refusing it is a failure (the target: none).
const refusedMinWords = 50

// SameTitle compares two titles as a reader would: case, punctuation
// and spacing aside.
func SameTitle(a, b string) bool {
	ka := titleKey(a)
	return ka != "" && ka == titleKey(b)
}

// titleKey is what SameTitle compares: the lowercase letters and digits.
func titleKey(s string) string {
	var out strings.Builder
	for _, r := range norm.NFKC.String(strings.ToLower(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out.WriteRune(r)
		}
	}
	return out.String()
}

// PrintDev writes the development figures, one row per dataset and path.
func PrintDev(w io.Writer, scores []DevScore) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\tpath\tpages\tbody P\tbody R\tbody F1\tF1<0.5\trefused\tdated\ttitle = HTML's\twhere shown\t")
	for _, s := range scores {
		title, shown := "", ""
		if strings.HasPrefix(s.Path, "text/") {
			title = fmt.Sprintf("%.3f (%d)", s.Title, s.TitlePages)
			shown = fmt.Sprintf("%.3f (%d)", s.TitleShown, s.TitleShownPages)
		}
		dated := ""
		if s.Path != PathTrafilatura {
			dated = fmt.Sprintf("%.0f%%", 100*s.Dated)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.1f%%\t%d\t%s\t%s\t%s\t\n", s.Dataset, s.Path, s.Pages,
			s.Body.P, s.Body.R, s.Body.F1, 100*s.Low, s.Failed, dated, title, shown)
	}
	tw.Flush()
}

// DevReport is a cross-validated evaluation's figures and the browser
// whose renders they were measured on.
type DevReport struct {
	Scores   []DevScore
	Results  []DevResult // every page on every path, for WritePages
	Chromium string
}

// WritePages writes one tab-separated line per page and path: dataset,
// page, path, body precision, recall and F1, whether the title is the
// HTML path's, the title, the HTML path's title, the error, whether that
// title is the page's metadata title (the title target counts only those)
// and whether the rendering shows it. Two runs' files, compared, show
// which pages a change moved.
func WritePages(w io.Writer, rs []DevResult) error {
	clean := strings.NewReplacer("\t", " ", "\n", " ")
	bw := bufio.NewWriter(w)
	for _, r := range rs {
		errText := ""
		if r.Err != nil {
			errText = r.Err.Error()
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%v\t%s\t%s\t%s\t%v\t%v\n", r.Page.Dataset, r.Page.ID, r.Path,
			r.Body.P, r.Body.R, r.Body.F1, SameTitle(r.Title, r.HTMLTitle), clean.Replace(r.Title), clean.Replace(r.HTMLTitle), clean.Replace(errText),
			r.TitleFromMeta, r.TitleShown)
	}
	return bw.Flush()
}

// PrintDevReport writes the cross-validated figures, the targets
// met or missed, and with floors the ratchet's entries at these figures.
func PrintDevReport(w io.Writer, r *DevReport, floors bool) {
	scores := r.Scores
	pages := 0
	for _, s := range scores {
		if s.Dataset == "all" && s.Path == PathChromium || s.Path == PathText {
			pages += s.Pages
		}
	}
	fmt.Fprintf(w, "Cross-validated evaluation (%d folds by site), %d pages, rendered by %s:\n\n", Folds, pages, r.Chromium)
	PrintDev(w, scores)
	fmt.Fprintln(w, "\nTargets:")
	for _, l := range TargetReport(scores) {
		fmt.Fprintln(w, "  "+l)
	}
	if regs := Regressions(r); len(regs) > 0 {
		fmt.Fprintln(w, "\nBelow the ratchet:")
		if r.Chromium != BaselineChromium {
			fmt.Fprintf(w, "  (recorded with %s: the ratchet allows %.3f and a page more)\n", BaselineChromium, otherChromiumSlack)
		}
		for _, r := range regs {
			fmt.Fprintln(w, "  "+r)
		}
	}
	if floors {
		fmt.Fprintf(w, "\nThe ratchet at these figures (eval/ratchet.go):\n%s", formatFloors(r))
	}
}
