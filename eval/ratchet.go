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
// The floors were recorded anew on 2026-12-07 from a fresh machine's
// renders (two renders of 298 pages there, compared by hand, matched
// byte for byte, with and without fonts-liberation): against a cache
// built up over earlier sessions, the same code gave title agreements
// 0.004 to 0.044 lower.
// Another Chromium build renders some pages otherwise, and the models
// trained on its renders move the figures by up to a point or so: the
// ratchet then allows more (otherChromiumSlack).
var Baseline = map[string]map[string]Floor{
	"l3s-gn1": {
		"html":          {F1: 0.952, Low: 0.013, Title: 0.000},
		"text/walk":     {F1: 0.947, Low: 0.019, Title: 0.772},
		"text/chromium": {F1: 0.948, Low: 0.019, Title: 0.795},
		"text/raw":      {F1: 0.948, Low: 0.019, Title: 0.842},
	},
	"dragnet": {
		"html":          {F1: 0.924, Low: 0.039, Title: 0.000},
		"text/walk":     {F1: 0.907, Low: 0.039, Title: 0.825},
		"text/chromium": {F1: 0.914, Low: 0.033, Title: 0.828},
		"text/raw":      {F1: 0.908, Low: 0.037, Title: 0.854},
	},
	"cleaneval": {
		"html":          {F1: 0.900, Low: 0.045, Title: 0.000},
		"text/walk":     {F1: 0.894, Low: 0.066, Title: 0.537},
		"text/chromium": {F1: 0.892, Low: 0.067, Title: 0.562},
		"text/raw":      {F1: 0.892, Low: 0.066, Title: 0.587},
	},
	"cleanportaleval": {
		"html":          {F1: 0.957, Low: 0.000, Title: 0.000},
		"text/walk":     {F1: 0.957, Low: 0.000, Title: 0.676},
		"text/chromium": {F1: 0.969, Low: 0.000, Title: 0.706},
		"text/raw":      {F1: 0.971, Low: 0.000, Title: 0.912},
	},
	"project": {
		"html":          {F1: 0.961, Low: 0.000, Title: 0.000},
		"text/walk":     {F1: 0.902, Low: 0.087, Title: 0.783},
		"text/chromium": {F1: 0.912, Low: 0.087, Title: 0.783},
		"text/raw":      {F1: 0.889, Low: 0.087, Title: 0.826},
		"text":          {F1: 0.975, Low: 0.000, Title: 0.000},
	},
}

// BaselineChromium is the browser the Baseline was measured with.
const BaselineChromium = "Chrome/156.0.8078.129"

// Floor is what one dataset and path must keep.
type Floor struct {
	F1    float64 // body F1 at least this
	Low   float64 // share of pages under F1 0.5 at most this
	Title float64 // title agreement with the HTML path at least this (text paths)
}

// ratchetSlack absorbs rounding in the recorded figures.
const ratchetSlack = 0.003

// otherChromiumSlack is the slack when the renders come from another
// Chromium than BaselineChromium, on top of one page of the dataset
// either way (a page is 4% of the project's corpus). Measured: Chromium
// 156 against the build the figures were first recorded with moved a
// body F1 by 0.011 and a title agreement by one project page; Debian's
// 148 against 156.0.8078.129: a text F1 by up to 0.007, CleanPortalEval's
// walk titles by six pages. Each floor is the lower of the figures under
// those two builds, so a swing between them fails nothing.
const otherChromiumSlack = 0.015

// Regressions lists the figures below their floor.
func Regressions(r *DevReport) []string {
	var out []string
	for _, s := range r.Scores {
		f, ok := Baseline[s.Dataset][s.Path]
		if !ok {
			continue
		}
		slack, share, title := ratchetSlack, ratchetSlack, ratchetSlack
		if r.Chromium != BaselineChromium {
			slack = otherChromiumSlack
			share = slack + 1/float64(max(s.Pages, 1))
			title = slack + 1/float64(max(s.TitlePages, 1))
		}
		name := s.Dataset + " " + s.Path
		if s.Body.F1 < f.F1-slack {
			out = append(out, fmt.Sprintf("%s: body F1 %.3f < %.3f", name, s.Body.F1, f.F1))
		}
		if s.Low > f.Low+share {
			out = append(out, fmt.Sprintf("%s: %.1f%% of pages under F1 0.5 > %.1f%%", name, 100*s.Low, 100*f.Low))
		}
		if f.Title > 0 && s.Title < f.Title-title {
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
	if t, ok := by[ProjectDataset][PathText]; ok {
		out = append(out, fmt.Sprintf("%s: text documents F1 %.3f ≥ 0.95: %s", ProjectDataset, t.Body.F1, mark(t.Body.F1 >= 0.95)))
	}
	return out
}

// formatFloors prints a report's figures as Baseline entries, for raising
// the ratchet.
func formatFloors(r *DevReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "const BaselineChromium = %q\n\n", r.Chromium)
	b.WriteString("var Baseline = map[string]map[string]Floor{\n")
	last := ""
	for _, s := range r.Scores {
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
// refused, naming the first few, and apart those whose rendering showed
// no text to take.
func refusedLong(s DevScore) string {
	n := len(s.RefusedLong)
	msg := fmt.Sprintf("refused with %d gold words or more: %d: %s%s", refusedMinWords, n, mark(n == 0), someNames(s.RefusedLong))
	if len(s.RefusedBlank) > 0 {
		msg += fmt.Sprintf(" (and %d whose rendering shows no text%s)", len(s.RefusedBlank), someNames(s.RefusedBlank))
	}
	return msg
}

// someNames lists the first few names, in brackets after a space.
func someNames(names []string) string {
	if len(names) == 0 {
		return ""
	}
	s := " (" + strings.Join(names[:min(len(names), 3)], ", ")
	if len(names) > 3 {
		s += ", …"
	}
	return s + ")"
}

// mark says whether a target is met.
func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
