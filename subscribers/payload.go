package subscribers

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// EventArticlePublished is the type of every webhook crier sends.
const EventArticlePublished = "article.published"

// payload builds the webhook body around the article JSON exactly as it
// was published (no re-encoding, so receivers see the bytes crier stored).
// The timestamp is the message's stream time, which keeps the body, and
// therefore the signed content, identical across retries.
func payload(streamTime time.Time, article []byte) ([]byte, error) {
	if !json.Valid(article) {
		return nil, errors.New("message body is not valid JSON")
	}
	ts := streamTime.UTC().Format(time.RFC3339Nano)
	b := make([]byte, 0, len(article)+96)
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, EventArticlePublished)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendQuote(b, ts)
	b = append(b, `,"data":`...)
	b = append(b, article...)
	b = append(b, '}')
	return b, nil
}
