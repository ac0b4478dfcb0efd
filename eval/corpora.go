package eval

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Page is one page of a development dataset (../shared/corpora): the
// HTML as distributed and its gold main content, one paragraph a line.
type Page struct {
	Dataset string // the dataset's folder name: "l3s-gn1", "dragnet", ...
	ID      string // the file name without extension
	HTML    []byte // nil for a page known only as scraped text
	// Text is the page's scraped text when it came that way (the project
	// corpus's .txt documents, made with Chromium's innerText).
	Text string
	// Title is the gold headline, when the dataset labels one.
	Title string
	Gold  string
	// Site is the page's host ("bbc.co.uk"), or "?<dataset>/<id>" when
	// the page does not tell: pages of one site share a fold.
	Site string
}

// Name is the page's dataset and id, "dragnet/R12".
func (p *Page) Name() string { return p.Dataset + "/" + p.ID }

// LoadDataset reads every page of one dataset folder: html/<id>.html and
// gold/<id>.txt.
func LoadDataset(dir string) ([]*Page, error) {
	htmls, err := filepath.Glob(filepath.Join(dir, "html", "*.html"))
	if err != nil {
		return nil, err
	}
	if len(htmls) == 0 {
		return nil, fmt.Errorf("%s: no html/*.html", dir)
	}
	name := filepath.Base(dir)
	pages := make([]*Page, 0, len(htmls))
	for _, hp := range htmls {
		id := strings.TrimSuffix(filepath.Base(hp), ".html")
		data, err := os.ReadFile(hp)
		if err != nil {
			return nil, err
		}
		gold, err := os.ReadFile(filepath.Join(dir, "gold", id+".txt"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", hp, err)
		}
		p := &Page{Dataset: name, ID: id, HTML: data, Gold: strings.TrimSpace(string(gold))}
		p.Site = siteOf(data)
		if p.Site == "" {
			p.Site = "?" + p.Name()
		}
		pages = append(pages, p)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return pages, nil
}

// ProjectDataset names the project's own corpus among the datasets.
const ProjectDataset = "project"

// LoadProject reads the project's labelled corpus (normalize/testdata/
// corpus and seeds) as pages of the dataset "project": modern pages in
// seven languages, most of them as Chromium's innerText.
func LoadProject(dirs ...string) ([]*Page, error) {
	docs, err := LoadCorpus(dirs...)
	if err != nil {
		return nil, err
	}
	pages := make([]*Page, 0, len(docs))
	for _, d := range docs {
		data, err := os.ReadFile(d.Path)
		if err != nil {
			return nil, err
		}
		p := &Page{Dataset: ProjectDataset, ID: strings.TrimSuffix(d.Name, filepath.Ext(d.Name)), Title: d.Gold.Title, Gold: d.Gold.Body}
		if d.Kind() == "html" {
			p.HTML = data
		} else {
			p.Text = string(data)
		}
		if p.Site = hostOf(d.Gold.URL); p.Site == "" {
			p.Site = "?" + p.Name()
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// LoadDatasets reads the named datasets under root.
func LoadDatasets(root string, names ...string) ([]*Page, error) {
	var all []*Page
	for _, n := range names {
		ps, err := LoadDataset(filepath.Join(root, n))
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	return all, nil
}

// DevDatasets are the folders of ../shared/corpora, in the order reports
// list them.
var DevDatasets = []string{"l3s-gn1", "dragnet", "cleaneval", "cleanportaleval"}

// reportOrder lists the datasets in report order.
var reportOrder = append(append([]string(nil), DevDatasets...), ProjectDataset)

// Fold is the cross-validation fold of a site, 0 to k-1: every page of a
// site falls in the same fold, so a model is never scored on a site it
// was trained on.
func Fold(site string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(site))
	return int(h.Sum32() % uint32(k))
}

var (
	// The page's own address: CleanEval's wrapper, canonical and og:url,
	// <base>.
	ownURL = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^\s*<text\s+id="([^"]+)"`),
		regexp.MustCompile(`(?i)<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)`),
		regexp.MustCompile(`(?i)<link[^>]+href=["']([^"']+)["'][^>]*rel=["']?canonical`),
		regexp.MustCompile(`(?i)<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)`),
		regexp.MustCompile(`(?i)<base[^>]+href=["']([^"']+)`),
	}
	absLink = regexp.MustCompile(`(?i)<a\s[^>]*href=["']?https?://([^/"'\s>:]+)`)
	// thirdParty are hosts pages link to that are never the page's own.
	thirdParty = regexp.MustCompile(`(?i)(^|\.)(facebook|twitter|google|doubleclick|digg|reddit|delicious|stumbleupon|addthis|linkedin|youtube|feedburner|w3|adobe|apple|yahoo|microsoft|myspace|technorati|newsvine|mixx|wordpress|blogger|feedblitz|sharethis|pinterest|tumblr|flickr|amazon|wikipedia|bit)\.`)
)

// siteOf names the site a page comes from: its own URL when it gives
// one, else the host most of its absolute links point to (a site links
// to itself most), "" when neither.
func siteOf(html []byte) string {
	for _, re := range ownURL {
		if m := re.FindSubmatch(html); m != nil {
			if h := hostOf(string(m[1])); h != "" {
				return h
			}
		}
	}
	count := map[string]int{}
	best, bestN := "", 2 // a single link says little
	for _, m := range absLink.FindAllSubmatch(html, -1) {
		h := registrable(string(bytes.ToLower(m[1])))
		if thirdParty.MatchString(h) {
			continue
		}
		count[h]++
		if n := count[h]; n > bestN || n == bestN && h < best {
			best, bestN = h, n
		}
	}
	return best
}

func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return registrable(strings.ToLower(u.Hostname()))
}

// registrable cuts a host to its last two labels, three under a
// two-letter country code with a short second level ("bbc.co.uk",
// "abc.net.au"): subdomains of one site are one site.
func registrable(host string) string {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	n := 2
	if l := len(labels); l >= 3 && len(labels[l-1]) == 2 && len(labels[l-2]) <= 3 {
		n = 3
	}
	if len(labels) <= n {
		return host
	}
	return strings.Join(labels[len(labels)-n:], ".")
}
