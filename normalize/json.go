package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/crier/crier/article"
)

// jsonInput is the structured article accepted by the API and .json files.
type jsonInput struct {
	// ID names the published article this input revises, when its URL
	// cannot (it has none, or it moved).
	ID        string `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	Published string `json:"published"`
	Source    string `json:"source"`
	Author    string `json:"author"`
	Language  string `json:"language"`
	Summary   string `json:"summary"`
}

// extractJSON decodes a structured article. Given fields win over what is
// extracted from text or html, which go through the usual cleaning.
func extractJSON(data []byte, now time.Time, textModel, htmlModel *LineModel) (*extraction, error) {
	s, err := decodeText(data, "")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var in jsonInput
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidJSON, err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrInvalidJSON)
	}
	var published time.Time
	if in.Published != "" {
		if published, err = time.Parse(time.RFC3339, in.Published); err != nil {
			return nil, fmt.Errorf("%w: published: %v", ErrInvalidJSON, err)
		}
	}
	if in.ID != "" && !article.ValidID(in.ID) {
		return nil, fmt.Errorf("%w: id %q is not an article id (32 lowercase hex digits)", ErrInvalidJSON, in.ID)
	}
	pageURL := ""
	if in.URL != "" {
		if pageURL = canonicalURL(in.URL); pageURL == "" {
			return nil, fmt.Errorf("%w: url %q is not an absolute http(s) URL", ErrInvalidJSON, in.URL)
		}
	}
	title := cleanLine(in.Title)
	var ex *extraction
	switch {
	case strings.TrimSpace(in.Text) != "":
		ex = extractText(in.Text, title, now, textModel)
	case strings.TrimSpace(in.HTML) != "":
		if ex, err = extractHTML([]byte(in.HTML), "utf-8", pageURL, now, htmlModel, textModel); err != nil {
			return nil, err
		}
	case bytes.Contains(data, []byte(`"text"`)) || bytes.Contains(data, []byte(`"html"`)):
		return nil, fmt.Errorf("%w: text and html are empty", ErrEmpty)
	default:
		return nil, fmt.Errorf("%w: one of text or html is required", ErrInvalidJSON)
	}
	if pageURL != "" {
		ex.url = pageURL
	}
	ex.id = in.ID
	if title != "" {
		ex.title = title
	}
	if !published.IsZero() {
		ex.published, ex.publishedFloating = published, false
	}
	if v := cleanLine(in.Source); v != "" {
		ex.source = v
	}
	if v := cleanLine(in.Author); v != "" {
		// Read like a byline, so that it holds names only; when it names
		// no one, the authors found in the text stay.
		b := readByline(v)
		if len(b.names) > 0 {
			ex.authors = b.names
		}
		ex.addByline(b)
	}
	if v := cleanLine(in.Summary); v != "" {
		ex.summary = v
	}
	if v := normalizeLangTag(in.Language); v != "" {
		ex.language, ex.langFixed = v, true
	}
	return ex, nil
}
