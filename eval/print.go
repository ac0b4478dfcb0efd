package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Print writes the report's figures; verbose adds one line per document
// that misses something.
func (rep *Report) Print(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "corpus: %d documents (%d scraped text, %d HTML), languages %s\n\n",
		rep.All.Docs, rep.Text.Docs, rep.HTML.Docs, strings.Join(rep.Languages, " "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tdocs\tbody P\tbody R\tbody F1\ttitle\tdate\tsource\tagencies\tlanguage\t")
	for _, row := range []struct {
		name string
		s    Score
	}{{"scraped text", rep.Text}, {"HTML", rep.HTML}, {"all", rep.All}} {
		s := row.s
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f (%d)\t%.3f (%d)\t%.3f (%d)\t%.3f\t\n",
			row.name, s.Docs, s.Body.P, s.Body.R, s.Body.F1, s.Title,
			s.Date, s.DateDocs, s.Source, s.SourceDocs, s.Agency, s.AgencyDocs, s.Lang)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n(date, source: share of the documents whose page shows one, counted in brackets;\n"+
		"agencies: exact set on every document, those naming agencies in brackets)\n\n")
	fmt.Fprintf(w, "story pairs: precision %.3f, recall %.3f (%d gold pairs, %d predicted, %d shared)\n",
		rep.StoryP, rep.StoryR, rep.GoldPairs, rep.PredPairs, rep.Pairs)
	fmt.Fprintf(w, "targets: text body F1 %.2f, HTML body F1 %.2f, title %.2f, date %.2f, language %.2f, story precision %.2f, recall %.2f\n",
		Targets.TextF1, Targets.HTMLF1, Targets.Title, Targets.Date, Targets.Language, Targets.StoryPrecision, Targets.StoryRecall)
	if f := rep.Failures(); len(f) > 0 {
		fmt.Fprintf(w, "missed: %s\n", strings.Join(f, "; "))
	} else {
		fmt.Fprintln(w, "all targets met")
	}
	if !verbose {
		return
	}
	fmt.Fprintln(w)
	for _, r := range rep.Results {
		if r.Err != nil {
			fmt.Fprintf(w, "%s: error: %v\n", r.Doc.Name, r.Err)
			continue
		}
		a, g := r.Article, r.Doc.Gold
		var miss []string
		if r.Body.F1 < 0.95 {
			miss = append(miss, fmt.Sprintf("body P %.2f R %.2f", r.Body.P, r.Body.R))
		}
		if !r.Title {
			miss = append(miss, fmt.Sprintf("title %q, want %q", a.Title, g.Title))
		}
		if g.Date != "" && !r.Date {
			miss = append(miss, fmt.Sprintf("date %s (estimated %v), want %s", a.Published.Format("2006-01-02T15:04Z07:00"), a.PublishedEstimated, g.Date))
		}
		if g.Source != "" && !r.Source {
			miss = append(miss, fmt.Sprintf("source %q, want %q", a.Source, g.Source))
		}
		if !r.Agency {
			miss = append(miss, fmt.Sprintf("agencies %q, want %q", a.Agencies, g.Agencies))
		}
		if !r.Lang {
			miss = append(miss, fmt.Sprintf("language %s, want %s", a.Language, g.Language))
		}
		if len(miss) > 0 {
			fmt.Fprintf(w, "%s: %s\n", r.Doc.Name, strings.Join(miss, "; "))
		}
	}
}
