// Package normalize turns one raw article (scraped plain text, an HTML page
// or a structured JSON document) into crier's article.Article: clean title,
// lead, body paragraphs and sanitized HTML, publication date, byline,
// agencies, source and language, with the content hash that identifies the
// text.
package normalize

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"mime"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/crier/crier/article"
	"github.com/microcosm-cc/bluemonday"
)

// DefaultMaxBytes is the input size limit when Options.MaxBytes is zero.
const DefaultMaxBytes = 5 << 20

// Input is one raw article.
type Input struct {
	// Name is the file name, or "api"; it gives the Origin and, by its
	// extension (.txt, .html/.htm, .json), the format.
	Name string
	Data []byte
	// ContentType is "text/plain", "text/html" or "application/json",
	// parameters such as charset allowed. Empty means: decide from Name's
	// extension, then by sniffing the data.
	ContentType string
	// ModTime is the fallback publication time (file mtime or receipt
	// time), used when the page carries no date.
	ModTime time.Time
}

// Options configure a Normalizer. The zero value is usable.
type Options struct {
	// MaxBytes is the largest accepted input; DefaultMaxBytes if zero.
	MaxBytes int64
	// Now gives the ingestion time; time.Now if nil.
	Now func() time.Time
	// TextModel decides which lines of a scraped text are the article;
	// nil means DefaultLineModel.
	TextModel *LineModel
	// HTMLModel decides which blocks of an HTML page are the article;
	// nil means DefaultHTMLModel.
	HTMLModel *LineModel
	// MinWords is the fewest words of body an article without a headline
	// of its own may have (a headline that only repeats the body is none);
	// shorter inputs fail with ErrNotArticle. Zero accepts any length.
	MinWords int
	// RulesOnly leaves the text path to its hand-written rules and the
	// HTML path to go-trafilatura, without line models (for comparisons).
	RulesOnly bool
}

// Normalizer converts raw inputs to articles. It is safe for concurrent use.
type Normalizer struct {
	maxBytes  int64
	minWords  int
	now       func() time.Time
	policy    *bluemonday.Policy
	textModel *LineModel
	htmlModel *LineModel
}

// New returns a Normalizer with the given options.
func New(o Options) *Normalizer {
	n := &Normalizer{maxBytes: o.MaxBytes, minWords: o.MinWords, now: o.Now, textModel: o.TextModel, htmlModel: o.HTMLModel}
	if !o.RulesOnly {
		// A model that does not parse is a build error, which the tests catch.
		var err error
		if n.textModel == nil {
			if n.textModel, err = DefaultLineModel(); err != nil {
				panic("normalize: the embedded text line model: " + err.Error())
			}
		}
		if n.htmlModel == nil {
			if n.htmlModel, err = DefaultHTMLModel(); err != nil {
				panic("normalize: the embedded HTML line model: " + err.Error())
			}
		}
	}
	if n.maxBytes <= 0 {
		n.maxBytes = DefaultMaxBytes
	}
	if n.now == nil {
		n.now = time.Now
	}
	n.policy = bodyPolicy()
	return n
}

// format is the kind of input.
type format int

const (
	formatText format = iota
	formatHTML
	formatJSON
)

// paraKind is the role of a body paragraph.
type paraKind int

const (
	kindParagraph paraKind = iota
	kindHeading
	kindQuote
	kindListItem
)

type para struct {
	kind paraKind
	text string
}

// extraction is what a format-specific extractor found; build turns it
// into an Article.
type extraction struct {
	id        string // given by a structured input naming the article it revises
	url       string
	title     string
	kicker    string
	summary   string
	media     []article.Media
	paras     []para
	bodyHTML  string // the body's markup when the input had its own (HTML path)
	published time.Time
	// publishedFloating: published is a wall-clock time the page printed
	// without a zone, written in UTC; build places it (inferZone).
	publishedFloating bool
	authors           []string // people's names only (readByline)
	agencies          []string
	source            string
	language          string // declared, used when detection is unsure
	langFixed         bool   // given by the caller: wins over detection
}

func (ex *extraction) addByline(b byline) {
	if len(ex.authors) == 0 {
		ex.authors = b.names
	}
	if ex.source == "" && plausibleSource(b.source) {
		ex.source = b.source
	}
	for _, a := range b.agencies {
		dup := false
		for _, have := range ex.agencies {
			dup = dup || have == a
		}
		if !dup {
			ex.agencies = append(ex.agencies, a)
		}
	}
}

// Normalize converts one input into an article. Errors caused by the input
// wrap one of the Err* sentinels (see IsBadInput).
func (n *Normalizer) Normalize(ctx context.Context, in Input) (*article.Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if int64(len(in.Data)) > n.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(in.Data), n.maxBytes)
	}
	if len(bytes.TrimSpace(in.Data)) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrEmpty)
	}
	f, charset, err := detectFormat(in)
	if err != nil {
		return nil, err
	}
	now := n.now()
	// Relative dates ("2 hours ago") count from when the page was fetched.
	ref := now
	if !in.ModTime.IsZero() && in.ModTime.Before(now) {
		ref = in.ModTime
	}
	var ex *extraction
	switch f {
	case formatText:
		s, err := decodeText(in.Data, charset)
		if err != nil {
			return nil, err
		}
		ex = extractText(s, "", ref, n.textModel)
	case formatHTML:
		ex, err = extractHTML(in.Data, charset, "", ref, n.htmlModel, n.textModel)
	case formatJSON:
		ex, err = extractJSON(in.Data, ref, n.textModel, n.htmlModel)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return n.build(ex, in, now)
}

// detectFormat picks the input format and the declared charset.
func detectFormat(in Input) (format, string, error) {
	if in.ContentType != "" {
		mt, params, err := mime.ParseMediaType(in.ContentType)
		if err != nil {
			return 0, "", fmt.Errorf("%w: %q: %v", ErrUnsupportedType, in.ContentType, err)
		}
		switch mt {
		case "text/plain":
			return formatText, params["charset"], nil
		case "text/html", "application/xhtml+xml":
			return formatHTML, params["charset"], nil
		case "application/json":
			return formatJSON, params["charset"], nil
		}
		return 0, "", fmt.Errorf("%w: %q", ErrUnsupportedType, mt)
	}
	switch strings.ToLower(filepath.Ext(in.Name)) {
	case ".txt", ".text":
		return formatText, "", nil
	case ".html", ".htm", ".xhtml":
		return formatHTML, "", nil
	case ".json":
		return formatJSON, "", nil
	}
	return sniff(in.Data), "", nil
}

// sniff guesses the format of data without a type or known extension.
func sniff(data []byte) format {
	head := bytes.TrimLeft(bytes.TrimPrefix(data, bomUTF8), " \t\r\n")
	if len(head) > 1024 {
		head = head[:1024]
	}
	if len(head) > 0 && head[0] == '{' {
		return formatJSON
	}
	low := bytes.ToLower(head)
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<article", "<p>", "<div"} {
		if bytes.Contains(low, []byte(tag)) {
			return formatHTML
		}
	}
	return formatText
}

// build assembles the article: summary, HTML, hash, id, date and source
// fallbacks.
func (n *Normalizer) build(ex *extraction, in Input, now time.Time) (*article.Article, error) {
	var body []string
	for _, p := range ex.paras {
		if p.text != "" {
			body = append(body, p.text)
		}
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: no article text left after cleaning", ErrEmpty)
	}
	if n.minWords > 0 {
		if words := bodyWords(body); words < n.minWords && !ownHeadline(ex.title, body) {
			return nil, fmt.Errorf("%w: %d of the %d words needed, and no headline", ErrNotArticle, words, n.minWords)
		}
	}
	a := &article.Article{
		Schema:   article.SchemaVersion,
		URL:      article.CanonicalURL(ex.url),
		Title:    ex.title,
		Kicker:   ex.kicker,
		Media:    ex.media,
		Summary:  ex.summary,
		Body:     body,
		BodyHTML: ex.renderBody(n.policy),
		Agencies: ex.agencies,
		Source:   ex.source,
		Ingested: now.UTC(),
	}
	if a.Summary == "" {
		a.Summary = lead(ex.paras)
	}
	if a.Title == "" {
		a.Title = firstSentence(body[0], titleMaxRunes)
	}
	// The page's own zone, when it gave one, stays: readers see its local
	// time. A time of day printed without one is read in the
	// publication's zone when crier can tell it, else as UTC, and the
	// article says which.
	a.Published = ex.published
	if ex.publishedFloating {
		a.Published, a.PublishedZoneInferred = inferZone(ex.published, ex.url, ex.source, ex.agencies)
		a.PublishedZoneUnknown = !a.PublishedZoneInferred
	}
	if ex.published.IsZero() {
		a.Published, a.PublishedEstimated = in.ModTime.UTC(), true
		if in.ModTime.IsZero() {
			a.Published = a.Ingested
		}
	}
	if a.Source == "" && a.URL != "" {
		if u, err := url.Parse(a.URL); err == nil {
			a.Source = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	a.Byline = bylineOf(ex.authors, a.Source, a.URL)
	a.Language = ex.language
	if !ex.langFixed {
		if l := detectLanguage(a.Title + "\n" + strings.Join(body, "\n")); l != "und" || a.Language == "" {
			a.Language = l
		}
	}
	a.Tags = keywords(a.Title, body, a.Language)
	a.ContentHash = article.HashBody(body)
	a.ID = cmp.Or(ex.id, article.NewID(a.URL, a.ContentHash))
	a.Origin = "api"
	if in.Name != "" && in.Name != "api" {
		a.Origin = "file:" + in.Name
	}
	return a, nil
}

// bylineOf joins the authors' names, leaving out a "name" that is the
// publication itself ("La Stampa", "Toronto Star" read as a person's
// name).
func bylineOf(authors []string, source, pageURL string) string {
	var names []string
	for _, n := range authors {
		k := markerKey(n)
		if k == markerKey(source) || strings.ReplaceAll(k, " ", "") == hostLabel(pageURL) {
			continue
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// lead returns the standfirst: the first paragraph when it is of lead
// length, else its opening sentences.
func lead(ps []para) string {
	for _, p := range ps {
		if p.kind != kindParagraph {
			continue
		}
		if len([]rune(p.text)) <= 400 {
			return p.text
		}
		return firstSentence(p.text, 300)
	}
	return ""
}

// bodyWords counts the words of the body's paragraphs.
func bodyWords(body []string) int {
	n := 0
	for _, p := range body {
		n += countWords(p)
	}
	return n
}

// ownHeadline reports whether title is a headline and not the body's text
// again (a one-line input is its own title).
func ownHeadline(title string, body []string) bool {
	t := strings.Join(strings.Fields(title), " ")
	return t != "" && t != strings.Join(strings.Fields(strings.Join(body, " ")), " ")
}
