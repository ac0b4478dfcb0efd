package feeds

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/crier/crier/article"
)

// Topic is one of crier's feeds seen as a WebSub topic: its canonical URL
// and the filter that selects its articles.
type Topic struct {
	// Self is the feed's canonical URL, its rel="self" link: the base URL,
	// the feed's path, and ?limit=N only when N is not the default.
	Self string
	// The filter of the feed; at most one is set, none for the "all" feed.
	// Languages, Sources and Tags hold slugs, Stories a story id.
	Languages []string
	Sources   []string
	Tags      []string
	Stories   []string
}

// Topic maps a URL of one of crier's feeds (BaseURL + /feeds/all.<ext> or
// /feeds/<lang|source|tag|story>/<value>.<ext>, ext rss, atom or json) to
// its canonical URL and filter. The scheme and host compare without case;
// the only query accepted is a valid ?limit=. A feed need not have
// articles yet: one can subscribe to a tag before its first article.
func (s *Service) Topic(rawURL string) (Topic, bool) {
	k, ok := s.topicKey(rawURL)
	if !ok {
		return Topic{}, false
	}
	t := Topic{Self: s.topicSelf(k)}
	switch v := []string{k.feed.value}; k.feed.kind {
	case kindLang:
		t.Languages = v
	case kindSource:
		t.Sources = v
	case kindTag:
		t.Tags = v
	case kindStory:
		t.Stories = v
	}
	return t, true
}

// Content returns the current document of the feed at topicURL, the bytes
// and Content-Type a GET returns, once that revision of the article
// articleID has been indexed (it waits for it, bounded by ctx). WebSub
// deliveries send it.
func (s *Service) Content(ctx context.Context, topicURL, articleID string, revision int) ([]byte, string, error) {
	k, ok := s.topicKey(topicURL)
	if !ok {
		return nil, "", errors.New("feeds: " + topicURL + " is not one of this site's feeds")
	}
	if err := s.WaitForRevision(ctx, articleID, revision); err != nil {
		return nil, "", err
	}
	// The document a GET of the topic serves.
	d, err := s.docs.get(s.feedSlot(k))
	if err != nil {
		return nil, "", err
	}
	return d.body, d.contentType[0], nil
}

// TopicURLs returns the canonical URLs, in every format, of the feeds an
// article appears in: the topics to announce to an external hub.
func (s *Service) TopicURLs(a *article.Article) []string {
	// The feeds the index puts the article in (newEntry), from the fields
	// that choose them.
	e := &entry{
		lang:       a.LanguageSlug(),
		sourceSlug: a.SourceSlug(),
		tagSlugs:   tagSlugs(cleanLines(a.Tags)),
		storyID:    cleanLine(a.StoryID),
	}
	keys := e.keys()
	out := make([]string, 0, len(feedFormats)*len(keys))
	for _, k := range keys {
		for _, f := range feedFormats {
			out = append(out, s.topicSelf(feedDoc{feed: k, format: f, limit: s.opts.Limit}))
		}
	}
	return out
}

// topicSelf is the canonical URL of a feed, as its self link says.
func (s *Service) topicSelf(k feedDoc) string {
	return s.opts.BaseURL + s.feedPathLimit(k)
}

// topicKey parses a feed URL of this site into the document it names.
func (s *Service) topicKey(rawURL string) (feedDoc, bool) {
	u, err := url.Parse(rawURL)
	base, berr := url.Parse(s.opts.BaseURL)
	if err != nil || berr != nil || u.Opaque != "" || u.User != nil ||
		!strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return feedDoc{}, false
	}
	// The escaped path, split before unescaping: a story id may hold "/".
	rest, ok := strings.CutPrefix(u.EscapedPath(), strings.TrimRight(base.EscapedPath(), "/")+"/feeds/")
	if !ok {
		return feedDoc{}, false
	}
	kind, file := kindAll, rest
	if name, f, nested := strings.Cut(rest, "/"); nested {
		if kind, ok = kindNames[name]; !ok || strings.Contains(f, "/") {
			return feedDoc{}, false
		}
		file = f
	}
	file, err = url.PathUnescape(file)
	if err != nil {
		return feedDoc{}, false
	}
	k := feedDoc{limit: s.opts.Limit}
	if k.feed, k.format, ok = feedFile(kind, file); !ok {
		return feedDoc{}, false
	}
	// Languages, sources and tags are indexed by slug: any other spelling
	// names a feed that can never have an article.
	if (kind == kindLang || kind == kindSource || kind == kindTag) && k.feed.value != article.Slug(k.feed.value) {
		return feedDoc{}, false
	}
	q := u.Query()
	for p := range q {
		if p != "limit" {
			return feedDoc{}, false
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > maxLimit || len(q["limit"]) > 1 {
			return feedDoc{}, false
		}
		k.limit = n
	}
	return k, true
}
