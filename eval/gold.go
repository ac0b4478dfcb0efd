// Package eval scores crier's normalization against a labelled corpus:
// body extraction the way the public article-extraction benchmark does it
// (4-word shingles), title, date, source, agencies, language, and story
// clustering by pairs.
package eval

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Gold is the hand-labelled truth for one document (see the corpus
// README for the format).
type Gold struct {
	Title    string
	Kicker   string
	Date     string // YYYY-MM-DD, or "" when the page shows none
	Source   string
	Agencies []string
	Language string
	Story    string
	URL      string
	Body     string
}

// Doc is one corpus document and its gold file.
type Doc struct {
	Name string // file name of the document
	Path string
	Gold Gold
}

// Kind is "html" or "text", from the document's extension.
func (d Doc) Kind() string {
	switch strings.ToLower(filepath.Ext(d.Name)) {
	case ".html", ".htm":
		return "html"
	}
	return "text"
}

// goldKeys are the header keys every gold file has.
var goldKeys = []string{"title", "kicker", "date", "source", "agencies", "language", "story", "url", "from"}

// ParseGold reads a gold file: "key: value" lines, a "---" line, the body.
func ParseGold(data []byte) (Gold, error) {
	head, body, ok := strings.Cut(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n---\n")
	if !ok {
		return Gold{}, fmt.Errorf("no '---' line between header and body")
	}
	kv := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return Gold{}, fmt.Errorf("header line %q: want key: value", line)
		}
		kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	for _, k := range goldKeys {
		if _, ok := kv[k]; !ok {
			return Gold{}, fmt.Errorf("missing key %q", k)
		}
	}
	g := Gold{
		Title: kv["title"], Kicker: kv["kicker"], Date: kv["date"], Source: kv["source"],
		Language: kv["language"], Story: kv["story"], URL: kv["url"], Body: strings.TrimSpace(body),
	}
	if g.Date == "none" {
		g.Date = ""
	}
	if _, err := time.Parse(time.DateOnly, g.Date); g.Date != "" && err != nil {
		return Gold{}, fmt.Errorf("date %q: want YYYY-MM-DD or none: %w", g.Date, err)
	}
	for _, a := range strings.Split(kv["agencies"], ",") {
		if a = strings.TrimSpace(a); a != "" {
			g.Agencies = append(g.Agencies, a)
		}
	}
	if g.Title == "" || g.Language == "" || g.Story == "" || g.Body == "" {
		return Gold{}, fmt.Errorf("title, language, story and body must not be empty")
	}
	return g, nil
}

// LoadCorpus reads every document that has a gold file beside it in dirs.
func LoadCorpus(dirs ...string) ([]Doc, error) {
	var docs []Doc
	for _, dir := range dirs {
		golds, err := filepath.Glob(filepath.Join(dir, "*.gold"))
		if err != nil {
			return nil, err
		}
		if len(golds) == 0 {
			return nil, fmt.Errorf("%s: no .gold files", dir)
		}
		for _, gp := range golds {
			data, err := os.ReadFile(gp)
			if err != nil {
				return nil, err
			}
			g, err := ParseGold(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", gp, err)
			}
			base := strings.TrimSuffix(gp, ".gold")
			var path string
			for _, ext := range []string{".txt", ".html", ".htm"} {
				if _, err := os.Stat(base + ext); err == nil {
					path = base + ext
					break
				}
			}
			if path == "" {
				return nil, fmt.Errorf("%s: no document beside it (.txt or .html)", gp)
			}
			docs = append(docs, Doc{Name: filepath.Base(path), Path: path, Gold: g})
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Name < docs[j].Name })
	return docs, nil
}
