package eval

import "github.com/crier/crier/internal/learn"

// TrainOptions are the line model's training settings, shared by
// cmd/trainmodel and the cross-validated evaluation so that the figures
// describe the committed model's recipe.
var TrainOptions = learn.Options{Hidden: 16, Epochs: 6, Seed: 1}

// Folds is the number of cross-validation folds (by site).
const Folds = 5
