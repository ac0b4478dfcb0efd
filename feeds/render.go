package feeds

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/feeds"
)

// format is an output format of a feed.
type format uint8

const (
	formatRSS format = iota
	formatAtom
	formatJSON
	formatHTML // pages, not feeds
)

func formatOf(ext string) (format, bool) {
	switch ext {
	case "rss":
		return formatRSS, true
	case "atom":
		return formatAtom, true
	case "json":
		return formatJSON, true
	}
	return 0, false
}

func (f format) ext() string {
	return [...]string{"rss", "atom", "json", "html"}[f]
}

// mediaType is the bare media type, as autodiscovery links want it.
func (f format) mediaType() string {
	return [...]string{"application/rss+xml", "application/atom+xml", "application/feed+json", "text/html"}[f]
}

func (f format) contentType() string { return f.mediaType() + "; charset=utf-8" }

func (f format) String() string {
	return [...]string{"RSS", "Atom", "JSON Feed", "HTML"}[f]
}

// XML namespaces the RSS output adds to what gorilla/feeds writes.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// feedMeta is what a rendered feed says about itself.
type feedMeta struct {
	title       string
	description string
	id          string // permanent, like item ids
	self        string // absolute URL of this document
	home        string
	lang        string // BCP 47 when all items share one language
	updated     time.Time
	modified    time.Time // newest Ingested, for Last-Modified
}

// feedPath is the site-relative path of a feed.
func feedPath(k feedKey, f format) string {
	if k.kind == kindAll {
		return "/feeds/all." + f.ext()
	}
	return "/feeds/" + k.kind.String() + "/" + url.PathEscape(k.value) + "." + f.ext()
}

// feedID is the permanent id of a feed: "urn:crier:feed:all",
// "urn:crier:feed:<kind>:<value>" ("urn:crier:feed:lang:fr").
func feedID(k feedKey) string {
	if k.kind == kindAll {
		return "urn:crier:feed:all"
	}
	return "urn:crier:feed:" + k.kind.String() + ":" + url.PathEscape(k.value)
}

func (s *Service) describe(k cacheKey, items []*entry) feedMeta {
	m := feedMeta{
		title:       s.opts.Title,
		description: "Latest articles on " + s.opts.Title,
		id:          feedID(k.feed),
		self:        s.opts.BaseURL + feedPath(k.feed, k.format),
		home:        s.opts.BaseURL + "/",
	}
	if k.limit != s.opts.Limit {
		m.self += "?limit=" + strconv.Itoa(k.limit)
	}
	switch k.feed.kind {
	case kindLang:
		name := cmp.Or(languageTag(k.feed.value), k.feed.value)
		m.title += " · " + name
		m.description = fmt.Sprintf("Latest articles in %s on %s", name, s.opts.Title)
	case kindSource:
		name := k.feed.value
		if len(items) > 0 && items[0].source != "" {
			name = items[0].source
		}
		m.title += " · " + name
		m.description = fmt.Sprintf("Latest articles from %s on %s", name, s.opts.Title)
	case kindTag:
		name := k.feed.value
		if len(items) > 0 {
			name = items[0].tagName(k.feed.value)
		}
		m.title += " · " + name
		m.description = fmt.Sprintf("Latest articles tagged %s on %s", name, s.opts.Title)
	case kindStory:
		name := k.feed.value
		if len(items) > 0 {
			name = items[len(items)-1].title // the story's first report
		}
		m.title += " · " + name
		m.description = fmt.Sprintf("Every report of one story on %s", s.opts.Title)
	}
	for i, e := range items {
		if i == 0 {
			m.lang = e.langTag
		} else if e.langTag != m.lang {
			m.lang = ""
		}
		if u := e.updated(); u.After(m.updated) {
			m.updated = u
		}
		if e.ingested.After(m.modified) {
			m.modified = e.ingested
		}
	}
	if k.feed.kind == kindLang {
		m.lang = languageTag(k.feed.value)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if m.updated.IsZero() {
		m.updated = now
	}
	if m.modified.IsZero() {
		m.modified = now
	}
	return m
}

// gorillaFeed is the format-neutral feed the three outputs are built from.
func (s *Service) gorillaFeed(m feedMeta, items []*entry) *feeds.Feed {
	f := &feeds.Feed{
		Title:       m.title,
		Link:        &feeds.Link{Href: m.home},
		Description: m.description,
		Id:          m.id,
		Updated:     m.updated,
	}
	for _, e := range items {
		f.Add(&feeds.Item{
			Title:       e.title,
			Link:        &feeds.Link{Href: e.link()},
			Author:      &feeds.Author{Name: s.authorOf(e)},
			Description: e.summary,
			Id:          ItemID(e.id),
			IsPermaLink: "false",
			Created:     e.published,
			Updated:     e.updated(),
			Content:     e.bodyHTML,
		})
	}
	return f
}

// authorOf falls back to the site title: Atom requires an author on every
// entry of a feed that has none itself.
func (s *Service) authorOf(e *entry) string {
	if a := e.author(); a != "" {
		return a
	}
	return s.opts.Title
}

// renderFeed renders one feed in one format.
func (s *Service) renderFeed(k cacheKey) (*rendered, uint64, error) {
	items, gen, ok := s.snapshot(k.feed)
	if !ok {
		return nil, 0, errNotFound
	}
	if len(items) > k.limit {
		items = items[:k.limit]
	}
	m := s.describe(k, items)
	f := s.gorillaFeed(m, items)
	var (
		buf bytes.Buffer
		err error
	)
	switch k.format {
	case formatRSS:
		err = feeds.WriteXML(s.rss(m, f, items), &buf)
	case formatAtom:
		err = feeds.WriteXML(atom(m, f, items), &buf)
	case formatJSON:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(jsonFeedOf(m, f, items))
	default:
		err = fmt.Errorf("feeds: no feed format %d", k.format)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("feeds: render %s: %w", m.self, err)
	}
	return newRendered(buf.Bytes(), k.format.contentType(), m.modified), gen, nil
}

// atomFeed adds to gorilla's Atom output what RFC 4287 and readers want:
// xml:lang, a self link next to the alternate one, and per-entry extras.
type atomFeed struct {
	XMLName xml.Name `xml:"feed"`
	Lang    string   `xml:"xml:lang,attr,omitempty"`
	*feeds.AtomFeed
	Links   []feeds.AtomLink `xml:"link"`  // hides AtomFeed.Link
	Entries []*atomEntry     `xml:"entry"` // hides AtomFeed.Entries
}

// FeedXml makes atomFeed writable with feeds.WriteXML.
func (a *atomFeed) FeedXml() any { return a }

type atomEntry struct {
	XMLName xml.Name `xml:"entry"`
	Lang    string   `xml:"xml:lang,attr,omitempty"`
	*feeds.AtomEntry
}

func atom(m feedMeta, f *feeds.Feed, items []*entry) *atomFeed {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	af.Id = m.id // gorilla would use the home page URL
	af.Link = nil
	out := &atomFeed{
		Lang:     m.lang,
		AtomFeed: af,
		Links: []feeds.AtomLink{
			{Href: m.self, Rel: "self", Type: formatAtom.mediaType()},
			{Href: m.home, Rel: "alternate", Type: "text/html"},
		},
		Entries: make([]*atomEntry, 0, len(af.Entries)),
	}
	for i, ae := range af.Entries {
		e := items[i]
		ae.Published = e.published.Format(time.RFC3339)
		if ae.Summary != nil {
			ae.Summary.Type = "text" // the summary is plain text, not HTML
		}
		ae.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: f.Items[i].Author.Name}}
		lang := ""
		if e.langTag != m.lang {
			lang = e.langTag
		}
		out.Entries = append(out.Entries, &atomEntry{Lang: lang, AtomEntry: ae})
	}
	return out
}

// rssFeed adds the atom, content and dc namespaces to gorilla's RSS output.
type rssFeed struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
	DCNS      string   `xml:"xmlns:dc,attr"`
	Channel   *rssChannel
}

// FeedXml makes rssFeed writable with feeds.WriteXML.
func (r *rssFeed) FeedXml() any { return r }

type rssChannel struct {
	XMLName xml.Name `xml:"channel"`
	*feeds.RssFeed
	Self  *rssAtomLink
	Items []*rssItem `xml:"item"` // hides RssFeed.Items
}

type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr"`
}

// rssItem carries the author as <dc:creator>: RSS <author> must be an email
// address, which crier does not have.
type rssItem struct {
	XMLName xml.Name `xml:"item"`
	*feeds.RssItem
	Creator string `xml:"dc:creator,omitempty"`
}

func (s *Service) rss(m feedMeta, f *feeds.Feed, items []*entry) *rssFeed {
	rf := (&feeds.Rss{Feed: f}).RssFeed()
	rf.Language = m.lang
	rf.Generator = s.opts.Title
	ch := &rssChannel{
		RssFeed: rf,
		Self:    &rssAtomLink{Href: m.self, Rel: "self", Type: formatRSS.mediaType()},
		Items:   make([]*rssItem, 0, len(rf.Items)),
	}
	for i, ri := range rf.Items {
		ri.Author = ""
		ch.Items = append(ch.Items, &rssItem{RssItem: ri, Creator: f.Items[i].Author.Name})
	}
	return &rssFeed{Version: "2.0", ContentNS: nsContent, AtomNS: nsAtom, DCNS: nsDC, Channel: ch}
}

// jsonFeed fixes gorilla's JSON Feed output for 1.1: "items" is required
// even when empty, the 1.0 "author" goes, and items get "language".
type jsonFeed struct {
	*feeds.JSONFeed
	Author *feeds.JSONAuthor `json:"author,omitempty"` // hides the 1.0 field
	Items  []*jsonItem       `json:"items"`
}

type jsonItem struct {
	*feeds.JSONItem
	Author *feeds.JSONAuthor `json:"author,omitempty"` // hides the 1.0 field
	// Both always present: the schema wants at least one of them.
	ContentHTML string    `json:"content_html"`
	ContentText string    `json:"content_text"`
	Language    string    `json:"language,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Crier       *crierExt `json:"_crier,omitempty"`
}

// crierExt is the JSON Feed extension with crier's own item fields.
type crierExt struct {
	// StoryID groups items reporting the same event.
	StoryID string `json:"story_id,omitempty"`
}

func jsonFeedOf(m feedMeta, f *feeds.Feed, items []*entry) *jsonFeed {
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.FeedUrl = m.self
	jf.Language = m.lang
	out := &jsonFeed{JSONFeed: jf, Items: make([]*jsonItem, 0, len(jf.Items))}
	for i, ji := range jf.Items {
		e := items[i]
		out.Items = append(out.Items, &jsonItem{
			JSONItem:    ji,
			ContentHTML: ji.ContentHTML,
			ContentText: cmp.Or(e.text, e.summary, e.title),
			Language:    e.langTag,
			Tags:        e.tags,
		})
		if e.storyID != "" {
			out.Items[len(out.Items)-1].Crier = &crierExt{StoryID: e.storyID}
		}
	}
	return out
}
