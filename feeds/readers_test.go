package feeds_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// readersCorpus is newCorpus with what feeds carry beyond the basics (tags,
// agencies, bylines, lead images with type and length, a story), plus the
// hostile article (control characters, invalid UTF-8, `]]>`, emoji,
// right-to-left text) and a 1 MB article.
type readersCorpus struct {
	corpus
	hostile, long *article.Article
}

func newReadersCorpus() readersCorpus {
	c := readersCorpus{corpus: newCorpus(), hostile: hostile()}
	c.f1.Tags = []string{"Paris", "Élysée"}
	c.f1.Agencies = []string{"AFP"}
	c.f1.Media = []article.Media{{URL: "https://img.example/f1.jpg", Caption: "Le palais", Type: "image/jpeg", Length: 48213}}
	c.f1.StoryID = c.f1.ID
	c.e2.Tags = []string{"paris", "Elections 2025"}
	c.e2.StoryID = c.f1.ID // a rewrite of f1's dispatch
	c.e2.Media = []article.Media{{URL: "https://img.example/e2.png?w=800&h=600", Type: "image/png", Length: 1024}}
	// b4 is a correction (revision 2) of an article first titled otherwise.
	c.b4.Revision = 2
	c.b4.Ingested = c.b4.Ingested.Add(30 * time.Second)
	c.b4.Updated = c.b4.Ingested
	c.b4.Byline = "Jane Roe"
	c.b4.Agencies = []string{"Reuters", "AP"}
	c.b4.Tags = []string{"Paris"}
	// Angle brackets but no tag: the W3C validator warns about text that
	// holds an HTML end tag (ContainsHTML), and crier keeps text as written.
	c.hostile.Title = strings.Replace(c.hostile.Title, "<b>bold</b>", "1 < 2 > 0", 1)
	c.hostile.Tags = []string{"Tom & Jerry", "שלום", "\x00 control\x1b"}
	c.hostile.StoryID = c.f1.ID
	c.hostile.Media = []article.Media{{URL: "https://img.example/h.gif?a=1&b=<2>", Type: "image/gif", Length: 7}}

	// A 1 MB article: 2 MB on the stream, text and HTML (the embedded
	// server takes 8 MiB messages).
	const para = "A long paragraph of a long read, with enough words to be a real one. "
	var body []string
	for size := 0; size < 1_000_000; size += len(para) * 200 {
		body = append(body, strings.Repeat(para, 200))
	}
	long := newArticle("A 1 MB long read", "en", "BBC", "https://bbc.example/long", t0.Add(90*time.Minute))
	long.Body = body
	long.BodyHTML = "<p>" + strings.Join(body, "</p>\n<p>") + "</p>"
	long.ContentHash = article.HashBody(body)
	long.Byline = "Ed Long"
	long.Tags = []string{"Long reads"}
	c.long = long
	return c
}

func (c readersCorpus) all() []*article.Article { return append(c.corpus.all(), c.hostile, c.long) }

// readerFeed is one feed kind the test reads: its path without the
// extension and which articles it holds.
type readerFeed struct {
	name, path string
	holds      func(*article.Article) bool
}

func readerFeeds(c readersCorpus) []readerFeed {
	hasTag := func(slug string) func(*article.Article) bool {
		return func(a *article.Article) bool {
			return slices.ContainsFunc(a.Tags, func(t string) bool { return article.Slug(t) == slug })
		}
	}
	story := c.f1.ID
	return []readerFeed{
		{"all", "/feeds/all", func(*article.Article) bool { return true }},
		{"lang-fr", "/feeds/lang/fr", func(a *article.Article) bool { return a.LanguageSlug() == "fr" }},
		{"lang-ar", "/feeds/lang/ar", func(a *article.Article) bool { return a.LanguageSlug() == "ar" }},
		{"source-bbc", "/feeds/source/bbc", func(a *article.Article) bool { return a.SourceSlug() == "bbc" }},
		{"source-hostile", "/feeds/source/" + c.hostile.SourceSlug(), func(a *article.Article) bool {
			return a.SourceSlug() == c.hostile.SourceSlug()
		}},
		{"tag-paris", "/feeds/tag/paris", hasTag("paris")},
		{"tag-hostile", "/feeds/tag/" + article.Slug("Tom & Jerry"), hasTag(article.Slug("Tom & Jerry"))},
		{"story", "/feeds/story/" + url.PathEscape(story), func(a *article.Article) bool { return a.StoryID == story }},
		// RFC 5005 archives: every article here was ingested on 1 March 2025.
		{"archive-all", "/feeds/archive/2025-03-01/all", func(*article.Article) bool { return true }},
		{"archive-tag-paris", "/feeds/archive/2025-03-01/tag/paris", hasTag("paris")},
	}
}

// field is one readItem field; a reader compares only those it exposes.
type field uint

const (
	fID field = 1 << iota
	fLink
	fTitle
	fPublished
	fUpdated
	fAuthors
	fCategories
	fEnclosure    // URL, type and length
	fEnclosureURL // JSON Feed "image": the URL only
)

// fRSS: RSS 2.0 has no per-item modification date.
const (
	fRSS  = fID | fLink | fTitle | fPublished | fAuthors | fCategories | fEnclosure
	fAtom = fRSS | fUpdated
	fJSON = fID | fLink | fTitle | fPublished | fUpdated | fAuthors | fCategories | fEnclosureURL
	// newsboat stores no categories, no update date, no image enclosure.
	fNewsboat = fID | fLink | fTitle | fPublished | fAuthors
)

// diffItem lists how got differs from want in the fields fs. newsboat joins
// authors into one string, so authors compare joined.
func diffItem(got, want readItem, fs field) []string {
	var d []string
	check := func(f field, name string, g, w any) {
		if fs&f != 0 && fmt.Sprintf("%+q", g) != fmt.Sprintf("%+q", w) { // nil and empty slices alike
			d = append(d, fmt.Sprintf("%s %+q, want %+q", name, g, w))
		}
	}
	check(fID, "id", got.ID, want.ID)
	check(fLink, "link", got.Link, want.Link)
	check(fTitle, "title", got.Title, want.Title)
	check(fPublished, "published", got.Published.String(), want.Published.String())
	check(fUpdated, "updated", got.Updated.String(), want.Updated.String())
	check(fAuthors, "authors", strings.Join(got.Authors, ", "), strings.Join(want.Authors, ", "))
	check(fCategories, "categories", got.Categories, want.Categories)
	check(fEnclosure, "enclosure", fmt.Sprintf("%+v", got.Enclosure), fmt.Sprintf("%+v", want.Enclosure))
	check(fEnclosureURL, "image", got.Enclosure.URL, want.Enclosure.URL)
	return d
}

// compareItems reports every difference between two readings of one feed.
func compareItems(t *testing.T, what string, got, want []readItem, fs field) {
	t.Helper()
	gotIDs, wantIDs := make([]string, len(got)), make([]string, len(want))
	for i, it := range got {
		gotIDs[i] = it.ID
	}
	for i, it := range want {
		wantIDs[i] = it.ID
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("%s: items\n got %q\nwant %q", what, gotIDs, wantIDs)
	}
	for i := range min(len(got), len(want)) {
		for _, d := range diffItem(got[i], want[i], fs) {
			t.Errorf("%s: item %d (%s): %s", what, i, want[i].ID, d)
		}
	}
}

// cleanWant restates what crier promises for text: valid UTF-8 (invalid
// bytes and the U+FFFD they become on the bus dropped), none of the
// characters XML 1.0 forbids or discourages (C0 and C1 controls, U+FFFE,
// U+FFFF), one line.
func cleanWant(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) || r == 0xfffe || r == 0xffff || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func cleanWants(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = cleanWant(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// wantItem is what a reader must report for a: the permanent id; the
// original URL when it is http(s), else crier's page; the publication and
// last ingestion dates; the byline as the author (the source when there is
// none; agencies are contributors, which not every reader reports);
// the tags as categories; the lead image as the enclosure.
func wantItem(a *article.Article, siteTitle string) readItem {
	it := readItem{
		ID:         feeds.ItemID(a.ID),
		Link:       base + "/articles/" + url.PathEscape(a.ID),
		Title:      cleanWant(a.Title),
		Published:  a.Published.UTC().Truncate(time.Second),
		Updated:    a.Published.UTC().Truncate(time.Second),
		Authors:    cleanWants([]string{cmp.Or(a.Byline, a.Source)}),
		Categories: cleanWants(a.Tags),
	}
	if u, err := url.Parse(a.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		it.Link = u.String()
	}
	if a.Ingested.After(a.Published) {
		it.Updated = a.Ingested.UTC().Truncate(time.Second)
	}
	if len(it.Authors) == 0 {
		it.Authors = []string{cmp.Or(cleanWant(a.Source), siteTitle)}
	}
	if len(a.Media) > 0 {
		m := a.Media[0]
		// Characters a URI may not hold are percent-encoded.
		u := strings.NewReplacer("<", "%3C", ">", "%3E").Replace(m.URL)
		it.Enclosure = readEnclosure{URL: u, Type: m.Type, Length: m.Length}
	}
	return it
}

// wire is a as the feeds service receives it: encoding/json turns each
// invalid UTF-8 byte into U+FFFD on the way.
func wire(a *article.Article) *article.Article {
	data, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	var out article.Article
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return &out
}

// wantItems is what a feed holding the articles that match must list:
// newest first (published, then ingested, then id).
func wantItems(as []*article.Article, holds func(*article.Article) bool) []readItem {
	var sel []*article.Article
	for _, a := range as {
		if holds(a) {
			sel = append(sel, wire(a))
		}
	}
	slices.SortFunc(sel, func(a, b *article.Article) int {
		return cmp.Or(b.Published.Compare(a.Published), b.Ingested.Compare(a.Ingested), strings.Compare(a.ID, b.ID))
	})
	out := make([]readItem, len(sel))
	for i, a := range sel {
		out[i] = wantItem(a, "crier")
	}
	return out
}

// readJSONFeed reads a JSON Feed 1.1 document as its specification defines
// the fields: the second reader of JSON Feed beside gofeed, since
// feedparser 6.0 reads none.
func readJSONFeed(t *testing.T, doc []byte) []readItem {
	t.Helper()
	var f struct {
		Items []struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			Title         string `json:"title"`
			DatePublished string `json:"date_published"`
			DateModified  string `json:"date_modified"`
			Authors       []struct {
				Name string `json:"name"`
			} `json:"authors"`
			Tags  []string `json:"tags"`
			Image string   `json:"image"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &f); err != nil {
		t.Fatalf("JSON Feed: %v", err)
	}
	date := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Errorf("JSON Feed date %q is not RFC 3339: %v", s, err)
		}
		return d.UTC().Truncate(time.Second)
	}
	items := make([]readItem, 0, len(f.Items))
	for _, it := range f.Items {
		r := readItem{ID: it.ID, Link: it.URL, Title: it.Title, Published: date(it.DatePublished),
			Updated: date(it.DateModified), Categories: it.Tags, Enclosure: readEnclosure{URL: it.Image}}
		for _, a := range it.Authors {
			r.Authors = append(r.Authors, a.Name)
		}
		items = append(items, r)
	}
	return items
}

// TestReaders: every feed kind in every format, hostile content included,
// is valid, and newsboat, feedparser and gofeed read the same items in the
// same order with the same ids, links, titles, dates, authors, categories
// and enclosures, which are what the articles say.
func TestReaders(t *testing.T) {
	e := newEnv(t)
	c := newReadersCorpus()
	as := c.all()
	// b4's first revision, before it and again after (late): readers see
	// one item, the correction, with the same id.
	b4first := *c.b4
	b4first.Title, b4first.Revision, b4first.Updated = "Fourth", 1, time.Time{}
	b4first.Ingested = c.b4.Ingested.Add(-time.Hour)
	e.publish(&b4first)
	for _, a := range as {
		if a == c.long { // the last: waiting for it waits for the late one
			e.publish(&b4first)
		}
		e.publish(a)
	}
	s := e.startSite(feeds.Options{})
	for _, a := range as {
		s.waitFor(a.ID)
	}

	type doc struct {
		feed readerFeed
		ext  string
		body []byte
	}
	var docs []doc
	xmlDocs := map[string][]byte{}
	for _, f := range readerFeeds(c) {
		for _, ext := range []string{"rss", "atom", "json"} {
			d := doc{f, ext, s.get(f.path + "." + ext).body}
			docs = append(docs, d)
			if ext != "json" {
				xmlDocs[f.name+"."+ext] = d.body
			}
		}
	}
	var newsboat map[string][]readItem
	t.Run("newsboat", func(t *testing.T) { newsboat = readNewsboat(t, xmlDocs) })

	for _, d := range docs {
		name := d.feed.name + "." + d.ext
		t.Run(name, func(t *testing.T) {
			want := wantItems(as, d.feed.holds)
			if len(want) == 0 {
				t.Fatalf("the corpus puts nothing in %s", d.feed.path)
			}
			gf := readGofeed(t, d.body)
			switch d.ext {
			case "rss":
				validateXML(t, name, d.body)
				compareItems(t, "gofeed vs articles", gf, want, fRSS)
				t.Run("feedparser", func(t *testing.T) {
					compareItems(t, "feedparser vs gofeed", readFeedparser(t, d.body), gf, fRSS)
				})
			case "atom":
				validateAtom(t, name, d.body)
				compareItems(t, "gofeed vs articles", gf, want, fAtom)
				t.Run("feedparser", func(t *testing.T) {
					compareItems(t, "feedparser vs gofeed", readFeedparser(t, d.body), gf, fAtom)
				})
			case "json":
				validateJSONFeed(t, name, d.body)
				compareItems(t, "gofeed vs articles", gf, want, fJSON)
				compareItems(t, "JSON Feed fields vs gofeed", readJSONFeed(t, d.body), gf, fJSON)
			}
			if nb, ok := newsboat[name]; ok {
				compareItems(t, "newsboat vs gofeed", nb, gf, fNewsboat)
			}
		})
	}
}
