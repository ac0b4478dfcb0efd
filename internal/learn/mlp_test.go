package learn

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// xor is a problem a linear model cannot solve: the hidden layer must.
func xor(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 1))
	data := make([]Example, n)
	for i := range data {
		a, b := rng.Float32(), rng.Float32()
		y := float32(0)
		if (a > 0.5) != (b > 0.5) {
			y = 1
		}
		data[i] = Example{X: []float32{a, b, rng.Float32()}, Y: y, Weight: 1}
	}
	return data
}

func TestTrainLearnsXOR(t *testing.T) {
	m, err := Train([]string{"a", "b", "noise"}, xor(4000, 1), Options{Epochs: 30, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	test := xor(1000, 2)
	for _, e := range test {
		if (m.Predict(e.X, nil) >= 0.5) == (e.Y == 1) {
			right++
		}
	}
	if right < 900 {
		t.Errorf("%d of 1000 right on XOR", right)
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	data := xor(500, 3)
	a, _ := Train([]string{"a", "b", "c"}, data, Options{Epochs: 2, Seed: 5})
	b, _ := Train([]string{"a", "b", "c"}, data, Options{Epochs: 2, Seed: 5})
	if !reflect.DeepEqual(a, b) {
		t.Error("the same data and seed gave different weights")
	}
	c, _ := Train([]string{"a", "b", "c"}, data, Options{Epochs: 2, Seed: 6})
	if reflect.DeepEqual(a, c) {
		t.Error("another seed gave the same weights")
	}
}

func TestParse(t *testing.T) {
	m, err := Train([]string{"a", "b", "c"}, xor(200, 4), Options{Epochs: 1, Hidden: 4})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(m)
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.2, 0.9, 0.5}
	if back.Predict(x, nil) != m.Predict(x, nil) {
		t.Error("a parsed model predicts differently")
	}
	m.W1 = m.W1[:len(m.W1)-1]
	bad, _ := json.Marshal(m)
	for _, in := range [][]byte{bad, []byte(`{}`), []byte(`not json`)} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%.40s) accepted", in)
		}
	}
}

func TestTrainRefusesBadExamples(t *testing.T) {
	if _, err := Train([]string{"a"}, nil, Options{}); err == nil {
		t.Error("no examples accepted")
	}
	if _, err := Train([]string{"a"}, []Example{{X: []float32{1, 2}, Weight: 1}}, Options{}); err == nil {
		t.Error("an example of the wrong width accepted")
	}
}

func TestEnsembleIsTheMean(t *testing.T) {
	data := xor(500, 4)
	var e Ensemble
	for seed := range uint64(3) {
		m, err := Train([]string{"a", "b", "c"}, data, Options{Epochs: 2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		e = append(e, m)
	}
	scratch := make([]float32, 3)
	for _, x := range data[:20] {
		var sum float32
		for _, m := range e {
			sum += m.Predict(x.X, nil)
		}
		if got, want := e.Predict(x.X, scratch), sum/3; got != want {
			t.Fatalf("Predict(%v) = %v, want the mean %v", x.X, got, want)
		}
	}
}
