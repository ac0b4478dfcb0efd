package publisher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
	"github.com/crier/crier/normalize"
)

type fixture struct {
	pub   *Publisher
	js    jetstream.JetStream
	top   broker.Topology
	inbox string
}

// newFixture starts a broker and a publisher on it; mods change the
// publisher's options.
func newFixture(t testing.TB, settle time.Duration, mods ...func(*Options)) *fixture {
	t.Helper()
	b, top := brokertest.Start(t)
	return fixtureOn(t, b, top, settle, mods...)
}

// fixtureOn is newFixture on a broker already started.
func fixtureOn(t testing.TB, b *broker.Broker, top broker.Topology, settle time.Duration, mods ...func(*Options)) *fixture {
	t.Helper()
	inbox := t.TempDir()
	const maxBytes = 64 << 10
	o := Options{
		Topology:    top,
		EventSource: "http://crier.test",
		Inbox:       InboxOptions{Dir: inbox, Settle: settle, MaxBytes: maxBytes},
	}
	for _, mod := range mods {
		mod(&o)
	}
	pub, err := New(context.Background(), b.JS, normalize.New(normalize.Options{MaxBytes: maxBytes, MinWords: 30}), o)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{pub: pub, js: b.JS, top: top, inbox: inbox}
}

func (f *fixture) write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.inbox, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// An inbox file whose article is over the server's max_payload goes to
// failed/ with its reason, like any bad input, and is not retried.
func TestRunInboxArticleOverMaxPayload(t *testing.T) {
	b, top := brokertest.StartWith(t, broker.Options{MaxPayload: 16 << 10})
	f := fixtureOn(t, b, top, 0)
	data := bytes.Repeat([]byte("Une phrase assez longue pour compter dans un article. "), 300) // 16 KiB of text, twice on the wire
	f.write(t, "long.txt", data)

	st, err := f.pub.RunInbox(t.Context())
	if err != nil {
		t.Fatalf("RunInbox: %v", err)
	}
	if st.Failed != 1 || st.Published != 0 {
		t.Fatalf("stats = %+v, want 1 failed", st)
	}
	if n := f.streamMsgs(t); n != 0 {
		t.Errorf("stream holds %d messages, want 0", n)
	}
	moved := filepath.Join(f.inbox, FailedDir, "long.txt")
	if got, err := os.ReadFile(moved); err != nil || !bytes.Equal(got, data) {
		t.Errorf("not kept intact in failed/: %v", err)
	}
	if reason, err := os.ReadFile(moved + ".error"); err != nil || !strings.Contains(string(reason), "max_payload") {
		t.Errorf(".error = %q %v, want the max_payload reason", reason, err)
	}
	if _, err := os.Stat(filepath.Join(f.inbox, "long.txt")); !os.IsNotExist(err) {
		t.Error("long.txt still in the inbox")
	}
}

func (f *fixture) streamMsgs(t *testing.T) uint64 {
	t.Helper()
	return brokertest.StreamMsgs(t, f.js, f.top.ArticleStream)
}

func seed(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRunInboxBadInputsLoseNothing(t *testing.T) {
	f := newFixture(t, 0)
	good := seed(t)
	f.write(t, "good.txt", good)
	f.write(t, "copy.txt", good) // the same body under another name
	bad := map[string][]byte{
		"empty.txt":    {},
		"blank.txt":    []byte(" \n\t\n  "),
		"binary.txt":   {0x7f, 'E', 'L', 'F', 0, 0, 0, 1, 2, 3, 0, 0},
		"bad.json":     []byte(`{"title": "x", "text": `),
		"unknown.json": []byte(`{"title": "x", "text": "Un texte.", "colour": "red"}`),
		"huge.txt":     bytes.Repeat([]byte("Une phrase assez longue pour compter. "), 3000),
		"hi.txt":       []byte("hi\n"), // not an article
	}
	for name, data := range bad {
		f.write(t, name, data)
	}
	// A file of that name failed before: it must not be overwritten.
	if err := os.MkdirAll(filepath.Join(f.inbox, FailedDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.inbox, FailedDir, "empty.txt"), []byte("earlier"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.write(t, ".hidden.txt", []byte("ignored"))
	f.write(t, "partial.txt.part", []byte("ignored"))

	st, err := f.pub.RunInbox(context.Background())
	if err != nil {
		t.Fatalf("RunInbox: %v", err)
	}
	if st.Published != 1 || st.Duplicates != 1 || st.Failed != len(bad) {
		t.Fatalf("stats = %+v, want 1 published, 1 duplicate, %d failed", st, len(bad))
	}
	if n := f.streamMsgs(t); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
	for name, data := range bad {
		moved := filepath.Join(f.inbox, FailedDir, name)
		if name == "empty.txt" {
			moved = filepath.Join(f.inbox, FailedDir, "empty.1.txt")
		}
		got, err := os.ReadFile(moved)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: not kept intact in failed/: %v", name, err)
		}
		reason, err := os.ReadFile(moved + ".error")
		if err != nil || !strings.Contains(string(reason), "error: ") {
			t.Errorf("%s: no .error with a reason: %q %v", name, reason, err)
		}
		if _, err := os.Stat(filepath.Join(f.inbox, name)); !os.IsNotExist(err) {
			t.Errorf("%s still in the inbox", name)
		}
	}
	if earlier, _ := os.ReadFile(filepath.Join(f.inbox, FailedDir, "empty.txt")); string(earlier) != "earlier" {
		t.Error("an earlier failed file was overwritten")
	}
	for _, name := range []string{"good.txt", "copy.txt", ".hidden.txt", "partial.txt.part"} {
		if _, err := os.Stat(filepath.Join(f.inbox, name)); err != nil {
			t.Errorf("%s was moved or deleted: %v", name, err)
		}
	}

	// A second pass, as after a restart, publishes nothing again.
	st, err = f.pub.RunInbox(context.Background())
	if err != nil || st != (RunStats{}) {
		t.Fatalf("second run: %+v, %v; want nothing done", st, err)
	}
}

func TestRunInboxWaitsForFilesBeingWritten(t *testing.T) {
	f := newFixture(t, time.Hour)
	f.write(t, "fresh.txt", seed(t))
	st, err := f.pub.RunInbox(context.Background())
	if err != nil || st.Waiting != 1 || st.Published != 0 {
		t.Fatalf("stats %+v, err %v; want the fresh file left waiting", st, err)
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(f.inbox, "fresh.txt"), old, old); err != nil {
		t.Fatal(err)
	}
	if st, err := f.pub.RunInbox(context.Background()); err != nil || st.Published != 1 {
		t.Fatalf("settled file: %+v, %v", st, err)
	}
}

func TestPublishResumesAfterCrashBeforeAck(t *testing.T) {
	f := newFixture(t, 0)
	a, err := f.pub.norm.Normalize(context.Background(), normalize.Input{Name: "seed.txt", Data: seed(t), ModTime: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// A crash after the claim, before the publish.
	claim, _ := json.Marshal(contentRecord{ID: a.ID, State: statePending})
	if _, err := f.pub.content.Create(context.Background(), a.ContentHash, claim); err != nil {
		t.Fatal(err)
	}
	res, err := f.pub.Publish(context.Background(), a)
	if err != nil || res.Duplicate {
		t.Fatalf("resume: %+v, %v; want a publish", res, err)
	}
	// A crash after the publish, before the record: the server drops the copy.
	claim, _ = json.Marshal(contentRecord{ID: a.ID, State: statePending})
	if _, err := f.pub.content.Put(context.Background(), a.ContentHash, claim); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pub.Publish(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if res, err := f.pub.Publish(context.Background(), a); err != nil || !res.Duplicate {
		t.Fatalf("third publish: %+v, %v; want a duplicate", res, err)
	}
	if n := f.streamMsgs(t); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
}

func TestMessageHeaders(t *testing.T) {
	f := newFixture(t, 0)
	_, res, err := f.pub.Ingest(context.Background(), normalize.Input{Name: "seed.txt", Data: seed(t), ModTime: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.js.Stream(context.Background(), f.top.ArticleStream)
	m, err := s.GetMsg(context.Background(), res.Seq)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Nats-Msg-Id":    res.ID,
		"Content-Type":   "application/json",
		"ce-specversion": "1.0",
		"ce-id":          res.ID,
		"ce-type":        EventType,
		"ce-source":      "http://crier.test",
		StoryHeader:      res.ID, // a new story is named after its first article
	}
	for k, v := range want {
		if got := m.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, m.Header.Get("ce-time")); err != nil {
		t.Errorf("ce-time: %v", err)
	}
	if !strings.HasPrefix(m.Subject, "crier.articles.fr.") {
		t.Errorf("subject %q", m.Subject)
	}
}

func TestAPI(t *testing.T) {
	f := newFixture(t, 0)
	srv := httptest.NewServer(f.pub.APIHandler(APIOptions{BaseURL: "http://crier.test"}))
	defer srv.Close()
	withToken := httptest.NewServer(f.pub.APIHandler(APIOptions{Token: "s3cret", BaseURL: "http://crier.test"}))
	defer withToken.Close()

	jsonArticle := `{"url":"https://example.org/a","title":"Un titre","text":"Le président a parlé lundi devant la presse de la situation dans le pays.\n\nIl a annoncé de nouvelles mesures pour les familles.","published":"2022-12-19T20:53:00+01:00","source":"Exemple","author":"Jean Dupont","language":"fr"}`
	for _, tc := range []struct {
		name, url, ctype, auth string
		body                   []byte
		want                   int
	}{
		{"text", srv.URL, "text/plain; charset=utf-8", "", seed(t), http.StatusAccepted},
		{"same text again", srv.URL, "text/plain", "", seed(t), http.StatusAccepted},
		// Other boilerplate and an edited word: not the same hash, nearly the same text.
		{"near duplicate again", srv.URL, "text/plain", "", append([]byte("Menu\nAccueil\n"), bytes.Replace(seed(t), []byte("substantiels"), []byte("importants"), 1)...), http.StatusAccepted},
		{"json", srv.URL, "application/json", "", []byte(jsonArticle), http.StatusAccepted},
		{"html", srv.URL, "text/html", "", []byte("<html><head><title>T</title></head><body><article><h1>Un titre</h1><p>" + strings.Repeat("Le président a parlé lundi devant la presse de la situation. ", 5) + "</p></article></body></html>"), http.StatusAccepted},
		{"empty", srv.URL, "text/plain", "", nil, http.StatusBadRequest},
		{"not an article", srv.URL, "text/plain", "", []byte("hi"), http.StatusUnprocessableEntity},
		{"bad json", srv.URL, "application/json", "", []byte(`{"title":`), http.StatusBadRequest},
		{"too large", srv.URL, "text/plain", "", bytes.Repeat([]byte("a "), 40<<10), http.StatusRequestEntityTooLarge},
		{"media type", srv.URL, "image/png", "", []byte{0x89, 'P', 'N', 'G'}, http.StatusUnsupportedMediaType},
		{"no media type", srv.URL, "", "", seed(t), http.StatusUnsupportedMediaType},
		{"no token", withToken.URL, "text/plain", "", seed(t), http.StatusUnauthorized},
		{"wrong token", withToken.URL, "text/plain", "Bearer nope", seed(t), http.StatusUnauthorized},
		{"token, again", withToken.URL, "text/plain", "Bearer s3cret", seed(t), http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, tc.url+"/api/articles", bytes.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("answer is not JSON: %v", err)
			}
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d (%v), want %d", resp.StatusCode, body, tc.want)
			}
			if tc.want == http.StatusAccepted {
				if id, _ := body["id"].(string); len(id) != 32 {
					t.Errorf("no article id in %v", body)
				}
			} else if msg, _ := body["error"].(string); msg == "" {
				t.Errorf("no error message in %v", body)
			}
			if strings.Contains(tc.name, "again") && (body["duplicate"] != true || body["status"] != "duplicate") {
				t.Errorf("same text twice not flagged duplicate: %v", body)
			}
			if tc.want == http.StatusAccepted && !strings.Contains(tc.name, "again") && (body["status"] != "published" || body["revision"] != 1.0) {
				t.Errorf("a new article answered %v, want status published, revision 1", body)
			}
		})
	}
	if n := f.streamMsgs(t); n != 3 {
		t.Errorf("stream holds %d articles, want 3 (text, json, html)", n)
	}
}

func TestAPIWithoutTokenRefusesRemoteClients(t *testing.T) {
	for _, tc := range []struct {
		remote string
		want   int
	}{
		{"127.0.0.1:5000", 0},
		{"[::1]:5000", 0},
		{"192.0.2.10:5000", http.StatusForbidden},
	} {
		r := httptest.NewRequest(http.MethodPost, "/api/articles", nil)
		r.RemoteAddr = tc.remote
		if got, _ := authorize(r, ""); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.remote, got, tc.want)
		}
	}
}

// TestNearDuplicatesAndStories: the same text under other boilerplate with
// a word changed is published once; a rewrite of the same dispatch by
// another outlet joins the first article's story, on the wire too.
func TestNearDuplicatesAndStories(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	read := func(name string) []byte {
		data, err := os.ReadFile("../normalize/testdata/seeds/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	fetched := time.Date(2022, 12, 19, 18, 0, 0, 0, time.UTC)
	first, res, err := f.pub.Ingest(ctx, normalize.Input{Name: "000.txt", Data: read("000_c7389a0de46d1d46.txt"), ModTime: fetched})
	if err != nil || res.Duplicate {
		t.Fatalf("first: %+v %v", res, err)
	}

	near := strings.Replace(string(read("000_c7389a0de46d1d46.txt")), "substantiels", "importants", 1)
	near = "Menu\nAccueil\nNewsletter\n" + near + "\nPartager sur Facebook\n© 2022 Un autre site\n"
	_, res, err = f.pub.Ingest(ctx, normalize.Input{Name: "000-copy.txt", Data: []byte(near), ModTime: fetched})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || !res.NearDuplicate || res.ID != first.ID {
		t.Errorf("near duplicate: %+v, want a near duplicate of %s", res, first.ID)
	}

	rewrite, res, err := f.pub.Ingest(ctx, normalize.Input{Name: "003.txt", Data: read("003_373632ddf384766f.txt"), ModTime: fetched})
	if err != nil || res.Duplicate {
		t.Fatalf("rewrite: %+v %v", res, err)
	}
	if rewrite.StoryID != first.ID || res.StoryID != first.ID {
		t.Errorf("rewrite story %q, want the first article's %q", rewrite.StoryID, first.ID)
	}
	if n := f.streamMsgs(t); n != 2 {
		t.Errorf("%d messages in the stream, want 2", n)
	}
	s, _ := f.js.Stream(ctx, f.top.ArticleStream)
	m, err := s.GetMsg(ctx, res.Seq)
	if err != nil {
		t.Fatal(err)
	}
	var onWire article.Article
	if err := json.Unmarshal(m.Data, &onWire); err != nil {
		t.Fatal(err)
	}
	if m.Header.Get(StoryHeader) != first.ID || onWire.StoryID != first.ID {
		t.Errorf("on the wire: header %q, body story_id %q, want %q", m.Header.Get(StoryHeader), onWire.StoryID, first.ID)
	}
}

// A long read fits the embedded server's 8 MiB messages; an article over
// the server's max_payload is the input's fault: ErrTooLarge, nothing on
// the stream, and no retry could help.
func TestPublishArticleSize(t *testing.T) {
	f := newFixture(t, 0)
	now := time.Now()
	for i, tc := range []struct {
		paragraph int // bytes of one of 8 paragraphs
		tooLarge  bool
	}{
		{paragraph: 375_000}, // a 3 MB long read: 6 MB with its HTML
		{paragraph: 640 << 10, tooLarge: true},
	} {
		body := make([]string, 8)
		for j := range body {
			body[j] = strings.Repeat(fmt.Sprintf("Paragraphe %d.%d d'une très longue enquête. ", i, j), tc.paragraph/44)
		}
		hash := article.HashBody(body)
		a := &article.Article{
			Schema: article.SchemaVersion, ID: article.NewID("", hash), Title: "Long", Body: body,
			BodyHTML: "<p>" + strings.Join(body, "</p><p>") + "</p>", Published: now, Ingested: now,
			Language: "fr", ContentHash: hash,
		}
		before := f.streamMsgs(t)
		_, err := f.pub.Publish(t.Context(), a)
		switch {
		case tc.tooLarge && !errors.Is(err, normalize.ErrTooLarge):
			t.Errorf("%d KiB paragraphs: err = %v, want ErrTooLarge", tc.paragraph>>10, err)
		case !tc.tooLarge && err != nil:
			t.Errorf("%d KiB paragraphs: %v", tc.paragraph>>10, err)
		}
		if got, want := f.streamMsgs(t)-before, map[bool]uint64{false: 1, true: 0}[tc.tooLarge]; got != want {
			t.Errorf("%d KiB paragraphs: %d messages published, want %d", tc.paragraph>>10, got, want)
		}
	}
}
