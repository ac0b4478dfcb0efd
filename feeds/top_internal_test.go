package feeds

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// A feed's newest items are always what a pass over the whole set gives,
// through additions, revisions that move an article, and retractions.
func TestTopListMatchesFullPass(t *testing.T) {
	for seed := range uint64(20) {
		topListRun(t, rand.New(rand.NewPCG(seed, 2)))
	}
}

func topListRun(t *testing.T, r *rand.Rand) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	randomEntry := func(id string) *entry {
		at := t0.Add(time.Duration(r.IntN(30*24)) * time.Hour)
		return &entry{id: id, published: at, ingested: at, day: dayOf(at.Add(time.Duration(r.IntN(3)) * 24 * time.Hour))}
	}
	set := map[string]*entry{}
	top := newFeed()
	var ids []string
	for op := range 5000 {
		switch n := r.IntN(10); {
		case n < 6 || len(ids) == 0: // a new article
			e := randomEntry("a" + strconv.Itoa(op))
			ids = append(ids, e.id)
			set[e.id] = e
			top.add(e)
		case n < 9: // a revision: out, and in again with another date
			id := ids[r.IntN(len(ids))]
			old := set[id]
			delete(set, id)
			top.remove(old)
			e := randomEntry(id)
			e.day = old.day
			set[id] = e
			top.add(e)
		default: // a retraction
			i := r.IntN(len(ids))
			id := ids[i]
			ids = slices.Delete(ids, i, i+1)
			old := set[id]
			delete(set, id)
			top.remove(old)
		}
		if op%7 != 0 {
			continue // let changes pile up between reads, as between renders
		}
		got, gotDay := top.newest(maxLimit)
		want, wantDay := newestN(set, maxLimit)
		if !slices.Equal(got, want) || gotDay != wantDay {
			t.Fatalf("after op %d (%d articles): top list of %d, day %s; full pass %d, day %s", op, len(set), len(got), gotDay, len(want), wantDay)
		}
	}
}
