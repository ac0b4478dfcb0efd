package eval

import (
	"fmt"
	"strings"
)

// Baseline is the ratchet of the cross-validated development figures:
// the evaluation fails when a body F1 falls below its entry, or a share
// of failed pages or a title agreement moves the wrong way. Raise the
// entries as the work improves (the figures are deterministic: the same
// code, pages and Chromium give the same numbers; a fresh render of 199
// pages matched the cache byte for byte). Renders cached under an older
// recipe give other figures: bump chromiumVersion when the recipe changes.
var Baseline = map[string]map[string]Floor{
	"l3s-gn1": {
		"html":          {F1: 0.935, Low: 0.039, Title: 0.000},
		"text/walk":     {F1: 0.939, Low: 0.023, Title: 0.687},
		"text/chromium": {F1: 0.940, Low: 0.023, Title: 0.687},
	},
	"dragnet": {
		"html":          {F1: 0.915, Low: 0.049, Title: 0.000},
		"text/walk":     {F1: 0.880, Low: 0.069, Title: 0.721},
		"text/chromium": {F1: 0.886, Low: 0.061, Title: 0.745},
	},
	"cleaneval": {
		"html":          {F1: 0.895, Low: 0.047, Title: 0.000},
		"text/walk":     {F1: 0.899, Low: 0.052, Title: 0.317},
		"text/chromium": {F1: 0.896, Low: 0.058, Title: 0.329},
	},
	"cleanportaleval": {
		"html":          {F1: 0.953, Low: 0.000, Title: 0.000},
		"text/walk":     {F1: 0.940, Low: 0.000, Title: 0.797},
		"text/chromium": {F1: 0.951, Low: 0.000, Title: 0.725},
	},
	"project": {
		"html":          {F1: 0.943, Low: 0.000, Title: 0.000},
		"text/walk":     {F1: 0.876, Low: 0.087, Title: 0.739},
		"text/chromium": {F1: 0.928, Low: 0.040, Title: 0.739},
	},
}

// Floor is what one dataset and path must keep.
type Floor struct {
	F1    float64 // body F1 at least this
	Low   float64 // share of pages under F1 0.5 at most this
	Title float64 // title agreement with the HTML path at least this (text paths)
}

// ratchetSlack absorbs rounding in the recorded figures and small
// differences between Chromium builds.
const ratchetSlack = 0.003

// Regressions lists the figures below their floor.
func Regressions(scores []DevScore) []string {
	var out []string
	for _, s := range scores {
		f, ok := Baseline[s.Dataset][s.Path]
		if !ok {
			continue
		}
		name := s.Dataset + " " + s.Path
		if s.Body.F1 < f.F1-ratchetSlack {
			out = append(out, fmt.Sprintf("%s: body F1 %.3f < %.3f", name, s.Body.F1, f.F1))
		}
		if s.Low > f.Low+ratchetSlack {
			out = append(out, fmt.Sprintf("%s: %.1f%% of pages under F1 0.5 > %.1f%%", name, 100*s.Low, 100*f.Low))
		}
		if f.Title > 0 && s.Title < f.Title-ratchetSlack {
			out = append(out, fmt.Sprintf("%s: title agreement %.3f < %.3f", name, s.Title, f.Title))
		}
	}
	return out
}

// Targets of the issue "normalization that holds on pages it has never
// seen": met or not, they do not fail the evaluation; the ratchet does.
func TargetReport(scores []DevScore) []string {
	by := map[string]map[string]DevScore{}
	for _, s := range scores {
		if by[s.Dataset] == nil {
			by[s.Dataset] = map[string]DevScore{}
		}
		by[s.Dataset][s.Path] = s
	}
	var out []string
	for _, ds := range DevDatasets {
		html, base := by[ds][PathHTML], by[ds][PathTrafilatura]
		out = append(out, fmt.Sprintf("%s: HTML F1 %.3f ≥ go-trafilatura %.3f + 0.01: %s; %s", ds, html.Body.F1, base.Body.F1,
			mark(html.Body.F1 >= base.Body.F1+0.01), refusedLong(html)))
		for _, p := range []string{PathWalk, PathChromium} {
			t := by[ds][p]
			out = append(out, fmt.Sprintf("%s: %s F1 %.3f within 0.02 of HTML %.3f: %s; under 0.5 on %.1f%% ≤ 1%%: %s; title %.3f ≥ 0.90: %s; %s", ds, p,
				t.Body.F1, html.Body.F1, mark(t.Body.F1 >= html.Body.F1-0.02), 100*t.Low, mark(t.Low <= 0.01), t.Title, mark(t.Title >= 0.9),
				refusedLong(t)))
		}
	}
	return out
}

// formatFloors prints scores as Baseline entries, for raising the ratchet.
func formatFloors(scores []DevScore) string {
	var b strings.Builder
	b.WriteString("var Baseline = map[string]map[string]Floor{\n")
	last := ""
	for _, s := range scores {
		if s.Dataset == "all" || s.Path == PathTrafilatura {
			continue // the baseline is a reference, not crier's
		}
		if s.Dataset != last {
			if last != "" {
				b.WriteString("\t},\n")
			}
			fmt.Fprintf(&b, "\t%q: {\n", s.Dataset)
			last = s.Dataset
		}
		title := 0.0
		if strings.HasPrefix(s.Path, "text/") {
			title = s.Title
		}
		fmt.Fprintf(&b, "\t\t%q: {F1: %.3f, Low: %.3f, Title: %.3f},\n", s.Path, s.Body.F1, s.Low, title)
	}
	b.WriteString("\t},\n}\n")
	return b.String()
}

// refusedLong reports the pages of 50 gold words or more that a path
// refused, naming the first few.
func refusedLong(s DevScore) string {
	n := len(s.RefusedLong)
	msg := fmt.Sprintf("refused with %d gold words or more: %d: %s", refusedMinWords, n, mark(n == 0))
	if n > 0 {
		msg += " (" + strings.Join(s.RefusedLong[:min(n, 3)], ", ")
		if n > 3 {
			msg += ", …"
		}
		msg += ")"
	}
	return msg
}

// mark says whether a target is met.
func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
