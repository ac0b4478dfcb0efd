package story

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker/brokertest"
)

const testWindow = 7 * 24 * time.Hour

type namedIndex struct {
	name string
	idx  Index
}

// testIndexes returns a fresh memory index and a fresh KV index on a real
// embedded NATS server.
func testIndexes(t *testing.T) []namedIndex {
	t.Helper()
	b, _ := brokertest.Start(t)
	return []namedIndex{
		{name: "memory", idx: NewMemoryIndex(0)},
		{name: "kv", idx: newKVIndex(t, b.JS, newBucket(t, b.JS, "crier_story"))},
		{name: "kv, one get per key", idx: perKey(newKVIndex(t, b.JS, newBucket(t, b.JS, "crier_story_old")))},
	}
}

func newBucket(t testing.TB, js jetstream.JetStream, name string) jetstream.KeyValue {
	t.Helper()
	kv, err := js.CreateOrUpdateKeyValue(context.Background(), BucketConfig(name, testWindow, 1))
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// perKey makes x read as it does from a server without batched direct
// gets (before 2.11).
func perKey(x *KVIndex) *KVIndex {
	x.batched.Store(false)
	return x
}

func newKVIndex(t testing.TB, js jetstream.JetStream, kv jetstream.KeyValue) *KVIndex {
	t.Helper()
	idx, err := NewKVIndex(context.Background(), js, kv, KVOptions{Window: testWindow})
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func jsonMarshal(r Record) ([]byte, error) { return json.Marshal(r) }

func jsonRoundTrip(r Record) (Record, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return Record{}, err
	}
	var out Record
	err = json.Unmarshal(data, &out)
	return out, err
}

// allFixtures returns every fixture fingerprint in a publishing order.
func allFixtures(t *testing.T) []Fingerprint {
	t.Helper()
	var fps []Fingerprint
	for _, s := range loadSeeds(t) {
		fps = append(fps, NewFingerprint(s.a))
	}
	fps = append(fps,
		NewFingerprint(normalizeFile(t, "testdata/000_near_duplicate.txt", otherModTime)),
		NewFingerprint(normalizeFile(t, "testdata/names_hockey.txt", otherModTime)),
		NewFingerprint(normalizeFile(t, "testdata/names_gas.txt", otherModTime)))
	day := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for _, c := range loadLanguages(t) {
		for i, text := range []string{c.Dispatch, c.Other, c.Rewrite} {
			fps = append(fps, NewFingerprint(textArticle(c.Language, text, day.Add(time.Duration(i)*time.Hour))))
		}
	}
	// In publishing order: the memory index evicts by the newest article.
	slices.SortStableFunc(fps, func(x, y Fingerprint) int { return x.Published.Compare(y.Published) })
	return fps
}

func TestKVSameAsMemory(t *testing.T) {
	fps := allFixtures(t)
	idxs := testIndexes(t)
	want := matchAll(t, NewMatcher(idxs[0].idx, Options{}), fps)
	for _, kv := range idxs[1:] {
		got := matchAll(t, NewMatcher(kv.idx, Options{}), fps)
		for _, fp := range fps {
			// The verdicts must agree; the best score below the threshold
			// may not, as the memory index evicts by article time and the
			// bucket by its TTL.
			g, w := got[fp.ID], want[fp.ID]
			if g.StoryID != w.StoryID || g.NearDuplicateOf != w.NearDuplicateOf {
				t.Errorf("%s: %s %+v, memory %+v", fp.ID, kv.name, g, w)
			}
		}
	}
}

// The batched read gives what one Get per key gives: missing, deleted and
// purged keys have no value, a key asked twice has its value twice.
func TestKVBatchedReadsAsGets(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	ctx := context.Background()
	for _, k := range []string{"t.a", "t.b", "t.c", "t.d"} {
		if _, err := kv.PutString(ctx, k, "value of "+k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kv.PutString(ctx, "t.a", "second value of t.a"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "t.b"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, "t.c"); err != nil {
		t.Fatal(err)
	}
	keys := []string{"t.a", "t.b", "t.c", "t.d", "t.none", "t.a"}
	batched, err := newKVIndex(t, b.JS, kv).values(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	gets, err := perKey(newKVIndex(t, b.JS, kv)).values(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"second value of t.a", "", "", "value of t.d", "", "second value of t.a"}
	for i, k := range keys {
		if string(batched[i].data) != want[i] || batched[i].rev != gets[i].rev || string(gets[i].data) != want[i] {
			t.Errorf("%s: batched %q at %d, per key %q at %d; want %q", k, batched[i].data, batched[i].rev, gets[i].data, gets[i].rev, want[i])
		}
	}
	none, err := newKVIndex(t, b.JS, kv).values(ctx, []string{"t.none", "t.other"})
	if err != nil || none[0].rev != 0 || none[1].rev != 0 {
		t.Errorf("missing keys: %+v, %v", none, err)
	}
}

// TestKVRestart: a new matcher on the same bucket (a restarted replica)
// finds the stories the previous one recorded.
func TestKVRestart(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	seeds := loadSeeds(t)
	var fps []Fingerprint
	for _, s := range seeds {
		fps = append(fps, NewFingerprint(s.a))
	}
	first := matchAll(t, NewMatcher(newKVIndex(t, b.JS, kv), Options{}), fps[:3])
	second := matchAll(t, NewMatcher(newKVIndex(t, b.JS, kv), Options{}), fps[3:])
	story := first[fps[0].ID].StoryID
	for _, s := range seeds {
		r, ok := first[s.a.ID]
		if !ok {
			r = second[s.a.ID]
		}
		if want := s.name != "004"; (r.StoryID == story) != want {
			t.Errorf("seed %s: story %s, first story %s, want same %v", s.name, r.StoryID, story, want)
		}
	}
	// Matching an article already added gives its recorded story back.
	again, err := NewMatcher(newKVIndex(t, b.JS, kv), Options{}).Match(context.Background(), fps[1])
	if err != nil || again.StoryID != story {
		t.Errorf("rematch: %+v %v, want story %s", again, err, story)
	}
}

// TestKVReplicas: two matchers on one bucket, adding at the same time,
// see each other's articles at once and lose no posting.
func TestKVReplicas(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	replicas := []*Matcher{
		NewMatcher(newKVIndex(t, b.JS, kv), Options{}),
		NewMatcher(newKVIndex(t, b.JS, kv), Options{}),
	}
	ctx := context.Background()
	day := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	c := loadLanguages(t)[0]
	dispatch := NewFingerprint(textArticle(c.Language, c.Dispatch, day))
	if err := replicas[0].Add(ctx, dispatch, dispatch.ID); err != nil {
		t.Fatal(err)
	}
	rewrite := NewFingerprint(textArticle(c.Language, c.Rewrite, day.Add(time.Hour)))
	r, err := replicas[1].Match(ctx, rewrite)
	if err != nil || r.StoryID != dispatch.ID {
		t.Fatalf("replica 1 did not see replica 0's article: %+v %v", r, err)
	}

	// Both replicas add 20 articles sharing their keys at once: each
	// replica holds all of them.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	var added []Fingerprint
	for i := range 20 {
		fp := NewFingerprint(textArticle("en", fmt.Sprintf("%s\nCopy %d.", c.Dispatch, i), day.Add(2*time.Hour)))
		added = append(added, fp)
		wg.Go(func() { errs <- replicas[i%2].Add(ctx, fp, dispatch.ID) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	key := termKey("en", dispatch.Terms[0].Stem)
	for i, r := range replicas {
		have := postedUnder(t, r.idx, key)
		for _, fp := range added {
			if !have[fp.ID] {
				t.Errorf("replica %d: posting of %s lost under %s", i, fp.ID, key)
			}
		}
	}
}

// postedUnder returns the IDs posted under key.
func postedUnder(t *testing.T, idx Index, key string) map[string]bool {
	t.Helper()
	posts, err := idx.Postings(context.Background(), []string{key})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, p := range posts[key] {
		have[p.ID] = true
	}
	return have
}

// The postings held in memory are bounded by MaxArticles, the newest kept,
// following the bucket or replayed at start; records stay readable.
func TestKVMaxArticles(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	open := func() *KVIndex {
		idx, err := NewKVIndex(context.Background(), b.JS, kv, KVOptions{Window: testWindow, MaxArticles: 5})
		if err != nil {
			t.Fatal(err)
		}
		return idx
	}
	writer, follower := open(), open()
	ctx := context.Background()
	day := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 8 {
		id := fmt.Sprintf("a%d", i)
		ids = append(ids, id)
		rec := Record{Fingerprint: Fingerprint{ID: id, Published: day.Add(time.Duration(i) * time.Minute)}, StoryID: "s"}
		if err := writer.Add(ctx, rec, []string{"t.shared", "t." + id}, day.Add(-testWindow)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, id := range ids[3:] {
		want[id] = true
	}
	for name, idx := range map[string]*KVIndex{"writer": writer, "follower": follower, "restarted": open()} {
		if got := postedUnder(t, idx, "t.shared"); !maps.Equal(got, want) {
			t.Errorf("%s holds %v, want the newest five %v", name, got, want)
		}
		if got := postedUnder(t, idx, "t.a0"); len(got) != 0 {
			t.Errorf("%s still posts the oldest under its own key: %v", name, got)
		}
		if recs, err := idx.Records(ctx, ids); err != nil || len(recs) != len(ids) {
			t.Errorf("%s reads %d records (%v), want all %d", name, len(recs), err, len(ids))
		}
	}
}

// A record written by an earlier version, without its postings in headers
// and with its posting lists in keys of their own, is posted under its
// fingerprint's keys, and a rewrite of its story matches it.
func TestKVEarlierRecords(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	ctx := context.Background()
	day := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	c := loadLanguages(t)[0]
	dispatch := NewFingerprint(textArticle(c.Language, c.Dispatch, day))
	data, err := json.Marshal(Record{Fingerprint: dispatch, StoryID: dispatch.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, recordKey(dispatch.ID), data); err != nil {
		t.Fatal(err)
	}
	for _, k := range indexKeys(dispatch) {
		if _, err := kv.Put(ctx, k, []byte{0x01}); err != nil { // an empty list
			t.Fatal(err)
		}
	}
	rewrite := NewFingerprint(textArticle(c.Language, c.Rewrite, day.Add(time.Hour)))
	r, err := NewMatcher(newKVIndex(t, b.JS, kv), Options{}).Match(ctx, rewrite)
	if err != nil || r.StoryID != dispatch.ID {
		t.Errorf("rewrite of an earlier version's record: %+v, %v; want story %s", r, err, dispatch.ID)
	}
}

func TestKVBucketNeedsTTL(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv, err := b.JS.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "no_ttl"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewKVIndex(context.Background(), b.JS, kv, KVOptions{Window: testWindow}); err == nil {
		t.Error("NewKVIndex accepted a bucket without TTL")
	}
}

// A record written again (a new revision of its key), here or by another
// replica, is decoded again, not served from the decoded records kept,
// once a lookup of postings has caught up with the bucket.
func TestKVRecordRewritten(t *testing.T) {
	b, _ := brokertest.Start(t)
	kv := newBucket(t, b.JS, "crier_story")
	writer, reader := newKVIndex(t, b.JS, kv), newKVIndex(t, b.JS, kv)
	ctx := context.Background()
	cutoff := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := Record{Fingerprint: Fingerprint{ID: "a1", Published: cutoff.Add(time.Hour)}, StoryID: "s1"}
	for _, story := range []string{"s1", "s2"} {
		rec.StoryID = story
		if err := writer.Add(ctx, rec, nil, cutoff); err != nil {
			t.Fatal(err)
		}
		for name, idx := range map[string]*KVIndex{"writer": writer, "reader": reader} {
			if _, err := idx.Postings(ctx, nil); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				recs, err := idx.Records(ctx, []string{"a1"})
				if err != nil || len(recs) != 1 || recs[0].StoryID != story {
					t.Fatalf("%s, after writing story %s: %+v, %v", name, story, recs, err)
				}
			}
		}
	}
}

// Articles leave the KV index by when they were recorded, not by their
// own time: a rewrite of an old story that comes in after newer articles
// (a backfill) still finds it.
func TestKVLateArticles(t *testing.T) {
	b, _ := brokertest.Start(t)
	m := NewMatcher(newKVIndex(t, b.JS, newBucket(t, b.JS, "crier_story")), Options{})
	ctx := context.Background()
	old := time.Date(2023, 1, 10, 8, 0, 0, 0, time.UTC)
	c := loadLanguages(t)[0]
	dispatch := NewFingerprint(textArticle(c.Language, c.Dispatch, old))
	newer := NewFingerprint(textArticle(c.Language, c.Other, old.AddDate(1, 0, 0)))
	for _, fp := range []Fingerprint{dispatch, newer} {
		if err := m.Add(ctx, fp, fp.ID); err != nil {
			t.Fatal(err)
		}
	}
	rewrite := NewFingerprint(textArticle(c.Language, c.Rewrite, old.Add(time.Hour)))
	if r, err := m.Match(ctx, rewrite); err != nil || r.StoryID != dispatch.ID {
		t.Errorf("late rewrite of a year-old story: %+v, %v; want story %s", r, err, dispatch.ID)
	}
}
