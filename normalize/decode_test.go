package normalize

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func utf16Bytes(s string, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeText(t *testing.T) {
	iso2022, err := japanese.ISO2022JP.NewEncoder().String("東京で地震、被害の報告なし。")
	if err != nil {
		t.Fatal(err)
	}
	pe := make([]byte, 128)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[60:], 64)
	copy(pe[64:], "PE\x00\x00")
	var samples []byte // 16-bit integers: NUL high bytes like UTF-16, but not text
	for i := range 600 {
		samples = binary.LittleEndian.AppendUint16(samples, uint16(1+i%31))
	}
	random := make([]byte, 4096)
	rand.NewChaCha8([32]byte{}).Read(random)

	tests := []struct {
		name  string
		data  []byte
		label string
		want  string // the text, if no error
		err   error
		msg   string // in the error
	}{
		{"NUL in a word", []byte("Bonjour le mon\x00de."), "", "Bonjour le monde.", nil, ""},
		{"NUL between tags", []byte("<p>Un.</p>\x00<p>Deux.</p>"), "", "<p>Un.</p><p>Deux.</p>", nil, ""},
		{"NUL in Windows-1252", []byte("Caf\xe9 cr\xe8me\x00, le caf\xe9 a rouvert."), "", "Café crème, le café a rouvert.", nil, ""},
		{"NUL in a declared charset", []byte("Le caf\xe9\x00 a rouvert."), "iso-8859-1", "Le café a rouvert.", nil, ""},
		{"a few NULs in a short text", []byte("\x00Bon\x00jour\x00 le monde\x00"), "", "Bonjour le monde", nil, ""},
		{"NUL padding at the end", append([]byte("Le texte complet.\n"), make([]byte, 4096)...), "", "Le texte complet.\n", nil, ""},
		{"stray undefined Windows-1252 bytes", []byte("Philip Glass \x90 wrote the score of Koyaanisqatsi\x8e in 1982, a long and quiet page."), "", "Philip Glass  wrote the score of KoyaanisqatsiŽ in 1982, a long and quiet page.", nil, ""},
		{"Windows-1252 signs", []byte("Baby Feathers, LLC \x99. The fee at Bristol will be \xa33,000 (\xa7 12 \xa9 2006)."), "", "Baby Feathers, LLC ™. The fee at Bristol will be £3,000 (§ 12 © 2006).", nil, ""},
		{"ISO-8859-2 is not Windows-1252", []byte("Wi\xeacej ni\xbf \xb1 i \xb9 oraz \xbc\xb9 w \xb1\xb9 tek\xb9cie, \xb9 \xb1 \xbd \xb8."), "", "", ErrEncoding, "not plausible Windows-1252"},
		{"unlabelled Shift_JIS", []byte("<p>\x93\x8c\x8b\x9e\x82\xc5\x92n\x90k\x81A\x94\xed\x8aQ\x82\xcc\x95\xf1\x8d\x90\x82\xc8\x82\xb5\x81B\x8bC\x8f\xdb\x92\xa1\x82\xc9\x82\xe6\x82\xe9\x82\xc6\x81A\x90k\x8c\xb9\x82\xcd\x90\xe7\x97t\x8c\xa7\x89\xab\x82\xc5\x81A\x92\xc3\x94g\x82\xcc\x90S\x94z\x82\xcd\x82\xc8\x82\xa2\x82\xc6\x82\xa2\x82\xa4\x81B</p>"), "", "<p>東京で地震、被害の報告なし。気象庁によると、震源は千葉県沖で、津波の心配はないという。</p>", nil, ""},
		{"unlabelled EUC-KR", []byte("\xbc\xad\xbf\xef\xbd\xc3\xb4\xc2 \xbf\xc0\xb4\xc3 \xbb\xf5\xb7\xce\xbf\xee \xb1\xb3\xc5\xeb \xc1\xa4\xc3\xa5\xc0\xbb \xb9\xdf\xc7\xa5\xc7\xdf\xb4\xd9. \xbd\xc3\xb9\xce\xb5\xe9\xc0\xba \xb4\xeb\xc3\xbc\xb7\xce \xc8\xaf\xbf\xb5\xc7\xcf\xb4\xc2 \xba\xd0\xc0\xa7\xb1\xe2\xb4\xd9."), "", "서울시는 오늘 새로운 교통 정책을 발표했다. 시민들은 대체로 환영하는 분위기다.", nil, ""},
		{"unlabelled GBK", []byte("\xb1\xb1\xbe\xa9\xca\xd0\xd5\xfe\xb8\xae\xbd\xf1\xcc\xec\xd0\xfb\xb2\xbc\xc1\xcb\xd0\xc2\xb5\xc4\xbd\xbb\xcd\xa8\xd5\xfe\xb2\xdf\xa3\xac\xca\xd0\xc3\xf1\xc6\xd5\xb1\xe9\xb1\xed\xca\xbe\xbb\xb6\xd3\xad\xa1\xa3"), "", "北京市政府今天宣布了新的交通政策，市民普遍表示欢迎。", nil, ""},
		{"unlabelled Big5", []byte("\xa5\x78\xa5\x5f\xa5\xab\xac\x46\xa9\xb2\xa4\xb5\xa4\xd1\xab\xc5\xa5\xac\xa4\x46\xb7\x73\xaa\xba\xa5\xe6\xb3\x71\xac\x46\xb5\xa6\xa1\x41\xa5\xab\xa5\xc1\xb4\xb6\xb9\x4d\xaa\xed\xa5\xdc\xc5\x77\xaa\xef\xa1\x43\xb1\x4d\xae\x61\xbb\x7b\xac\xb0\xa1\x41\xb3\x6f\xb6\xb5\xac\x46\xb5\xa6\xb1\x4e\xa6\xb3\xae\xc4\xbd\x77\xb8\xd1\xab\xb0\xa5\xab\xa5\xe6\xb3\x71\xbe\xd6\xb0\xf4\xb0\xdd\xc3\x44\xa1\x43"), "", "台北市政府今天宣布了新的交通政策，市民普遍表示歡迎。專家認為，這項政策將有效緩解城市交通擁堵問題。", nil, ""},
		{"a label spelled with underscores", []byte("\xc7\xd1\xb1\xb9 (Prime Minister of Korea)"), "euc_kr", "한국 (Prime Minister of Korea)", nil, ""},
		{"UTF-8 with a few broken bytes", []byte("L\xe2\x80\x99\xc3\xa9t\xc3\xa9 \xc3\xa0 Gen\xc3\xa8ve, NBC&acirc;\x80\x99s \xe2\x80\x9cvice\xe2\x80\x9d."), "", "L’été à Genève, NBC&acirc;s “vice”.", nil, ""},
		{"other controls stand for a space", []byte("I.\x1dManagement\x07 (c)\x1fTo provide"), "", "I. Management  (c) To provide", nil, ""},
		{"DEL dropped", []byte("ab\x7fc"), "", "abc", nil, ""},
		{"white space kept", []byte("a\tb\r\nc\fd\ve\n"), "", "a\tb\r\nc\fd\ve\n", nil, ""},
		{"ISO-2022-JP escapes are not controls", []byte(iso2022), "iso-2022-jp", "東京で地震、被害の報告なし。", nil, ""},
		{"UTF-16LE without BOM", utf16Bytes("Café crème, l’été « chaud ».\n", binary.LittleEndian), "", "Café crème, l’été « chaud ».\n", nil, ""},
		{"UTF-16BE without BOM", utf16Bytes("Café crème, l’été « chaud ».\n", binary.BigEndian), "", "Café crème, l’été « chaud ».\n", nil, ""},
		{"UTF-16LE markup around Japanese", utf16Bytes(`<html><body><p class="lead">一つの日本語の文。</p></body></html>`, binary.LittleEndian), "", `<html><body><p class="lead">一つの日本語の文。</p></body></html>`, nil, ""},
		{"UTF-16LE with BOM and a NUL", append([]byte{0xff, 0xfe}, utf16Bytes("Bon\x00jour.", binary.LittleEndian)...), "", "Bonjour.", nil, ""},
		{"MZ beginning a text", []byte("MZ Fashion ouvre une boutique à Lyon, a annoncé la marque mardi."), "", "MZ Fashion ouvre une boutique à Lyon, a annoncé la marque mardi.", nil, ""},
		{"BZh beginning a text", []byte("BZh91 is not a bzip2 file, only text."), "", "BZh91 is not a bzip2 file, only text.", nil, ""},

		{"PNG", readFixture(t, "binary/pixel.png"), "", "", ErrBinary, "a PNG image"},
		{"stored ZIP of a text", readFixture(t, "binary/article.zip"), "", "", ErrBinary, "a ZIP archive"},
		{"gzip", readFixture(t, "binary/article.txt.gz"), "", "", ErrBinary, "a gzip file"},
		{"PDF with its text in clear", readFixture(t, "binary/note.pdf"), "", "", ErrBinary, "a PDF document"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "", "", ErrBinary, "a JPEG image"},
		{"ELF", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 57)...), "", "", ErrBinary, "an ELF executable"},
		{"Windows executable", pe, "", "", ErrBinary, "a Windows executable"},
		{"MP4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"), "", "", ErrBinary, "an MP4"},
		{"many NULs", []byte("Bonjour\x00\x00\x00\x00\x00le\x00monde"), "", "", ErrBinary, "6 control bytes in 20, the first at offset 7"},
		{"control characters", []byte("\x01\x02\x03\x04\x05abc\x06\x07\x08"), "", "", ErrBinary, "8 control bytes in 11"},
		{"random bytes", random, "", "", ErrBinary, "control bytes in 4096"},
		{"UTF-32LE", []byte("B\x00\x00\x00o\x00\x00\x00n\x00\x00\x00j\x00\x00\x00o\x00\x00\x00u\x00\x00\x00r\x00\x00\x00"), "", "", ErrBinary, "control bytes"},
		{"16-bit samples", samples, "", "", ErrBinary, "control characters in 600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeText(tt.data, tt.label)
			if !errors.Is(err, tt.err) || (err != nil && !strings.Contains(err.Error(), tt.msg)) {
				t.Fatalf("err = %v, want %v with %q", err, tt.err, tt.msg)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMetaCharset(t *testing.T) {
	tests := []struct{ head, want string }{
		{`<meta charset="iso-8859-1">`, "iso-8859-1"},
		{`<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">`, "windows-1252"},
		{`<meta charset="utf-16">`, "utf-8"}, // readable as ASCII: not UTF-16
		{`<meta charset=UTF-16BE>`, "utf-8"},
		{`<p>no meta</p>`, ""},
	}
	for _, tt := range tests {
		if got := htmlCharset([]byte(tt.head)); got != tt.want {
			t.Errorf("htmlCharset(%s) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

// insertNUL puts a NUL inside an ASCII word near the middle of data.
func insertNUL(t *testing.T, data []byte) []byte {
	t.Helper()
	isLetter := func(c byte) bool { return 'a' <= c && c <= 'z' }
	for i := len(data) / 2; i < len(data); i++ {
		if isLetter(data[i-1]) && isLetter(data[i]) {
			return bytes.Join([][]byte{data[:i], data[i:]}, []byte{0})
		}
	}
	t.Fatal("no word after the middle")
	return nil
}

// TestStrayNUL: an input damaged by stray NUL bytes, or sent as UTF-16
// without a BOM, gives the article of the clean input, hash included,
// with no NUL anywhere in it.
func TestStrayNUL(t *testing.T) {
	name, seed := readSeed(t, "002")
	page := readFixture(t, "article.html")
	html, text := func(d []byte) Input { return Input{Name: "article.html", Data: d} }, func(d []byte) Input { return Input{Name: name, Data: d} }
	tests := []struct {
		name      string
		clean, in Input
	}{
		{"HTML, a NUL in a word", html(page), html(insertNUL(t, page))},
		{"HTML, a NUL between two tags", html(page), html(bytes.Replace(page, []byte("</p>\n"), []byte("</p>\x00\n"), 1))},
		{"HTML, NUL padding", html(page), html(append(bytes.Clone(page), make([]byte, 10000)...))},
		{"HTML, UTF-16LE without BOM", html(page), html(utf16Bytes(string(page), binary.LittleEndian))},
		{"text, a NUL in a word", text(seed), text(insertNUL(t, seed))},
		{"text, NULs at the line ends", text(seed), text(bytes.ReplaceAll(seed, []byte("\n"), []byte("\x00\n")))},
		{"text, UTF-16BE without BOM", text(seed), text(utf16Bytes(string(seed), binary.BigEndian))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(tt.in.Data, []byte{0}) {
				t.Fatal("the input has no NUL")
			}
			want := normalizeOK(t, tt.clean)
			got := normalizeOK(t, tt.in)
			if got.ContentHash != want.ContentHash || got.Title != want.Title {
				t.Errorf("title %q, body %q\nwant title %q, body %q", got.Title, got.Body, want.Title, want.Body)
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte(`\u0000`)) || bytes.Contains(out, []byte("\ufffd")) {
				t.Errorf("a NUL or U+FFFD is left in %s", out)
			}
		})
	}
	if _, err := newTest().Normalize(context.Background(), Input{Name: "page.html", Data: readFixture(t, "binary/article.zip")}); !errors.Is(err, ErrBinary) {
		t.Errorf("a ZIP named .html: %v, want ErrBinary", err)
	}
}

// FuzzDecodeText: whatever the bytes, decodeText refuses them as binary or
// undecodable, or returns valid UTF-8 without a stray control character.
func FuzzDecodeText(f *testing.F) {
	f.Add([]byte("Bonjour le mon\x00de."), "")
	f.Add([]byte("I.\x1dManagement\x07"), "")
	f.Add(utf16Bytes("Café crème.\n", binary.LittleEndian), "")
	f.Add([]byte("Le caf\xe9\x00 a rouvert."), "iso-8859-1")
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00"), "")
	f.Fuzz(func(t *testing.T, data []byte, label string) {
		s, err := decodeText(data, label)
		if err != nil {
			if !errors.Is(err, ErrBinary) && !errors.Is(err, ErrEncoding) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8: %q", s)
		}
		if i := strings.IndexFunc(s, isStray); i >= 0 {
			t.Fatalf("stray control at %d: %q", i, s)
		}
	})
}
