package publisher

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
)

var (
	// ErrRetracted: the input is an article crier retracted; it is
	// published no more.
	ErrRetracted = errors.New("article retracted")
	// ErrUnknownArticle: crier has no article of that id.
	ErrUnknownArticle = errors.New("no such article")
	// ErrNoReason: a retraction must say why.
	ErrNoReason = errors.New("a retraction needs a reason")
)

// Retract withdraws the article id (a legal takedown, a wrong article): a
// tombstone, its next revision, goes on the stream with the type
// EventTypeRetracted and the reason; readers drop the article, and later
// inputs of it fail with ErrRetracted. Retracting it again does nothing
// and reports the tombstone (Result.Duplicate).
func (p *Publisher) Retract(ctx context.Context, id, reason string) (Result, error) {
	reason = strings.Join(strings.Fields(reason), " ")
	if reason == "" {
		return Result{}, ErrNoReason
	}
	for {
		rec, kvRev, err := p.articleRecord(ctx, id)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return Result{}, fmt.Errorf("%w: %s", ErrUnknownArticle, id)
		}
		if err != nil {
			return Result{}, err
		}
		switch {
		case !rec.Retracted.IsZero() && rec.State == statePublished:
			return Result{ID: id, Revision: rec.Revision, Duplicate: true, StoryID: rec.StoryID, Seq: rec.Seq}, nil
		case !rec.Retracted.IsZero():
			return p.publishTombstone(ctx, id, rec, kvRev) // an unfinished retraction
		}
		next, kvRev, ok, err := p.claimNext(ctx, id, rec, kvRev, func(next *articleRecord) {
			next.Hash, next.Retracted, next.Reason = "", next.At, reason
		})
		if err != nil {
			return Result{}, err
		}
		if ok {
			return p.publishTombstone(ctx, id, next, kvRev)
		}
	}
}

// publishTombstone publishes the retraction rec claims and records it.
func (p *Publisher) publishTombstone(ctx context.Context, id string, rec articleRecord, kvRev uint64) (Result, error) {
	t := &article.Article{
		Schema: article.SchemaVersion, ID: id, URL: rec.URL, Body: []string{},
		Published: rec.Published, Ingested: rec.Retracted, Updated: rec.Retracted,
		Language: rec.Language, Source: rec.Source, Tags: rec.Tags, StoryID: rec.StoryID,
		Revision: rec.Revision, Retracted: rec.Retracted, RetractionReason: rec.Reason,
	}
	msg, err := p.message(t)
	if err != nil {
		return Result{}, err
	}
	ack, err := p.js.PublishMsg(ctx, msg, jetstream.WithMsgID(MsgID(id, rec.Revision)), jetstream.WithExpectStream(p.top.ArticleStream))
	if err != nil {
		return Result{}, fmt.Errorf("publisher: publish retraction of %s: %w", id, err)
	}
	ctx, cancel := afterAck(ctx)
	defer cancel()
	rec.State, rec.Seq, rec.At = statePublished, ack.Sequence, p.now().UTC()
	if _, err := p.articles.Update(ctx, id, encode(rec), kvRev); err != nil {
		return Result{}, fmt.Errorf("publisher: record retraction of %s: %w", id, err)
	}
	p.log.Info("article retracted", "article_id", id, "revision", rec.Revision, "reason", rec.Reason, "seq", ack.Sequence)
	return Result{ID: id, Revision: rec.Revision, Seq: ack.Sequence, StoryID: rec.StoryID}, nil
}
