package normalize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/saintfish/chardet"
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
// from the content type or the HTML meta tag ("" if none). Order: BOM, a
// binary file signature (refused), UTF-16 without BOM, the share of control
// bytes (refused if tooManyControls), declared charset, valid UTF-8, then
// Windows-1252 if the result is plausible text. A few stray control
// characters are cleaned out of the result (see cleanControls).
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
		return cleanControls(string(out))
	}
	if kind := binarySignature(data); kind != "" {
		return "", fmt.Errorf("%w: %s, not text", ErrBinary, kind)
	}
	if enc := sniffUTF16(data); enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("%w: bad UTF-16: %v", ErrEncoding, err)
		}
		return cleanControls(string(out))
	}
	// NUL padding at the end (a file preallocated, or cut short by a
	// crash) is not content, however long.
	data = bytes.TrimRight(data, "\x00")
	if n, first := controlBytes(data); tooManyControls(n, len(data)) {
		return "", fmt.Errorf("%w: %d control bytes in %d, the first at offset %d", ErrBinary, n, len(data), first)
	}
	// Valid UTF-8 with multi-byte sequences is UTF-8 whatever the label
	// says: legacy text is almost never valid UTF-8 by accident.
	if utf8.Valid(data) && hasMultiByte(data) {
		return cleanControls(repairMojibake(string(data)))
	}
	if enc := lookupCharset(label); enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
			return cleanControls(string(out))
		}
	}
	if utf8.Valid(data) {
		return cleanControls(string(data))
	}
	// UTF-8 with a few broken sequences (a page pasted together, a byte
	// lost): the broken bytes are dropped, as Windows-1252 would garble
	// every valid character.
	if valid, invalid := utf8Sequences(data); valid >= 3*invalid {
		return cleanControls(repairMojibake(strings.ToValidUTF8(string(data), "")))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err == nil && plausibleLatin(string(out)) {
		// Bytes Windows-1252 leaves undefined were damage: dropped.
		return cleanControls(strings.ReplaceAll(string(out), "\uFFFD", ""))
	}
	if s, ok := detectCharset(data); ok {
		return cleanControls(s)
	}
	return "", fmt.Errorf("%w: invalid UTF-8, not plausible Windows-1252, and no other charset detected", ErrEncoding)
}

// minCharsetConfidence is the confidence (0 to 100) the charset detector
// must have in its guess: below it the guess is noise.
const minCharsetConfidence = 50

// detectCharset decodes an unlabelled legacy text that is neither UTF-8
// nor Windows-1252 (Shift_JIS in a page's comments, GBK, EUC-KR,
// ISO-8859-2) with the charset ICU's detector is sure of and that decodes
// without an undefined byte, as a browser guesses an unlabelled page's.
func detectCharset(data []byte) (string, bool) {
	const sample = 64 << 10 // the detector reads statistics: a sample is enough
	guesses, err := chardet.NewHtmlDetector().DetectAll(data[:min(len(data), sample)])
	if err != nil {
		return "", false
	}
	for _, g := range guesses {
		if g.Confidence < minCharsetConfidence {
			break // best first
		}
		enc := lookupCharset(strings.Replace(g.Charset, "GB-18030", "gb18030", 1)) // ICU's name
		if enc == nil || enc == charmap.Windows1252 {
			continue // already ruled out
		}
		out, err := enc.NewDecoder().Bytes(data)
		if err == nil && !bytes.ContainsRune(out, utf8.RuneError) {
			return string(out), true
		}
	}
	return "", false
}

// tooManyControls reports whether bad characters out of n are too many for
// text: more than four and more than 2%. Compressed or random data has
// about 10% C0 control bytes, executables and images far more; text
// damaged by a stray NUL has one or a few.
func tooManyControls(bad, n int) bool {
	return bad > 4 && bad*50 > n
}

// isStray reports whether r is a control character that text does not
// use: C0 but tab, line feed, vertical tab, form feed and carriage
// return; and DEL.
func isStray(r rune) bool {
	return (r < 0x20 && !strings.ContainsRune("\t\n\v\f\r", r)) || r == 0x7f
}

// controlBytes counts the stray control bytes of 8-bit data and gives the
// offset of the first. ESC is not counted: ISO-2022-JP text is made of
// escape sequences; the decoder consumes them.
func controlBytes(data []byte) (n, first int) {
	first = -1
	for i, c := range data {
		if isStray(rune(c)) && c != 0x1b {
			if n++; first < 0 {
				first = i
			}
		}
	}
	return n, first
}

// cleanControls refuses decoded text with too many control characters or
// U+FFFD (a binary file that happens to decode) and cleans the few stray
// ones out: NUL and DEL are dropped, as a browser drops NUL from a page's
// text; other C0 controls become a space, as they stand for one in the
// pages seen (0x1D in "I.\x1dManagement").
func cleanControls(s string) (string, error) {
	var n, stray, junk int
	for _, r := range s {
		n++
		switch {
		case isStray(r):
			stray++
		case r == utf8.RuneError || 0x80 <= r && r <= 0x9f:
			junk++ // undecodable bytes, C1 controls: kept, but counted
		}
	}
	if tooManyControls(stray+junk, n) {
		return "", fmt.Errorf("%w: %d control characters in %d", ErrBinary, stray+junk, n)
	}
	if stray == 0 {
		return s, nil
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0 || r == 0x7f:
			return -1
		case isStray(r):
			return ' '
		}
		return r
	}, s), nil
}

// sniffUTF16 recognizes UTF-16 without a BOM by where its NUL bytes fall:
// in text that is at least half Latin script or markup, most code units
// have a zero high byte (the odd offsets in little-endian, the even ones
// in big-endian), and almost none a zero low byte. Text in other scripts
// is left to the other checks. The decoded text is checked like any.
// It returns nil if data does not look like UTF-16.
func sniffUTF16(data []byte) encoding.Encoding {
	head := data[:min(len(data), 4096)]
	units := len(head) / 2
	var even, odd int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	switch {
	case units == 0:
		return nil
	case odd*2 >= units && even*10 <= odd:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)
	case even*2 >= units && odd*10 <= even:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)
	}
	return nil
}

// signatures are the first bytes of binary formats an article source may
// send by mistake. Each is long or odd enough never to begin a text.
var signatures = []struct {
	offset int
	magic  string
	kind   string
}{
	{0, "\x89PNG\r\n\x1a\n", "a PNG image"},
	{0, "\xff\xd8\xff", "a JPEG image"},
	{0, "GIF87a", "a GIF image"},
	{0, "GIF89a", "a GIF image"},
	{0, "II*\x00", "a TIFF image"},
	{0, "MM\x00*", "a TIFF image"},
	{0, "\x00\x00\x01\x00", "an icon"},
	{8, "WEBP", "a WebP image"}, // after "RIFF" and a size, checked below
	{8, "WAVE", "a WAV sound"},
	{8, "AVI ", "an AVI video"},
	{4, "ftyp", "an MP4 or QuickTime file"}, // after a size below 16 MB
	{0, "ID3\x03", "an MP3 sound"},
	{0, "ID3\x04", "an MP3 sound"},
	{0, "OggS\x00", "an Ogg file"},
	{0, "\x1a\x45\xdf\xa3", "a Matroska or WebM video"},
	{0, "%PDF-", "a PDF document"},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document (old Word, Excel)"},
	{0, "PK\x03\x04", "a ZIP archive (or docx, odt, epub)"},
	{0, "PK\x05\x06", "a ZIP archive"},
	{0, "PK\x07\x08", "a ZIP archive"},
	{0, "\x1f\x8b\x08", "a gzip file"},
	{0, "BZh", "a bzip2 file"}, // with the block magic, checked below
	{0, "\xfd7zXZ\x00", "an xz file"},
	{0, "\x28\xb5\x2f\xfd", "a zstd file"},
	{0, "7z\xbc\xaf\x27\x1c", "a 7z archive"},
	{0, "Rar!\x1a\x07", "a RAR archive"},
	{257, "ustar\x00", "a tar archive"},
	{257, "ustar  \x00", "a tar archive"},
	{0, "SQLite format 3\x00", "an SQLite database"},
	{0, "\x7fELF", "an ELF executable"},
	{0, "\xfe\xed\xfa\xce", "a Mach-O executable"},
	{0, "\xfe\xed\xfa\xcf", "a Mach-O executable"},
	{0, "\xce\xfa\xed\xfe", "a Mach-O executable"},
	{0, "\xcf\xfa\xed\xfe", "a Mach-O executable"},
	{0, "\xca\xfe\xba\xbe", "a Java class or Mach-O executable"},
	{0, "\x00asm", "a WebAssembly module"},
	{0, "wOFF", "a WOFF font"},
	{0, "wOF2", "a WOFF2 font"},
	{0, "\x00\x01\x00\x00\x00", "a TrueType font"},
}

// binarySignature names the binary format data starts with, "" if none.
func binarySignature(data []byte) string {
	for _, s := range signatures {
		if !bytes.HasPrefix(data[min(s.offset, len(data)):], []byte(s.magic)) {
			continue
		}
		switch {
		case s.offset == 8 && !bytes.HasPrefix(data, []byte("RIFF")), s.offset == 4 && data[0] != 0:
			continue
		case s.magic == "BZh" && !(len(data) >= 10 && data[3] >= '1' && data[3] <= '9' && string(data[4:10]) == "1AY&SY"):
			continue
		}
		return s.kind
	}
	// A Windows executable: "MZ", and the PE header where the DOS header
	// says it is.
	if len(data) >= 64 && string(data[:2]) == "MZ" {
		if pe := int(binary.LittleEndian.Uint32(data[60:64])); pe+4 <= len(data) && pe >= 64 && string(data[pe:pe+4]) == "PE\x00\x00" {
			return "a Windows executable"
		}
	}
	return ""
}

// lookupCharset returns the encoding for a non-UTF-8 label, nil otherwise.
func lookupCharset(label string) encoding.Encoding {
	label = strings.TrimSpace(strings.ToLower(label))
	if label == "" || label == "utf-8" || label == "utf8" {
		return nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		// "euc_kr", "iso_8859_1": the labels' spelling in other
		// registries, which pages copy.
		if enc, err = htmlindex.Get(strings.ReplaceAll(label, "_", "-")); err != nil {
			return nil
		}
	}
	if name, _ := htmlindex.Name(enc); name == "utf-8" {
		return nil
	}
	return enc
}

// latinSymbols are the punctuation and signs of Western text in Windows-1252
// ("Feathers, LLC ™", "£3,000", "§ 12"). Superscripts, fractions, ±, the
// cedilla and the acute accent alone are left out: they are letters of
// Central European encodings (ISO-8859-2 "±" is "ą") read as Windows-1252.
const latinSymbols = "‘’‚“”„–—…€«»\u00a0°•·™©®£§¢¥×÷¡¿ªºµ‰†‡‹›ˆ˜"

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
		case strings.ContainsRune(latinSymbols, r):
		default:
			odd++
		}
	}
	// A few undefined bytes in a long page (stray 0x90s) are damage, not
	// another encoding.
	return total > 0 && nonASCII*3 <= total && (odd*5 <= nonASCII || odd <= 3 || odd*2000 <= total)
}

// htmlCharset returns the charset declared by an HTML document's meta tag.
// A UTF-16 one is read as UTF-8, as the HTML standard says: a meta tag
// readable as ASCII is not in UTF-16, whatever it declares.
func htmlCharset(data []byte) string {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	m := metaCharset.FindSubmatch(head)
	if m == nil {
		return ""
	}
	if enc, err := htmlindex.Get(string(m[1])); err == nil {
		if name, _ := htmlindex.Name(enc); strings.HasPrefix(name, "utf-16") {
			return "utf-8"
		}
	}
	return string(m[1])
}

// utf8Sequences counts the valid multi-byte UTF-8 sequences of b and the
// bytes that belong to none.
func utf8Sequences(b []byte) (valid, invalid int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			valid++
		}
		i += n
	}
	return valid, invalid
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
