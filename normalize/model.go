package normalize

import (
	_ "embed"
)

// defaultLineModel is the text path's line model, trained by
// cmd/trainmodel (see model/README.md).
//
//go:embed model/text.json
var defaultLineModel []byte

// DefaultLineModel returns the line model crier ships with.
func DefaultLineModel() (*LineModel, error) { return ParseLineModel(defaultLineModel) }
