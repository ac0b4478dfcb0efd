package feeds_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// schemas is ../shared/schemas from the repository root.
const schemas = "../../shared/schemas"

// requireTool stops the test when an external validator or schema is
// missing (err != nil): a failure when CI is "true", a skip elsewhere, so
// a developer without the tools still runs everything else.
func requireTool(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required when CI=true: %v", what, err)
	}
	t.Skipf("skipping: %s not available (%v)", what, err)
}

func lookTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	requireTool(t, name+" (apt-get install "+pkg+")", err)
	return p
}

func schema(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(schemas, name)
	_, err := os.Stat(p)
	requireTool(t, "schema "+p, err)
	return p
}

func run(t *testing.T, stdin []byte, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s %v: %v\n%s", name, args, err, out)
	}
}

// validateXML checks well-formedness with xmllint.
func validateXML(t *testing.T, name string, doc []byte) {
	t.Helper()
	t.Run("xmllint "+name, func(t *testing.T) {
		run(t, doc, lookTool(t, "xmllint", "libxml2-utils"), "--noout", "-")
	})
}

// validateAtom checks an Atom document against RFC 4287's RELAX NG grammar.
func validateAtom(t *testing.T, name string, doc []byte) {
	t.Helper()
	validateXML(t, name, doc)
	t.Run("jing "+name, func(t *testing.T) {
		jing := lookTool(t, "jing", "jing")
		schema(t, "atom.rnc")
		// RFC 4287's schema with RFC 6721's deleted-entry (it includes
		// the shared atom.rnc).
		rnc := filepath.Join("testdata", "atom-tombstones.rnc")
		f := filepath.Join(t.TempDir(), "feed.atom")
		if err := os.WriteFile(f, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		run(t, nil, jing, "-c", rnc, f)
	})
}

const jsonSchemaCheck = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errors = list(v.iter_errors(json.load(sys.stdin)))
for e in errors:
    print("/".join(map(str, e.absolute_path)) or "(root)", ":", e.message)
sys.exit(1 if errors else 0)
`

// pythonWith finds a python3 that can import module: the one on PATH may
// be a pyenv build without Debian's python3-<module>.
func pythonWith(t *testing.T, module string) (string, error) {
	var err error
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		var py string
		if py, err = exec.LookPath(cand); err != nil {
			continue
		}
		if err = exec.CommandContext(t.Context(), py, "-c", "import "+module).Run(); err == nil {
			return py, nil
		}
	}
	return "", err
}

// validateJSONFeed checks a JSON Feed against the JSON Feed 1.1 schema.
func validateJSONFeed(t *testing.T, name string, doc []byte) {
	t.Helper()
	t.Run("jsonschema "+name, func(t *testing.T) {
		py, err := pythonWith(t, "jsonschema")
		requireTool(t, "python3 module jsonschema (apt-get install python3-jsonschema)", err)
		run(t, doc, py, "-c", jsonSchemaCheck, schema(t, "jsonfeed-schema-v1.1.json"))
	})
}

// readItem is one feed item as a reader reports it, reduced to what can be
// compared across readers and formats: dates in UTC at second precision,
// zero when the reader reports none.
type readItem struct {
	ID, Link, Title    string
	Published, Updated time.Time
	Authors            []string
	Categories         []string
	Enclosure          readEnclosure
}

// readEnclosure is an item's first enclosure (RSS <enclosure>, Atom link
// rel="enclosure", JSON Feed "image").
type readEnclosure struct {
	URL, Type string
	Length    int64
}

// utcSecond normalizes a reader's date; nil and the zero time give zero.
func utcSecond(t *time.Time) time.Time {
	if t == nil || t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func unixUTC(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// newsboatQuery lists a feed's items the way newsboat shows them (its own
// query, newest first), as JSON.
const newsboatQuery = `SELECT guid, title, author, url, pubDate,
  coalesce(enclosure_url, '') AS enclosure_url, coalesce(enclosure_type, '') AS enclosure_type
FROM rss_item WHERE deleted = 0 ORDER BY pubDate DESC, id DESC`

// readNewsboat reads each document (RSS or Atom, keyed by a file name such
// as "all.rss") with newsboat and returns the items it stored in its cache,
// keyed like docs. newsboat keeps one row per guid across all its feeds, so
// each document gets its own run and cache. It exits 0 when a feed does not
// parse, so its debug log is checked for errors and for the parse itself.
// newsboat stores no categories, no update date and only podcast (audio,
// video) enclosures; several authors come as one string joined by ", ".
func readNewsboat(t *testing.T, docs map[string][]byte) map[string][]readItem {
	t.Helper()
	newsboat := lookTool(t, "newsboat", "newsboat")
	sqlite := lookTool(t, "sqlite3", "sqlite3")
	out := make(map[string][]readItem, len(docs))
	for name, doc := range docs {
		dir := t.TempDir()
		file := filepath.Join(dir, name)
		urls := filepath.Join(dir, "urls")
		cache := filepath.Join(dir, "cache.db")
		logf := filepath.Join(dir, "newsboat.log")
		if err := os.WriteFile(file, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		fileURL := (&url.URL{Scheme: "file", Path: file}).String()
		if err := os.WriteFile(urls, []byte(fileURL+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), newsboat, "-u", urls, "-c", cache, "-C", os.DevNull,
			"-x", "reload", "-d", logf, "-l", "6")
		cmd.Env = append(os.Environ(), "HOME="+dir) // no user config or lock elsewhere
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("newsboat %s: %v\n%s", name, err, b)
		}
		log, err := os.ReadFile(logf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(log, []byte("parsed file "+file+", valid = true")) {
			t.Errorf("newsboat did not parse %s", name)
		}
		for line := range strings.Lines(string(log)) {
			if strings.Contains(line, "ERROR:") || strings.Contains(line, "valid = false") {
				t.Errorf("newsboat %s: %s", name, strings.TrimSpace(line))
			}
		}
		q := exec.CommandContext(t.Context(), sqlite, "-json", "-readonly", cache, newsboatQuery)
		js, err := q.Output()
		if err != nil {
			t.Fatalf("sqlite3 on newsboat's cache: %v", err)
		}
		var rows []struct {
			GUID          string `json:"guid"`
			Title         string `json:"title"`
			Author        string `json:"author"`
			URL           string `json:"url"`
			PubDate       int64  `json:"pubDate"`
			EnclosureURL  string `json:"enclosure_url"`
			EnclosureType string `json:"enclosure_type"`
		}
		if len(bytes.TrimSpace(js)) > 0 { // sqlite3 prints nothing for no rows
			if err := json.Unmarshal(js, &rows); err != nil {
				t.Fatalf("sqlite3 output: %v\n%s", err, js)
			}
		}
		items := make([]readItem, 0, len(rows))
		for _, r := range rows {
			it := readItem{ID: r.GUID, Link: r.URL, Title: r.Title, Published: unixUTC(r.PubDate),
				Enclosure: readEnclosure{URL: r.EnclosureURL, Type: r.EnclosureType}}
			if r.Author != "" {
				it.Authors = []string{r.Author}
			}
			items = append(items, it)
		}
		out[name] = items
	}
	return out
}

// feedparserRead prints feedparser's view of the document on stdin as JSON,
// and fails on "bozo" (any parse problem feedparser noticed). dict.get
// bypasses FeedParserDict's fallbacks (updated to published), so a missing
// field reads as missing.
const feedparserRead = `
import calendar, json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
if d.bozo:
    print("bozo:", repr(d.bozo_exception), file=sys.stderr)
    sys.exit(1)
def ts(t):
    return calendar.timegm(t) if t else 0
items = []
for e in d.entries:
    encs = e.get("enclosures") or []  # derived from links by FeedParserDict
    enc = encs[0] if encs else {}
    items.append({
        "ID": dict.get(e, "id", ""),
        "Link": dict.get(e, "link", ""),
        "Title": dict.get(e, "title", ""),
        "Published": ts(dict.get(e, "published_parsed")),
        "Updated": ts(dict.get(e, "updated_parsed")),
        "Authors": [a.get("name") or a.get("email", "") for a in dict.get(e, "authors", [])],
        "Categories": [c.get("label") or c.get("term", "") for c in dict.get(e, "tags", [])],
        "Enclosure": {"URL": enc.get("href", ""), "Type": enc.get("type", ""), "Length": int(enc.get("length") or 0)},
    })
json.dump({"version": d.version, "items": items}, sys.stdout)
`

// readFeedparser reads an RSS or Atom document with Python's feedparser
// (6.0 reads no JSON Feed). Categories are what a reader shows: an Atom
// category's label, else its term.
func readFeedparser(t *testing.T, doc []byte) []readItem {
	t.Helper()
	py, err := pythonWith(t, "feedparser")
	requireTool(t, "python3 module feedparser (apt-get install python3-feedparser)", err)
	cmd := exec.CommandContext(t.Context(), py, "-c", feedparserRead)
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("feedparser: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		Version string
		Items   []struct {
			ID, Link, Title     string
			Published, Updated  int64
			Authors, Categories []string
			Enclosure           readEnclosure
		}
	}
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatalf("feedparser output: %v\n%s", err, js)
	}
	if got.Version == "" {
		t.Errorf("feedparser does not recognize the format")
	}
	items := make([]readItem, 0, len(got.Items))
	for _, it := range got.Items {
		items = append(items, readItem{ID: it.ID, Link: it.Link, Title: it.Title,
			Published: unixUTC(it.Published), Updated: unixUTC(it.Updated),
			Authors: it.Authors, Categories: it.Categories, Enclosure: it.Enclosure})
	}
	return items
}

// readGofeed reads a document of any of the three formats with gofeed. RSS
// authors are every dc:creator (gofeed's Authors holds the first only);
// Atom categories are labels, else terms (gofeed's rule); a JSON Feed
// item's enclosure is its "image", of which only the URL is known.
func readGofeed(t *testing.T, doc []byte) []readItem {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		t.Fatalf("gofeed: %v", err)
	}
	items := make([]readItem, 0, len(f.Items))
	for _, it := range f.Items {
		r := readItem{ID: it.GUID, Link: it.Link, Title: it.Title,
			Published: utcSecond(it.PublishedParsed), Updated: utcSecond(it.UpdatedParsed),
			Categories: it.Categories}
		if f.FeedType == "rss" && it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0 {
			r.Authors = it.DublinCoreExt.Creator
		} else {
			for _, p := range it.Authors {
				r.Authors = append(r.Authors, cmp.Or(p.Name, p.Email))
			}
		}
		switch {
		case len(it.Enclosures) > 0:
			e := it.Enclosures[0]
			n, _ := strconv.ParseInt(e.Length, 10, 64)
			r.Enclosure = readEnclosure{URL: e.URL, Type: e.Type, Length: n}
		case f.FeedType == "json" && it.Image != nil:
			r.Enclosure.URL = it.Image.URL
		}
		items = append(items, r)
	}
	return items
}
