package normalize

import "errors"

// Sentinel errors, one per kind of bad input. Normalize wraps them with
// details; test with errors.Is.
var (
	// ErrEmpty: the input is empty or no article text is left after cleaning.
	ErrEmpty = errors.New("empty article")
	// ErrBinary: the input is not text (a binary file signature, too many
	// control characters).
	ErrBinary = errors.New("binary input")
	// ErrEncoding: the input is text in an encoding that cannot be decoded.
	ErrEncoding = errors.New("undecodable text encoding")
	// ErrInvalidJSON: structured input is malformed or has unknown fields.
	ErrInvalidJSON = errors.New("invalid JSON article")
	// ErrTooLarge: the input exceeds Options.MaxBytes.
	ErrTooLarge = errors.New("input too large")
	// ErrUnsupportedType: the content type is not plain text, HTML or JSON.
	ErrUnsupportedType = errors.New("unsupported content type")
	// ErrNotArticle: what is left is too little to be an article: fewer
	// words than Options.MinWords and no headline of its own.
	ErrNotArticle = errors.New("not an article")
)

var badInput = []error{ErrEmpty, ErrBinary, ErrEncoding, ErrInvalidJSON, ErrTooLarge, ErrUnsupportedType, ErrNotArticle}

// IsBadInput reports whether err is caused by the input itself (as opposed
// to cancellation or an internal failure), so callers can reject the input
// rather than retry it.
func IsBadInput(err error) bool {
	for _, e := range badInput {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
