package feeds_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crier/crier/feeds"
)

func TestTopic(t *testing.T) {
	svc := feeds.New(feeds.Options{BaseURL: base + "/", Limit: 20})
	for _, tc := range []struct {
		url  string
		want feeds.Topic
		ok   bool
	}{
		{base + "/feeds/all.atom", feeds.Topic{Self: base + "/feeds/all.atom"}, true},
		{"HTTP://CRIER.test/feeds/all.rss", feeds.Topic{Self: base + "/feeds/all.rss"}, true},
		{base + "/feeds/all.json?limit=20", feeds.Topic{Self: base + "/feeds/all.json"}, true},
		{base + "/feeds/all.json?limit=5", feeds.Topic{Self: base + "/feeds/all.json?limit=5"}, true},
		{base + "/feeds/lang/fr.atom", feeds.Topic{Self: base + "/feeds/lang/fr.atom", Languages: []string{"fr"}}, true},
		{base + "/feeds/source/le-monde.rss", feeds.Topic{Self: base + "/feeds/source/le-monde.rss", Sources: []string{"le-monde"}}, true},
		{base + "/feeds/tag/emile-zola.json", feeds.Topic{Self: base + "/feeds/tag/emile-zola.json", Tags: []string{"emile-zola"}}, true},
		{base + "/feeds/story/st%2F1.atom", feeds.Topic{Self: base + "/feeds/story/st%2F1.atom", Stories: []string{"st/1"}}, true},
		{base + "/feeds/story/abc.atom", feeds.Topic{Self: base + "/feeds/story/abc.atom", Stories: []string{"abc"}}, true},
		{base + "/feeds/all.html", feeds.Topic{}, false},
		{base + "/feeds/other.atom", feeds.Topic{}, false},
		{base + "/feeds/tag/Émile Zola.atom", feeds.Topic{}, false},
		{base + "/feeds/lang/.atom", feeds.Topic{}, false},
		{base + "/feeds/year/2024.atom", feeds.Topic{}, false},
		{base + "/feeds/lang/fr/x.atom", feeds.Topic{}, false},
		{base + "/feeds/all.atom?limit=0", feeds.Topic{}, false},
		{base + "/feeds/all.atom?limit=500", feeds.Topic{}, false},
		{base + "/feeds/all.atom?utm=x", feeds.Topic{}, false},
		{"https://crier.test/feeds/all.atom", feeds.Topic{}, false},
		{"http://evil.test/feeds/all.atom", feeds.Topic{}, false},
		{"http://user@crier.test/feeds/all.atom", feeds.Topic{}, false},
		{base + "/articles/x", feeds.Topic{}, false},
		{"not a url", feeds.Topic{}, false},
	} {
		got, ok := svc.Topic(tc.url)
		if ok != tc.ok || got.Self != tc.want.Self || !slices.Equal(got.Languages, tc.want.Languages) ||
			!slices.Equal(got.Sources, tc.want.Sources) || !slices.Equal(got.Tags, tc.want.Tags) || !slices.Equal(got.Stories, tc.want.Stories) {
			t.Errorf("Topic(%q) = %+v, %v; want %+v, %v", tc.url, got, ok, tc.want, tc.ok)
		}
	}
}

// Content is what a GET of the topic serves, once the article is in it.
func TestContentWaitsForTheArticle(t *testing.T) {
	e := newEnv(t)
	s := e.startSite(feeds.Options{BaseURL: base})
	a := newArticle("Zola à Médan", "fr", "Le Monde", "https://example.org/zola", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	a.Tags = []string{"Émile Zola"}

	type result struct {
		body []byte
		ct   string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		b, ct, err := s.svc.Content(ctx, base+"/feeds/tag/emile-zola.atom", a.ID, 1)
		got <- result{b, ct, err}
	}()
	e.publish(a)
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	res := s.get("/feeds/tag/emile-zola.atom")
	if !bytes.Equal(r.body, res.body) || r.ct != res.header.Get("Content-Type") {
		t.Fatalf("Content differs from GET: %q %q", r.ct, res.header.Get("Content-Type"))
	}
	if !bytes.Contains(r.body, []byte("Zola à Médan")) {
		t.Fatalf("feed lacks the article:\n%s", r.body)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.svc.Content(ctx, base+"/feeds/all.atom", "never", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Content of a missing article: %v, want context.Canceled", err)
	}
	if _, _, err := s.svc.Content(context.Background(), base+"/feeds/nope.atom", a.ID, 1); err == nil {
		t.Fatal("Content of a URL that is no feed: no error")
	}
}

// TopicURLs names, in every format, exactly the feeds the article is
// indexed in: one per distinct tag slug, none for a tag that cleans to
// nothing, the story's id escaped as in its feed's path.
func TestTopicURLs(t *testing.T) {
	svc := feeds.New(feeds.Options{BaseURL: base, Limit: 20})
	a := newArticle("Zola à Médan", "fr", "Le Monde", "https://example.org/zola", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	a.Tags = []string{"Émile Zola", "emile  zola", " \x00 "}
	a.StoryID = "st/1"
	var want []string
	for _, p := range []string{"all", "lang/fr", "source/le-monde", "tag/emile-zola", "story/st%2F1"} {
		for _, ext := range []string{"rss", "atom", "json"} {
			want = append(want, base+"/feeds/"+p+"."+ext)
		}
	}
	if got := svc.TopicURLs(a); !slices.Equal(got, want) {
		t.Errorf("TopicURLs\n got %q\nwant %q", got, want)
	}
	for _, u := range want {
		if _, ok := svc.Topic(u); !ok {
			t.Errorf("Topic(%q) refused a URL TopicURLs gave", u)
		}
	}
}
