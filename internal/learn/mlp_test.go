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

// Predict's four-at-a-time sums give the same bits as the plain forward
// pass, for hidden layers of any width.
func TestPredictIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for hidden := 1; hidden <= 9; hidden++ {
		m := randomModel(rng, 13, hidden)
		for range 50 {
			x := make([]float32, 13)
			for i := range x {
				x[i] = rng.Float32()*4 - 2
			}
			if got, want := m.Predict(x, nil), plainPredict(m, x); got != want {
				t.Fatalf("hidden %d: Predict = %v, want %v", hidden, got, want)
			}
		}
	}
}

func randomModel(rng *rand.Rand, n, hidden int) *Model {
	vals := func(k int) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = rng.Float32()*2 - 1
		}
		return v
	}
	m := &Model{Mean: vals(n), Scale: vals(n), Hidden: hidden, W1: vals(n * hidden), B1: vals(hidden), W2: vals(hidden), B2: 0.1}
	m.Features = make([]string, n)
	return m
}

// plainPredict is the forward pass one hidden unit at a time.
func plainPredict(m *Model, x []float32) float32 {
	n := len(m.Features)
	out := float64(m.B2)
	for h := 0; h < m.Hidden; h++ {
		a := m.B1[h]
		for i := range n {
			a += m.W1[h*n+i] * ((x[i] - m.Mean[i]) * m.Scale[i])
		}
		if a > 0 {
			out += float64(m.W2[h] * a)
		}
	}
	return float32(sigmoid(out))
}

func BenchmarkPredict(b *testing.B) {
	m := randomModel(rand.New(rand.NewPCG(1, 1)), 128, 16)
	x := make([]float32, 128)
	scratch := make([]float32, 128)
	for b.Loop() {
		m.Predict(x, scratch)
	}
}
