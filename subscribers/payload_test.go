package subscribers

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/broker"
)

func TestPayloadKeepsArticleBytes(t *testing.T) {
	article := []byte(`{"id":"abc",  "title":"Été <b>&</b>"}`)
	ts := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))
	got, err := payload(ts, article)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"article.published","timestamp":"2026-03-04T04:06:07.00000089Z","data":{"id":"abc",  "title":"Été <b>&</b>"}}`
	if string(got) != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
	if _, err := payload(ts, []byte(`{"id":`)); err == nil {
		t.Error("payload accepted invalid JSON")
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
		status int
		ok     bool
		errHas string
	}{
		{200, true, ""},
		{204, true, ""},
		{299, true, ""},
		{301, false, "redirects are not followed"},
		{302, false, "HTTP 302 Found"},
		{400, false, "HTTP 400"},
		{410, false, "HTTP 410"},
		{429, false, "HTTP 429"},
		{500, false, "HTTP 500 Internal Server Error: line one line two"},
		{503, false, "HTTP 503"},
	} {
		retryable, err := classify(tc.status, []byte("line one\r\nline two\n"))
		if (err == nil) != tc.ok {
			t.Errorf("classify(%d) err = %v", tc.status, err)
			continue
		}
		if err != nil && (!retryable || !strings.Contains(err.Error(), tc.errHas)) {
			t.Errorf("classify(%d) = %v, %v; want retryable with %q", tc.status, retryable, err, tc.errHas)
		}
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
	err := unwrapURLError(&url.Error{Op: "Post", URL: u.String(), Err: errors.New("boom")})
	if err.Error() != "boom" {
		t.Errorf("unwrapURLError = %q", err)
	}
}
