// Package learn is a small feed-forward classifier: one hidden layer,
// a sigmoid output, trained with Adam on a weighted log loss. It is what
// normalize's line models are made of; the weights travel as JSON.
//
// Training is deterministic: the same data, options and seed give the same
// weights, on any machine, so a committed model can be retrained exactly.
package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Model is a trained classifier. The zero value is not usable; train one
// with Train or read one with Parse.
type Model struct {
	// Features names the inputs, in order: a model refuses inputs of
	// another length, and the names let a reader see what it uses.
	Features []string `json:"features"`
	// Mean and Scale standardize the inputs: x' = (x - Mean) * Scale.
	Mean  []float32 `json:"mean"`
	Scale []float32 `json:"scale"`
	// W1 is Hidden rows of len(Features) weights, B1 their biases; W2
	// and B2 the output unit's.
	Hidden int       `json:"hidden"`
	W1     []float32 `json:"w1"`
	B1     []float32 `json:"b1"`
	W2     []float32 `json:"w2"`
	B2     float32   `json:"b2"`
}

// Parse reads a model written by Model.MarshalJSON and checks its shape.
func Parse(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("learn: %w", err)
	}
	n := len(m.Features)
	switch {
	case n == 0 || m.Hidden <= 0:
		return nil, errors.New("learn: model has no features or no hidden units")
	case len(m.Mean) != n || len(m.Scale) != n || len(m.W1) != n*m.Hidden || len(m.B1) != m.Hidden || len(m.W2) != m.Hidden:
		return nil, errors.New("learn: model weights do not match its shape")
	}
	return &m, nil
}

// Predict returns the probability of the positive class for x, which must
// have len(m.Features) values. scratch, when it has room for the
// model's inputs and hidden units, saves an allocation.
func (m *Model) Predict(x []float32, scratch []float32) float32 {
	n := len(m.Features)
	if cap(scratch) < n {
		scratch = make([]float32, n)
	}
	z := scratch[:n]
	for i, v := range x[:n] {
		z[i] = (v - m.Mean[i]) * m.Scale[i]
	}
	out := float64(m.B2)
	relu := func(h int, a float32) {
		if a > 0 {
			out += float64(m.W2[h] * a)
		}
	}
	h := 0
	// Four hidden units at a time: four independent sums keep the CPU's
	// adders busy, and each still adds its terms in input order, so the
	// answer is the same to the bit as one unit at a time.
	for ; h+4 <= m.Hidden; h += 4 {
		w0, w1, w2, w3 := m.W1[h*n:(h+1)*n], m.W1[(h+1)*n:(h+2)*n], m.W1[(h+2)*n:(h+3)*n], m.W1[(h+3)*n:(h+4)*n]
		w0, w1, w2, w3 = w0[:len(z)], w1[:len(z)], w2[:len(z)], w3[:len(z)] // no bounds checks below
		a0, a1, a2, a3 := m.B1[h], m.B1[h+1], m.B1[h+2], m.B1[h+3]
		for i, v := range z {
			a0 += w0[i] * v
			a1 += w1[i] * v
			a2 += w2[i] * v
			a3 += w3[i] * v
		}
		relu(h, a0)
		relu(h+1, a1)
		relu(h+2, a2)
		relu(h+3, a3)
	}
	for ; h < m.Hidden; h++ {
		w := m.W1[h*n : (h+1)*n]
		a := m.B1[h]
		for i, v := range z {
			a += w[i] * v
		}
		relu(h, a)
	}
	return float32(sigmoid(out))
}

// Ensemble is models trained alike but for their seed; it answers their
// mean, which holds still where one model's answer swings with its seed.
type Ensemble []*Model

// Predict returns the models' mean probability for x; scratch is shared
// by the models as in Model.Predict.
func (e Ensemble) Predict(x []float32, scratch []float32) float32 {
	var s float32
	for _, m := range e {
		s += m.Predict(x, scratch)
	}
	return s / float32(len(e))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Options control training.
type Options struct {
	Hidden       int     // hidden units; 24 if zero
	Epochs       int     // passes over the data; 12 if zero
	Batch        int     // examples per step; 256 if zero
	LearningRate float64 // Adam's step size; 0.003 if zero
	L2           float64 // weight decay on W1 and W2
	Seed         uint64
}

// Example is one training example: inputs, the target (0 to 1; a share
// is allowed) and how much it counts.
type Example struct {
	X      []float32
	Y      float32
	Weight float32
}

// Train fits a model to the examples. names gives the features' names.
func Train(names []string, data []Example, o Options) (*Model, error) {
	n := len(names)
	if len(data) == 0 {
		return nil, errors.New("learn: no examples")
	}
	for _, e := range data {
		if len(e.X) != n {
			return nil, fmt.Errorf("learn: an example has %d features, want %d", len(e.X), n)
		}
	}
	if o.Hidden == 0 {
		o.Hidden = 24
	}
	if o.Epochs == 0 {
		o.Epochs = 12
	}
	if o.Batch == 0 {
		o.Batch = 256
	}
	if o.LearningRate == 0 {
		o.LearningRate = 0.003
	}
	m := &Model{Features: names, Hidden: o.Hidden}
	m.standardize(data)
	rng := rand.New(rand.NewPCG(o.Seed, 0x6372696572))
	m.W1 = make([]float32, n*o.Hidden)
	m.B1 = make([]float32, o.Hidden)
	m.W2 = make([]float32, o.Hidden)
	for i := range m.W1 {
		m.W1[i] = float32(rng.NormFloat64() * math.Sqrt(2/float64(n)))
	}
	for i := range m.W2 {
		m.W2[i] = float32(rng.NormFloat64() * math.Sqrt(1/float64(o.Hidden)))
	}
	t := newTrainer(m, o)
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	z := make([]float32, n)
	for range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order); start += o.Batch {
			t.zero()
			var wsum float64
			for _, k := range order[start:min(start+o.Batch, len(order))] {
				e := data[k]
				for i, v := range e.X {
					z[i] = (v - m.Mean[i]) * m.Scale[i]
				}
				t.accumulate(z, float64(e.Y), float64(e.Weight))
				wsum += float64(e.Weight)
			}
			if wsum > 0 {
				t.step(wsum)
			}
		}
	}
	return m, nil
}

// standardize sets Mean and Scale from the data (weighted alike).
func (m *Model) standardize(data []Example) {
	n := len(m.Features)
	sum, sq := make([]float64, n), make([]float64, n)
	for _, e := range data {
		for i, v := range e.X {
			sum[i] += float64(v)
			sq[i] += float64(v) * float64(v)
		}
	}
	m.Mean, m.Scale = make([]float32, n), make([]float32, n)
	cnt := float64(len(data))
	for i := range n {
		mu := sum[i] / cnt
		sd := math.Sqrt(math.Max(sq[i]/cnt-mu*mu, 0))
		m.Mean[i] = float32(mu)
		m.Scale[i] = 1
		if sd > 1e-6 {
			m.Scale[i] = float32(1 / sd)
		}
	}
}

// trainer holds the gradients and Adam's moments.
type trainer struct {
	m                  *Model
	o                  Options
	gW1, gB1, gW2      []float64
	gB2                float64
	mo, ve             [][]float64 // Adam moments, per parameter group
	moB2, veB2         float64
	steps              int
	hidden, hiddenGrad []float64
}

func newTrainer(m *Model, o Options) *trainer {
	n := len(m.Features)
	t := &trainer{m: m, o: o,
		gW1: make([]float64, n*m.Hidden), gB1: make([]float64, m.Hidden), gW2: make([]float64, m.Hidden),
		hidden: make([]float64, m.Hidden), hiddenGrad: make([]float64, m.Hidden)}
	for _, size := range []int{len(t.gW1), len(t.gB1), len(t.gW2)} {
		t.mo = append(t.mo, make([]float64, size))
		t.ve = append(t.ve, make([]float64, size))
	}
	return t
}

func (t *trainer) zero() {
	clear(t.gW1)
	clear(t.gB1)
	clear(t.gW2)
	t.gB2 = 0
}

// accumulate adds one example's gradient of the weighted log loss.
func (t *trainer) accumulate(z []float32, y, w float64) {
	m := t.m
	n := len(z)
	out := float64(m.B2)
	for h := 0; h < m.Hidden; h++ {
		row := m.W1[h*n : (h+1)*n]
		var a float32 = m.B1[h]
		for i, v := range z {
			a += row[i] * v
		}
		t.hidden[h] = math.Max(float64(a), 0)
		out += float64(m.W2[h]) * t.hidden[h]
	}
	d := (sigmoid(out) - y) * w // dLoss/dOut
	t.gB2 += d
	for h := 0; h < m.Hidden; h++ {
		t.gW2[h] += d * t.hidden[h]
		if t.hidden[h] <= 0 {
			continue
		}
		g := d * float64(m.W2[h])
		t.gB1[h] += g
		row := t.gW1[h*n : (h+1)*n]
		for i, v := range z {
			row[i] += g * float64(v)
		}
	}
}

// step applies one Adam update with the gradients divided by wsum.
func (t *trainer) step(wsum float64) {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	t.steps++
	c1 := 1 - math.Pow(beta1, float64(t.steps))
	c2 := 1 - math.Pow(beta2, float64(t.steps))
	lr := t.o.LearningRate
	update := func(k int, params []float32, grads []float64, decay float64) {
		mo, ve := t.mo[k], t.ve[k]
		for i, g := range grads {
			g = g/wsum + decay*float64(params[i])
			mo[i] = beta1*mo[i] + (1-beta1)*g
			ve[i] = beta2*ve[i] + (1-beta2)*g*g
			params[i] -= float32(lr * (mo[i] / c1) / (math.Sqrt(ve[i]/c2) + eps))
		}
	}
	update(0, t.m.W1, t.gW1, t.o.L2)
	update(1, t.m.B1, t.gB1, 0)
	update(2, t.m.W2, t.gW2, t.o.L2)
	g := t.gB2 / wsum
	t.moB2 = beta1*t.moB2 + (1-beta1)*g
	t.veB2 = beta2*t.veB2 + (1-beta2)*g*g
	t.m.B2 -= float32(lr * (t.moB2 / c1) / (math.Sqrt(t.veB2/c2) + eps))
}
