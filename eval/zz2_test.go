package eval

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crier/crier/normalize"
)

func TestZZTitles(t *testing.T) {
	ps, _ := LoadDatasets("/work/shared/corpora", "l3s-gn1", "dragnet")
	n := normalize.New(normalize.Options{})
	vis, tot, same := 0, 0, 0
	shown := 0
	for _, p := range ps {
		a, err := n.Normalize(context.Background(), normalize.Input{Name: "x.html", Data: p.HTML})
		if err != nil || a.Title == "" { continue }
		tot++
		w := WalkText(p.HTML)
		found := false
		for _, l := range strings.Split(w, "\n") { if SameTitle(l, a.Title) { found = true; break } }
		if found { vis++ }
		b, err := n.Normalize(context.Background(), normalize.Input{Name: "x.txt", Data: []byte(w)})
		if err == nil && SameTitle(b.Title, a.Title) { same++ } else if shown < 40 {
			shown++
			bt := ""
			if b != nil { bt = b.Title }
			fmt.Printf("%-14s vis=%v html=%q\n               text=%q\n", p.ID, found, a.Title, bt)
		}
	}
	fmt.Println("total", tot, "visible", vis, "same", same)
}
