// Package publisher takes raw articles from its sources (the inbox folder
// and the ingest API), normalizes them, drops duplicates and publishes each
// on the article stream exactly once, on a schedule.
package publisher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/broker"
	"github.com/crier/crier/normalize"
	"github.com/crier/crier/story"
)

// CloudEvents attributes of the article messages (binary content mode).
const (
	// EventType is the type of an article's first revision.
	EventType = "dev.crier.article.published.v1"
	// EventTypeUpdated is the type of every later revision.
	EventTypeUpdated = "dev.crier.article.updated.v1"
	// EventTypeRetracted is the type of a tombstone (Publisher.Retract).
	EventTypeRetracted = "dev.crier.article.retracted.v1"
	specVersion        = "1.0"
)

// MsgID is the Nats-Msg-Id (and CloudEvents id) of one revision of an
// article: the article id for the first, "<id>-<revision>" after it, so
// the server drops a repeat of one revision but stores the next.
func MsgID(id string, revision int) string {
	if revision <= 1 {
		return id
	}
	return id + "-" + strconv.Itoa(revision)
}

// KV buckets the publisher keeps its state in, beside the stream.
const (
	contentBucket  = "crier_content"
	articlesBucket = ArticlesBucket
	inboxBucket    = "crier_inbox"
	storyBucket    = "crier_stories"
)

// ArticlesBucket is the KV bucket of the publisher's record of each
// article: its newest revision's stream sequence, and its retraction. The
// feeds read an article out of their index through it.
const ArticlesBucket = "crier_articles"

// StoryHeader carries the article's story id on the stream, so consumers
// can group or filter without decoding the body.
const StoryHeader = "Crier-Story-Id"

// Options configures a Publisher.
type Options struct {
	Topology broker.Topology
	// EventSource is the CloudEvents source of every message (the base URL).
	EventSource string
	Inbox       InboxOptions
	// StoryWindow is how far apart in time two articles of one story may
	// be (story.DefaultWindow if zero); the story index keeps that long.
	StoryWindow time.Duration
	// StoryMaxArticles bounds the articles the story index holds in
	// memory (story.DefaultMaxArticles if zero, no bound but the window
	// if negative).
	StoryMaxArticles int
	// Media configures the probe of each article's lead image (off in the
	// zero value).
	Media  MediaOptions
	Logger *slog.Logger
	Now    func() time.Time
}

// Publisher normalizes inputs and publishes articles.
type Publisher struct {
	js       jetstream.JetStream
	norm     *normalize.Normalizer
	top      broker.Topology
	source   string
	content  jetstream.KeyValue // content hash -> contentRecord
	articles jetstream.KeyValue // article id -> articleRecord
	ledger   jetstream.KeyValue // inbox file identity -> fileRecord
	stories  *story.Matcher
	media    *mediaProbe // nil when probing is off
	inbox    InboxOptions
	log      *slog.Logger
	now      func() time.Time
}

// Result says what became of one input.
type Result struct {
	ID string
	// Duplicate is true when the same body, or nearly the same (see
	// NearDuplicate), was already published; ID is then the article that
	// was.
	Duplicate bool
	// NearDuplicate is true when the duplicate differs in small edits or
	// boilerplate only.
	NearDuplicate bool
	// Revision is the article's revision this input published, or the
	// one it repeats.
	Revision int
	// StoryID is the story the article joined (its own ID for a new one).
	StoryID string
	// Seq is the article's stream sequence.
	Seq uint64
}

// Status names what became of the input, as the ingest API answers it:
// "published" (a new article), "updated" (a new revision of one) or
// "duplicate" (nothing new).
func (r Result) Status() string {
	switch {
	case r.Duplicate:
		return "duplicate"
	case r.Revision > 1:
		return "updated"
	}
	return "published"
}

// New opens the publisher's buckets; the streams must exist.
func New(ctx context.Context, js jetstream.JetStream, norm *normalize.Normalizer, o Options) (*Publisher, error) {
	content, err := o.Topology.KV(ctx, js, contentBucket, "crier: content hash of every published article body")
	if err != nil {
		return nil, err
	}
	articles, err := o.Topology.KV(ctx, js, articlesBucket, "crier: newest revision of every article")
	if err != nil {
		return nil, err
	}
	ledger, err := o.Topology.KV(ctx, js, inboxBucket, "crier: inbox files already published")
	if err != nil {
		return nil, err
	}
	window := o.StoryWindow
	if window <= 0 {
		window = story.DefaultWindow
	}
	skv, err := js.CreateOrUpdateKeyValue(ctx, story.BucketConfig(storyBucket, window, o.Topology.Replicas))
	if err != nil {
		return nil, fmt.Errorf("publisher: story bucket: %w", err)
	}
	idx, err := story.NewKVIndex(ctx, js, skv, story.KVOptions{
		Window: window, MaxArticles: o.StoryMaxArticles, Logger: o.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("publisher: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Publisher{
		js: js, norm: norm, top: o.Topology, source: o.EventSource,
		content: content, articles: articles, ledger: ledger, inbox: o.Inbox,
		stories: story.NewMatcher(idx, story.Options{Window: window}),
		media:   newMediaProbe(o.Media, o.Logger, o.Now),
		log:     o.Logger, now: o.Now,
	}, nil
}

// Ingest normalizes one input and publishes it. A bad input gives an error
// for which normalize.IsBadInput is true.
func (p *Publisher) Ingest(ctx context.Context, in normalize.Input) (*article.Article, Result, error) {
	a, err := p.norm.Normalize(ctx, in)
	if err != nil {
		return nil, Result{}, err
	}
	res, err := p.Publish(ctx, a)
	return a, res, err
}

type contentState string

const (
	statePending   contentState = "pending"
	statePublished contentState = "published"
)

// contentRecord claims a body for one article id. It is written pending
// before the publish and published after the server's ack, so a crash in
// between republishes (the server drops it by Nats-Msg-Id) and never loses.
type contentRecord struct {
	ID    string       `json:"id"`
	State contentState `json:"state"`
	Seq   uint64       `json:"seq,omitempty"`
}

// Publish puts a on the stream: as a new article, as a new revision of the
// published article with its id when its title or body differ, or not at
// all when it repeats what was published.
func (p *Publisher) Publish(ctx context.Context, a *article.Article) (Result, error) {
	hash := article.RevisionHash(a.Title, a.Body)
	for {
		rec, kvRev, err := p.articleRecord(ctx, a.ID)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			res, err := p.publishFirst(ctx, a, hash)
			if errors.Is(err, errClaimed) {
				continue // another input took revision 1 first: revise it
			}
			return res, err
		}
		if err != nil {
			return Result{}, err
		}
		switch {
		case !rec.Retracted.IsZero():
			return Result{}, fmt.Errorf("%w on %s: %s (article %s)", ErrRetracted, rec.Retracted.Format(time.RFC3339), rec.Reason, a.ID)
		case rec.Hash == hash && rec.State == statePublished:
			return Result{ID: a.ID, Revision: rec.Revision, Duplicate: true, StoryID: rec.StoryID, Seq: rec.Seq}, nil
		case rec.Hash == hash:
			// This revision was claimed by an attempt that did not finish
			// and may be out: publish it again (the server drops a repeat
			// by Nats-Msg-Id) and finish its bookkeeping.
			res, err := p.publishRevision(ctx, a, rec, kvRev)
			if err == nil && rec.Revision == 1 {
				p.indexStory(ctx, a, story.NewFingerprint(a))
			}
			return res, err
		}
		next, kvRev, ok, err := p.claimNext(ctx, a.ID, rec, kvRev, func(next *articleRecord) { next.Hash = hash })
		if err != nil {
			return Result{}, err
		}
		if ok {
			return p.publishRevision(ctx, a, next, kvRev)
		}
	}
}

// publishFirst publishes an article crier has no record of, unless its body
// was published before under any id, or nearly was (then it reports that
// article); errClaimed when another input took the id meanwhile.
func (p *Publisher) publishFirst(ctx context.Context, a *article.Article, hash string) (Result, error) {
	claim := encode(contentRecord{ID: a.ID, State: statePending})
	if _, err := p.content.Create(ctx, a.ContentHash, claim); errors.Is(err, jetstream.ErrKeyExists) {
		prev, err := p.contentRecord(ctx, a.ContentHash)
		if err != nil {
			return Result{}, err
		}
		// Another id, or already out: a duplicate. Our own pending claim is
		// an earlier attempt that did not finish: publish again.
		if prev.ID != a.ID || prev.State == statePublished {
			return Result{ID: prev.ID, Revision: 1, Duplicate: true, Seq: prev.Seq}, nil
		}
	} else if err != nil {
		return Result{}, fmt.Errorf("publisher: claim content %s: %w", a.ContentHash, err)
	}

	// A near duplicate is the first article again; otherwise the article
	// joins the story of the earlier one it matches, or starts its own.
	fp := story.NewFingerprint(a)
	match, err := p.stories.Match(ctx, fp)
	if err != nil {
		return Result{}, fmt.Errorf("publisher: %w", err)
	}
	if match.NearDuplicateOf != "" && match.NearDuplicateOf != a.ID {
		return p.nearDuplicate(ctx, a, match)
	}
	rec := articleRecord{
		Revision: 1, Hash: hash, State: statePending, StoryID: match.StoryID,
		Published: a.Published, At: p.now().UTC(),
	}
	kvRev, err := p.articles.Create(ctx, a.ID, encode(rec))
	if errors.Is(err, jetstream.ErrKeyExists) {
		return Result{}, errClaimed
	} else if err != nil {
		return Result{}, fmt.Errorf("publisher: claim article %s: %w", a.ID, err)
	}
	res, err := p.publishRevision(ctx, a, rec, kvRev)
	if err == nil {
		p.indexStory(ctx, a, fp)
	}
	return res, err
}

// indexStory adds a published article to the story index.
func (p *Publisher) indexStory(ctx context.Context, a *article.Article, fp story.Fingerprint) {
	ctx, cancel := afterAck(ctx)
	defer cancel()
	if err := p.stories.Add(ctx, fp, a.StoryID); err != nil {
		// The article is out; later ones will only miss it as a match.
		p.log.Warn("story index not updated", "article_id", a.ID, "err", err)
	}
}

// publishRevision publishes a as the revision rec claims (its KV entry at
// kvRev) and records it published.
func (p *Publisher) publishRevision(ctx context.Context, a *article.Article, rec articleRecord, kvRev uint64) (Result, error) {
	a.Revision, a.StoryID = rec.Revision, rec.StoryID
	if rec.Revision > 1 {
		a.Updated = a.Ingested
		if a.PublishedEstimated && !rec.Published.IsZero() {
			// An undated correction does not make the story newer.
			a.Published = rec.Published
		}
	}
	// Only an article that will go out is worth a request for its
	// picture: duplicates stopped above, at no network cost.
	if p.media != nil {
		p.media.fill(ctx, a)
	}
	msg, err := p.message(a)
	if err != nil {
		return Result{}, err
	}
	ack, err := p.js.PublishMsg(ctx, msg, jetstream.WithMsgID(MsgID(a.ID, a.Revision)), jetstream.WithExpectStream(p.top.ArticleStream))
	if errors.Is(err, nats.ErrMaxPayload) {
		// No retry can make it fit: the input is at fault.
		return Result{}, fmt.Errorf("publisher: %w: article %s is %d bytes, over the NATS server's max_payload (%d)",
			normalize.ErrTooLarge, a.ID, len(msg.Data), p.js.Conn().MaxPayload())
	}
	if err != nil {
		return Result{}, fmt.Errorf("publisher: publish %s: %w", a.ID, err)
	}
	// The article is out: finish its bookkeeping even if shutdown began.
	ctx, cancel := afterAck(ctx)
	defer cancel()
	if err := p.recordContent(ctx, a, ack.Sequence); err != nil {
		return Result{}, err
	}
	rec.State, rec.Seq, rec.At = statePublished, ack.Sequence, p.now().UTC()
	rec.URL, rec.Language, rec.Source, rec.Tags = a.URL, a.Language, a.Source, a.Tags
	if _, err := p.articles.Update(ctx, a.ID, encode(rec), kvRev); errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		// A newer revision was claimed since: its record says more.
		p.log.Debug("revision record superseded", "article_id", a.ID, "revision", rec.Revision)
	} else if err != nil {
		return Result{}, fmt.Errorf("publisher: record article %s: %w", a.ID, err)
	}
	p.log.Info("article published", "article_id", a.ID, "revision", a.Revision, "story_id", a.StoryID, "subject", msg.Subject,
		"seq", ack.Sequence, "duplicate_msg_id", ack.Duplicate, "origin", a.Origin)
	return Result{ID: a.ID, Revision: a.Revision, Seq: ack.Sequence, StoryID: a.StoryID}, nil
}

// recordContent marks a's body published by a, so that another input with
// the same body is a duplicate of it. A body another article published
// first stays theirs.
func (p *Publisher) recordContent(ctx context.Context, a *article.Article, seq uint64) error {
	done := encode(contentRecord{ID: a.ID, State: statePublished, Seq: seq})
	_, err := p.content.Create(ctx, a.ContentHash, done)
	if errors.Is(err, jetstream.ErrKeyExists) {
		var prev contentRecord
		if prev, err = p.contentRecord(ctx, a.ContentHash); err == nil && prev.ID == a.ID {
			_, err = p.content.Put(ctx, a.ContentHash, done)
		}
	}
	if err != nil {
		return fmt.Errorf("publisher: record content %s: %w", a.ContentHash, err)
	}
	return nil
}

// nearDuplicate records a's body as published by the article it nearly
// repeats, so the same text is not matched again, and reports it.
func (p *Publisher) nearDuplicate(ctx context.Context, a *article.Article, m story.Result) (Result, error) {
	if _, err := p.content.Put(ctx, a.ContentHash, encode(contentRecord{ID: m.NearDuplicateOf, State: statePublished})); err != nil {
		return Result{}, fmt.Errorf("publisher: record content %s: %w", a.ContentHash, err)
	}
	p.log.Info("near duplicate dropped", "article_id", a.ID, "duplicate_of", m.NearDuplicateOf,
		"similarity", fmt.Sprintf("%.2f", m.Score), "origin", a.Origin)
	return Result{ID: m.NearDuplicateOf, Revision: 1, Duplicate: true, NearDuplicate: true, StoryID: m.StoryID}, nil
}

// afterAck gives the writes that record a published article their own
// deadline, detached from the caller's cancellation: handing back work is
// right before the publish, finishing it is right after.
func afterAck(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func (p *Publisher) contentRecord(ctx context.Context, hash string) (contentRecord, error) {
	var rec contentRecord
	e, err := p.content.Get(ctx, hash)
	if err != nil {
		return rec, fmt.Errorf("publisher: read content %s: %w", hash, err)
	}
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return rec, fmt.Errorf("publisher: content record %s: %w", hash, err)
	}
	return rec, nil
}

// message builds the wire form: the article JSON with CloudEvents binary
// mode headers.
func (p *Publisher) message(a *article.Article) (*nats.Msg, error) {
	body, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("publisher: encode %s: %w", a.ID, err)
	}
	msg := nats.NewMsg(p.top.ArticleSubject(a.LanguageSlug(), a.SourceSlug()))
	msg.Data = body
	msg.Header.Set("Content-Type", "application/json")
	msg.Header.Set("ce-specversion", specVersion)
	msg.Header.Set("ce-id", MsgID(a.ID, a.Revision))
	msg.Header.Set("ce-type", EventType)
	switch {
	case !a.Retracted.IsZero():
		msg.Header.Set("ce-type", EventTypeRetracted)
	case a.Revision > 1:
		msg.Header.Set("ce-type", EventTypeUpdated)
	}
	msg.Header.Set("ce-source", p.source)
	msg.Header.Set("ce-time", a.Ingested.UTC().Format(time.RFC3339Nano))
	msg.Header.Set("ce-subject", a.ID)
	if a.StoryID != "" {
		msg.Header.Set(StoryHeader, a.StoryID)
	}
	return msg, nil
}
