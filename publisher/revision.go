package publisher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// articleRecord is the newest revision of one article, in the articles
// bucket under the article id. It is written pending before the publish
// and published after the server's ack, each write a compare-and-set on
// the entry's revision: two inputs revising one article at once, on one
// replica or two, take consecutive revisions, and each goes out once.
type articleRecord struct {
	Revision int `json:"revision"`
	// Hash is the revision's article.RevisionHash: the same title and
	// body again are no new revision.
	Hash  string       `json:"hash"`
	State contentState `json:"state"`
	Seq   uint64       `json:"seq,omitempty"`
	// StoryID and Published are the first revision's: a correction stays
	// in its story, and an undated one keeps the first date.
	StoryID   string    `json:"story_id,omitempty"`
	Published time.Time `json:"published"`
	// At is when State was written: a record pending for longer than
	// pendingTimeout was left by a crash.
	At time.Time `json:"at"`
	// What a tombstone repeats of the newest revision, so that readers
	// filtering by subject, tag or story see it: written with State
	// published.
	URL      string   `json:"url,omitempty"`
	Language string   `json:"language,omitempty"`
	Source   string   `json:"source,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	// Retracted and Reason are set once the article is withdrawn.
	Retracted time.Time `json:"retracted,omitzero"`
	Reason    string    `json:"reason,omitempty"`
}

// pendingTimeout is how long a revision waits for the previous one to be
// published before it takes the next number anyway: longer than a publish
// and its bookkeeping take, short enough for an API client to wait.
const pendingTimeout = 20 * time.Second

// errClaimed says another input created the article's record first.
var errClaimed = errors.New("article claimed by another input")

// articleRecord reads the record of article id and its KV revision;
// jetstream.ErrKeyNotFound when crier has none.
func (p *Publisher) articleRecord(ctx context.Context, id string) (articleRecord, uint64, error) {
	var rec articleRecord
	e, err := p.articles.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return rec, 0, err
	}
	if err != nil {
		return rec, 0, fmt.Errorf("publisher: read article %s: %w", id, err)
	}
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return rec, 0, fmt.Errorf("publisher: article record %s: %w", id, err)
	}
	return rec, e.Revision(), nil
}

// awaitRecord returns once the record of article id is past KV revision
// seen, or after wait, or with ctx's error.
func (p *Publisher) awaitRecord(ctx context.Context, id string, seen uint64, wait time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	w, err := p.articles.Watch(wctx, id)
	if err != nil {
		return fmt.Errorf("publisher: watch article %s: %w", id, err)
	}
	defer w.Stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok || (e != nil && e.Revision() > seen) {
				return nil
			}
		case <-wctx.Done():
			if ctx.Err() != nil {
				return fmt.Errorf("publisher: waiting for article %s: %w", id, ctx.Err())
			}
			return nil
		}
	}
}

// claimNext claims the revision after rec (the record of article id at KV
// revision kvRev) for what edit sets. While another input is publishing rec,
// it waits, so that revisions reach the stream in order; a pending record
// older than pendingTimeout was left by a crash and is overtaken (its
// input, retried, becomes a revision of its own). ok is false when the
// record moved meanwhile (a wait ended, or another input claimed first): the
// caller reads it again.
func (p *Publisher) claimNext(ctx context.Context, id string, rec articleRecord, kvRev uint64, edit func(*articleRecord)) (next articleRecord, nextRev uint64, ok bool, err error) {
	if age := p.now().Sub(rec.At); rec.State == statePending && age < pendingTimeout {
		return next, 0, false, p.awaitRecord(ctx, id, kvRev, pendingTimeout-age)
	}
	next = rec
	next.Revision++
	next.State, next.Seq, next.At = statePending, 0, p.now().UTC()
	edit(&next)
	nextRev, err = p.articles.Update(ctx, id, encode(next), kvRev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return next, 0, false, nil
	}
	if err != nil {
		return next, 0, false, fmt.Errorf("publisher: claim revision %d of %s: %w", next.Revision, id, err)
	}
	return next, nextRev, true, nil
}

// encode marshals a record; they are plain structs that always encode.
func encode(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
