package subscribers

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// Types of the article webhooks crier sends.
const (
	// EventArticlePublished announces an article's first revision.
	EventArticlePublished = "article.published"
	// EventArticleUpdated announces each later revision (a correction).
	EventArticleUpdated = "article.updated"
	// EventArticleRetracted announces a retraction: the data is the
	// article's tombstone (id, reason, no text); receivers remove it.
	EventArticleRetracted = "article.retracted"
)

// EventTypes are the article event types an endpoint may choose from.
var EventTypes = []string{EventArticlePublished, EventArticleUpdated, EventArticleRetracted}

// eventType is the webhook type of an article message: its body says it
// (a tombstone's "retracted", a correction's "revision"), so a replay or a
// dead letter, which keep the body but not every header, says the same.
// It runs on every delivery, so it reads the body from its end: crier's
// article.Article declares Revision, then Retracted, after every other
// field, and an unescaped `"key":` can only be a key (its article has no
// nested object with these keys). A message written before revisions has
// no "revision" and is an article's first.
func eventType(article []byte) string {
	i := bytes.LastIndex(article, []byte(`"revision":`))
	if i < 0 {
		return EventArticlePublished
	}
	tail := article[i+len(`"revision":`):]
	if bytes.Contains(tail, []byte(`"retracted":`)) {
		return EventArticleRetracted
	}
	n := 0
	for _, c := range bytes.TrimLeft(tail, " ") {
		if c < '0' || c > '9' || n > 1<<20 {
			break
		}
		n = n*10 + int(c-'0')
	}
	if n > 1 {
		return EventArticleUpdated
	}
	return EventArticlePublished
}

// payload is the body of an attempt: the article wrapped in the event
// envelope (whole, or thin), or an operational event as it was published.
// It depends only on the message, so every attempt and replay of one
// message sends the same bytes.
func (r *runner) payload(d *message) ([]byte, error) {
	data := d.msg.Data()
	// A full check (json.Valid) per endpoint and attempt was a tenth of
	// the delivery path; the publisher writes marshalled JSON, so this
	// only catches a foreign message on the subject.
	if t := bytes.TrimSpace(data); len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return nil, errors.New("message body is not a JSON object")
	}
	if r.events {
		return data, nil
	}
	if r.ep.Payload == PayloadThin {
		thin, err := thinArticle(data, r.m.o.BaseURL)
		if err != nil {
			return nil, err
		}
		data = thin
	}
	return envelope(d.event, d.streamTime, data), nil
}

// envelope wraps article JSON exactly as it was published (no
// re-encoding, so receivers see the bytes crier stored). The timestamp is
// the message's stream time.
func envelope(event string, streamTime time.Time, article []byte) []byte {
	ts := streamTime.UTC().Format(time.RFC3339Nano)
	b := make([]byte, 0, len(article)+96)
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, event)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendQuote(b, ts)
	b = append(b, `,"data":`...)
	b = append(b, article...)
	return append(b, '}')
}

// ThinArticle is the data of a thin payload: enough to fetch the rest.
type ThinArticle struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url,omitempty"`
	Language  string    `json:"language,omitempty"`
	Source    string    `json:"source,omitempty"`
	Published time.Time `json:"published,omitzero"`
	StoryID   string    `json:"story_id,omitempty"`
	// Revision is the article's revision: 1, then 2 for its first
	// correction...
	Revision int       `json:"revision"`
	Updated  time.Time `json:"updated,omitzero"`
	// Retracted and RetractionReason are set on a retraction.
	Retracted        time.Time `json:"retracted,omitzero"`
	RetractionReason string    `json:"retraction_reason,omitempty"`
	// JSONURL and HTMLURL are crier's own copies of the article.
	JSONURL string `json:"json_url"`
	HTMLURL string `json:"html_url"`
}

func thinArticle(article []byte, baseURL string) ([]byte, error) {
	var t ThinArticle
	if err := json.Unmarshal(article, &t); err != nil {
		return nil, errors.New("message body is not an article")
	}
	if t.ID == "" {
		return nil, errors.New("article has no id")
	}
	t.Revision = max(t.Revision, 1)
	page := baseURL + "/articles/" + url.PathEscape(t.ID)
	t.JSONURL, t.HTMLURL = page+".json", page
	return json.Marshal(t)
}
