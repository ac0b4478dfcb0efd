// Package article defines the normalized article: crier's one data model and
// the body of every message on the ARTICLES stream (schema version 1).
package article

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SchemaVersion is the version of the JSON document below. A change that
// removes or retypes a field bumps it; adding an optional field does not.
const SchemaVersion = 1

// Article is one normalized news article.
type Article struct {
	Schema int    `json:"schema"`
	ID     string `json:"id"`
	// URL is the canonical URL of the original page, when known.
	URL   string `json:"url,omitempty"`
	Title string `json:"title"`
	// Kicker is the label printed above the headline ("Diplomatie",
	// "EXCLUSIVE"), kept out of the title.
	Kicker string `json:"kicker,omitempty"`
	// Summary is the lead (standfirst), plain text.
	Summary string `json:"summary,omitempty"`
	// Body holds the article's paragraphs as plain text, subheadings included.
	Body []string `json:"body"`
	// BodyHTML is the body as sanitized HTML (<p>, <h2>, <blockquote> ...).
	BodyHTML string `json:"body_html"`
	// Published keeps the zone the page gave, or the one crier inferred;
	// it is UTC otherwise.
	Published time.Time `json:"published"`
	// PublishedEstimated is true when the page carried no date and Published
	// is the input's own time (file modification or receipt).
	PublishedEstimated bool `json:"published_estimated,omitempty"`
	// PublishedZoneInferred is true when the page printed a time of day
	// without a zone and Published places it in the zone crier inferred
	// for the publication (its country domain, its national agency).
	PublishedZoneInferred bool `json:"published_zone_inferred,omitempty"`
	// PublishedZoneUnknown is true when the page printed a time of day
	// without a zone and crier could not infer one: Published is that
	// wall-clock time read as UTC, off by the publication's UTC offset.
	PublishedZoneUnknown bool      `json:"published_zone_unknown,omitempty"`
	Ingested             time.Time `json:"ingested"`
	// Byline holds the authors' names only, comma-separated; empty when
	// the page names no person (agencies and the publication have their
	// own fields).
	Byline   string   `json:"byline,omitempty"`
	Agencies []string `json:"agencies,omitempty"`
	// Source is the publication's display name ("euronews", "L'Expression").
	Source string `json:"source,omitempty"`
	// Tags are a handful of keywords (people, places, topics) in the
	// article's language, for per-tag feeds and subscription filters.
	Tags []string `json:"tags,omitempty"`
	// Media are the pictures the page showed, with the captions and
	// credits that normalization moved out of the body.
	Media []Media `json:"media,omitempty"`
	// StoryID groups articles reporting the same event (rewrites of one
	// dispatch by several outlets); it is the ID of the story's first
	// article.
	StoryID string `json:"story_id,omitempty"`
	// Language is a BCP 47 tag ("fr", "en"); "und" when undetermined.
	Language string `json:"language"`
	// ContentHash is the hex SHA-256 of the normalized body; equal hashes
	// mean the same text, which crier publishes once.
	ContentHash string `json:"content_hash"`
	// Origin names the input the article came from ("file:000_x.txt", "api").
	Origin string `json:"origin,omitempty"`
	// Revision counts the versions of the article crier published: 1 for
	// the first, 2 for its first correction... Zero (absent) in messages
	// written before revisions existed means 1.
	Revision int `json:"revision,omitempty"`
	// Updated is when this revision was received; zero on the first.
	Updated time.Time `json:"updated,omitzero"`
	// Retracted, set on a tombstone, is when the article was withdrawn:
	// the message carries its identity (id, url, language, source, tags,
	// story) and RetractionReason, no text. Readers drop the article.
	Retracted        time.Time `json:"retracted,omitzero"`
	RetractionReason string    `json:"retraction_reason,omitempty"`
}

// RevisionOf is the revision a message carries: absent means the first.
func (a *Article) RevisionOf() int { return max(a.Revision, 1) }

// Media is one picture of the article.
type Media struct {
	URL     string `json:"url,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
	// Type and Length are the picture's media type and size in bytes,
	// when known; feeds need both for an enclosure.
	Type   string `json:"type,omitempty"`
	Length int64  `json:"length,omitempty"`
}

// Text returns the body as plain text, paragraphs separated by blank lines.
func (a *Article) Text() string { return strings.Join(a.Body, "\n\n") }

// SourceSlug is the source reduced to a subject and URL token; "unknown"
// when the article has no source.
func (a *Article) SourceSlug() string { return Slug(a.Source) }

// PrimaryLanguage is the primary subtag of a BCP 47 tag, lowercased
// ("pt-BR" gives "pt").
func PrimaryLanguage(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// LanguageSlug is the language reduced to a subject and URL token.
func (a *Article) LanguageSlug() string {
	if a.Language == "" {
		return "und"
	}
	return Slug(a.Language)
}

// HashBody returns the content hash of body paragraphs.
func HashBody(body []string) string {
	h := sha256.New()
	for _, p := range body {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// RevisionHash identifies what a reader sees of a version of the article:
// its title and body, with runs of white space (paragraph breaks
// included) folded, so re-wrapped text is the same revision.
func RevisionHash(title string, body []string) string {
	h := sha256.New()
	for _, f := range strings.Fields(title) {
		h.Write([]byte(f))
		h.Write([]byte{' '})
	}
	h.Write([]byte{0})
	for _, p := range body {
		for _, f := range strings.Fields(p) {
			h.Write([]byte(f))
			h.Write([]byte{' '})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// NewID derives the permanent article id from its identity: the canonical
// URL when known (see CanonicalURL), else the content hash. 32 hex
// characters (128 bits).
func NewID(pageURL, contentHash string) string {
	identity := "hash:" + contentHash
	if pageURL != "" {
		identity = "url:" + CanonicalURL(pageURL)
	}
	sum := sha256.Sum256([]byte(identity))
	return hex.EncodeToString(sum[:16])
}

// ValidID reports whether id has the form NewID gives.
func ValidID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Slug lowercases s, strips diacritics and reduces it to [a-z0-9_-], so it
// is safe as a NATS subject token and a URL path segment. It returns
// "unknown" for a string with nothing left.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "-")
	}
	if out == "" {
		return "unknown"
	}
	return out
}
