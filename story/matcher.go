package story

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// Index keys. They are constants, not options: every replica sharing an
// index must derive the same keys from a fingerprint.
const (
	// lshBands and lshRows band the first lshBands*lshRows MinHash values:
	// two texts become near-duplicate candidates when one band is equal,
	// probability 1-(1-J^4)^10: 0.98 at Jaccard 0.8, 0.47 at 0.5, 0.08 at
	// 0.3. Candidates are then verified on all NumHashes values.
	lshBands = 10
	lshRows  = 4
	// indexTerms is how many of an article's heaviest content terms it is
	// posted under, to find rewrites that share words but few shingles.
	indexTerms = 8
)

// DefaultWindow is the default Options.Window.
const DefaultWindow = 7 * 24 * time.Hour

// Options tune a Matcher. The zero value gives the defaults.
type Options struct {
	// Window is the largest time distance between two articles of one
	// story (default 7 days). It is also how long the index keeps them.
	Window time.Duration
	// Grace is the time distance that costs nothing (default 24h): the
	// rewrites of a dispatch come out within a day.
	Grace time.Duration
	// StoryThreshold is the least story score to join a story (default
	// 0.35). The score is the cosine similarity of the content terms times
	// a time factor: 1 up to Grace, then falling linearly to 0.5 at Window.
	StoryThreshold float64
	// UndatedThreshold is the least story score to join a story when
	// either article has no date of its own (default 0.5): time cannot
	// help, so the text must say more.
	UndatedThreshold float64
	// NearDuplicateThreshold is the least estimated Jaccard similarity of
	// the shingle sets for a near duplicate (default 0.8).
	NearDuplicateThreshold float64
	// Candidates is how many stored fingerprints are compared per match,
	// the ones sharing the most keys (default 10).
	Candidates int
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Grace <= 0 {
		o.Grace = 24 * time.Hour
	}
	o.Grace = min(o.Grace, o.Window)
	if o.StoryThreshold <= 0 {
		o.StoryThreshold = 0.35
	}
	if o.UndatedThreshold <= 0 {
		o.UndatedThreshold = max(0.5, o.StoryThreshold)
	}
	if o.NearDuplicateThreshold <= 0 {
		o.NearDuplicateThreshold = 0.8
	}
	if o.Candidates <= 0 {
		o.Candidates = 10
	}
	return o
}

// Result is the verdict on one article.
type Result struct {
	// NearDuplicateOf is the ID of an earlier article with nearly the same
	// text; empty when there is none.
	NearDuplicateOf string
	// StoryID is the story the article belongs to: an earlier article's
	// story, or the article's own ID for a new story.
	StoryID string
	// Matched is the earlier article that decided StoryID; empty for a new
	// story.
	Matched string
	// Score is the near-duplicate Jaccard estimate when NearDuplicateOf is
	// set, else the best story score found (also when below the threshold).
	Score float64
}

// Matcher finds an article's near duplicate and story in an Index. It is
// safe for concurrent use if its Index is.
type Matcher struct {
	idx  Index
	opts Options
}

// NewMatcher returns a Matcher on idx.
func NewMatcher(idx Index, opts Options) *Matcher {
	return &Matcher{idx: idx, opts: opts.withDefaults()}
}

// Match looks fp up in the index. It does not add it: call Add once the
// article is kept. An article already added gets its recorded story back.
func (m *Matcher) Match(ctx context.Context, fp Fingerprint) (Result, error) {
	res := Result{StoryID: fp.ID}
	keys := indexKeys(fp)
	posts, err := m.idx.Postings(ctx, keys)
	if err != nil {
		return res, fmt.Errorf("story: postings: %w", err)
	}
	ids := m.rank(fp, keys, posts)
	if len(ids) == 0 {
		return res, nil
	}
	recs, err := m.idx.Records(ctx, ids)
	if err != nil {
		return res, fmt.Errorf("story: records: %w", err)
	}
	var bestDup, bestStory float64
	terms := newTermVector(fp.Terms)
	for _, r := range recs {
		if r.ID == fp.ID {
			return Result{StoryID: r.StoryID, Matched: r.ID, Score: 1}, nil
		}
		if r.Language != fp.Language {
			continue
		}
		if j := jaccard(fp.MinHash, r.MinHash); j >= m.opts.NearDuplicateThreshold && j > bestDup {
			bestDup = j
			res.NearDuplicateOf, res.StoryID, res.Matched, res.Score = r.ID, r.StoryID, r.ID, j
		}
		if bestDup > 0 {
			continue
		}
		s := m.storyScore(fp, terms, r.Fingerprint)
		if s > bestStory {
			bestStory = s
			res.Score = s
			if s >= m.opts.StoryThreshold {
				res.StoryID, res.Matched = r.StoryID, r.ID
			}
		}
	}
	return res, nil
}

// Add records fp as a member of storyID, so later articles can match it.
func (m *Matcher) Add(ctx context.Context, fp Fingerprint, storyID string) error {
	if storyID == "" {
		storyID = fp.ID
	}
	if err := m.idx.Add(ctx, Record{Fingerprint: fp, StoryID: storyID}, indexKeys(fp), cutoff(fp, m.opts.Window)); err != nil {
		return fmt.Errorf("story: add %s: %w", fp.ID, err)
	}
	return nil
}

// cutoff is the time before which postings leave the lists fp is added
// to: a window before it, or none when its time is only estimated (it
// says nothing of the others').
func cutoff(fp Fingerprint, window time.Duration) time.Time {
	if fp.Estimated {
		return time.Time{}
	}
	return fp.Published.Add(-window)
}

// Similarity returns the two similarities the matcher uses, without the
// index: the estimated Jaccard similarity of the shingle sets and the
// story score (0 for different languages or beyond the window).
func (m *Matcher) Similarity(a, b Fingerprint) (jaccardEstimate, story float64) {
	return jaccard(a.MinHash, b.MinHash), m.storyScore(a, newTermVector(a.Terms), b)
}

// storyScore is the cosine similarity of the content terms (a's as av)
// times the time factor; an estimated date never lowers the factor below
// the undated one.
func (m *Matcher) storyScore(a Fingerprint, av termVector, b Fingerprint) float64 {
	if a.Language != b.Language {
		return 0
	}
	f := m.timeFactor(a.Published.Sub(b.Published))
	if a.Estimated || b.Estimated {
		// An estimated date (when crier got the page) is trusted when it
		// is near; far, it may be wrong, and the text must say more:
		// scaled so that UndatedThreshold lands on StoryThreshold.
		f = max(f, m.opts.StoryThreshold/m.opts.UndatedThreshold)
	}
	return av.cosine(b.Terms) * f
}

// timeFactor is 1 up to Grace, falls linearly to 0.5 at Window, and is 0
// beyond: the further apart two articles, the more text they must share.
func (m *Matcher) timeFactor(d time.Duration) float64 {
	d = max(d, -d)
	switch {
	case d > m.opts.Window:
		return 0
	case d <= m.opts.Grace:
		return 1
	}
	return 1 - 0.5*float64(d-m.opts.Grace)/float64(m.opts.Window-m.opts.Grace)
}

// rank orders the articles found under fp's keys, within the window, by
// the keys they share (a band counts as much as all term keys together),
// and returns the IDs of the first Candidates.
func (m *Matcher) rank(fp Fingerprint, keys []string, posts map[string][]Posting) []string {
	weight := make(map[string]float64, len(keys))
	bandWeight := 0.0
	for _, t := range indexedTerms(fp) {
		weight[termKey(fp.Language, t.Stem)] = t.Weight
		bandWeight += t.Weight
	}
	bandWeight = max(bandWeight, 1)
	t0, window := fp.Published.Unix(), int64(m.opts.Window/time.Second)
	score := map[string]float64{}
	for k, list := range posts {
		w, ok := weight[k]
		if !ok {
			w = bandWeight
		}
		for _, p := range list {
			if d := p.Time - t0; !fp.Estimated && (d > window || d < -window) {
				continue
			}
			score[p.ID] += w
		}
	}
	// The first Candidates by score, then ID: a selection, as the lists
	// name up to a few thousand articles and ten are wanted.
	type scored struct {
		id    string
		score float64
	}
	before := func(x, y scored) bool { return x.score > y.score || x.score == y.score && x.id < y.id }
	best := make([]scored, 0, m.opts.Candidates+1)
	for id, s := range score {
		c := scored{id, s}
		if len(best) == m.opts.Candidates && !before(c, best[len(best)-1]) {
			continue
		}
		i := len(best)
		for i > 0 && before(c, best[i-1]) {
			i--
		}
		best = slices.Insert(best, i, c)
		if len(best) > m.opts.Candidates {
			best = best[:m.opts.Candidates]
		}
	}
	ids := make([]string, len(best))
	for i, c := range best {
		ids[i] = c.id
	}
	return ids
}

// indexedTerms are the content terms fp is posted under.
func indexedTerms(fp Fingerprint) []Term {
	return fp.Terms[:min(len(fp.Terms), indexTerms)]
}

// indexKeys returns fp's keys: one per LSH band, then one per indexed
// term. Keys hash the language in, so languages never meet, and are valid
// NATS KV keys.
func indexKeys(fp Fingerprint) []string {
	var keys []string
	if len(fp.MinHash) >= lshBands*lshRows {
		buf := make([]byte, 0, 64)
		for b := range lshBands {
			buf = append(buf[:0], fp.Language...)
			buf = append(buf, 0, byte(b))
			for _, v := range fp.MinHash[b*lshRows : (b+1)*lshRows] {
				buf = binary.LittleEndian.AppendUint32(buf, v)
			}
			keys = append(keys, "b."+hexKey(hash64(string(buf))))
		}
	}
	for _, t := range indexedTerms(fp) {
		keys = append(keys, termKey(fp.Language, t.Stem))
	}
	return keys
}

// termKey is the key of a content term in a language.
func termKey(lang, stem string) string {
	return "t." + hexKey(hash64(lang+"\x00"+stem))
}

func hexKey(h uint64) string { return fmt.Sprintf("%016x", h) }
