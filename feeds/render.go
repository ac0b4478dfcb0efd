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

// feedFormats are the formats every feed is published in, in the order
// feeds are listed (pages, export, WebSub topics).
var feedFormats = [...]format{formatRSS, formatAtom, formatJSON}

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

// XML namespaces the outputs add to what gorilla/feeds writes.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	// nsHistory is RFC 5005's namespace, for <fh:archive/>.
	nsHistory = "http://purl.org/syndication/history/1.0"
	// nsTombstones is RFC 6721's namespace.
	nsTombstones = "http://purl.org/atompub/tombstones/1.0"
)

// feedMeta is what a rendered feed document says about itself. The same
// type describes a subscription document (the current feed) and an RFC 5005
// archive document, which renderDoc builds the same way.
type feedMeta struct {
	title       string
	description string
	id          string // permanent, like item ids; shared by a feed's archives
	self        string // absolute URL of this document
	home        string
	hub         string // WebSub hub; "" for none
	lang        string // BCP 47 when all items share one language
	updated     time.Time
	modified    time.Time // newest Ingested, for Last-Modified

	// RFC 5005. archive marks an archive document (<fh:archive/>);
	// current is then the subscription document's URL. prevArchive is the
	// next older archive (from a subscription document: the newest one),
	// nextArchive the next newer one; "" when there is none.
	archive     bool
	current     string
	prevArchive string
	nextArchive string

	// deleted are the retracted articles an Atom feed announces (RFC 6721).
	deleted []*tombstone
}

// feedPath is the site-relative path of a feed.
func feedPath(k feedKey, f format) string {
	if k.kind == kindAll {
		return "/feeds/all." + f.ext()
	}
	return "/feeds/" + k.kind.String() + "/" + url.PathEscape(k.value) + "." + f.ext()
}

// feedFile parses the last segment of a feed's path, "<name>.<ext>", for a
// feed of kind: its key and format; false when it names no feed (an unknown
// extension, an empty name, or anything but "all" for the all feed). The
// current feeds' routes, the archives' and WebSub topics share it.
func feedFile(kind feedKind, file string) (feedKey, format, bool) {
	name, ext, ok := cutLast(file, ".")
	f, known := formatOf(ext)
	if !ok || !known || name == "" || (kind == kindAll && name != "all") {
		return feedKey{}, 0, false
	}
	k := feedKey{kind: kind}
	if kind != kindAll {
		k.value = name
	}
	return k, f, true
}

// feedID is the permanent id of a feed: "urn:crier:feed:all",
// "urn:crier:feed:<kind>:<value>" ("urn:crier:feed:lang:fr").
func feedID(k feedKey) string {
	if k.kind == kindAll {
		return "urn:crier:feed:all"
	}
	return "urn:crier:feed:" + k.kind.String() + ":" + url.PathEscape(k.value)
}

func (s *Service) describe(k feedDoc, items []*entry) feedMeta {
	m := feedMeta{
		title:       s.opts.Title,
		description: "Latest articles on " + s.opts.Title,
		id:          feedID(k.feed),
		self:        s.topicSelf(k),
		home:        s.opts.BaseURL + "/",
		hub:         s.opts.HubURL,
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
func (s *Service) gorillaFeed(m feedMeta, items []*entry, bodies []*body) *feeds.Feed {
	f := &feeds.Feed{
		Title:       m.title,
		Link:        &feeds.Link{Href: m.home},
		Description: m.description,
		Id:          m.id,
		Updated:     m.updated,
	}
	for i, e := range items {
		f.Add(&feeds.Item{
			Title:       e.title,
			Link:        &feeds.Link{Href: e.link()},
			Author:      &feeds.Author{Name: s.authorOf(e)},
			Description: e.summary,
			Id:          ItemID(e.id),
			IsPermaLink: "false",
			Created:     e.created(),
			Updated:     e.updated(),
			Content:     bodies[i].html,
		})
	}
	return f
}

// authorOf is the entry's author in every feed format: the byline, else
// the source (the publication answers for an unsigned article), else the
// site title, since Atom requires an author on every entry of a feed that
// has none itself.
func (s *Service) authorOf(e *entry) string {
	return cmp.Or(e.byline, e.source, s.opts.Title)
}

// tagScheme is the category scheme (Atom) and domain (RSS) of tags: the
// folder of the per-tag feeds.
func (s *Service) tagScheme() string { return s.opts.BaseURL + "/feeds/tag/" }

// sourceFeed is the URL of the RSS feed of the entry's source, for RSS
// <source url>.
func (s *Service) sourceFeed(e *entry) string {
	return s.opts.BaseURL + feedPath(feedKey{kindSource, e.sourceSlug}, formatRSS)
}

// renderFeed renders one subscription feed in one format, or, when k names
// a day, one archive document (renderArchive).
func (s *Service) renderFeed(k feedDoc) (*rendered, error) {
	if k.day != "" {
		return s.renderArchive(k)
	}
	// The archives hold every item, the current feed the newest few; its
	// prev-archive is the newest archive, which may overlap it (RFC 5005
	// lets readers dedupe by id).
	items, newest, ok := s.newest(k.feed, k.limit)
	if !ok {
		return nil, errNotFound
	}
	m := s.describe(k, items)
	if k.format == formatAtom {
		m.deleted = s.deletedIn(k.feed, items, k.limit)
	}
	if newest != "" {
		m.prevArchive = s.opts.BaseURL + archivePath(k.feed, newest, 1, k.format)
	}
	body, err := s.renderDoc(k.format, m, items)
	if err != nil {
		return nil, err
	}
	return newRendered(body, k.format.contentType(), m.modified), nil
}

// renderDoc is the one place feed documents are built, current feeds and
// archives alike: gorilla/feeds' structs, wrapped to add what it lacks.
func (s *Service) renderDoc(f format, m feedMeta, items []*entry) ([]byte, error) {
	bodies, err := s.bodiesOf(items)
	if err != nil {
		return nil, err
	}
	gf := s.gorillaFeed(m, items, bodies)
	var buf bytes.Buffer
	switch f {
	case formatRSS:
		err = feeds.WriteXML(s.rss(m, gf, items), &buf)
	case formatAtom:
		err = feeds.WriteXML(s.atom(m, gf, items), &buf)
	case formatJSON:
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(jsonFeedOf(m, gf, items, bodies))
	default:
		err = fmt.Errorf("feeds: no feed format %d", f)
	}
	if err != nil {
		return nil, fmt.Errorf("feeds: render %s: %w", m.self, err)
	}
	return buf.Bytes(), nil
}

// atomFeed adds to gorilla's Atom output what RFC 4287, RFC 5005, WebSub
// and readers want: xml:lang, self, hub and archive links, <fh:archive/>,
// and per-entry extras.
type atomFeed struct {
	XMLName   xml.Name `xml:"feed"`
	Lang      string   `xml:"xml:lang,attr,omitempty"`
	HistoryNS string   `xml:"xmlns:fh,attr,omitempty"`
	TombNS    string   `xml:"xmlns:at,attr,omitempty"`
	*feeds.AtomFeed
	Archive *struct{}        `xml:"fh:archive"`
	Links   []feeds.AtomLink `xml:"link"` // hides AtomFeed.Link
	// Before the entries: RFC 4287 puts extension elements there.
	Deleted []atomDeleted `xml:"at:deleted-entry"`
	Entries []*atomEntry  `xml:"entry"` // hides AtomFeed.Entries
}

// atomDeleted is RFC 6721's deleted-entry: a retracted article's id, when,
// and why.
type atomDeleted struct {
	Ref     string `xml:"ref,attr"`
	When    string `xml:"when,attr"`
	Comment string `xml:"at:comment,omitempty"`
}

// FeedXml makes atomFeed writable with feeds.WriteXML.
func (a *atomFeed) FeedXml() any { return a }

type atomEntry struct {
	XMLName xml.Name `xml:"entry"`
	Lang    string   `xml:"xml:lang,attr,omitempty"`
	*feeds.AtomEntry
	Links        []feeds.AtomLink         `xml:"link"`     // hides AtomEntry.Links
	Categories   []atomCategory           `xml:"category"` // hides AtomEntry.Category
	Contributors []*feeds.AtomContributor `xml:"contributor"`
}

// atomCategory is RFC 4287's category, which gorilla writes as bare text.
type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// atomLinks are a feed document's links: self, alternate, hub, and the
// RFC 5005 ones, all of the document's own format.
func atomLinks(m feedMeta, f format) []feeds.AtomLink {
	links := []feeds.AtomLink{
		{Href: m.self, Rel: "self", Type: f.mediaType()},
		{Href: m.home, Rel: "alternate", Type: "text/html"},
	}
	if m.hub != "" {
		links = append(links, feeds.AtomLink{Href: m.hub, Rel: "hub"})
	}
	for _, l := range []struct{ rel, href string }{
		{"current", m.current}, {"prev-archive", m.prevArchive}, {"next-archive", m.nextArchive},
	} {
		if l.href != "" {
			links = append(links, feeds.AtomLink{Href: l.href, Rel: l.rel, Type: f.mediaType()})
		}
	}
	return links
}

func (s *Service) atom(m feedMeta, f *feeds.Feed, items []*entry) *atomFeed {
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	af.Id = m.id // gorilla would use the home page URL
	af.Link = nil
	out := &atomFeed{
		Lang:     m.lang,
		AtomFeed: af,
		Links:    atomLinks(m, formatAtom),
		Entries:  make([]*atomEntry, 0, len(af.Entries)),
	}
	if m.archive {
		out.HistoryNS = nsHistory
		out.Archive = &struct{}{}
	}
	for _, t := range m.deleted {
		out.TombNS = nsTombstones
		out.Deleted = append(out.Deleted, atomDeleted{Ref: ItemID(t.id), When: t.at.Format(time.RFC3339Nano), Comment: t.reason})
	}
	// The W3C validator warns when two entries share an updated value
	// (DuplicateUpdated): crier's come from ingestion times to the
	// nanosecond, and a tie, from inputs that set them, is broken by a
	// nanosecond in feed order.
	seen := make(map[time.Time]bool, len(items))
	for i, ae := range af.Entries {
		e := items[i]
		u := e.updated()
		for seen[u] {
			u = u.Add(time.Nanosecond)
		}
		seen[u] = true
		ae.Updated = u.Format(time.RFC3339Nano)
		if c := e.created(); !c.IsZero() {
			ae.Published = c.Format(time.RFC3339)
		}
		if ae.Summary != nil {
			ae.Summary.Type = "text" // the summary is plain text, not HTML
		}
		lang := ""
		if e.langTag != m.lang {
			lang = e.langTag
		}
		// encoding/xml does not let a field hide AtomEntry.Links (it has
		// no XML name of its own): move them.
		oe := &atomEntry{Lang: lang, AtomEntry: ae, Links: ae.Links}
		ae.Links = nil
		if enc := e.enclosure; enc != nil && enc.typ != "" {
			l := feeds.AtomLink{Href: enc.url, Rel: "enclosure", Type: enc.typ}
			if enc.length > 0 { // optional in Atom: omitted rather than guessed
				l.Length = strconv.FormatInt(enc.length, 10)
			}
			oe.Links = append(oe.Links, l)
		}
		for _, t := range e.tags {
			// term is the tag as written, not its slug: feedparser reports
			// term, gofeed label, RSS readers the <category> text, and only
			// then do all three agree. The slug is the last segment of the
			// tag feed's URL, scheme + slug.
			oe.Categories = append(oe.Categories, atomCategory{Term: t, Scheme: s.tagScheme(), Label: t})
		}
		for _, a := range e.agencies {
			oe.Contributors = append(oe.Contributors, &feeds.AtomContributor{AtomPerson: feeds.AtomPerson{Name: a}})
		}
		out.Entries = append(out.Entries, oe)
	}
	return out
}

// rssFeed adds the atom, content, dc and (archives) fh namespaces to
// gorilla's RSS output.
type rssFeed struct {
	XMLName   xml.Name `xml:"rss"`
	Version   string   `xml:"version,attr"`
	ContentNS string   `xml:"xmlns:content,attr"`
	AtomNS    string   `xml:"xmlns:atom,attr"`
	DCNS      string   `xml:"xmlns:dc,attr"`
	HistoryNS string   `xml:"xmlns:fh,attr,omitempty"`
	Channel   *rssChannel
}

// FeedXml makes rssFeed writable with feeds.WriteXML.
func (r *rssFeed) FeedXml() any { return r }

// rssChannel puts its links and <fh:archive/> before the items: the W3C
// validator flags channel metadata after an item.
type rssChannel struct {
	XMLName xml.Name `xml:"channel"`
	*feeds.RssFeed
	Links   []rssAtomLink
	Archive *struct{}  `xml:"fh:archive"`
	Items   []*rssItem `xml:"item"` // hides RssFeed.Items
}

type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	Href    string   `xml:"href,attr"`
	Rel     string   `xml:"rel,attr"`
	Type    string   `xml:"type,attr,omitempty"`
}

// rssItem adds to gorilla's item what RSS 2.0 readers understand for
// crier's fields:
//   - the byline as <dc:creator>: RSS <author> must be an email address,
//     which crier does not have;
//   - agencies as <dc:contributor>, Dublin Core's "entity responsible for
//     making contributions to the resource", which the W3C validator
//     accepts anywhere, repeated, without a warning, and feedparser reports
//     as contributors (newsboat and gofeed ignore it rather than mistake
//     it for the author, as they would an extra dc:creator);
//   - tags as <category domain="<BaseURL>/feeds/tag/">;
//   - <source url> naming the per-source RSS feed;
//   - the lead picture as <enclosure>, with length 0 when the size is
//     unknown (the RSS Advisory Board's rule; the W3C validator accepts 0
//     and warns only about -1).
type rssItem struct {
	XMLName xml.Name `xml:"item"`
	*feeds.RssItem
	Categories   []rssCategory       `xml:"category"` // hides RssItem.Category
	Enclosure    *feeds.RssEnclosure // hides RssItem.Enclosure
	Source       *rssSource          `xml:"source"` // hides RssItem.Source
	Creator      string              `xml:"dc:creator,omitempty"`
	Contributors []string            `xml:"dc:contributor"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Name   string `xml:",chardata"`
}

type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

func (s *Service) rss(m feedMeta, f *feeds.Feed, items []*entry) *rssFeed {
	rf := (&feeds.Rss{Feed: f}).RssFeed()
	rf.Language = m.lang
	rf.Generator = s.opts.Title
	ch := &rssChannel{
		RssFeed: rf,
		Items:   make([]*rssItem, 0, len(rf.Items)),
	}
	for _, l := range atomLinks(m, formatRSS) {
		if l.Rel != "alternate" { // that is <link>
			ch.Links = append(ch.Links, rssAtomLink{Href: l.Href, Rel: l.Rel, Type: l.Type})
		}
	}
	out := &rssFeed{Version: "2.0", ContentNS: nsContent, AtomNS: nsAtom, DCNS: nsDC, Channel: ch}
	if m.archive {
		out.HistoryNS = nsHistory
		ch.Archive = &struct{}{}
	}
	for i, ri := range rf.Items {
		e := items[i]
		ri.Author = ""
		if e.undated {
			ri.PubDate = "" // gorilla falls back to the update time
		}
		it := &rssItem{RssItem: ri, Creator: f.Items[i].Author.Name, Contributors: e.agencies}
		for _, t := range e.tags {
			it.Categories = append(it.Categories, rssCategory{Domain: s.tagScheme(), Name: t})
		}
		if enc := e.enclosure; enc != nil && enc.typ != "" {
			it.Enclosure = &feeds.RssEnclosure{Url: enc.url, Type: enc.typ, Length: strconv.FormatInt(enc.length, 10)}
		}
		if e.source != "" {
			it.Source = &rssSource{URL: s.sourceFeed(e), Name: e.source}
		}
		ch.Items = append(ch.Items, it)
	}
	return out
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
	ContentHTML string `json:"content_html"`
	ContentText string `json:"content_text"`
	Language    string `json:"language,omitempty"`
	Image       string `json:"image,omitempty"`
	// Attachments hides gorilla's, whose size field is "size" (1.1 says
	// "size_in_bytes") and 32 bits.
	Attachments []jsonAttachment `json:"attachments,omitempty"`
	Tags        []string         `json:"tags,omitempty"`
	Crier       *crierExt        `json:"_crier,omitempty"`
}

// jsonAttachment is a JSON Feed 1.1 attachment.
type jsonAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

// crierExt is the JSON Feed extension with crier's own item fields.
type crierExt struct {
	// StoryID groups items reporting the same event.
	StoryID string `json:"story_id,omitempty"`
	// Agencies are the news agencies credited (JSON Feed has no
	// contributors; "authors" holds the byline alone).
	Agencies []string `json:"agencies,omitempty"`
}

func jsonFeedOf(m feedMeta, f *feeds.Feed, items []*entry, bodies []*body) *jsonFeed {
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.FeedUrl = m.self
	jf.Language = m.lang
	// JSON Feed has no archive links; next_url pages to older items: from
	// the current feed to the newest archive, from an archive to the one
	// before it.
	jf.NextUrl = m.prevArchive
	if m.hub != "" {
		jf.Hubs = []*feeds.JSONHub{{Type: "WebSub", Url: m.hub}}
	}
	out := &jsonFeed{JSONFeed: jf, Items: make([]*jsonItem, 0, len(jf.Items))}
	for i, ji := range jf.Items {
		e := items[i]
		it := &jsonItem{
			JSONItem:    ji,
			ContentHTML: ji.ContentHTML,
			ContentText: cmp.Or(bodies[i].text, e.summary, e.title),
			Language:    e.langTag,
			Tags:        e.tags,
		}
		if enc := e.enclosure; enc != nil {
			it.Image = enc.url
			if enc.typ != "" && enc.length > 0 {
				it.Attachments = []jsonAttachment{{URL: enc.url, MIMEType: enc.typ, Size: enc.length}}
			}
		}
		if e.storyID != "" || len(e.agencies) > 0 {
			it.Crier = &crierExt{StoryID: e.storyID, Agencies: e.agencies}
		}
		out.Items = append(out.Items, it)
	}
	return out
}
