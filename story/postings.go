package story

import (
	"encoding/binary"
	"encoding/json"
	"errors"
)

// Posting lists are stored in a compact binary form: a version byte, then
// per posting the id's length and bytes and the time as varints. Every
// match reads about thirty lists of up to a hundred postings and every
// addition rewrites as many: as JSON, decoding them was a tenth of the
// CPU of ingestion, and a list of hex ids half as large again
// (TestPostingsSmallerThanJSON). Lists written as JSON by
// earlier versions are still read; they expire with the bucket's TTL.

// postingsV1 starts a list in the binary form; a JSON list starts with '['.
const postingsV1 = 0x01

var errBadPostings = errors.New("malformed posting list")

// encodePostings returns the stored form of list.
func encodePostings(list []Posting) []byte {
	n := 1
	for _, p := range list {
		n += 2*binary.MaxVarintLen64 + len(p.ID)
	}
	b := make([]byte, 0, n)
	b = append(b, postingsV1)
	for _, p := range list {
		b = binary.AppendUvarint(b, uint64(len(p.ID)))
		b = append(b, p.ID...)
		b = binary.AppendVarint(b, p.Time)
	}
	return b
}

// decodePostings reads a stored list in either form.
func decodePostings(b []byte) ([]Posting, error) {
	if len(b) == 0 || b[0] != postingsV1 {
		var list []Posting
		err := json.Unmarshal(b, &list)
		return list, err
	}
	// One string for every id: the postings' ids are slices of it, not
	// an allocation each.
	str := string(b[1:])
	if str == "" {
		return nil, nil
	}
	list := make([]Posting, 0, len(str)/40)
	for i := 0; i < len(str); {
		n, k := binary.Uvarint(b[1+i:])
		if k <= 0 || n > uint64(len(str)-i-k) {
			return nil, errBadPostings
		}
		i += k
		id := str[i : i+int(n)]
		i += int(n)
		t, k := binary.Varint(b[1+i:])
		if k <= 0 {
			return nil, errBadPostings
		}
		i += k
		list = append(list, Posting{ID: id, Time: t})
	}
	return list, nil
}
