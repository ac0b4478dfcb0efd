package feeds

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// parsePages parses the embedded page templates; they are part of the
// binary, so failing to parse them is a programming error.
func parsePages() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"date": func(t time.Time) string { return t.Format("2 January 2006, 15:04 MST") },
		"iso":  func(t time.Time) string { return t.Format(time.RFC3339) },
	}).ParseFS(templateFS, "templates/*.html"))
}

// pageLink is a link shown on a page or in its <head>.
type pageLink struct {
	Title string
	Type  string
	Href  string
}

// Tag renders the link as a <link rel="alternate"> for feed autodiscovery.
// html/template would write the "+" of "application/rss+xml" as "&#43;",
// which HTML parsers decode but naive autodiscovery scanners do not.
func (l pageLink) Tag() template.HTML {
	return template.HTML(`<link rel="alternate" type="` + html.EscapeString(l.Type) +
		`" title="` + html.EscapeString(l.Title) + `" href="` + html.EscapeString(l.Href) + `">`)
}

// feedGroup is one feed in its three formats.
type feedGroup struct {
	Name  string
	Links []pageLink
}

type articleItem struct {
	Title     string
	Href      string
	Source    string
	Published time.Time
	Lang      string
}

type homePage struct {
	Title     string
	Home      string
	Discovery []pageLink
	Articles  []articleItem
	Feeds     []feedGroup
}

func (s *Service) feedGroup(name string, k feedKey) feedGroup {
	g := feedGroup{Name: name}
	for _, f := range [...]format{formatRSS, formatAtom, formatJSON} {
		g.Links = append(g.Links, pageLink{
			Title: fmt.Sprintf("%s (%s)", name, f),
			Type:  f.mediaType(),
			Href:  s.opts.BaseURL + feedPath(k, f),
		})
	}
	return g
}

// homeSnapshot returns the newest articles, the languages and the sources
// (slug and display name) of the index, and its generation.
func (s *Service) homeSnapshot() (latest []*entry, langs []string, sources [][2]string, gen uint64) {
	s.mu.RLock()
	all := make([]*entry, 0, len(s.byID))
	for _, e := range s.byID {
		all = append(all, e)
	}
	for k, set := range s.sets {
		switch k.kind {
		case kindLang:
			langs = append(langs, k.value)
		case kindSource:
			var newest *entry
			for _, e := range set {
				if newest == nil || newer(e, newest) < 0 {
					newest = e
				}
			}
			sources = append(sources, [2]string{k.value, newest.source})
		}
	}
	gen = s.gen
	s.mu.RUnlock()
	slices.SortFunc(all, newer)
	slices.Sort(langs)
	slices.SortFunc(sources, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return all[:min(len(all), s.opts.Limit)], langs, sources, gen
}

func (s *Service) renderHome() (*rendered, uint64, error) {
	latest, langs, sources, gen := s.homeSnapshot()
	all := s.feedGroup("All articles", feedKey{kind: kindAll})
	p := homePage{
		Title:     s.opts.Title,
		Home:      s.opts.BaseURL + "/",
		Discovery: all.Links,
		Feeds:     []feedGroup{all},
	}
	var mod time.Time
	for _, e := range latest {
		p.Articles = append(p.Articles, articleItem{
			Title: e.title, Href: e.page, Source: e.source, Published: e.published, Lang: e.langTag,
		})
		if e.ingested.After(mod) {
			mod = e.ingested
		}
	}
	for _, l := range langs {
		p.Feeds = append(p.Feeds, s.feedGroup("Language: "+cmp.Or(languageTag(l), l), feedKey{kindLang, l}))
	}
	for _, src := range sources {
		p.Feeds = append(p.Feeds, s.feedGroup("Source: "+cmp.Or(src[1], src[0]), feedKey{kindSource, src[0]}))
	}
	if mod.IsZero() {
		mod = time.Now().UTC()
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "index.html", p); err != nil {
		return nil, 0, fmt.Errorf("feeds: render home page: %w", err)
	}
	return newRendered(buf.Bytes(), formatHTML.contentType(), mod), gen, nil
}

// pageRef links another article's page.
type pageRef struct {
	Title, Source, Page string
	Published           time.Time
}

type articlePage struct {
	Site       string
	Home       string
	Title      string
	Summary    string
	Source     string
	SourceFeed string
	Published  time.Time
	Estimated  bool
	Byline     string
	Agencies   []string
	Tags       []string
	Also       []pageRef // the other articles of its story
	Body       template.HTML
	Original   string
	JSON       string
	Lang       string
	Discovery  []pageLink
}

func (s *Service) renderArticle(e *entry) (*rendered, error) {
	p := articlePage{
		Site:       s.opts.Title,
		Home:       s.opts.BaseURL + "/",
		Title:      e.title,
		Summary:    e.summary,
		Source:     e.source,
		SourceFeed: s.opts.BaseURL + feedPath(feedKey{kindSource, e.sourceSlug}, formatAtom),
		Published:  e.published,
		Estimated:  e.raw.PublishedEstimated,
		Byline:     e.byline,
		Agencies:   e.agencies,
		Tags:       e.tags,
		// Sanitized with bluemonday when the article was added.
		Body:      template.HTML(e.bodyHTML),
		Original:  e.original,
		JSON:      e.page + ".json",
		Lang:      e.langTag,
		Discovery: s.feedGroup("All articles", feedKey{kind: kindAll}).Links,
	}
	for _, o := range s.alsoReported(e) {
		p.Also = append(p.Also, pageRef{Title: o.title, Source: o.source, Page: o.page, Published: o.published})
	}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "article.html", p); err != nil {
		return nil, fmt.Errorf("feeds: render article %s: %w", e.id, err)
	}
	return newRendered(buf.Bytes(), formatHTML.contentType(), e.ingested), nil
}

func articleJSON(e *entry) (*rendered, error) {
	b, err := json.MarshalIndent(e.raw, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("feeds: encode article %s: %w", e.id, err)
	}
	return newRendered(append(b, '\n'), "application/json; charset=utf-8", e.ingested), nil
}
