package normalize

import (
	_ "embed"
)

// The line models of the text and HTML paths, trained by cmd/trainmodel
// (see model/README.md).
var (
	//go:embed model/text.json
	defaultTextModel []byte
	//go:embed model/html.json
	defaultHTMLModel []byte
)

// DefaultLineModel returns the text path's line model crier ships with.
func DefaultLineModel() (*LineModel, error) { return ParseLineModel(defaultTextModel) }

// DefaultHTMLModel returns the HTML path's line model crier ships with.
func DefaultHTMLModel() (*LineModel, error) { return ParseHTMLModel(defaultHTMLModel) }
