package story

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// matchAll matches and adds the fingerprints in order, as the publisher
// does, and returns each article's result by ID. Near duplicates are not
// added: crier does not publish them.
func matchAll(t *testing.T, m *Matcher, fps []Fingerprint) map[string]Result {
	t.Helper()
	ctx := context.Background()
	out := map[string]Result{}
	for _, fp := range fps {
		r, err := m.Match(ctx, fp)
		if err != nil {
			t.Fatalf("match %s: %v", fp.ID, err)
		}
		out[fp.ID] = r
		if r.NearDuplicateOf != "" {
			continue
		}
		if err := m.Add(ctx, fp, r.StoryID); err != nil {
			t.Fatalf("add %s: %v", fp.ID, err)
		}
	}
	return out
}

func TestSeedStories(t *testing.T) {
	seeds := loadSeeds(t)
	sameDay := func(name string, fp *Fingerprint) {
		if name == "004" {
			fp.Published = seedModTimes["000"]
		}
	}
	tests := []struct {
		name string
		// adjust changes a fingerprint before matching.
		adjust func(name string, fp *Fingerprint)
	}{
		{name: "dated"},
		// 004 stays apart on its text alone, even on the same day.
		{name: "004 on the same day", adjust: sameDay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, idx := range testIndexes(t) {
				t.Run(idx.name, func(t *testing.T) {
					var fps []Fingerprint
					for _, s := range seeds {
						fp := NewFingerprint(s.a)
						if tt.adjust != nil {
							tt.adjust(s.name, &fp)
						}
						fps = append(fps, fp)
					}
					res := matchAll(t, NewMatcher(idx.idx, Options{}), fps)
					story := map[string]string{}
					for _, s := range seeds {
						r := res[s.a.ID]
						if r.NearDuplicateOf != "" {
							t.Errorf("seed %s: near duplicate of %s", s.name, r.NearDuplicateOf)
						}
						story[s.name] = r.StoryID
					}
					for _, name := range []string{"001", "002", "003"} {
						if story[name] != story["000"] {
							t.Errorf("seed %s: story %s, want 000's %s", name, story[name], story["000"])
						}
					}
					if story["004"] == story["000"] {
						t.Errorf("seed 004 joined 000's story %s", story["000"])
					}
					first := seeds[0]
					if story["000"] != first.a.ID {
						t.Errorf("story id %s, want the first article's id %s (seed %s)", story["000"], first.a.ID, first.name)
					}
				})
			}
		})
	}
}

// TestSeedScores logs the similarities of every pair of seeds, so the
// thresholds can be judged (go test -v -run SeedScores).
func TestSeedScores(t *testing.T) {
	seeds := loadSeeds(t)
	m := NewMatcher(NewMemoryIndex(0), Options{})
	var b strings.Builder
	fmt.Fprintf(&b, "pair     jaccard  cosine  time-factor  story-score  (date distance)\n")
	for i, x := range seeds {
		for _, y := range seeds[i+1:] {
			fx, fy := NewFingerprint(x.a), NewFingerprint(y.a)
			j, s := m.Similarity(fx, fy)
			d := fx.Published.Sub(fy.Published).Abs()
			fmt.Fprintf(&b, "%s-%s  %6.3f   %6.3f  %6.3f       %6.3f       (%v)\n",
				x.name, y.name, j, cosine(fx.Terms, fy.Terms), m.timeFactor(d), s, d.Round(time.Hour))
		}
	}
	t.Log("\n" + b.String())
}

func TestNearDuplicate(t *testing.T) {
	seeds := loadSeeds(t)
	byName := map[string]Fingerprint{}
	for _, s := range seeds {
		byName[s.name] = NewFingerprint(s.a)
	}
	edited := NewFingerprint(normalizeFile(t, "testdata/000_near_duplicate.txt", otherModTime))
	tests := []struct {
		name     string
		fp       Fingerprint
		nearDup  bool
		minScore float64
	}{
		{name: "000 with other boilerplate and edits", fp: edited, nearDup: true, minScore: 0.8},
		{name: "002, a rewrite", fp: byName["002"], nearDup: false},
		{name: "003, another agency's version", fp: byName["003"], nearDup: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, idx := range testIndexes(t) {
				t.Run(idx.name, func(t *testing.T) {
					m := NewMatcher(idx.idx, Options{})
					ctx := context.Background()
					if err := m.Add(ctx, byName["000"], byName["000"].ID); err != nil {
						t.Fatal(err)
					}
					r, err := m.Match(ctx, tt.fp)
					if err != nil {
						t.Fatal(err)
					}
					j, _ := m.Similarity(byName["000"], tt.fp)
					t.Logf("estimated Jaccard with 000: %.3f", j)
					if got := r.NearDuplicateOf == byName["000"].ID; got != tt.nearDup {
						t.Fatalf("near duplicate of 000: %v, want %v (result %+v)", got, tt.nearDup, r)
					}
					if r.StoryID != byName["000"].ID {
						t.Errorf("story %s, want 000's", r.StoryID)
					}
					if tt.nearDup && r.Score < tt.minScore {
						t.Errorf("score %.3f, want >= %.3f", r.Score, tt.minScore)
					}
				})
			}
		})
	}
}

// TestSharedNamesOnly: two different events with the same people on the
// same day are two stories.
func TestSharedNamesOnly(t *testing.T) {
	day := time.Date(2023, 2, 5, 10, 0, 0, 0, time.UTC)
	a := NewFingerprint(normalizeFile(t, "testdata/names_hockey.txt", day))
	b := NewFingerprint(normalizeFile(t, "testdata/names_gas.txt", day.Add(2*time.Hour)))
	_, s := NewMatcher(nil, Options{}).Similarity(a, b)
	t.Logf("story score %.3f", s)
	if s >= (Options{}).withDefaults().StoryThreshold {
		t.Errorf("story score %.3f reaches the threshold", s)
	}
	for _, idx := range testIndexes(t) {
		t.Run(idx.name, func(t *testing.T) {
			res := matchAll(t, NewMatcher(idx.idx, Options{}), []Fingerprint{a, b})
			if r := res[b.ID]; r.StoryID != b.ID {
				t.Errorf("the gas article joined story %s (score %.3f)", r.StoryID, r.Score)
			} else {
				t.Logf("best story score %.3f", r.Score)
			}
		})
	}
}

// TestLanguages: in each language, a rewrite joins the dispatch's story, a
// copy with boilerplate is a near duplicate, another event with the same
// names stays apart, and the same text in another language never matches.
func TestLanguages(t *testing.T) {
	day := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for _, c := range loadLanguages(t) {
		t.Run(c.Language, func(t *testing.T) {
			dispatch := NewFingerprint(textArticle(c.Language, c.Dispatch, day))
			rewrite := NewFingerprint(textArticle(c.Language, c.Rewrite, day.Add(3*time.Hour)))
			copied := NewFingerprint(textArticle(c.Language, "Newsletter\n"+c.Dispatch+"\n© 2024", day.Add(time.Hour)))
			other := NewFingerprint(textArticle(c.Language, c.Other, day.Add(2*time.Hour)))
			foreign := NewFingerprint(textArticle("xx", c.Dispatch+"\nxx", day.Add(time.Hour)))
			m := NewMatcher(NewMemoryIndex(0), Options{})
			res := matchAll(t, m, []Fingerprint{dispatch, copied, other, rewrite, foreign})
			_, sRewrite := m.Similarity(dispatch, rewrite)
			_, sOther := m.Similarity(dispatch, other)
			jCopy, _ := m.Similarity(dispatch, copied)
			t.Logf("rewrite %.3f, other %.3f, copy jaccard %.3f", sRewrite, sOther, jCopy)
			if r := res[rewrite.ID]; r.StoryID != dispatch.ID || r.NearDuplicateOf != "" {
				t.Errorf("rewrite: %+v, want story %s", r, dispatch.ID)
			}
			if r := res[copied.ID]; r.NearDuplicateOf != dispatch.ID {
				t.Errorf("copy: %+v, want a near duplicate of %s", r, dispatch.ID)
			}
			if r := res[other.ID]; r.StoryID != other.ID {
				t.Errorf("other event: joined %s (score %.3f)", r.StoryID, r.Score)
			}
			if r := res[foreign.ID]; r.StoryID != foreign.ID || r.NearDuplicateOf != "" {
				t.Errorf("another language: %+v", r)
			}
		})
	}
}

func TestTimeWindow(t *testing.T) {
	seeds := loadSeeds(t)
	var x, y Fingerprint
	for _, s := range seeds {
		switch s.name {
		case "000":
			x = NewFingerprint(s.a)
		case "003":
			y = NewFingerprint(s.a)
		}
	}
	tests := []struct {
		later time.Duration
		same  bool
	}{
		{later: 0, same: true},
		{later: 3 * 24 * time.Hour, same: true},
		{later: 7*24*time.Hour + time.Minute, same: false},
		{later: 30 * 24 * time.Hour, same: false},
	}
	for _, tt := range tests {
		t.Run(tt.later.String(), func(t *testing.T) {
			y := y
			y.Published = x.Published.Add(tt.later)
			res := matchAll(t, NewMatcher(NewMemoryIndex(0), Options{}), []Fingerprint{x, y})
			if got := res[y.ID].StoryID == x.ID; got != tt.same {
				t.Errorf("same story: %v, want %v (%+v)", got, tt.same, res[y.ID])
			}
		})
	}
}

func TestMemoryIndexEvicts(t *testing.T) {
	idx := NewMemoryIndex(0)
	m := NewMatcher(idx, Options{Window: 24 * time.Hour})
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200 {
		a := textArticle("en", fmt.Sprintf("Article number %d about the harbour of town %d and its %d boats.", i, i%7, i), start.Add(time.Duration(i)*time.Hour))
		if err := m.Add(context.Background(), NewFingerprint(a), ""); err != nil {
			t.Fatal(err)
		}
	}
	// One day of hourly articles, plus the one at the cutoff: hours 175 to
	// 199.
	if n := idx.Len(); n != 25 {
		t.Errorf("index holds %d records after 200 hours, want a day's 25", n)
	}
}

func TestFingerprintJSON(t *testing.T) {
	seeds := loadSeeds(t)
	fp := NewFingerprint(seeds[0].a)
	rec := Record{Fingerprint: fp, StoryID: "s"}
	data, err := jsonRoundTrip(rec)
	if err != nil {
		t.Fatal(err)
	}
	if data.ID != fp.ID || len(data.MinHash) != NumHashes || len(data.Terms) != len(fp.Terms) || !data.Published.Equal(fp.Published) {
		t.Errorf("round trip lost data: %+v", data)
	}
	raw, _ := jsonMarshal(rec)
	t.Logf("record of seed %s: %d bytes of JSON", seeds[0].name, len(raw))
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"militaires": "milita", "militaire": "milita", "gas": "gas", "2024": "2024",
		"économie": "econom", "cœur": "coeur", "straße": "strasse", "étés": "etes", "zürich": "zurich",
	} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIndexKeysValid(t *testing.T) {
	for _, s := range loadSeeds(t) {
		fp := NewFingerprint(s.a)
		keys := indexKeys(fp)
		if len(keys) != lshBands+indexTerms {
			t.Errorf("seed %s: %d keys", s.name, len(keys))
		}
		for _, k := range append(keys, recordKey(fp.ID), recordKey("file:x y")) {
			if strings.Trim(k, "-/_=.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Errorf("invalid key %q", k)
			}
		}
	}
}

// TestUndatedFarAway: a page without a date, received years after the
// dated rewrites of its story (the seeds dropped into an inbox today),
// still joins them on strong shared text, and 004, which shares names
// but not the event, does not.
func TestUndatedFarAway(t *testing.T) {
	today := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	seed := func(name string) Fingerprint {
		paths, _ := filepath.Glob("../normalize/testdata/seeds/" + name + "_*.txt")
		if len(paths) != 1 {
			t.Fatalf("seed %s: %v", name, paths)
		}
		return NewFingerprint(normalizeFile(t, paths[0], today))
	}
	s000, s003, s004 := seed("000"), seed("003"), seed("004")
	if !s000.Estimated || s003.Estimated {
		t.Fatalf("000 must be undated, 003 dated: %v %v", s000.Estimated, s003.Estimated)
	}
	m := NewMatcher(NewMemoryIndex(0), Options{})
	th := Options{}.withDefaults().StoryThreshold
	for _, tc := range []struct {
		name string
		a, b Fingerprint
		join bool
	}{
		{"000 and 003, the same dispatch, years apart in receipt", s000, s003, true},
		{"004 and 003, the same leaders, another event", s004, s003, false},
		{"004 and 000, both received today", s004, s000, false},
	} {
		_, score := m.Similarity(tc.a, tc.b)
		if got := score >= th; got != tc.join {
			t.Errorf("%s: score %.3f, join %v, want %v", tc.name, score, got, tc.join)
		}
	}
}
