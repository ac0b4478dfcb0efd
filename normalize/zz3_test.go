package normalize

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestZZHTMLLines(t *testing.T) {
	if os.Getenv("ZZFILE") == "" { t.Skip() }
	data, _ := os.ReadFile(os.Getenv("ZZFILE"))
	doc, _, kept, _, err := parsePage(data, "", "", time.Now())
	if err != nil { t.Fatal(err) }
	hl := newHTMLLines(doc, kept, time.Now())
	m, _ := DefaultHTMLModel()
	p := m.predictHTML(hl)
	fmt.Println("blocks", len(hl.blocks), "kept", len(kept))
	for i, b := range hl.bs {
		tx := b.text
		if len(tx) > 90 { tx = tx[:90] }
		fmt.Printf("%3d p=%.2f boiler=%v %s\n", i, p[i], b.boiler, tx)
	}
}

func TestZZHTMLFull(t *testing.T) {
	if os.Getenv("ZZFILE") == "" { t.Skip() }
	data, _ := os.ReadFile(os.Getenv("ZZFILE"))
	ex, err := extractHTML(data, "", "", time.Now(), func() *LineModel { m, _ := DefaultHTMLModel(); return m }())
	if err != nil { t.Fatal(err) }
	fmt.Println("title", ex.title, "paras", len(ex.paras))
	for _, p := range ex.paras { tx := p.text; if len(tx) > 80 { tx = tx[:80] }; fmt.Println(" ", tx) }
}

func TestZZHTMLDiff(t *testing.T) {
	if os.Getenv("ZZFILE") == "" { t.Skip() }
	data, _ := os.ReadFile(os.Getenv("ZZFILE"))
	doc, _, kept, _, _ := parsePage(data, "", "", time.Now())
	hl := newHTMLLines(doc, kept, time.Now())
	m, _ := DefaultHTMLModel()
	p := m.predictHTML(hl)
	for i, b := range hl.bs {
		if p[i] >= 0.1 || hl.traf[i] > 0 {
			tx := b.text; if len(tx) > 90 { tx = tx[:90] }
			fmt.Printf("%3d p=%.2f traf=%.1f %s\n", i, p[i], hl.traf[i], tx)
		}
	}
}
