package eval

import (
	"context"
	"fmt"
	"testing"

	"github.com/crier/crier/normalize"
)

func TestZZRefused(t *testing.T) {
	ps, _ := LoadDatasets("/work/shared/corpora", "dragnet")
	n := normalize.New(normalize.Options{})
	for _, p := range ps {
		if _, err := n.Normalize(context.Background(), normalize.Input{Name: "x.html", Data: p.HTML}); err != nil {
			fmt.Println(p.Name(), err)
		}
	}
}
