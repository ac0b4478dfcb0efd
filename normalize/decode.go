package normalize

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	xunicode "golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}

	// metaCharset finds <meta charset=x> and the http-equiv form.
	metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)`)
)

// decodeText turns raw bytes into a UTF-8 string. label is a charset name
// from the content type or the HTML meta tag ("" if none). Order: BOM,
// declared charset, valid UTF-8, then Windows-1252 if the result is
// plausible text.
func decodeText(data []byte, label string) (string, error) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		data = data[len(bomUTF8):]
		label = ""
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", fmt.Errorf("%w: bad UTF-16: %v", ErrEncoding, err)
		}
		return checkText(string(out))
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%w: NUL byte at offset %d", ErrBinary, bytes.IndexByte(data, 0))
	}
	// Valid UTF-8 with multi-byte sequences is UTF-8 whatever the label
	// says: legacy text is almost never valid UTF-8 by accident.
	if utf8.Valid(data) && hasMultiByte(data) {
		return checkText(repairMojibake(string(data)))
	}
	if enc := lookupCharset(label); enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
			return checkText(string(out))
		}
	}
	if utf8.Valid(data) {
		return checkText(string(data))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil || !plausibleLatin(string(out)) {
		return "", fmt.Errorf("%w: invalid UTF-8 and not plausible Windows-1252", ErrEncoding)
	}
	return checkText(string(out))
}

// lookupCharset returns the encoding for a non-UTF-8 label, nil otherwise.
func lookupCharset(label string) encoding.Encoding {
	label = strings.TrimSpace(strings.ToLower(label))
	if label == "" || label == "utf-8" || label == "utf8" {
		return nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return nil
	}
	return enc
}

// checkText rejects text with too many control characters: that is a
// binary file that happens to decode.
func checkText(s string) (string, error) {
	var n, ctrl int
	for _, r := range s {
		n++
		if r == utf8.RuneError || (unicode.IsControl(r) && !strings.ContainsRune("\t\n\r\f\v", r)) {
			ctrl++
		}
	}
	if ctrl > 0 && ctrl*50 > n {
		return "", fmt.Errorf("%w: %d control characters in %d", ErrBinary, ctrl, n)
	}
	return s, nil
}

// plausibleLatin reports whether s, decoded as Windows-1252, looks like a
// Western European text: few non-ASCII characters, most of them letters or
// typographic punctuation, no undefined bytes (decoded as C1 controls).
func plausibleLatin(s string) bool {
	var total, nonASCII, odd int
	for _, r := range s {
		total++
		if r < utf8.RuneSelf {
			continue
		}
		nonASCII++
		switch {
		case unicode.IsLetter(r):
		case strings.ContainsRune("‘’‚“”„–—…€«»\u00a0°•·", r):
		default:
			odd++
		}
	}
	return total > 0 && nonASCII*3 <= total && odd*5 <= nonASCII
}

// htmlCharset returns the charset declared by an HTML document's meta tag.
func htmlCharset(data []byte) string {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	if m := metaCharset.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}

func hasMultiByte(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// mojibakeMarks are how UTF-8 looks once read as Windows-1252 and written
// as UTF-8 again: "Ã©" for "é", "â€™" for "’", "Â " for a no-break space.
var mojibakeMarks = []string{"Ã©", "Ã¨", "Ã\u00a0", "Ã¢", "Ã§", "Ã´", "Ã®", "Ã¼", "Ã¶", "Ã¤", "Ã±", "Ã³", "Ã¡", "Ãº", "Ã­", "Ã£", "Ã‰", "â€™", "â€œ", "â€", "Â\u00a0"}

// repairMojibake undoes one round of UTF-8 read as Windows-1252: when s
// has the marks of it and encoding it back to Windows-1252 gives valid
// UTF-8 with fewer marks, that is the text. Text that merely contains
// "Ã" ("SÃO PAULO") does not encode back to valid UTF-8 and stays.
func repairMojibake(s string) string {
	if !strings.Contains(s, "Ã") && !strings.Contains(s, "â€") && !strings.Contains(s, "Â") {
		return s // every mark has one of these: the common case costs one scan
	}
	marks := countMarks(s)
	if marks < 2 {
		return s
	}
	raw, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil || !utf8.ValidString(raw) || countMarks(raw) >= marks {
		return s
	}
	return raw
}

func countMarks(s string) int {
	n := 0
	for _, m := range mojibakeMarks {
		n += strings.Count(s, m)
	}
	return n
}
