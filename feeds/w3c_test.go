package feeds_test

// The W3C Feed Validation Service (https://validator.w3.org/feed/, source
// github.com/w3c/feedvalidator) is not packaged here, so these tests assert
// its rules on every feed crier serves. Each rule names the validator's
// message class and where it is raised, so a failure reads like the
// validator's report. Paths are under src/feedvalidator/ of that
// repository; messages are in i18n/en.py.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"

	"github.com/crier/crier/article"
	"github.com/crier/crier/feeds"
)

// Namespaces of the elements the rules look at.
const (
	nsAtomXML    = "http://www.w3.org/2005/Atom"
	nsDCXML      = "http://purl.org/dc/elements/1.1/"
	nsContentXML = "http://purl.org/rss/1.0/modules/content/"
	nsXML        = "http://www.w3.org/XML/1998/namespace" // xml:lang
)

// hubURL is the WebSub hub the W3C test's site advertises.
const hubURL = "https://hub.example/websub"

// node is any XML element with its attributes, text and children in
// document order: the rules are about structure (which element holds
// which, in which order), so feeds are parsed, not searched as strings.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []*node    `xml:",any"`
}

// parseNode parses doc, whose root element must be root; nil, reported,
// when it is not well-formed or has another root.
func parseNode(r w3cReport, doc []byte, root xml.Name) *node {
	r.t.Helper()
	var n node
	if err := xml.Unmarshal(doc, &n); err != nil {
		r.fail("SAXError", "XML parsing error: %v", err)
		return nil
	}
	if n.XMLName != root {
		r.fail("UndefinedElement", "root element %s", n.name())
		return nil
	}
	return &n
}

// attr returns the attribute named local in no namespace.
func (n *node) attr(local string) (string, bool) {
	return n.attrNS("", local)
}

func (n *node) attrNS(space, local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// all returns the children named local in namespace space ("" for RSS's
// own elements, which are in no namespace).
func (n *node) all(space, local string) []*node {
	var out []*node
	for _, c := range n.Children {
		if c.XMLName.Space == space && c.XMLName.Local == local {
			out = append(out, c)
		}
	}
	return out
}

func (n *node) first(space, local string) *node {
	if all := n.all(space, local); len(all) > 0 {
		return all[0]
	}
	return nil
}

func (n *node) name() string {
	if n.XMLName.Space == "" || n.XMLName.Space == nsAtomXML {
		return n.XMLName.Local
	}
	return n.XMLName.Space + " " + n.XMLName.Local
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.Children {
		c.walk(f)
	}
}

// The validator's patterns (validators.py), in RE2 syntax.
var (
	// rfc2396_full: a full URI, only URI characters (InvalidFullLink,
	// InvalidUriChar, UriNotIri for non-ASCII).
	uriFullRE = regexp.MustCompile(`^[a-zA-Z][0-9a-zA-Z+\-.]*:(//)?[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,#]+$`)
	// rfc2396.urn_re (InvalidURN).
	urnRE = regexp.MustCompile(`^[Uu][Rr][Nn]:[a-zA-Z0-9][a-zA-Z0-9-]{1,31}:([a-zA-Z0-9()+,.:=@;$_!*'\-]|%[0-9A-Fa-f]{2})+$`)
	// httpURL.http_re: what an enclosure url must be (InvalidURLAttribute).
	httpURLRE = regexp.MustCompile(`(?i)^https?://(([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([A-Z0-9\-]+\.)+))([A-Z0-9][-A-Z0-9]*)(:\d+)?(/|$)`)
	// mime_re (InvalidMIMEAttribute, InvalidMIMEType).
	mimeRE = regexp.MustCompile(`^[^\s()<>,;:\\"/\[\]?=]+/[^\s()<>,;:\\"/\[\]?=]+(\s*;\s*[^\s()<>,;:\\"/\[\]?=]+=("(\\"|[^"])*"|[^\s()<>,;:\\"/\[\]?=]+))*$`)
	// rfc822.rfc2822_re with the zones narrowed to numeric or GMT: the
	// validator calls the others ProblematicalRFC822Date or accepts US
	// zones only, and the issue asks for a 4-digit year and a numeric or
	// GMT zone (InvalidRFC2822Date).
	rfc2822RE = regexp.MustCompile(`^((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d\d? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d\d\d \d\d:\d\d(:\d\d)? ([+-]\d\d[03]0|GMT)$`)
	// rfc3339.iso8601_re (InvalidRFC3339Date).
	rfc3339RE = regexp.MustCompile(`^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*)?(Z|[+-]\d\d:\d\d)$`)
	// nonhtml.htmlEndTag_re: an end tag in text (ContainsHTML).
	htmlEndTagRE = regexp.MustCompile(`</(\w+)>`)
	// absUrlMixin.absref_re: a reference with a scheme (ContainsRelRef).
	absRefRE = regexp.MustCompile(`^\w+:`)
	// An RSS <author>: an address, optionally with a name in parentheses
	// (email_with_name: InvalidContact, MissingRealName).
	rssAuthorRE = regexp.MustCompile(`^\S+@\S+(\s+\(.+\))?$`)
)

// Link relations link.py accepts (validRelations; UnregisteredAtomLinkRel
// otherwise, unless the relation is itself a full URI), and the RFC 5005
// ones it refuses on an entry (FeedHistoryRelInEntry).
var (
	atomRels = []string{"alternate", "current", "describedby", "edit", "edit-media", "enclosure", "first",
		"hub", "last", "license", "next", "next-archive", "payment", "prev-archive", "previous", "related",
		"replies", "search", "self", "service", "up", "via"}
	feedHistoryRels = []string{"current", "first", "last", "next", "next-archive", "prev-archive", "previous"}
)

// reporter is what the rules report to: a *testing.T, or a recorder when
// the rules themselves are tested.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// recorder keeps what the rules report.
type recorder struct{ msgs []string }

func (*recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// w3cReport reports rule violations in one document, each with the
// validator's message class.
type w3cReport struct {
	t    reporter
	name string
}

func (r w3cReport) fail(class, format string, args ...any) {
	r.t.Helper()
	r.t.Errorf("%s: %s: %s", r.name, class, fmt.Sprintf(format, args...))
}

// fullURI: rfc2396_full (validators.py), the rule for links, guids and ids.
func (r w3cReport) fullURI(where, v string) {
	r.t.Helper()
	if strings.HasPrefix(strings.ToLower(v), "urn:") {
		if !urnRE.MatchString(v) {
			r.fail("InvalidURN", "%s %q", where, v)
		}
		return
	}
	if !uriFullRE.MatchString(v) {
		r.fail("InvalidFullLink", "%s %q must be a full and valid URL", where, v)
	}
}

// plausible: implausible_822 and implausible_8601 (validators.py) warn
// about dates before 1990 or more than ten minutes ahead (ImplausibleDate).
func (r w3cReport) plausible(where string, d time.Time) {
	r.t.Helper()
	if d.Year() < 1990 || d.After(time.Now().Add(10*time.Minute)) {
		r.fail("ImplausibleDate", "%s %s", where, d)
	}
}

// rfc822: rfc822.validate (validators.py): RFC 2822 syntax, the right day
// of the week (IncorrectDOW), a plausible date.
func (r w3cReport) rfc822(where, v string) {
	r.t.Helper()
	if !rfc2822RE.MatchString(v) {
		r.fail("InvalidRFC2822Date", "%s %q", where, v)
		return
	}
	layout := "Mon, 02 Jan 2006 15:04:05 -0700"
	if strings.HasSuffix(v, "GMT") {
		layout = "Mon, 02 Jan 2006 15:04:05 MST"
	}
	d, err := time.Parse(layout, v)
	if err != nil {
		r.fail("InvalidRFC2822Date", "%s %q: %v", where, v, err)
		return
	}
	if d.Weekday().String()[:3] != v[:3] {
		r.fail("IncorrectDOW", "%s %q is a %s", where, v, d.Weekday())
	}
	r.plausible(where, d)
}

// rfc3339: rfc3339.validate (validators.py).
func (r w3cReport) rfc3339(where, v string) {
	r.t.Helper()
	d, err := time.Parse(time.RFC3339, v)
	if !rfc3339RE.MatchString(v) || err != nil {
		r.fail("InvalidRFC3339Date", "%s %q", where, v)
		return
	}
	r.plausible(where, d)
}

// lang: iso639 (validators.py) checks the primary subtag against ISO 639
// (InvalidLanguage); the whole tag must also be well-formed BCP 47, which
// xml:lang (RFC 4287 §2, XML 1.0 §2.12) and JSON Feed's language need.
func (r w3cReport) lang(where, v string) {
	r.t.Helper()
	primary, _, _ := strings.Cut(v, "-")
	if _, err := language.ParseBase(primary); err != nil || len(primary) < 2 || len(primary) > 3 {
		r.fail("InvalidLanguage", "%s %q must be an ISO-639 language code", where, v)
	}
	if _, err := language.Parse(v); err != nil {
		r.fail("InvalidLanguage", "%s %q is not a well-formed language tag: %v", where, v, err)
	}
}

// badCharacters: eater.characters and startElementNS (validators.py) flag
// C1 controls (U+0080 to U+009F) and U+FFFD, the mark of a decoding error,
// in any text or attribute (BadCharacters).
func (r w3cReport) badCharacters(root *node) {
	r.t.Helper()
	check := func(where, s string) {
		if i := strings.IndexFunc(s, func(c rune) bool { return (c >= 0x80 && c <= 0x9f) || c == 0xfffd }); i >= 0 {
			r.fail("BadCharacters", "%s contains %U", where, []rune(s[i:])[0])
		}
	}
	root.walk(func(n *node) {
		check(n.name(), n.Text)
		for _, a := range n.Attrs {
			check(n.name()+" @"+a.Name.Local, a.Value)
		}
	})
}

// noDuplicates: noduplicates (validators.py) allows these children once
// (DuplicateElement; DuplicateEnclosure for enclosures).
func (r w3cReport) noDuplicates(n *node, space string, locals ...string) {
	r.t.Helper()
	for _, l := range locals {
		if k := len(n.all(space, l)); k > 1 {
			r.fail("DuplicateElement", "%s contains %d %s", n.name(), k, l)
		}
	}
}

// nonHTML: nonhtml.validate (validators.py): text that must not be HTML
// holds no end tag of an HTML element (ContainsHTML; in Atom text
// constructs of type "text", ContainsUndeclaredHTML).
func (r w3cReport) nonHTML(class, where, v string) {
	r.t.Helper()
	for _, m := range htmlEndTagRE.FindAllStringSubmatch(v, -1) {
		if atom.Lookup([]byte(strings.ToLower(m[1]))) != 0 {
			r.fail(class, "%s %q contains </%s>", where, v, m[1])
			return
		}
	}
}

// Elements safeHtml lets through are HTMLValidator.acceptable_elements;
// these are the HTML elements it reports (SecurityRisk).
var unsafeElements = []string{"applet", "base", "basefont", "body", "embed", "frame", "frameset", "head",
	"html", "iframe", "isindex", "link", "listing", "meta", "noframes", "object", "param", "plaintext",
	"script", "style", "title", "xmp"}

// safeHTML: safeHtml (validators.py) on escaped HTML: no unsafe element
// (SecurityRisk), no event handler attribute (SecurityRiskAttr; style is
// held to the same, crier has no use for it), and absolute URLs in <a
// href> and <img src> (ContainsRelRef), none of them javascript:.
func (r w3cReport) safeHTML(where, v string) {
	r.t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(v), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		r.fail("NotHtml", "%s: %v", where, err)
		return
	}
	var visit func(*html.Node)
	visit = func(h *html.Node) {
		if h.Type == html.ElementNode {
			if slices.Contains(unsafeElements, h.Data) {
				r.fail("SecurityRisk", "%s should not contain %s tag", where, h.Data)
			}
			for _, a := range h.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					r.fail("SecurityRiskAttr", "%s should not contain %s attribute", where, a.Key)
				}
				if (h.Data == "a" && a.Key == "href") || (h.Data == "img" && a.Key == "src") {
					ref := strings.TrimSpace(a.Val)
					if !absRefRE.MatchString(ref) {
						r.fail("ContainsRelRef", "%s should not contain relative URL references: %q", where, ref)
					} else if s := strings.ToLower(ref); strings.HasPrefix(s, "javascript:") || strings.HasPrefix(s, "vbscript:") {
						r.fail("SecurityRisk", "%s links to %q", where, ref)
					}
				}
			}
		}
		for c := h.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	for _, h := range nodes {
		visit(h)
	}
}

// selfLink: an absolute self link equal to the URL the document was
// fetched from, of a feed media type. link.py: RelativeSelf,
// SelfDoesntMatchLocation, SelfNotAtom; MissingSelf / MissingAtomSelfLink
// when there is none.
func (r w3cReport) selfLink(links []*node, fetched string) {
	r.t.Helper()
	var selves []*node
	for _, l := range links {
		if rel, _ := l.attr("rel"); rel == "self" {
			selves = append(selves, l)
		}
	}
	if len(selves) != 1 {
		r.fail("MissingSelf", "%d links with rel=\"self\", want 1", len(selves))
		return
	}
	href, _ := selves[0].attr("href")
	if u, err := url.Parse(href); err != nil || !u.IsAbs() || u.Host == "" {
		r.fail("RelativeSelf", "self link %q", href)
	}
	if href != fetched {
		r.fail("SelfDoesntMatchLocation", "self link %q, fetched from %q", href, fetched)
	}
	if typ, _ := selves[0].attr("type"); !slices.Contains([]string{"application/atom+xml", "application/rss+xml"}, typ) {
		r.fail("SelfNotAtom", "self link type %q", typ)
	}
}

// hubLink: the issue wants the WebSub hub inside every feed; link.py
// accepts rel="hub" (validRelations).
func (r w3cReport) hubLink(links []*node, hub string) {
	r.t.Helper()
	for _, l := range links {
		rel, _ := l.attr("rel")
		href, _ := l.attr("href")
		if rel == "hub" && href == hub {
			return
		}
	}
	r.fail("WebSub", "no link rel=\"hub\" href=%q (W3C WebSub §4: discovery)", hub)
}

// checkRSS asserts the validator's RSS 2.0 rules (rss.py, channel.py,
// item.py) on doc, fetched from fetched.
func checkRSS(t reporter, name string, doc []byte, fetched, hub string) {
	t.Helper()
	r := w3cReport{t, name}
	root := parseNode(r, doc, xml.Name{Local: "rss"})
	if root == nil {
		return
	}
	if v, _ := root.attr("version"); v != "2.0" {
		r.fail("ObsoleteVersion", "rss version %q", v)
	}
	r.badCharacters(root)
	channels := root.all("", "channel")
	if len(channels) != 1 {
		r.fail("MissingElement", "%d channels", len(channels))
		return
	}
	ch := channels[0]
	// channel.py: title, link and description are required, once.
	for _, el := range []string{"title", "link", "description"} {
		if ch.first("", el) == nil {
			r.fail("MissingElement", "Missing channel element: %s", el)
		}
	}
	r.noDuplicates(ch, "", "title", "link", "description", "language", "pubDate", "lastBuildDate", "generator")
	if l := ch.first("", "link"); l != nil {
		r.fullURI("channel link", l.Text)
	}
	if l := ch.first("", "language"); l != nil {
		r.lang("channel language", l.Text)
	}
	for _, el := range []string{"pubDate", "lastBuildDate"} {
		if d := ch.first("", el); d != nil {
			r.rfc822("channel "+el, d.Text)
		}
	}
	links := ch.all(nsAtomXML, "link")
	r.selfLink(links, fetched)
	if hub != "" {
		r.hubLink(links, hub)
	}
	for _, l := range links {
		href, _ := l.attr("href")
		r.fullURI("atom:link href", href)
	}

	guids := map[string]bool{}
	for i, it := range ch.all("", "item") {
		where := fmt.Sprintf("item %d", i)
		title, desc := it.first("", "title"), it.first("", "description")
		// item.py item.validate.
		if title == nil && desc == nil {
			r.fail("ItemMustContainTitleOrDescription", "%s", where)
		}
		if title != nil {
			if strings.TrimSpace(title.Text) == "" {
				r.fail("NotBlank", "%s title should not be blank", where)
			}
			r.nonHTML("ContainsHTML", where+" title", title.Text)
		}
		r.noDuplicates(it, "", "title", "link", "description", "pubDate", "guid", "author", "source", "comments")
		if k := len(it.all("", "enclosure")); k > 1 {
			r.fail("DuplicateEnclosure", "%s contains %d enclosures", where, k)
		}
		r.noDuplicates(it, nsContentXML, "encoded")
		if l := it.first("", "link"); l != nil {
			r.fullURI(where+" link", l.Text)
		}
		if desc != nil {
			r.safeHTML(where+" description", desc.Text)
		}
		// item.py do_content_encoded: NeedDescriptionBeforeContent.
		if enc := it.first(nsContentXML, "encoded"); enc != nil {
			r.safeHTML(where+" content:encoded", enc.Text)
			if i := slices.Index(it.Children, enc); desc == nil || slices.Index(it.Children, desc) > i {
				r.fail("NeedDescriptionBeforeContent", "%s: content:encoded without a description before it", where)
			}
		}
		// item.py: MissingGuid, guid.validate, unique('guid').
		g := it.first("", "guid")
		if g == nil {
			r.fail("MissingGuid", "%s should contain a guid element", where)
		} else {
			perma, ok := g.attr("isPermaLink")
			if ok && perma != "true" && perma != "false" {
				r.fail("InvalidBooleanAttribute", "%s guid isPermaLink=%q", where, perma)
			}
			isURL := httpURLRE.MatchString(g.Text) && uriFullRE.MatchString(g.Text)
			if perma != "false" && !isURL {
				r.fail("InvalidHttpGUID", "%s guid %q must be a full URL, unless isPermaLink attribute is false", where, g.Text)
			}
			if perma == "false" {
				r.fullURI(where+" guid", g.Text)
			}
			if guids[g.Text] {
				r.fail("DuplicateValue", "%s guid %q repeats an earlier one", where, g.Text)
			}
			guids[g.Text] = true
		}
		// item.py do_author: email_with_name; crier has no email
		// addresses, so no <author> at all; DuplicateItemSemantics with
		// dc:creator.
		for _, a := range it.all("", "author") {
			if !rssAuthorRE.MatchString(strings.TrimSpace(a.Text)) {
				r.fail("InvalidContact", "%s author %q must be an email address", where, a.Text)
			}
			if it.first(nsDCXML, "creator") != nil {
				r.fail("DuplicateItemSemantics", "%s has both author and dc:creator", where)
			}
		}
		for _, c := range it.all(nsDCXML, "creator") {
			if strings.TrimSpace(c.Text) == "" {
				r.fail("NotBlank", "%s dc:creator should not be blank", where)
			}
		}
		// item.py rss20Item.do_pubDate: rfc822; DuplicateItemSemantics
		// with dc:date or atom:published.
		if d := it.first("", "pubDate"); d != nil {
			r.rfc822(where+" pubDate", d.Text)
			if it.first(nsDCXML, "date") != nil || it.first(nsAtomXML, "published") != nil {
				r.fail("DuplicateItemSemantics", "%s has pubDate and dc:date or atom:published", where)
			}
		}
		// item.py category: nonhtml, nonblank, only a domain attribute.
		for _, c := range it.all("", "category") {
			if strings.TrimSpace(c.Text) == "" {
				r.fail("NotBlank", "%s category should not be blank", where)
			}
			r.nonHTML("ContainsHTML", where+" category", c.Text)
			for _, a := range c.Attrs {
				if a.Name.Local != "domain" {
					r.fail("UnexpectedAttribute", "%s category @%s", where, a.Name.Local)
				}
			}
		}
		// item.py source: a url attribute, a full URL; nonhtml text.
		for _, s := range it.all("", "source") {
			u, ok := s.attr("url")
			if !ok {
				r.fail("MissingAttribute", "%s source attribute: url", where)
			}
			r.fullURI(where+" source url", u)
			r.nonHTML("ContainsHTML", where+" source", s.Text)
		}
		// item.py enclosure.prevalidate: length a non-negative integer,
		// a MIME type, an http(s) URL.
		for _, e := range it.all("", "enclosure") {
			if l, ok := e.attr("length"); !ok {
				r.fail("MissingAttribute", "%s enclosure attribute: length", where)
			} else if n, err := strconv.ParseInt(l, 10, 64); err != nil || n < 0 {
				r.fail("InvalidIntegerAttribute", "%s enclosure length %q", where, l)
			}
			if typ, ok := e.attr("type"); !ok || !mimeRE.MatchString(typ) {
				r.fail("InvalidMIMEAttribute", "%s enclosure type %q", where, typ)
			}
			if u, ok := e.attr("url"); !ok || !httpURLRE.MatchString(u) || !uriFullRE.MatchString(u) {
				r.fail("InvalidURLAttribute", "%s enclosure url %q must be a full URL", where, u)
			}
		}
	}
}

// checkAtom asserts the validator's Atom 1.0 rules (feed.py, entry.py,
// link.py, content.py, author.py; RFC 4287) on doc, fetched from fetched.
func checkAtom(t reporter, name string, doc []byte, fetched, hub string) {
	t.Helper()
	r := w3cReport{t, name}
	f := parseNode(r, doc, xml.Name{Space: nsAtomXML, Local: "feed"})
	if f == nil {
		return
	}
	r.badCharacters(f)
	// RFC 4287 §4.1.1: id, title, updated exactly once (MissingElement,
	// DuplicateElement).
	once := func(n *node, where string, els ...string) {
		for _, el := range els {
			if k := len(n.all(nsAtomXML, el)); k != 1 {
				r.fail("MissingElement", "%s has %d %s, want 1", where, k, el)
			}
		}
	}
	once(f, "feed", "id", "title", "updated")
	if id := f.first(nsAtomXML, "id"); id != nil {
		r.fullURI("feed id", id.Text)
	}
	if u := f.first(nsAtomXML, "updated"); u != nil {
		r.rfc3339("feed updated", u.Text)
	}
	if l, ok := f.attrNS(nsXML, "lang"); ok {
		r.lang("feed xml:lang", l)
	}
	textConstruct(r, "feed", f)
	links := f.all(nsAtomXML, "link")
	r.selfLink(links, fetched)
	if hub != "" {
		r.hubLink(links, hub)
	}
	atomLinks(r, "feed", links, false)
	feedHasAuthor := len(f.all(nsAtomXML, "author")) > 0
	authors(r, "feed", f)

	ids, updated := map[string]bool{}, map[string]bool{}
	for i, e := range f.all(nsAtomXML, "entry") {
		where := fmt.Sprintf("entry %d", i)
		once(e, where, "id", "title", "updated")
		// DuplicateUpdated: "Two entries with the same value for
		// atom:updated" (a warning).
		if u := e.first(nsAtomXML, "updated"); u != nil {
			if updated[u.Text] {
				r.fail("DuplicateUpdated", "two entries updated %s", u.Text)
			}
			updated[u.Text] = true
		}
		r.noDuplicates(e, nsAtomXML, "published", "summary", "content", "rights", "source")
		if id := e.first(nsAtomXML, "id"); id != nil {
			r.fullURI(where+" id", id.Text)
			// feed.py: DuplicateEntries.
			if ids[id.Text] {
				r.fail("DuplicateEntries", "two entries with id %q", id.Text)
			}
			ids[id.Text] = true
		}
		for _, el := range []string{"updated", "published"} {
			if d := e.first(nsAtomXML, el); d != nil {
				r.rfc3339(where+" "+el, d.Text)
			}
		}
		if l, ok := e.attrNS(nsXML, "lang"); ok {
			r.lang(where+" xml:lang", l)
		}
		textConstruct(r, where, e)
		// RFC 4287 §4.1.2: an entry has an author unless the feed has
		// one (entry.py: MissingElement author).
		if !feedHasAuthor && len(e.all(nsAtomXML, "author")) == 0 {
			r.fail("MissingElement", "%s has no author and the feed none", where)
		}
		authors(r, where, e)
		elinks := e.all(nsAtomXML, "link")
		atomLinks(r, where, elinks, true)
		// entry.py: MissingContentOrAlternate.
		hasAlt := slices.ContainsFunc(elinks, func(l *node) bool {
			rel, ok := l.attr("rel")
			return !ok || rel == "alternate"
		})
		if e.first(nsAtomXML, "content") == nil && !hasAlt {
			r.fail("MissingContentOrAlternate", "%s", where)
		}
		// category.py: term is required; label is nonhtml.
		for _, c := range e.all(nsAtomXML, "category") {
			if term, _ := c.attr("term"); strings.TrimSpace(term) == "" {
				r.fail("MissingAttribute", "%s category attribute: term", where)
			}
			if label, ok := c.attr("label"); ok {
				r.nonHTML("ContainsHTML", where+" category label", label)
			}
		}
	}
}

// textConstruct: content.py textConstruct and content: type is text, html
// or xhtml (InvalidTextType); text holds no HTML (ContainsUndeclaredHTML);
// html is safe HTML with absolute URLs (SecurityRisk, ContainsRelRef).
func textConstruct(r w3cReport, where string, n *node) {
	r.t.Helper()
	for _, el := range []string{"title", "subtitle", "summary", "rights", "content"} {
		for _, c := range n.all(nsAtomXML, el) {
			typ, ok := c.attr("type")
			if !ok {
				typ = "text"
			}
			switch {
			case typ == "text":
				r.nonHTML("ContainsUndeclaredHTML", where+" "+el, c.Text)
			case typ == "html":
				r.safeHTML(where+" "+el, c.Text)
			case typ == "xhtml":
			case el == "content" && mimeRE.MatchString(typ):
			default:
				r.fail("InvalidTextType", "%s %s type %q", where, el, typ)
			}
			if el == "title" && strings.TrimSpace(c.Text) == "" {
				r.fail("NotBlank", "%s title should not be blank", where)
			}
		}
	}
}

// authors: author.py: a person has a non-blank name, once.
func authors(r w3cReport, where string, n *node) {
	r.t.Helper()
	for _, a := range n.all(nsAtomXML, "author") {
		names := a.all(nsAtomXML, "name")
		if len(names) != 1 || strings.TrimSpace(names[0].Text) == "" {
			r.fail("MissingElement", "%s author needs one non-blank name", where)
		}
	}
}

// atomLinks: link.py: an href (MissingHref) that is a valid URI, a
// registered relation (UnregisteredAtomLinkRel), no RFC 5005 relation on
// an entry (FeedHistoryRelInEntry), no text (AtomLinkNotEmpty), a MIME
// type, a non-negative length; alternate links unique per type and
// hreflang (feed.py, entry.py: DuplicateAtomLink).
func atomLinks(r w3cReport, where string, links []*node, entry bool) {
	r.t.Helper()
	alternates := map[string]bool{}
	for _, l := range links {
		rel, ok := l.attr("rel")
		if !ok {
			rel = "alternate"
		}
		href, ok := l.attr("href")
		if !ok {
			r.fail("MissingHref", "%s link rel=%q", where, rel)
		}
		r.fullURI(where+" link href", href)
		if !slices.Contains(atomRels, rel) && !uriFullRE.MatchString(rel) {
			r.fail("UnregisteredAtomLinkRel", "%s link rel=%q", where, rel)
		}
		if entry && slices.Contains(feedHistoryRels, rel) {
			r.fail("FeedHistoryRelInEntry", "%s link rel=%q", where, rel)
		}
		if strings.TrimSpace(l.Text) != "" || len(l.Children) > 0 {
			r.fail("AtomLinkNotEmpty", "%s link rel=%q has content", where, rel)
		}
		typ, hasType := l.attr("type")
		if hasType && !mimeRE.MatchString(typ) {
			r.fail("InvalidMIMEType", "%s link type %q", where, typ)
		}
		if n, ok := l.attr("length"); ok {
			if v, err := strconv.ParseInt(n, 10, 64); err != nil || v < 0 {
				r.fail("InvalidNonNegativeInteger", "%s link length %q", where, n)
			}
		}
		if hl, ok := l.attr("hreflang"); ok {
			r.lang(where+" link hreflang", hl)
		}
		if rel == "enclosure" && (!hasType || !httpURLRE.MatchString(href)) {
			r.fail("MissingAttribute", "%s enclosure link needs an http(s) href and a type, has %q %q", where, href, typ)
		}
		if rel == "alternate" {
			hl, _ := l.attr("hreflang")
			if key := typ + "|" + hl; alternates[key] {
				r.fail("DuplicateAtomLink", "%s: alternate links with type %q and hreflang %q", where, typ, hl)
			} else {
				alternates[key] = true
			}
		}
	}
}

// checkJSONFeed asserts JSON Feed 1.1 (https://jsonfeed.org/version/1.1)
// beyond its schema: what the W3C validator does not read, but readers
// rely on.
func checkJSONFeed(t reporter, name string, doc []byte, fetched, hub string) {
	t.Helper()
	r := w3cReport{t, name}
	var f map[string]any
	if err := json.Unmarshal(doc, &f); err != nil {
		r.fail("JSON", "%v", err)
		return
	}
	if f["version"] != "https://jsonfeed.org/version/1.1" {
		r.fail("version", "%v, want https://jsonfeed.org/version/1.1", f["version"])
	}
	if s, _ := f["title"].(string); strings.TrimSpace(s) == "" {
		r.fail("title", "required, got %v", f["title"])
	}
	feedURL, _ := f["feed_url"].(string)
	if u, err := url.Parse(feedURL); err != nil || !u.IsAbs() || feedURL != fetched {
		r.fail("feed_url", "%q, fetched from %q", feedURL, fetched)
	}
	if home, ok := f["home_page_url"].(string); ok {
		r.fullURI("home_page_url", home)
	}
	if _, ok := f["author"]; ok {
		r.fail("author", `the feed has JSON Feed 1.0's "author"; 1.1 has "authors"`)
	}
	if l, ok := f["language"].(string); ok {
		r.lang("language", l)
	}
	if hub != "" {
		hubs, _ := f["hubs"].([]any)
		if !slices.ContainsFunc(hubs, func(h any) bool {
			m, _ := h.(map[string]any)
			return m["url"] == hub && strings.EqualFold(fmt.Sprint(m["type"]), "WebSub")
		}) {
			r.fail("hubs", "no {\"type\": \"WebSub\", \"url\": %q} in %v", hub, f["hubs"])
		}
	}
	items, ok := f["items"].([]any)
	if !ok {
		r.fail("items", "required, even when empty; got %v", f["items"])
	}
	ids := map[string]bool{}
	for i, v := range items {
		where := fmt.Sprintf("item %d", i)
		it, _ := v.(map[string]any)
		id, _ := it["id"].(string)
		if id == "" {
			r.fail("id", "%s has no id", where)
		}
		if ids[id] {
			r.fail("id", "%s repeats id %q", where, id)
		}
		ids[id] = true
		_, hasHTML := it["content_html"].(string)
		_, hasText := it["content_text"].(string)
		if !hasHTML && !hasText {
			r.fail("content", "%s has neither content_html nor content_text", where)
		}
		if s, ok := it["content_html"].(string); ok {
			r.safeHTML(where+" content_html", s)
		}
		if _, ok := it["author"]; ok {
			r.fail("author", `%s has JSON Feed 1.0's "author"; 1.1 has "authors"`, where)
		}
		for _, k := range []string{"url", "image", "external_url"} {
			if s, ok := it[k].(string); ok {
				r.fullURI(where+" "+k, s)
			}
		}
		for _, k := range []string{"date_published", "date_modified"} {
			if s, ok := it[k].(string); ok {
				r.rfc3339(where+" "+k, s)
			}
		}
		if l, ok := it["language"].(string); ok {
			r.lang(where+" language", l)
		}
		if as, ok := it["authors"].([]any); ok {
			for _, a := range as {
				m, _ := a.(map[string]any)
				if m["name"] == nil && m["url"] == nil && m["avatar"] == nil {
					r.fail("authors", "%s: an author needs a name, url or avatar: %v", where, a)
				}
			}
		}
	}
}

// linkHeader returns the targets of each relation in HTTP Link headers
// (RFC 8288).
func linkHeader(values []string) map[string][]string {
	out := map[string][]string{}
	re := regexp.MustCompile(`<([^>]*)>\s*((?:;\s*[^;,]+)*)`)
	relRE := regexp.MustCompile(`(?i)rel\s*=\s*"?([^";,]+)"?`)
	for _, v := range values {
		for _, m := range re.FindAllStringSubmatch(v, -1) {
			for _, p := range relRE.FindAllStringSubmatch(m[2], -1) {
				for _, rel := range strings.Fields(p[1]) {
					out[strings.ToLower(rel)] = append(out[strings.ToLower(rel)], m[1])
				}
			}
		}
	}
	return out
}

// TestW3C asserts the W3C Feed Validation Service's rules on every feed
// kind in every format, hostile content included, with a hub configured,
// and on the empty feeds of an empty stream.
func TestW3C(t *testing.T) {
	e := newEnv(t)
	c := newReadersCorpus()
	for _, a := range c.all() {
		e.publish(a)
	}
	// What revisions and retractions add: an undated article (no
	// pubDate, published or date_published) and a retracted one (an Atom
	// at:deleted-entry) in the feeds of English, the BBC and all.
	undated := newArticle("Undated", "en", "BBC", "https://bbc.example/undated", t0.Add(-48*time.Hour))
	undated.PublishedEstimated = true
	gone := newArticle("Gone", "en", "BBC", "https://bbc.example/gone", t0.Add(time.Minute))
	e.publish(undated)
	e.publish(gone)
	e.publish(&article.Article{Schema: 1, ID: gone.ID, Language: "en", Source: "BBC", Revision: 2,
		Retracted: t0.Add(time.Hour), RetractionReason: "Published by mistake", Body: []string{}})
	s := e.startSite(feeds.Options{HubURL: hubURL})
	for _, a := range append(c.all(), undated) {
		s.waitFor(a.ID)
	}
	if err := s.svc.WaitForRevision(t.Context(), gone.ID, 2); err != nil {
		t.Fatal(err)
	}
	if atom := s.get("/feeds/all.atom").body; !bytes.Contains(atom, []byte("at:deleted-entry")) {
		t.Fatal("the W3C test's all.atom has no deleted-entry to check")
	}
	type feed struct{ name, path string } // path has %s for the extension
	list := []feed{{"all-limit", "/feeds/all.%s?limit=2"}}
	for _, f := range readerFeeds(c) {
		list = append(list, feed{f.name, f.path + ".%s"})
	}
	check := map[string]func(reporter, string, []byte, string, string){
		"rss": checkRSS, "atom": checkAtom, "json": checkJSONFeed,
	}
	for _, f := range list {
		for _, ext := range []string{"rss", "atom", "json"} {
			path := fmt.Sprintf(f.path, ext)
			t.Run(f.name+"."+ext, func(t *testing.T) {
				r := s.get(path)
				fetched := base + path
				check[ext](t, path, r.body, fetched, hubURL)
				t.Run("http Link", func(t *testing.T) {
					links := linkHeader(r.header.Values("Link"))
					if !slices.Contains(links["hub"], hubURL) {
						t.Errorf("%s: no Link: <%s>; rel=\"hub\" header (W3C WebSub §4), got %q", path, hubURL, r.header.Values("Link"))
					}
					if !slices.Contains(links["self"], fetched) {
						t.Errorf("%s: no Link: <%s>; rel=\"self\" header (W3C WebSub §4), got %q", path, fetched, r.header.Values("Link"))
					}
				})
			})
		}
	}

	t.Run("empty", func(t *testing.T) {
		empty := newEnv(t).startSite(feeds.Options{})
		for _, ext := range []string{"rss", "atom", "json"} {
			path := "/feeds/all." + ext
			check[ext](t, "empty "+path, empty.get(path).body, base+path, "")
		}
	})
}

// TestW3CRules: each rule catches what it is meant to, and a valid
// document passes them all.
func TestW3CRules(t *testing.T) {
	const self = base + "/feeds/all.rss"
	rss := func(item string) []byte {
		return []byte(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>t</title><link>http://crier.test/</link><description>d</description>
<atom:link href="` + self + `" rel="self" type="application/rss+xml"></atom:link>` + item + `</channel></rss>`)
	}
	const g = `<title>a</title><guid isPermaLink="false">urn:crier:1</guid>`
	atomDoc := func(entry string) []byte {
		return []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:crier:feed:all</id>
<updated>2025-03-01T09:00:00Z</updated><link href="` + base + `/feeds/all.atom" rel="self" type="application/atom+xml"/>` +
			entry + `</feed>`)
	}
	const entry = `<title>a</title><id>urn:crier:1</id><updated>2025-03-01T09:00:00Z</updated><author><name>A</name></author>`
	for _, tc := range []struct {
		name, format string
		doc          []byte
		want         string // a message class the report must name; "" for none
	}{
		{"valid", "rss", rss(`<item>` + g + `<pubDate>Sat, 01 Mar 2025 09:00:00 +0000</pubDate><description>&lt;p&gt;x&lt;/p&gt;</description><dc:creator>Ann</dc:creator><enclosure url="http://x.example/a.jpg" length="3" type="image/jpeg"/></item>`), ""},
		{"self elsewhere", "rss", bytes.Replace(rss(""), []byte(self), []byte(base+"/feeds/lang/fr.rss"), 1), "SelfDoesntMatchLocation"},
		{"no self", "rss", bytes.Replace(rss(""), []byte(`rel="self"`), []byte(`rel="alternate"`), 1), "MissingSelf"},
		{"relative self", "rss", bytes.Replace(rss(""), []byte(`href="`+base), []byte(`href="`), 1), "RelativeSelf"},
		{"permalink urn", "rss", rss(`<item><title>a</title><guid>urn:crier:1</guid></item>`), "InvalidHttpGUID"},
		{"no guid", "rss", rss(`<item><title>a</title></item>`), "MissingGuid"},
		{"author name", "rss", rss(`<item>` + g + `<author>Ann</author></item>`), "InvalidContact"},
		{"two-digit year", "rss", rss(`<item>` + g + `<pubDate>Sat, 01 Mar 25 09:00:00 +0000</pubDate></item>`), "InvalidRFC2822Date"},
		{"named zone", "rss", rss(`<item>` + g + `<pubDate>Sat, 01 Mar 2025 09:00:00 PST</pubDate></item>`), "InvalidRFC2822Date"},
		{"wrong weekday", "rss", rss(`<item>` + g + `<pubDate>Mon, 01 Mar 2025 09:00:00 +0000</pubDate></item>`), "IncorrectDOW"},
		{"epoch", "rss", rss(`<item>` + g + `<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate></item>`), "ImplausibleDate"},
		{"bad language", "rss", bytes.Replace(rss(""), []byte("<title>t</title>"), []byte("<title>t</title><language>xx-!</language>"), 1), "InvalidLanguage"},
		{"duplicate guid", "rss", rss(`<item>` + g + `</item><item>` + g + `</item>`), "DuplicateValue"},
		{"html title", "rss", rss(`<item><title>a &lt;b&gt;b&lt;/b&gt;</title><guid isPermaLink="false">urn:crier:1</guid></item>`), "ContainsHTML"},
		{"bad characters", "rss", rss(`<item><title>a ` + "\ufffd" + `</title><guid isPermaLink="false">urn:crier:1</guid></item>`), "BadCharacters"},
		{"enclosure without length", "rss", rss(`<item>` + g + `<enclosure url="http://x.example/a.jpg" type="image/jpeg"/></item>`), "MissingAttribute"},
		{"two enclosures", "rss", rss(`<item>` + g + `<enclosure url="http://x.example/a.jpg" length="1" type="image/jpeg"/><enclosure url="http://x.example/b.jpg" length="1" type="image/jpeg"/></item>`), "DuplicateEnclosure"},
		{"uri characters", "rss", rss(`<item>` + g + `<link>http://x.example/a b</link></item>`), "InvalidFullLink"},
		{"script", "rss", rss(`<item>` + g + `<description>&lt;script&gt;x()&lt;/script&gt;</description></item>`), "SecurityRisk"},
		{"onclick", "rss", rss(`<item>` + g + `<description>&lt;p onclick="x()"&gt;x&lt;/p&gt;</description></item>`), "SecurityRiskAttr"},
		{"relative link in content", "rss", rss(`<item>` + g + `<description>&lt;a href="/x"&gt;x&lt;/a&gt;</description></item>`), "ContainsRelRef"},
		{"content before description", "rss", rss(`<item>` + g + `<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">x</content:encoded><description>d</description></item>`), "NeedDescriptionBeforeContent"},
		{"no title or description", "rss", rss(`<item><guid isPermaLink="false">urn:crier:1</guid></item>`), "ItemMustContainTitleOrDescription"},
		{"source without url", "rss", rss(`<item>` + g + `<source>BBC</source></item>`), "MissingAttribute"},
		{"pubDate and dc:date", "rss", rss(`<item>` + g + `<pubDate>Sat, 01 Mar 2025 09:00:00 +0000</pubDate><dc:date>2025-03-01T09:00:00Z</dc:date></item>`), "DuplicateItemSemantics"},
		{"no hub", "rss hub", rss(""), "WebSub"},

		{"valid", "atom", atomDoc(`<entry xml:lang="fr">` + entry + `<published>2025-03-01T09:00:00Z</published><link href="http://x.example/1"/><category term="paris" label="Paris"/><summary type="text">s</summary><content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry>`), ""},
		{"no entry id", "atom", atomDoc(`<entry><title>a</title><updated>2025-03-01T09:00:00Z</updated><author><name>A</name></author></entry>`), "MissingElement"},
		{"duplicate entries", "atom", atomDoc(`<entry>` + entry + `</entry><entry>` + entry + `</entry>`), "DuplicateEntries"},
		{"duplicate updated", "atom", atomDoc(`<entry>` + entry + `</entry><entry>` + strings.Replace(entry, "urn:crier:1", "urn:crier:2", 1) + `</entry>`), "DuplicateUpdated"},
		{"no author", "atom", atomDoc(`<entry><title>a</title><id>urn:crier:1</id><updated>2025-03-01T09:00:00Z</updated></entry>`), "MissingElement"},
		{"rfc 822 in atom", "atom", atomDoc(`<entry>` + entry + `<published>Sat, 01 Mar 2025 09:00:00 +0000</published></entry>`), "InvalidRFC3339Date"},
		{"html in text summary", "atom", atomDoc(`<entry>` + entry + `<summary>a &lt;b&gt;b&lt;/b&gt;</summary></entry>`), "ContainsUndeclaredHTML"},
		{"two alternates", "atom", atomDoc(`<entry>` + entry + `<link href="http://x.example/1"/><link rel="alternate" href="http://x.example/2"/></entry>`), "DuplicateAtomLink"},
		{"archive link on entry", "atom", atomDoc(`<entry>` + entry + `<link rel="prev-archive" href="http://x.example/1"/></entry>`), "FeedHistoryRelInEntry"},
		{"unknown rel", "atom", atomDoc(`<entry>` + entry + `<link rel="pic" href="http://x.example/1"/></entry>`), "UnregisteredAtomLinkRel"},
		{"bad xml:lang", "atom", atomDoc(`<entry xml:lang="not a tag">` + entry + `</entry>`), "InvalidLanguage"},
		{"category without term", "atom", atomDoc(`<entry>` + entry + `<category label="Paris"/></entry>`), "MissingAttribute"},

		{"valid", "json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","feed_url":"` + base + `/feeds/all.json","items":[{"id":"urn:crier:1","content_text":"x"}]}`), ""},
		{"no items", "json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","feed_url":"` + base + `/feeds/all.json"}`), "items"},
		{"1.0 author", "json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","feed_url":"` + base + `/feeds/all.json","author":{"name":"a"},"items":[]}`), "author"},
		{"no content", "json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","feed_url":"` + base + `/feeds/all.json","items":[{"id":"1"}]}`), "content"},
		{"other feed_url", "json", []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","feed_url":"/feeds/all.json","items":[]}`), "feed_url"},
	} {
		t.Run(tc.format+" "+tc.name, func(t *testing.T) {
			rec := &recorder{}
			switch tc.format {
			case "rss":
				checkRSS(rec, tc.name, tc.doc, self, "")
			case "rss hub":
				checkRSS(rec, tc.name, tc.doc, self, hubURL)
			case "atom":
				checkAtom(rec, tc.name, tc.doc, base+"/feeds/all.atom", "")
			case "json":
				checkJSONFeed(rec, tc.name, tc.doc, base+"/feeds/all.json", "")
			}
			got := strings.Join(rec.msgs, "\n")
			if tc.want == "" && got != "" {
				t.Errorf("a valid document is reported:\n%s", got)
			}
			if tc.want != "" && !strings.Contains(got, ": "+tc.want+": ") {
				t.Errorf("want %s, got:\n%s", tc.want, got)
			}
		})
	}
}

func TestLinkHeader(t *testing.T) {
	got := linkHeader([]string{
		`<https://hub.example/websub>; rel="hub", <http://crier.test/feeds/all.rss>; rel=self`,
		`<http://crier.test/a>; title="x"; rel="alternate next"`,
	})
	want := map[string][]string{
		"hub":       {"https://hub.example/websub"},
		"self":      {"http://crier.test/feeds/all.rss"},
		"alternate": {"http://crier.test/a"},
		"next":      {"http://crier.test/a"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("linkHeader = %v, want %v", got, want)
	}
}
