package story

import (
	"hash/fnv"
	"slices"
	"testing"
)

func TestAddPosting(t *testing.T) {
	list := func(ps ...Posting) []Posting { return ps }
	a, b, c, d := Posting{"a", 40}, Posting{"b", 30}, Posting{"c", 20}, Posting{"d", 10}
	for _, tc := range []struct {
		name   string
		list   []Posting
		p      Posting
		cutoff int64
		limit  int
		want   []Posting
	}{
		{name: "empty", p: b, limit: 3, want: list(b)},
		{name: "newest first", list: list(a, c), p: b, limit: 3, want: list(a, b, c)},
		{name: "newer than all", list: list(b, c), p: a, limit: 3, want: list(a, b, c)},
		{name: "before an equal time", list: list(a, Posting{"x", 30}), p: b, limit: 3, want: list(a, b, Posting{"x", 30})},
		{name: "same article moved", list: list(a, Posting{"b", 5}), p: b, limit: 3, want: list(a, b)},
		{name: "older than the cutoff dropped", list: list(a, b, c, d), p: Posting{"e", 25}, cutoff: 15, limit: 9, want: list(a, b, Posting{"e", 25}, c)},
		{name: "full: the oldest leaves", list: list(a, b, d), p: c, limit: 3, want: list(a, b, c)},
		{name: "full and older than all", list: list(a, b, c), p: d, limit: 3, want: list(a, b, c)},
	} {
		got := addPosting(slices.Clone(tc.list), tc.p, tc.cutoff, tc.limit)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// hash64 is FNV-1a: keys stored in buckets by earlier versions must keep
// their names.
func TestHash64IsFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "en\x00milita", "b.0123456789abcdef"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := hash64(s), h.Sum64(); got != want {
			t.Errorf("hash64(%q) = %x, want %x", s, got, want)
		}
	}
}
