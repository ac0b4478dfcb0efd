package subscribers

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
)

func TestEnvelopeKeepsArticleBytes(t *testing.T) {
	article := []byte(`{"id":"abc",  "title":"Été <b>&</b>"}`)
	ts := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))
	got := envelope(EventArticlePublished, ts, article)
	want := `{"type":"article.published","timestamp":"2026-03-04T04:06:07.00000089Z","data":{"id":"abc",  "title":"Été <b>&</b>"}}`
	if string(got) != want {
		t.Errorf("envelope\n got %s\nwant %s", got, want)
	}
}

func TestThinArticle(t *testing.T) {
	article := []byte(`{"id":"a/b","title":"T","url":"https://example.org/x","language":"fr","source":"afp","body":["long"],"story_id":"s1","published":"2026-01-02T03:04:05Z"}`)
	got, err := thinArticle(article, "https://news.example")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"a/b","title":"T","url":"https://example.org/x","language":"fr","source":"afp","published":"2026-01-02T03:04:05Z","story_id":"s1","revision":1,"json_url":"https://news.example/articles/a%2Fb.json","html_url":"https://news.example/articles/a%2Fb"}`
	if string(got) != want {
		t.Errorf("thinArticle\n got %s\nwant %s", got, want)
	}
	if _, err := thinArticle([]byte(`{"title":"no id"}`), ""); err == nil {
		t.Error("thinArticle accepted an article without id")
	}
}

func TestEventType(t *testing.T) {
	for _, tc := range []struct {
		article, want string
	}{
		{`{"id":"a","title":"T"}`, EventArticlePublished},
		{`{"id":"a","revision":1}`, EventArticlePublished},
		{`{"id":"a","revision":2,"updated":"2026-01-02T03:04:05Z"}`, EventArticleUpdated},
		{`{"id":"a", "revision": 12}`, EventArticleUpdated},
		{`{"id":"a","body":[],"revision":4,"retracted":"2026-01-02T03:04:05Z","retraction_reason":"r"}`, EventArticleRetracted},
		// As the publisher marshals them: the field order eventType reads.
		{marshal(t, article.Article{ID: "a", Body: []string{`"revision":2`}, Revision: 1}), EventArticlePublished},
		{marshal(t, article.Article{ID: "a", Body: []string{"x"}, Revision: 3, Updated: time.Now()}), EventArticleUpdated},
		{marshal(t, article.Article{ID: "a", Revision: 4, Retracted: time.Now(), RetractionReason: "r"}), EventArticleRetracted},
		// A body quoting the key has it escaped: no revision.
		{`{"id":"a","body":["\"revision\":3"]}`, EventArticlePublished},
	} {
		if got := eventType([]byte(tc.article)); got != tc.want {
			t.Errorf("eventType(%s) = %s, want %s", tc.article, got, tc.want)
		}
	}
}

func TestFilterSubjects(t *testing.T) {
	top := broker.DefaultTopology()
	for _, tc := range []struct {
		langs, sources, want []string
	}{
		{nil, nil, []string{"crier.articles.*.*"}},
		{[]string{"fr"}, nil, []string{"crier.articles.fr.*"}},
		{nil, []string{"afp", "afp"}, []string{"crier.articles.*.afp"}},
		{[]string{"fr", "de"}, []string{"afp", "euronews"}, []string{
			"crier.articles.fr.afp", "crier.articles.fr.euronews",
			"crier.articles.de.afp", "crier.articles.de.euronews",
		}},
	} {
		if got := filterSubjects(top, tc.langs, tc.sources); !slices.Equal(got, tc.want) {
			t.Errorf("filterSubjects(%v, %v) = %v, want %v", tc.langs, tc.sources, got, tc.want)
		}
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		status     int
		retryAfter bool
		want       string
	}{
		{200, false, OutcomeSuccess},
		{204, false, OutcomeSuccess},
		{299, false, OutcomeSuccess},
		{301, false, OutcomeRedirect},
		{302, false, OutcomeRedirect},
		{400, false, OutcomeHTTPError},
		{410, false, OutcomeGone},
		{429, false, OutcomeThrottled},
		{500, false, OutcomeHTTPError},
		{503, false, OutcomeHTTPError},
		{503, true, OutcomeThrottled},
	} {
		if got := classify(tc.status, tc.retryAfter); got != tc.want {
			t.Errorf("classify(%d, %v) = %s, want %s", tc.status, tc.retryAfter, got, tc.want)
		}
	}
	if got := describe(500, []byte("line one\r\nline two\n")); got != "HTTP 500 Internal Server Error: line one line two" {
		t.Errorf("describe = %q", got)
	}
	if got := describe(302, nil); !strings.Contains(got, "redirects are not followed") {
		t.Errorf("describe(302) = %q", got)
	}
}

func TestSnippetIsBoundedAndOneLine(t *testing.T) {
	s := snippet([]byte(strings.Repeat("é", 300)))
	if len(s) > maxSnippet || strings.ContainsRune(s, '\uFFFD') {
		t.Errorf("snippet of %d bytes: %q", len(s), s)
	}
	if s := snippet([]byte("a\x00b\x1bc\r\nd")); s != "a b c d" {
		t.Errorf("snippet %q", s)
	}
}

func TestRedactURL(t *testing.T) {
	u, _ := url.Parse("https://user:pass@hooks.example.com:8443/in/crier?token=secret#frag")
	if got := redactURL(u); got != "https://hooks.example.com:8443/in/crier" {
		t.Errorf("redactURL = %q", got)
	}
	if got := RedactURL(u.String()); got != "https://hooks.example.com:8443/in/crier" {
		t.Errorf("RedactURL = %q", got)
	}
	if got := RedactURL("http://[::1"); got != "<invalid url>" {
		t.Errorf("RedactURL of a broken URL = %q", got)
	}
}

// BenchmarkEventType: the body scan every delivery makes to type its
// webhook, on a 12 KB article of the first revision (where "retracted" is
// sought through the whole body) and on a tombstone.
func BenchmarkEventType(b *testing.B) {
	para := strings.Repeat("A sentence of a long dispatch, with words enough. ", 20)
	first := []byte(`{"schema":1,"id":"a","title":"T","body":["` + strings.Repeat(para, 6) + `"],"body_html":"<p>` + strings.Repeat(para, 6) + `</p>","revision":1}`)
	tomb := []byte(`{"schema":1,"id":"a","body":[],"revision":3,"retracted":"2026-01-02T03:04:05Z","retraction_reason":"r"}`)
	for name, data := range map[string][]byte{"first-revision": first, "tombstone": tomb} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				eventType(data)
			}
		})
	}
}

func marshal(t *testing.T, a article.Article) string {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
