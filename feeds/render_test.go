package feeds_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// renderCorpus is three articles over three days exercising every field
// the renderers map: tags, byline, agencies, media, relative URLs.
type renderCorpus struct {
	full, bare, webp *article.Article
}

func newRenderCorpus() renderCorpus {
	c := renderCorpus{
		full: newArticle("Full", "en", "Le Monde", "https://news.example/world/full", time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)),
		bare: newArticle("Bare", "en", "", "", time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC)),
		webp: newArticle("Webp", "fr", "BBC", "https://bbc.example/webp", time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)),
	}
	c.full.Tags = []string{"Climate Change", "Paris", "climate change"}
	c.full.Byline = "Ann Smith"
	c.full.Agencies = []string{"AFP", "Reuters"}
	c.full.Media = []article.Media{
		{URL: "data:image/png;base64,AAAA"},
		{URL: "https://img.example/a.JPG", Length: 12345, Caption: "A picture"},
	}
	c.full.BodyHTML = `<p><a href="/about">About</a> <img src="pic.png" srcset="s.png 1x, /l.png 2x" alt="p">` +
		`<a href="#fn">note</a> <a href="https://other.example/x">abs</a> <a href="//cdn.example/y">proto</a>` +
		`<a href="javascript:alert(1)" onclick="steal()">js</a><script>alert(1)</script></p>` +
		`<blockquote cite="../quote.html">q</blockquote>`
	c.bare.BodyHTML = `<p><a href="/relative">keep this text</a> and <a href="https://abs.example/x">absolute</a> <img src="x.png" alt="gone"></p>`
	c.bare.Media = []article.Media{{URL: "ftp://img.example/no.jpg"}, {URL: "https://img.example/noext"}}
	c.webp.Media = []article.Media{{URL: "https://img.example/b", Type: "image/webp"}}
	c.webp.Tags = []string{"Économie"}
	return c
}

func (c renderCorpus) all() []*article.Article { return []*article.Article{c.full, c.bare, c.webp} }

// renderSite serves the corpus from a Service fed directly, without NATS.
func renderSite(t *testing.T, o feeds.Options, as ...*article.Article) *site {
	t.Helper()
	if o.BaseURL == "" {
		o.BaseURL = base
	}
	svc := feeds.New(o)
	for _, a := range as {
		svc.Add(a)
	}
	return &site{t: t, svc: svc, srv: newServer(t, svc)}
}

func itemByTitle(t *testing.T, f *gofeed.Feed, title string) *gofeed.Item {
	t.Helper()
	for _, it := range f.Items {
		if it.Title == title {
			return it
		}
	}
	t.Fatalf("no item %q in %s feed", title, f.FeedType)
	return nil
}

func TestCategoriesAuthorsSource(t *testing.T) {
	c := newRenderCorpus()
	s := renderSite(t, feeds.Options{}, c.all()...)
	wantTags := []string{"Climate Change", "Paris", "climate change"}

	for _, ext := range []string{"rss", "atom", "json"} {
		f, _ := s.feed("/feeds/all." + ext)
		it := itemByTitle(t, f, "Full")
		if !slices.Equal(it.Categories, wantTags) {
			t.Errorf("%s: gofeed categories %q, want %q", ext, it.Categories, wantTags)
		}
		if len(it.Authors) != 1 || it.Authors[0].Name != "Ann Smith" {
			t.Errorf("%s: gofeed authors %+v, want only the byline", ext, it.Authors)
		}
		if bare := itemByTitle(t, f, "Bare"); len(bare.Categories) != 0 {
			t.Errorf("%s: untagged item has categories %q", ext, bare.Categories)
		}
	}

	rss := string(s.get("/feeds/all.rss").body)
	atom := string(s.get("/feeds/all.atom").body)
	for _, tc := range []struct{ doc, name, want string }{
		{rss, "rss", `<category domain="` + base + `/feeds/tag/">Climate Change</category>`},
		{rss, "rss", `<dc:creator>Ann Smith</dc:creator>`},
		{rss, "rss", `<dc:contributor>AFP</dc:contributor>`},
		{rss, "rss", `<dc:contributor>Reuters</dc:contributor>`},
		{rss, "rss", `<source url="` + base + `/feeds/source/le-monde.rss">Le Monde</source>`},
		{rss, "rss", `<source url="` + base + `/feeds/source/bbc.rss">BBC</source>`},
		{atom, "atom", `<category term="Climate Change" scheme="` + base + `/feeds/tag/" label="Climate Change"></category>`},
		{atom, "atom", `<contributor>` + "\n      " + `<name>AFP</name>`},
	} {
		if !strings.Contains(tc.doc, tc.want) {
			t.Errorf("%s lacks %s", tc.name, tc.want)
		}
	}
	if strings.Contains(rss, "<author>") {
		t.Error("RSS has <author>, which must be an email address")
	}
	if n := strings.Count(rss, "<source "); n != 2 {
		t.Errorf("RSS has %d <source>, want 2 (the article without a source has none)", n)
	}

	var jf struct {
		Items []struct {
			Title   string
			Tags    []string
			Authors []struct{ Name string }
			Crier   struct{ Agencies []string } `json:"_crier"`
		}
	}
	if err := json.Unmarshal(s.get("/feeds/all.json").body, &jf); err != nil {
		t.Fatal(err)
	}
	for _, it := range jf.Items {
		if it.Title != "Full" {
			continue
		}
		if !slices.Equal(it.Tags, wantTags) || len(it.Authors) != 1 || it.Authors[0].Name != "Ann Smith" ||
			!slices.Equal(it.Crier.Agencies, []string{"AFP", "Reuters"}) {
			t.Errorf("JSON item %+v", it)
		}
	}

	// feedparser and newsboat read the same lists.
	for _, ext := range []string{"rss", "atom"} {
		doc := s.get("/feeds/all." + ext).body
		entries := fpEntriesOf(t, doc)
		e, ok := entries[feeds.ItemID(c.full.ID)]
		if !ok {
			t.Fatalf("feedparser %s: no entry %s in %v", ext, c.full.ID, entries)
		}
		if !slices.Equal(e.Tags, wantTags) || e.Author != "Ann Smith" || !slices.Equal(e.Contributors, []string{"AFP", "Reuters"}) {
			t.Errorf("feedparser %s: tags %q author %q contributors %q", ext, e.Tags, e.Author, e.Contributors)
		}
		if ext == "rss" && (e.SourceHref != base+"/feeds/source/le-monde.rss" || e.SourceTitle != "Le Monde") {
			t.Errorf("feedparser rss: source %q %q", e.SourceHref, e.SourceTitle)
		}
		if nb := nbItemsOf(t, doc)[feeds.ItemID(c.full.ID)]; nb.Author != "Ann Smith" {
			t.Errorf("newsboat %s: author %q, want the byline alone", ext, nb.Author)
		}
	}
}

func TestEnclosures(t *testing.T) {
	c := newRenderCorpus()
	s := renderSite(t, feeds.Options{}, c.all()...)
	rss := string(s.get("/feeds/all.rss").body)
	atom := string(s.get("/feeds/all.atom").body)
	var jf struct {
		Items []struct {
			ID          string
			Image       string
			Attachments []map[string]any
		}
	}
	if err := json.Unmarshal(s.get("/feeds/all.json").body, &jf); err != nil {
		t.Fatal(err)
	}
	jsonItem := func(id string) (string, []map[string]any) {
		for _, it := range jf.Items {
			if it.ID == feeds.ItemID(id) {
				return it.Image, it.Attachments
			}
		}
		t.Fatalf("no JSON item %s", id)
		return "", nil
	}

	for _, tc := range []struct {
		name       string
		a          *article.Article
		rss, atom  string // "" for none
		image      string
		attachment string
	}{
		{
			name: "known length, type from the extension", a: c.full,
			rss:        `<enclosure url="https://img.example/a.JPG" length="12345" type="image/jpeg"></enclosure>`,
			atom:       `<link href="https://img.example/a.JPG" rel="enclosure" type="image/jpeg" length="12345"></link>`,
			image:      "https://img.example/a.JPG",
			attachment: `{"mime_type":"image/jpeg","size_in_bytes":12345,"url":"https://img.example/a.JPG"}`,
		},
		{
			name: "no type: no enclosure, still an image", a: c.bare,
			image: "https://img.example/noext",
		},
		{
			name: "unknown length: 0 in RSS, none in Atom, no attachment", a: c.webp,
			rss:   `<enclosure url="https://img.example/b" length="0" type="image/webp"></enclosure>`,
			atom:  `<link href="https://img.example/b" rel="enclosure" type="image/webp"></link>`,
			image: "https://img.example/b",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rss != "" && !strings.Contains(rss, tc.rss) {
				t.Errorf("RSS lacks %s", tc.rss)
			}
			if tc.atom != "" && !strings.Contains(atom, tc.atom) {
				t.Errorf("Atom lacks %s", tc.atom)
			}
			image, att := jsonItem(tc.a.ID)
			if image != tc.image {
				t.Errorf("JSON image %q, want %q", image, tc.image)
			}
			got := ""
			if len(att) > 0 {
				b, _ := json.Marshal(att[0])
				got = string(b)
			}
			if got != tc.attachment {
				t.Errorf("JSON attachment %s, want %s", got, tc.attachment)
			}
		})
	}
	if n := strings.Count(rss, "<enclosure"); n != 2 {
		t.Errorf("RSS has %d enclosures, want 2", n)
	}
	if n := strings.Count(atom, `rel="alternate"`); n != 4 { // the feed's and one per entry
		t.Errorf("Atom has %d alternate links, want 4", n)
	}
	if n := strings.Count(atom, `rel="enclosure"`); n != 2 {
		t.Errorf("Atom has %d enclosures, want 2", n)
	}

	// Readers agree on url, type and length.
	for _, ext := range []string{"rss", "atom"} {
		doc := s.get("/feeds/all." + ext).body
		f, err := gofeed.NewParser().ParseString(string(doc))
		if err != nil {
			t.Fatal(err)
		}
		it := itemByTitle(t, f, "Full")
		if len(it.Enclosures) != 1 || it.Enclosures[0].URL != "https://img.example/a.JPG" ||
			it.Enclosures[0].Type != "image/jpeg" || it.Enclosures[0].Length != "12345" {
			t.Errorf("gofeed %s enclosures %+v", ext, it.Enclosures)
		}
		e := fpEntriesOf(t, doc)[feeds.ItemID(c.full.ID)]
		if want := []string{"https://img.example/a.JPG image/jpeg 12345"}; !slices.Equal(e.Enclosures, want) {
			t.Errorf("feedparser %s enclosures %q, want %q", ext, e.Enclosures, want)
		}
		// newsboat 2.21 keeps only podcast enclosures; the item must still
		// be read whole.
		if nb := nbItemsOf(t, doc); len(nb) != 3 {
			t.Errorf("newsboat %s read %d items, want 3", ext, len(nb))
		}
	}
	validateXML(t, "rss", []byte(rss))
	validateAtom(t, "atom", []byte(atom))
	validateJSONFeed(t, "json", s.get("/feeds/all.json").body)
}

func TestHubLinks(t *testing.T) {
	c := newRenderCorpus()
	const hub = "https://hub.example/websub"
	for _, tc := range []struct {
		name, hub string
	}{{"with hub", hub}, {"without hub", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			s := renderSite(t, feeds.Options{HubURL: tc.hub}, c.all()...)
			for _, path := range []string{"/feeds/all", "/feeds/tag/paris", "/feeds/source/bbc", "/feeds/archive/2025-01-10/all"} {
				rss := s.get(path + ".rss").body
				atom := s.get(path + ".atom").body
				for name, links := range map[string]map[string]string{"rss": xmlLinks(t, rss), "atom": xmlLinks(t, atom)} {
					if links["self"] != base+path+"."+name {
						t.Errorf("%s.%s: self %q", path, name, links["self"])
					}
					if links["hub"] != tc.hub {
						t.Errorf("%s.%s: hub %q, want %q", path, name, links["hub"], tc.hub)
					}
				}
				var jf struct {
					FeedURL string `json:"feed_url"`
					Hubs    []struct{ Type, URL string }
				}
				if err := json.Unmarshal(s.get(path+".json").body, &jf); err != nil {
					t.Fatal(err)
				}
				if jf.FeedURL != base+path+".json" {
					t.Errorf("%s.json: feed_url %q", path, jf.FeedURL)
				}
				if tc.hub == "" && len(jf.Hubs) != 0 || tc.hub != "" && (len(jf.Hubs) != 1 || jf.Hubs[0].Type != "WebSub" || jf.Hubs[0].URL != tc.hub) {
					t.Errorf("%s.json: hubs %+v", path, jf.Hubs)
				}
				validateAtom(t, path, atom)
				validateJSONFeed(t, path, s.get(path+".json").body)
			}
		})
	}
}

func TestContentURLsAndSanitizing(t *testing.T) {
	c := newRenderCorpus()
	s := renderSite(t, feeds.Options{}, c.all()...)
	for _, ext := range []string{"rss", "atom", "json"} {
		f, _ := s.feed("/feeds/all." + ext)
		for _, tc := range []struct {
			title     string
			want, not []string
		}{
			{
				title: "Full",
				want: []string{
					`href="https://news.example/about"`,
					`src="https://news.example/world/pic.png"`,
					`href="#fn"`, `href="https://other.example/x"`, `href="https://cdn.example/y"`,
					`cite="https://news.example/quote.html"`, "js</p>",
				},
				not: []string{"javascript:", "onclick", "<script", "alert(1)", `"/about"`, `"pic.png"`},
			},
			{
				title: "Bare",
				want:  []string{"keep this text", `href="https://abs.example/x"`},
				not:   []string{"/relative", `src="x.png"`, "href=\"/"},
			},
		} {
			content := itemByTitle(t, f, tc.title).Content
			for _, w := range tc.want {
				if !strings.Contains(content, w) {
					t.Errorf("%s %s: content lacks %s:\n%s", ext, tc.title, w, content)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(content, n) {
					t.Errorf("%s %s: content has %s:\n%s", ext, tc.title, n, content)
				}
			}
		}
	}
}

func TestArchives(t *testing.T) {
	c := newRenderCorpus()
	s := renderSite(t, feeds.Options{Limit: 1}, c.all()...)
	allIDs := guids(c.all()...)
	slices.Sort(allIDs)

	// A reader back-fills from the subscription document along
	// prev-archive (Atom, RSS) or next_url (JSON), and gets every item.
	for _, ext := range []string{"atom", "rss", "json"} {
		t.Run(ext, func(t *testing.T) {
			current := base + "/feeds/all." + ext
			seen := map[string]bool{}
			var visited []string
			next := current
			for next != "" {
				path := strings.TrimPrefix(next, base)
				r := s.get(path)
				f, err := gofeed.NewParser().ParseString(string(r.body))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				for _, it := range f.Items {
					seen[it.GUID] = true
				}
				archive := next != current
				if ext == "json" {
					var jf struct {
						NextURL string `json:"next_url"`
						FeedURL string `json:"feed_url"`
					}
					if err := json.Unmarshal(r.body, &jf); err != nil {
						t.Fatal(err)
					}
					if jf.FeedURL != next {
						t.Errorf("%s: feed_url %q", path, jf.FeedURL)
					}
					validateJSONFeed(t, path, r.body)
					next = jf.NextURL
				} else {
					links := xmlLinks(t, r.body)
					if links["self"] != next {
						t.Errorf("%s: self %q", path, links["self"])
					}
					hasFH := strings.Contains(string(r.body), `<fh:archive></fh:archive>`) &&
						strings.Contains(string(r.body), `xmlns:fh="http://purl.org/syndication/history/1.0"`)
					if hasFH != archive {
						t.Errorf("%s: fh:archive %v, want %v", path, hasFH, archive)
					}
					if archive && links["current"] != current {
						t.Errorf("%s: current %q, want %q", path, links["current"], current)
					}
					if archive {
						newer := "" // the document read before this one, unless current
						if len(visited) > 1 {
							newer = visited[len(visited)-2]
						}
						if links["next-archive"] != newer {
							t.Errorf("%s: next-archive %q, want %q", path, links["next-archive"], newer)
						}
					}
					if ext == "atom" {
						validateAtom(t, path, r.body)
					} else {
						validateXML(t, path, r.body)
					}
					next = links["prev-archive"]
				}
				visited = append(visited, next)
				if len(visited) > 10 {
					t.Fatal("archive chain does not end")
				}
			}
			got := make([]string, 0, len(seen))
			for id := range seen {
				got = append(got, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, allIDs) {
				t.Errorf("back-filled ids %q, want %q", got, allIDs)
			}
			if want := []string{
				base + "/feeds/archive/2025-03-10/all." + ext, base + "/feeds/archive/2025-02-10/all." + ext,
				base + "/feeds/archive/2025-01-10/all." + ext, "",
			}; !slices.Equal(visited, want) {
				t.Errorf("visited %q, want %q", visited, want)
			}
		})
	}

	t.Run("kinds and errors", func(t *testing.T) {
		for path, want := range map[string]int{
			"/feeds/archive/2025-01-10/tag/climate-change.atom":      1,
			"/feeds/archive/2025-01-10/source/le-monde.rss":          1,
			"/feeds/archive/2025-03-10/lang/fr.json":                 1,
			"/feeds/archive/2025-01-10/story/" + c.full.ID + ".atom": 0, // no story id
			"/feeds/archive/2025-02-10/all.rss?limit=1":              1,
			"/feeds/archive/2025-02-10/tag/climate-change.atom":      0,
			"/feeds/archive/2025-01-11/all.atom":                     0, // a day without items
			"/feeds/archive/2025-01/all.atom":                        0, // a month
			"/feeds/archive/2025-02-30/all.atom":                     0,
			"/feeds/archive/2025-1-10/all.atom":                      0,
			"/feeds/archive/2025-01-10/everything.atom":              0,
			"/feeds/archive/2025-01-10/all.xml":                      0,
			"/feeds/archive/2025-01-10/nope/all.atom":                0,
			"/feeds/archive/2025-01-10/tag/nope.rss":                 0,
		} {
			r := s.do(http.MethodGet, path)
			if want == 0 {
				if r.status != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", path, r.status)
				}
				continue
			}
			if r.status != http.StatusOK {
				t.Errorf("%s: %d", path, r.status)
				continue
			}
			f, err := gofeed.NewParser().ParseString(string(r.body))
			if err != nil || len(f.Items) != want {
				t.Errorf("%s: %v, want %d items", path, err, want)
			}
		}
	})

	t.Run("stable", func(t *testing.T) {
		before := s.get("/feeds/archive/2025-01-10/all.atom")
		// A new article of another day and an update of an old article
		// re-ingested later leave the 10 January archive's items alone.
		u := *c.full
		u.Ingested = time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)
		s.svc.Add(&u)
		n := newArticle("April", "en", "BBC", "https://bbc.example/april", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
		s.svc.Add(n)
		after := s.get("/feeds/archive/2025-01-10/all.atom")
		fb, _ := gofeed.NewParser().ParseString(string(before.body))
		fa, _ := gofeed.NewParser().ParseString(string(after.body))
		if !slices.Equal(ids(fb.Items), ids(fa.Items)) {
			t.Errorf("10 January archive items changed: %q -> %q", ids(fb.Items), ids(fa.Items))
		}
		if r := s.do(http.MethodGet, "/feeds/archive/2025-04-01/all.atom"); r.status != http.StatusOK {
			t.Errorf("1 April archive: %d", r.status)
		}
		links := xmlLinks(t, s.get("/feeds/all.atom").body)
		if links["prev-archive"] != base+"/feeds/archive/2025-04-01/all.atom" {
			t.Errorf("prev-archive after a new day: %q", links["prev-archive"])
		}
	})
}

// xmlLinks returns the rel -> href of the Atom links (atom:link in RSS)
// directly under the feed or channel.
func xmlLinks(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	const nsAtom = "http://www.w3.org/2005/Atom"
	links := map[string]string{}
	dec := xml.NewDecoder(strings.NewReader(string(doc)))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return links
		}
		if err != nil {
			t.Fatalf("xml: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			top := depth == 2 || depth == 3 && strings.Contains(string(doc[:min(len(doc), 200)]), "<rss")
			if el.Name.Space == nsAtom && el.Name.Local == "link" && top {
				var rel, href string
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "rel":
						rel = a.Value
					case "href":
						href = a.Value
					}
				}
				if _, dup := links[rel]; dup {
					t.Errorf("two links rel=%q", rel)
				}
				links[rel] = href
			}
		case xml.EndElement:
			depth--
		}
	}
}

// fpEntry is what feedparser reports of an entry.
type fpEntry struct {
	ID           string   `json:"id"`
	Author       string   `json:"author"`
	Contributors []string `json:"contributors"`
	Tags         []string `json:"tags"`
	Enclosures   []string `json:"enclosures"` // "url type length"
	SourceHref   string   `json:"source_href"`
	SourceTitle  string   `json:"source_title"`
}

const feedparserDump = `
import feedparser, json, sys
d = feedparser.parse(sys.stdin.buffer.read())
if d.bozo:
    print("bozo:", d.bozo_exception, file=sys.stderr)
    sys.exit(1)
out = []
for e in d.entries:
    src = e.get("source") or {}
    out.append({
        "id": e.get("id", ""),
        "author": e.get("author", ""),
        "contributors": [c.get("name", "") for c in e.get("contributors", [])],
        "tags": [t.get("term", "") for t in e.get("tags", [])],
        "enclosures": ["%s %s %s" % (x.get("href"), x.get("type"), x.get("length")) for x in e.get("enclosures", [])],
        "source_href": src.get("href", ""),
        "source_title": src.get("title", ""),
    })
json.dump(out, sys.stdout)
`

// fpEntriesOf parses doc with feedparser (Debian's python3-feedparser) and
// returns its entries by id.
func fpEntriesOf(t *testing.T, doc []byte) map[string]fpEntry {
	t.Helper()
	py := "/usr/bin/python3"
	err := exec.CommandContext(t.Context(), py, "-c", "import feedparser").Run()
	requireTool(t, "python3 module feedparser (apt-get install python3-feedparser)", err)
	cmd := exec.CommandContext(t.Context(), py, "-c", feedparserDump)
	cmd.Stdin = strings.NewReader(string(doc))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("feedparser: %v\n%s", err, stderr.String())
	}
	var entries []fpEntry
	if err := json.Unmarshal(out, &entries); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]fpEntry, len(entries))
	for _, e := range entries {
		m[e.ID] = e
	}
	return m
}

// nbItem is what newsboat stores of an item in its cache.
type nbItem struct {
	GUID, Title, Author, URL string
}

const newsboatDump = `
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
json.dump([dict(guid=g, title=t, author=a, url=u) for g, t, a, u in
           c.execute("select guid, title, author, url from rss_item")], sys.stdout)
`

// nbItemsOf has newsboat read doc from a file and returns the items it
// stored, by guid. newsboat reports parse errors only in its debug log, so
// a missing item is the sign of one.
func nbItemsOf(t *testing.T, doc []byte) map[string]nbItem {
	t.Helper()
	nb := lookTool(t, "newsboat", "newsboat")
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed.xml")
	urls := filepath.Join(dir, "urls")
	cache := filepath.Join(dir, "cache.db")
	if err := os.WriteFile(feed, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(urls, []byte("file://"+feed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), nb, "-u", urls, "-c", cache, "-C", "/dev/null", "-x", "reload")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("newsboat: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(t.Context(), "/usr/bin/python3", "-c", newsboatDump, cache).Output()
	if err != nil {
		t.Fatalf("reading newsboat's cache: %v", err)
	}
	var items []struct{ GUID, Title, Author, URL string }
	if err := json.Unmarshal(out, &items); err != nil {
		t.Fatal(err)
	}
	m := make(map[string]nbItem, len(items))
	for _, it := range items {
		m[it.GUID] = nbItem(it)
	}
	return m
}
