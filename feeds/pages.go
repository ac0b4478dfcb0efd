package feeds

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed templates/*.html
var templateFS embed.FS

// stylesheet is inlined in every page, so a page is one self-contained
// file (also once exported) and the CSP can name it by its hash.
//
//go:embed templates/crier.css
var stylesheet string

// pagePolicy is the Content-Security-Policy of every page: no scripts, no
// frames, no fonts or requests of any kind but pictures (data: for the
// icon, which spares browsers a /favicon.ico request), and no style but the
// inline stylesheet. Pages carry it in a <meta http-equiv>; serving it
// as a header too is stricter still (the meta cannot hold frame-ancestors).
func pagePolicy() string {
	sum := sha256.Sum256([]byte(stylesheet))
	return "default-src 'none'; img-src https: http: data:; style-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}

// parsePages parses the embedded page templates; they are part of the
// binary, so failing to parse them is a programming error.
func parsePages() *template.Template {
	// Both as template.HTML: html/template would write the policy's quotes
	// as &#39;, which browsers decode but is hard to read.
	csp := template.HTML(`<meta http-equiv="Content-Security-Policy" content="` + pagePolicy() + `">`)
	style := template.HTML("<style>" + stylesheet + "</style>")
	return template.Must(template.New("").Funcs(template.FuncMap{
		"date":  func(t time.Time) string { return t.Format("2 January 2006, 15:04 MST") },
		"iso":   func(t time.Time) string { return t.Format(time.RFC3339) },
		"csp":   func() template.HTML { return csp },
		"style": func() template.HTML { return style },
	}).ParseFS(templateFS, "templates/*.html"))
}

// pageLink is a link shown on a page or in its <head>.
type pageLink struct {
	Title  string
	Type   string
	Href   string
	Format string // "RSS", "Atom", "JSON Feed"
}

// Tag renders the link as a <link rel="alternate"> for feed autodiscovery.
// html/template would write the "+" of "application/rss+xml" as "&#43;",
// which HTML parsers decode but naive autodiscovery scanners do not.
func (l pageLink) Tag() template.HTML {
	return template.HTML(`<link rel="alternate" type="` + html.EscapeString(l.Type) +
		`" title="` + html.EscapeString(l.Title) + `" href="` + html.EscapeString(l.Href) + `">`)
}

// feedGroup is one feed in its three formats, with its listing page.
type feedGroup struct {
	Name  string
	Page  string // the listing page; "" for the all-articles feed
	Links []pageLink
}

// pageBase is what every page template's "head" and "foot" use. Its words
// are crier's own, in English: every page is <html lang="en">, and the
// articles' text in it carries its own language (textLang).
type pageBase struct {
	Site        string
	Home        string // BaseURL + "/"
	Title       string
	Description string
	Canonical   string
	Discovery   []pageLink
	FeedLinks   []pageLink // the page's own feed, linked in its footer
}

// articleItem is one article in a list.
type articleItem struct {
	Title      string
	Href       string
	Source     string
	SourcePage string
	Published  time.Time
	Estimated  bool
	Text       textLang // of the title
	Language   string   // the language's name, for the reader
}

type homePage struct {
	pageBase
	Articles []articleItem
	Feeds    []feedGroup
}

// listingPage lists the newest articles of a language, source or tag.
type listingPage struct {
	pageBase
	Heading  string
	Articles []articleItem
}

// directoryPage lists the languages or the sources, with their feeds.
type directoryPage struct {
	pageBase
	Heading string
	Feeds   []feedGroup
}

// The site-wide pages, as renderSite names them.
const (
	siteHome      = ""
	siteSources   = "sources"
	siteLanguages = "languages"
)

// listingDirs are the path segments of the listing pages:
// /<dir>/<value>/ lists the articles of feed kind listingDirs[dir].
var listingDirs = map[string]feedKind{"languages": kindLang, "sources": kindSource, "tags": kindTag}

// listingPath is the site-relative path of a feed's listing page; "" for
// kinds without one. Listings end in "/" so that an export can write them
// as <path>index.html for any static web server.
func listingPath(k feedKey) string {
	for dir, kind := range listingDirs {
		if kind == k.kind {
			return "/" + dir + "/" + url.PathEscape(k.value) + "/"
		}
	}
	return ""
}

func (s *Service) feedLinks(name string, k feedKey) []pageLink {
	links := make([]pageLink, 0, len(feedFormats))
	for _, f := range feedFormats {
		links = append(links, pageLink{
			Title:  fmt.Sprintf("%s (%s)", name, f),
			Type:   f.mediaType(),
			Href:   s.opts.BaseURL + feedPath(k, f),
			Format: f.String(),
		})
	}
	return links
}

func (s *Service) feedGroup(name string, k feedKey) feedGroup {
	g := feedGroup{Name: name, Links: s.feedLinks(name, k)}
	if p := listingPath(k); p != "" {
		g.Page = s.opts.BaseURL + p
	}
	return g
}

func (s *Service) base(title string) pageBase {
	return pageBase{Site: s.opts.Title, Home: s.opts.BaseURL + "/", Title: title}
}

// textLang is the language and direction of an article's own text (title,
// kicker, lead, byline, caption, body, tags), set on the elements holding
// it and on nothing else, so that crier's English words around it (menu,
// dates, "Also reported by") stay English and left to right (WCAG 2.2 SC
// 3.1.2, Language of Parts). An unknown language is lang="": HTML defines
// the empty value as "the primary language is unknown", whereas leaving
// lang out would inherit the page's "en" and claim English, and "und",
// though a valid BCP 47 tag, is one HTML gives no such meaning. Its
// direction is then dir="auto", taken from the text's first strong
// character.
type textLang struct {
	Lang string // BCP 47; "" when unknown
	Dir  string // "rtl" or "auto"; "" for left to right, the page's own
}

func newTextLang(tag string) textLang {
	l := textLang{Lang: tag, Dir: textDir(tag)}
	if l.Dir == "ltr" {
		l.Dir = ""
	}
	return l
}

// Attrs renders the language as the attributes of an element's start tag:
// ` lang="ar" dir="rtl"`, ` lang="fr"`, ` lang="" dir="auto"`.
func (l textLang) Attrs() template.HTMLAttr {
	a := ` lang="` + html.EscapeString(l.Lang) + `"`
	if l.Dir != "" {
		a += ` dir="` + html.EscapeString(l.Dir) + `"`
	}
	return template.HTMLAttr(a)
}

// textDir is "rtl" when the language tag is written right to left (Arabic,
// Hebrew, Persian, Urdu, ...), judged by its script; "ltr" for any other
// language and "auto" when the language is unknown. A list mixes languages,
// so each entry needs its own.
func textDir(tag string) string {
	if tag == "" {
		return "auto"
	}
	script, _ := language.Make(tag).Script()
	switch script.String() {
	case "Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr":
		return "rtl"
	}
	return "ltr"
}

// languageName names a language for an English-speaking reader, with its
// own name when that differs: "French (français)"; the tag itself when
// unknown.
func languageName(tag string) string {
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	en := display.English.Tags().Name(t)
	if en == "" {
		return tag
	}
	if self := display.Self.Name(t); self != "" && self != en {
		return en + " (" + self + ")"
	}
	return en
}

func (s *Service) item(e *entry) articleItem {
	return articleItem{
		Title:      e.title,
		Href:       e.page,
		Source:     e.source,
		SourcePage: s.opts.BaseURL + listingPath(feedKey{kindSource, e.sourceSlug}),
		Published:  e.published,
		Estimated:  e.undated,
		Text:       newTextLang(e.langTag),
		Language:   languageName(e.langTag),
	}
}

// siteSnapshot returns the newest articles of the index, its languages and
// its sources (slug and display name).
func (s *Service) siteSnapshot() (latest []*entry, langs []string, sources [][2]string) {
	latest, _, _ = s.newest(feedKey{kind: kindAll}, s.opts.Limit)
	s.mu.RLock()
	for k, f := range s.sets {
		switch k.kind {
		case kindLang:
			langs = append(langs, k.value)
		case kindSource:
			newest, _ := f.newest(1)
			sources = append(sources, [2]string{k.value, newest[0].source})
		}
	}
	s.mu.RUnlock()
	slices.Sort(langs)
	slices.SortFunc(sources, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return latest, langs, sources
}

// langLabel names the language of a language feed's key for the reader;
// the key itself when it is no known language.
func langLabel(value string) string {
	return cmp.Or(languageName(languageTag(value)), value)
}

// langGroup is a language's feeds. The home page's list mixes kinds, so
// there each name says its kind ("Language: French (français)"); the
// Languages page's heading already says it, so there it is left out
// (labelled false).
func (s *Service) langGroup(l string, labelled bool) feedGroup {
	name := langLabel(l)
	if labelled {
		name = "Language: " + name
	}
	return s.feedGroup(name, feedKey{kindLang, l})
}

// sourceGroup is a source's feeds, named as langGroup names a language's.
func (s *Service) sourceGroup(src [2]string, labelled bool) feedGroup {
	name := cmp.Or(src[1], src[0])
	if labelled {
		name = "Source: " + name
	}
	return s.feedGroup(name, feedKey{kindSource, src[0]})
}

// renderSite renders the home page or the directory of languages or sources.
func (s *Service) renderSite(page string) (*rendered, error) {
	latest, langs, sources := s.siteSnapshot()
	all := s.feedGroup("All articles", feedKey{kind: kindAll})
	var (
		name string
		data any
	)
	switch page {
	case siteHome:
		p := homePage{pageBase: s.base(s.opts.Title), Feeds: []feedGroup{all}}
		p.Discovery, p.FeedLinks = all.Links, all.Links
		for _, e := range latest {
			p.Articles = append(p.Articles, s.item(e))
		}
		for _, l := range langs {
			p.Feeds = append(p.Feeds, s.langGroup(l, true))
		}
		for _, src := range sources {
			p.Feeds = append(p.Feeds, s.sourceGroup(src, true))
		}
		name, data = "index.html", p
	case siteLanguages, siteSources:
		p := directoryPage{pageBase: s.base("Languages"), Heading: "Languages"}
		p.Discovery, p.FeedLinks = all.Links, all.Links
		if page == siteSources {
			p.Title, p.Heading = "Sources", "Sources"
			for _, src := range sources {
				p.Feeds = append(p.Feeds, s.sourceGroup(src, false))
			}
		} else {
			for _, l := range langs {
				p.Feeds = append(p.Feeds, s.langGroup(l, false))
			}
		}
		name, data = "directory.html", p
	default:
		return nil, errNotFound
	}
	var mod time.Time
	for _, e := range latest {
		mod = maxTime(mod, e.ingested)
	}
	return s.execute(name, data, mod)
}

// renderListing renders the listing page of a language, source or tag.
func (s *Service) renderListing(k feedKey) (*rendered, error) {
	if listingPath(k) == "" {
		return nil, errNotFound
	}
	items, _, ok := s.newest(k, s.opts.Limit)
	if !ok || len(items) == 0 {
		return nil, errNotFound
	}
	var p listingPage
	switch k.kind {
	case kindLang:
		name := langLabel(k.value)
		p.pageBase = s.base(name)
		p.Heading = "Articles in " + name
	case kindSource:
		name := cmp.Or(items[0].source, k.value)
		p.pageBase = s.base(name)
		p.Heading = "Articles from " + name
	case kindTag:
		name := items[0].tagName(k.value)
		p.pageBase = s.base(name)
		p.Heading = "Articles tagged " + name
	}
	p.Canonical = s.opts.BaseURL + listingPath(k)
	p.Discovery = s.feedLinks(p.Title, k)
	p.FeedLinks = p.Discovery
	var mod time.Time
	for _, e := range items {
		p.Articles = append(p.Articles, s.item(e))
		mod = maxTime(mod, e.ingested)
	}
	return s.execute("listing.html", p, mod)
}

// execute renders a page template; mod is its Last-Modified, now when zero
// (an empty site).
func (s *Service) execute(name string, data any, mod time.Time) (*rendered, error) {
	if mod.IsZero() {
		mod = time.Now().UTC()
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("feeds: render page %s: %w", name, err)
	}
	return newRendered(buf.Bytes(), formatHTML.contentType(), mod), nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// pagePaths returns the site-relative paths of every page but the articles'
// own: the home page, the directories of languages and sources, and the
// listing of every language, source and tag. Listing paths end in "/".
func (s *Service) pagePaths() []string {
	s.mu.RLock()
	var listings []string
	for k := range s.sets {
		if p := listingPath(k); p != "" {
			listings = append(listings, p)
		}
	}
	s.mu.RUnlock()
	slices.Sort(listings)
	return append([]string{"/", "/languages/", "/sources/"}, listings...)
}

// serveSite serves a site-wide page (home, languages, sources).
func (s *Service) serveSite(page string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serveSlot(w, r, s.siteSlot(page))
	}
}

// serveListing serves /<dir>/<value>/, the listing page of a feed.
func (s *Service) serveListing(kind feedKind) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		k := feedKey{kind: kind, value: r.PathValue("value")}
		if !s.has(k) {
			http.NotFound(w, r)
			return
		}
		s.serveSlot(w, r, s.listingSlot(k))
	}
}

// figure is the article's lead picture.
type figure struct {
	URL, Alt, Caption, Credit string
}

// tagLink is one of the article's tags, linked to its listing.
type tagLink struct {
	Name, Href string
}

type articlePage struct {
	pageBase
	Text       textLang // of the article's own text
	Kicker     string
	Summary    string
	Source     string
	SourcePage string
	Published  time.Time
	Estimated  bool
	Updated    time.Time // zero before the first correction
	Byline     string
	Agencies   []string
	Tags       []tagLink
	Image      *figure
	Also       []articleItem // the other articles of its story
	StoryFeed  string
	Body       template.HTML
	Original   string
	JSON       string
}

func (s *Service) renderArticle(e *entry) (*rendered, error) {
	b, err := s.bodyOf(e)
	if err != nil {
		return nil, err
	}
	source := feedKey{kindSource, e.sourceSlug}
	p := articlePage{
		pageBase:   s.base(e.title),
		Kicker:     e.kicker,
		Summary:    e.summary,
		Source:     e.source,
		SourcePage: s.opts.BaseURL + listingPath(source),
		Published:  e.published,
		Estimated:  e.undated,
		Updated:    e.revised,
		Byline:     e.byline,
		Agencies:   e.agencies,
		Image:      e.leadFigure(),
		// Sanitized with bluemonday when the body was made.
		Body:     template.HTML(b.html),
		Original: e.original,
		JSON:     e.page + ".json",
	}
	p.Description, p.Canonical = e.summary, e.original
	p.Text = newTextLang(e.langTag)
	p.FeedLinks = s.feedLinks(cmp.Or(e.source, e.sourceSlug), source)
	p.Discovery = p.FeedLinks
	for _, slug := range e.tagSlugs {
		k := feedKey{kindTag, slug}
		p.Tags = append(p.Tags, tagLink{Name: e.tagName(slug), Href: s.opts.BaseURL + listingPath(k)})
	}
	if e.storyID != "" {
		story := feedKey{kindStory, e.storyID}
		p.StoryFeed = s.opts.BaseURL + feedPath(story, formatAtom)
		p.Discovery = append(slices.Clip(p.Discovery), s.feedLinks("This story", story)...)
	}
	for _, o := range s.alsoReported(e) {
		p.Also = append(p.Also, s.item(o))
	}
	return s.execute("article.html", p, e.ingested)
}

func (s *Service) articleJSON(e *entry) (*rendered, error) {
	body, err := s.bodyOf(e)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(body.article, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("feeds: encode article %s: %w", e.id, err)
	}
	return newRendered(append(b, '\n'), "application/json; charset=utf-8", e.ingested), nil
}
