package subscribers

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// EventArticlePublished is the type of every article webhook crier sends.
const EventArticlePublished = "article.published"

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
	return envelope(d.streamTime, data), nil
}

// envelope wraps article JSON exactly as it was published (no
// re-encoding, so receivers see the bytes crier stored). The timestamp is
// the message's stream time.
func envelope(streamTime time.Time, article []byte) []byte {
	ts := streamTime.UTC().Format(time.RFC3339Nano)
	b := make([]byte, 0, len(article)+96)
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, EventArticlePublished)
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
	page := baseURL + "/articles/" + url.PathEscape(t.ID)
	t.JSONURL, t.HTMLURL = page+".json", page
	return json.Marshal(t)
}
