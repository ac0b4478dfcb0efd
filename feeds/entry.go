package feeds

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/crier/crier/article"
)

// entry is an indexed article with its fields cleaned for output: what
// ordering, filtering and listing need, not its body (body.go).
type entry struct {
	id string
	// seq is the stream sequence of the message it came from, to read its
	// body again; 0 for an article added without the stream, whose body is
	// then inline.
	seq        uint64
	inline     *body
	revision   int
	revised    time.Time // the article's Updated: when this revision came
	kicker     string
	url        string // the article's url as published
	title      string
	summary    string // plain text, never empty when the body is not
	byline     string
	source     string
	agencies   []string
	tags       []string
	tagSlugs   []string // distinct article.Slug of each tag
	storyID    string
	original   string // the canonical URL when it is a usable http(s) URL
	page       string // our page for the article
	lang       string // slug, as in URLs and subjects
	langTag    string // BCP 47, "" when unknown
	sourceSlug string
	enclosure  *enclosure // the lead picture, for feeds and the page; nil when none
	// published orders the feeds; for an undated article (the page gave
	// no date) it is when crier first received it.
	published time.Time
	undated   bool // feeds claim no publication date
	ingested  time.Time
	// day is the UTC day ("2006-01-02") of the entry's first ingestion:
	// the archive document that holds it (see archive.go). An update of the
	// article keeps it, so archive membership never changes.
	day string
}

// link is where a feed item points: the original when known, else our page.
func (e *entry) link() string {
	if e.original != "" {
		return e.original
	}
	return e.page
}

// created is the publication date feeds claim: none for an undated
// article, whose date would only be crier's guess.
func (e *entry) created() time.Time {
	if e.undated {
		return time.Time{}
	}
	return e.published
}

// updated is the entry's last modification: when crier last ingested it,
// and never before its publication.
func (e *entry) updated() time.Time {
	if e.ingested.After(e.published) {
		return e.ingested
	}
	return e.published
}

// keys are the feeds the entry belongs to: all, its language, its source,
// each of its tags and its story.
func (e *entry) keys() []feedKey {
	ks := make([]feedKey, 0, 4+len(e.tagSlugs))
	ks = append(ks, feedKey{kind: kindAll}, feedKey{kindLang, e.lang}, feedKey{kindSource, e.sourceSlug})
	for _, t := range e.tagSlugs {
		ks = append(ks, feedKey{kindTag, t})
	}
	if e.storyID != "" {
		ks = append(ks, feedKey{kindStory, e.storyID})
	}
	return ks
}

// newer orders entries newest first: by Published, then Ingested, then id.
func newer(a, b *entry) int {
	if c := b.published.Compare(a.published); c != 0 {
		return c
	}
	if c := b.ingested.Compare(a.ingested); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// newEntry indexes a, the message of stream sequence seq (0 when a comes
// without the stream: its body is then kept inline).
func (s *Service) newEntry(a *article.Article, seq uint64) *entry {
	e := &entry{
		id:         a.ID,
		seq:        seq,
		revision:   a.RevisionOf(),
		revised:    a.Updated,
		kicker:     cleanLine(a.Kicker),
		url:        a.URL,
		title:      cleanLine(a.Title),
		summary:    cleanLine(a.Summary),
		byline:     cleanLine(a.Byline),
		source:     cleanLine(a.Source),
		original:   httpURL(a.URL),
		page:       s.opts.BaseURL + articlePath(a.ID),
		lang:       a.LanguageSlug(),
		langTag:    languageTag(a.Language),
		sourceSlug: a.SourceSlug(),
		published:  a.Published.UTC(),
		ingested:   a.Ingested.UTC(),
	}
	if seq == 0 {
		raw := *a
		raw.Body = slices.Clone(a.Body)
		raw.Agencies = slices.Clone(a.Agencies)
		raw.Tags = slices.Clone(a.Tags)
		raw.Media = slices.Clone(a.Media)
		e.inline = s.makeBody(&raw, e.original)
	}
	e.enclosure = leadMedia(a.Media)
	if e.summary == "" {
		for _, p := range a.Body {
			if p = strings.TrimSpace(cleanText(p)); p != "" {
				e.summary = excerpt(strings.Join(strings.Fields(p), " "), 280)
				break
			}
		}
	}
	if e.title == "" {
		e.title = excerpt(e.summary, 80)
	}
	e.tags = cleanLines(a.Tags)
	e.tagSlugs = tagSlugs(e.tags)
	e.storyID = cleanLine(a.StoryID)
	e.agencies = cleanLines(a.Agencies)
	if e.ingested.IsZero() {
		// Feeds need a date; the epoch is wrong but stable across renders.
		e.ingested = time.Unix(0, 0).UTC()
	}
	if e.published.IsZero() || a.PublishedEstimated {
		e.published, e.undated = e.ingested, a.PublishedEstimated
	}
	e.day = dayOf(e.ingested)
	return e
}

// leadFigure is the lead picture as the article's page shows it; nil when
// there is none. A caption is shown in the figure's <figcaption>, which
// describes the picture and names the figure, so the alt text is empty
// and a screen reader reads the caption once, not twice (W3C WAI images
// tutorial: an image described by adjacent text gets alt=""). With no
// caption, the alt text is the article's title, all that is known of the
// picture.
func (e *entry) leadFigure() *figure {
	m := e.enclosure
	if m == nil {
		return nil
	}
	f := &figure{URL: m.url, Caption: m.caption, Credit: m.credit}
	if m.caption == "" {
		f.Alt = e.title
	}
	return f
}

// tagSlugs returns the distinct article.Slug of each of tags, in order.
func tagSlugs(tags []string) []string {
	var slugs []string
	for _, t := range tags {
		if sl := article.Slug(t); !slices.Contains(slugs, sl) {
			slugs = append(slugs, sl)
		}
	}
	return slugs
}

// tagName is the entry's tag whose slug is slug, as written; slug when it
// has none.
func (e *entry) tagName(slug string) string {
	for _, t := range e.tags {
		if article.Slug(t) == slug {
			return t
		}
	}
	return slug
}

// articlePath is the site-relative path of an article's page, which is
// also its document's key in the cache.
func articlePath(id string) string { return "/articles/" + url.PathEscape(id) }
