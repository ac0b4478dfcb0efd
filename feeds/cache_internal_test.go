package feeds

import (
	"errors"
	"testing"
)

// A render that fails leaves no slot behind, whatever the error: a slot
// without a document would be out of the LRU's reach for good.
func TestFailedRenderForgetsItsSlot(t *testing.T) {
	s := New(Options{})
	boom := errors.New("boom")
	for _, want := range []error{errNotFound, boom} {
		sl := s.docs.slot("/doc", func() *slot {
			return &slot{deps: []dep{"dep"}, render: func() (*rendered, error) { return nil, want }}
		})
		if _, err := s.docs.get(sl); !errors.Is(err, want) {
			t.Fatalf("get: %v, want %v", err, want)
		}
		if s.docs.lookup("/doc") != nil || len(s.docs.byDep["dep"]) != 0 {
			t.Errorf("%v: the slot is still in the cache", want)
		}
	}
}
