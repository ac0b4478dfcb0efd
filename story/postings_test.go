package story

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

func TestPostingsEncoding(t *testing.T) {
	list := []Posting{{ID: "417a7d9a6af920a51d524c2f3ae5abe7", Time: 1767225600}, {ID: "x", Time: -5}, {ID: "", Time: 0}}
	for _, tc := range []struct {
		name string
		in   []byte
		want []Posting
		bad  bool
	}{
		{name: "binary", in: encodePostings(list), want: list},
		{name: "empty binary", in: encodePostings(nil)},
		{name: "JSON of earlier versions", in: []byte(`[{"i":"417a7d9a6af920a51d524c2f3ae5abe7","t":1767225600},{"i":"x","t":-5},{"i":"","t":0}]`), want: list},
		{name: "truncated id", in: encodePostings(list)[:10], bad: true},
		{name: "truncated time", in: encodePostings(list[:1])[:34], bad: true},
		{name: "length past the end", in: []byte{postingsV1, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'}, bad: true},
		{name: "neither form", in: []byte("{"), bad: true},
	} {
		got, err := decodePostings(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%s: error %v, want error %v", tc.name, err, tc.bad)
			continue
		}
		if !tc.bad && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// A full list of hex article ids takes at most 0.7 of its JSON's bytes
// (0.68: 3,801 against 5,601).
func TestPostingsSmallerThanJSON(t *testing.T) {
	var list []Posting
	for i := range DefaultMaxPostings {
		list = append(list, Posting{ID: fmt.Sprintf("%032x", i*7919), Time: 1767225600 + int64(i)*60})
	}
	js, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	if bin := encodePostings(list); len(bin)*10 > len(js)*7 {
		t.Errorf("binary %d bytes, JSON %d: over 0.7", len(bin), len(js))
	}
}
