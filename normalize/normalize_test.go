package normalize

import (
	"bytes"
	"context"
	"errors"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crier/crier/article"
)

var (
	testNow = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	modTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
)

func newTest() *Normalizer {
	return New(Options{Now: func() time.Time { return testNow }})
}

func readSeed(t testing.TB, prefix string) (string, []byte) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", prefix+"_*.txt"))
	if err != nil || len(files) != 1 {
		t.Fatalf("seed %s: %v %v", prefix, files, err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(files[0]), data
}

func normalizeOK(t *testing.T, in Input) *article.Article {
	t.Helper()
	a, err := newTest().Normalize(context.Background(), in)
	if err != nil {
		t.Fatalf("Normalize(%s): %v", in.Name, err)
	}
	return a
}

// mustNotContain lists boilerplate that no seed body may contain.
var mustNotContain = []string{
	"publicité", "LAISSER UN COMMENTAIRE", "Captcha", "Partager cet article",
	"Cliquez ici pour lire l'article depuis sa source", "Merci d'avoir signalé",
	"Cette image sera automatiquement bloquée", "À découvrir également",
	"Getty Images", "Tous droits réservés", "Live logo", "spot_img",
	"Par euronews", "Publié dans", "Keystone-SDA",
}

// mustNotContainCase are matched case-sensitively ("des images" is prose).
var mustNotContainCase = []string{"IMAGES"}

func TestSeeds(t *testing.T) {
	day := func(y, m, d, h, min int) time.Time { return time.Date(y, time.Month(m), d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		seed      string
		title     string
		kicker    string
		media     []article.Media // captions and credits moved out of the body
		bodyStart string
		summary   string
		published time.Time // zero: none on the page
		zone      string    // the zone inferred for a time printed without one
		source    string
		byline    string
		agencies  []string
		notIn     []string // seed-specific strings the body must not contain
		inBody    []string // paragraph starts that must stay
		headings  []string // subheadings, as <h2> in BodyHTML
	}{
		{
			seed:      "000",
			title:     "La Russie va renforcer sa coopération militaire avec la Biélorussie, selon Poutine",
			bodyStart: "En visite à Minsk",
			summary:   "En visite à Minsk, Vladimir Poutine a annoncé",
			notIn:     []string{"Bénin", "Niger", "Abdourahamane", "AccueilNews", "Koursk"},
			headings:  []string{"« Livraisons mutuelles d’armes »", "La Russie « n’a pas intérêt » à absorber le Bélarus"},
		},
		{
			seed:      "001",
			title:     "Poutine prône un renforcement des liens militaires avec le Bélarus",
			bodyStart: "Vladimir Poutine a assuré que la Russie n'allait pas absorber",
			published: day(2022, 12, 19, 0, 0),
			media: []article.Media{{
				Caption: "Le président russe Vladimir Poutine (à g.) et son homologue bélarusse Alexandre Loukachenko, à Minsk, le 19/12/2022",
				Credit:  "Pavel Bednyakov/Sputnik",
			}},
			source:   "euronews", // "Par euronews avec AFP, AP" names no person
			agencies: []string{"AFP", "AP"},
			notIn: []string{"Rétrospective 2022", "Bataille de Bakhmout", "s'entraîner avec son armée",
				"Pavel Bednyakov", "(à g.)", "Copier/coller"},
		},
		{
			seed:      "002",
			title:     "Poutine prône un renforcement des liens militaires",
			kicker:    "En visite au Bélarus",
			bodyStart: "Vladimir Poutine a assuré lundi",
			published: day(2022, 12, 21, 0, 0),
			source:    "L'Expression",
			notIn:     []string{"Conseil de sécurité de l'ONU", "Boughali", "En visite au Bélarus"},
		},
		{
			seed:   "003",
			title:  "Poutine : «La Russie n'a pas intérêt à absorber qui que ce soit»",
			kicker: "Pourparlers à Minsk",
			media: []article.Media{
				{Caption: "Poutine et Loukachenko tiennent des pourparlers bilatéraux à Minsk"},
				{Caption: "Le président russe Vladimir Poutine et son homologue bélarusse Alexandre Loukachenko tiennent des pourparlers bilatéraux à Minsk, quelques heures après une attaque de drones sur Kiev qui a provoqué des coupures de courant.", Credit: "Keystone-SDA"},
				{Caption: "M. Poutine, lors d'une conférence de presse avec son homologue bélarusse Alexandre Loukachenko à Minsk.", Credit: "Getty Images"},
			},
			bodyStart: "Le président russe Vladimir Poutine a assuré lundi",
			// "19.12.2022 - 20:53", Swiss time: ATS is the Swiss agency.
			published: day(2022, 12, 19, 19, 53),
			zone:      "Europe/Zurich",
			agencies:  []string{"ATS"}, // Keystone-SDA credits the video
			notIn: []string{"Poutine et Loukachenko tiennent des pourparlers bilatéraux à Minsk",
				"M. Poutine, lors d'une conférence de presse avec son homologue bélarusse Alexandre Loukachenko à Minsk.",
				"19.12.2022"},
			headings: []string{"Base arrière"},
			inBody:   []string{"Allié de la Russie, le Bélarus a servi"},
		},
		{
			seed:      "004",
			title:     "Vladimir Poutine en visite officielle en Biélorussie pour discuter de défense et d’économie",
			bodyStart: "Vladimir Poutine a entamé une visite officielle",
			summary:   "Vladimir Poutine a entamé une visite officielle",
			inBody:    []string{"En 2023, La Russie a également transféré"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.seed, func(t *testing.T) {
			name, data := readSeed(t, tt.seed)
			a := normalizeOK(t, Input{Name: name, Data: data, ModTime: modTime})
			if a.Title != tt.title {
				t.Errorf("title = %q, want %q", a.Title, tt.title)
			}
			if len(a.Body) == 0 || !strings.HasPrefix(a.Body[0], tt.bodyStart) {
				t.Errorf("body starts %q, want %q", first(a.Body), tt.bodyStart)
			}
			if a.Summary == "" || !strings.HasPrefix(a.Summary, tt.summary) {
				t.Errorf("summary = %q, want prefix %q", a.Summary, tt.summary)
			}
			if a.Summary != a.Body[0] && !strings.HasPrefix(a.Body[0], a.Summary) {
				t.Errorf("summary %q is not the lead %q", a.Summary, a.Body[0])
			}
			if a.Language != "fr" {
				t.Errorf("language = %q, want fr", a.Language)
			}
			text := a.Text() + "\n" + a.BodyHTML
			low := strings.ToLower(text)
			for _, s := range append(mustNotContain, tt.notIn...) {
				if strings.Contains(low, strings.ToLower(s)) {
					t.Errorf("body contains %q", s)
				}
			}
			for _, s := range mustNotContainCase {
				if strings.Contains(text, s) {
					t.Errorf("body contains %q", s)
				}
			}
			if a.Kicker != tt.kicker {
				t.Errorf("kicker = %q, want %q", a.Kicker, tt.kicker)
			}
			if !reflect.DeepEqual(a.Media, tt.media) {
				t.Errorf("media = %+v\nwant %+v", a.Media, tt.media)
			}
			if strings.Contains(a.Text(), a.Title) {
				t.Errorf("body repeats the title")
			}
			for _, s := range tt.inBody {
				if !hasPrefix(a.Body, s) {
					t.Errorf("body lacks paragraph %q", s)
				}
			}
			for _, h := range tt.headings {
				if !strings.Contains(a.BodyHTML, "<h2>"+html.EscapeString(h)+"</h2>") {
					t.Errorf("BodyHTML lacks <h2>%s</h2>", h)
				}
			}
			if tt.published.IsZero() {
				if !a.Published.Equal(modTime) || !a.PublishedEstimated {
					t.Errorf("published = %v estimated=%v, want ModTime estimated", a.Published, a.PublishedEstimated)
				}
			} else if !a.Published.Equal(tt.published) || a.PublishedEstimated {
				t.Errorf("published = %v estimated=%v, want %v", a.Published, a.PublishedEstimated, tt.published)
			}
			if tt.zone != "" && (a.Published.Location().String() != tt.zone || !a.PublishedZoneInferred || a.PublishedZoneUnknown) {
				t.Errorf("published = %v in %s inferred=%v unknown=%v, want the zone %s inferred",
					a.Published, a.Published.Location(), a.PublishedZoneInferred, a.PublishedZoneUnknown, tt.zone)
			}
			if tt.zone == "" && a.PublishedZoneInferred {
				t.Errorf("published = %v: zone inferred, want none", a.Published)
			}
			if a.Source != tt.source {
				t.Errorf("source = %q, want %q", a.Source, tt.source)
			}
			if a.Byline != tt.byline {
				t.Errorf("byline = %q, want %q", a.Byline, tt.byline)
			}
			if strings.Join(a.Agencies, ",") != strings.Join(tt.agencies, ",") {
				t.Errorf("agencies = %q, want %q", a.Agencies, tt.agencies)
			}
			checkShape(t, a)
			if a.Origin != "file:"+name {
				t.Errorf("origin = %q", a.Origin)
			}
		})
	}
}

// checkShape checks invariants every article must satisfy.
func checkShape(t *testing.T, a *article.Article) {
	t.Helper()
	if a.Schema != article.SchemaVersion {
		t.Errorf("schema = %d", a.Schema)
	}
	if a.ContentHash != article.HashBody(a.Body) {
		t.Errorf("content hash does not match body")
	}
	if a.ID != article.NewID(a.URL, a.ContentHash) {
		t.Errorf("id does not match url/hash")
	}
	if !a.Ingested.Equal(testNow) {
		t.Errorf("ingested = %v", a.Ingested)
	}
	for _, p := range a.Body {
		if p == "" || p != strings.TrimSpace(p) || strings.ContainsAny(p, "\n\t\u00a0\u200b\u00ad\ufeff") {
			t.Errorf("unclean paragraph %q", p)
		}
	}
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func hasPrefix(ss []string, s string) bool {
	for _, x := range ss {
		if strings.HasPrefix(x, s) {
			return true
		}
	}
	return false
}

// TestSameTextSameHash: the same article under different boilerplate is the
// same content.
func TestSameTextSameHash(t *testing.T) {
	for _, seed := range []string{"000", "001", "003"} {
		name, data := readSeed(t, seed)
		a := normalizeOK(t, Input{Name: name, Data: data})
		lines := strings.Split(string(data), "\n")
		var b strings.Builder
		b.WriteString("Menu    Accueil    Politique    Économie    Sport    Culture\n\n")
		for i, l := range lines {
			b.WriteString(l + "\n")
			if i == 0 || i%4 == 3 {
				b.WriteString("\nPublicité\n\n")
			}
		}
		b.WriteString("\n- PUBLICITÉ -\n\nPartager sur Facebook\n")
		other := normalizeOK(t, Input{Name: "other.txt", Data: []byte(b.String())})
		if other.ContentHash != a.ContentHash {
			t.Errorf("%s: hash differs with other boilerplate\n%q\n%q", seed, a.Body, other.Body)
		}
		if other.Title != a.Title {
			t.Errorf("%s: title %q, want %q", seed, other.Title, a.Title)
		}
		crlf := normalizeOK(t, Input{Name: "crlf.txt", Data: bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))})
		if crlf.ContentHash != a.ContentHash {
			t.Errorf("%s: hash differs with CRLF line ends", seed)
		}
	}
}

func TestBadInput(t *testing.T) {
	huge := bytes.Repeat([]byte("Le président a parlé longtemps. "), 1000)
	tests := []struct {
		name string
		in   Input
		want error
	}{
		{"empty", Input{Name: "a.txt"}, ErrEmpty},
		{"whitespace", Input{Name: "a.txt", Data: []byte(" \n\t\r\n  \n")}, ErrEmpty},
		{"invisible only", Input{Name: "a.txt", Data: []byte("\u200b\u00a0\ufeff\n\u00ad")}, ErrEmpty},
		{"boilerplate only", Input{Name: "a.txt", Data: []byte("Publicité\nPartager cet article\nLAISSER UN COMMENTAIRE\n")}, ErrEmpty},
		{"NULs", Input{Name: "a.txt", Data: []byte("Bonjour\x00\x00\x00\x00\x00le\x00monde")}, ErrBinary},
		{"binary", Input{Name: "a.bin", Data: []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d}}, ErrBinary},
		{"controls", Input{Name: "a.txt", Data: []byte("\x01\x02\x03\x04\x05abc\x06\x07\x08")}, ErrBinary},
		{"bad utf-8", Input{Name: "a.txt", Data: []byte("abc \x81\x8d\x8f\x90\x9d\xff\xfe def")}, ErrEncoding},
		{"bad utf-8 symbols", Input{Name: "a.txt", Data: []byte("\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8 \xa4\xa6\xa8")}, ErrEncoding},
		{"invalid json", Input{Name: "a.json", Data: []byte(`{"title": "x", "text": `)}, ErrInvalidJSON},
		{"json unknown field", Input{Name: "api", ContentType: "application/json", Data: []byte(`{"title":"x","text":"Un texte assez long pour être un article.","category":"monde"}`)}, ErrInvalidJSON},
		{"json no text", Input{Name: "a.json", Data: []byte(`{"title":"x"}`)}, ErrInvalidJSON},
		{"json bad date", Input{Name: "a.json", Data: []byte(`{"title":"x","text":"Un texte.","published":"hier"}`)}, ErrInvalidJSON},
		{"json trailing", Input{Name: "a.json", Data: []byte(`{"text":"Un texte."} {}`)}, ErrInvalidJSON},
		{"json array", Input{Name: "a.json", Data: []byte(`["text"]`)}, ErrInvalidJSON},
		{"too large", Input{Name: "a.txt", Data: huge}, ErrTooLarge},
		{"wrong type", Input{Name: "a.txt", ContentType: "image/png", Data: []byte("x")}, ErrUnsupportedType},
		{"bad type", Input{Name: "a.txt", ContentType: "text/", Data: []byte("x")}, ErrUnsupportedType},
	}
	n := New(Options{MaxBytes: 16 << 10, Now: func() time.Time { return testNow }})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := n.Normalize(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v (article %+v)", err, tt.want, a)
			}
			if !IsBadInput(err) {
				t.Errorf("IsBadInput(%v) = false", err)
			}
		})
	}
	if IsBadInput(context.Canceled) || IsBadInput(nil) {
		t.Error("IsBadInput is true for a non-input error")
	}
}

// Below MinWords, an input is an article only with a headline of its own.
func TestMinWords(t *testing.T) {
	n := New(Options{MinWords: 30, Now: func() time.Time { return testNow }})
	long := strings.Repeat("Le conseil municipal a voté lundi le budget de la ville. ", 4)
	for _, tc := range []struct {
		name string
		in   Input
		ok   bool
	}{
		{"one word", Input{Name: "a.txt", Data: []byte("hi\n")}, false},
		{"a line, its own title", Input{Name: "a.txt", Data: []byte("Le budget est voté.\n")}, false},
		{"json, no title", Input{Name: "a.json", Data: []byte(`{"text":"Le budget est voté."}`)}, false},
		{"a flash under its headline", Input{Name: "a.json", Data: []byte(`{"title":"Séisme à Tokyo","text":"Un séisme de magnitude 7,1 a frappé Tokyo lundi."}`)}, true},
		{"headline and flash as text", Input{Name: "a.txt", Data: []byte("Séisme à Tokyo\n\nUn séisme de magnitude 7,1 a frappé Tokyo lundi, selon l'agence météorologique.\n")}, true},
		{"long enough without a title", Input{Name: "a.json", Data: []byte(`{"text":"` + long + `"}`)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := n.Normalize(t.Context(), tc.in)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && (!errors.Is(err, ErrNotArticle) || !IsBadInput(err)) {
				t.Fatalf("err = %v, want ErrNotArticle (article %+v)", err, a)
			}
		})
	}
	if _, err := New(Options{}).Normalize(t.Context(), Input{Name: "a.txt", Data: []byte("hi\n")}); err != nil {
		t.Errorf("without MinWords, a word is refused: %v", err)
	}
}

func TestUnknownFieldNamed(t *testing.T) {
	_, err := newTest().Normalize(context.Background(), Input{Name: "a.json",
		Data: []byte(`{"text":"Un texte.","categorie":"monde"}`)})
	if !errors.Is(err, ErrInvalidJSON) || !strings.Contains(err.Error(), "categorie") {
		t.Fatalf("err = %v, want ErrInvalidJSON naming the field", err)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, data := readSeed(t, "000")
	if _, err := newTest().Normalize(ctx, Input{Name: "a.txt", Data: data}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestWindows1252(t *testing.T) {
	_, data := readSeed(t, "003")
	utf := normalizeOK(t, Input{Name: "a.txt", Data: data})
	// Encode the seed as Windows-1252 by hand: all its characters are in it.
	cp := toWindows1252(t, string(data))
	for _, in := range []Input{
		{Name: "a.txt", Data: cp},
		{Name: "a", ContentType: "text/plain; charset=windows-1252", Data: cp},
		{Name: "a.txt", Data: append([]byte{0xEF, 0xBB, 0xBF}, data...)},
	} {
		a := normalizeOK(t, in)
		if a.ContentHash != utf.ContentHash || a.Title != utf.Title {
			t.Errorf("%s %q: got title %q, body %q", in.Name, in.ContentType, a.Title, first(a.Body))
		}
	}
}

func toWindows1252(t *testing.T, s string) []byte {
	t.Helper()
	special := map[rune]byte{'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, 'œ': 0x9c, 'Œ': 0x8c}
	var out []byte
	for _, r := range s {
		switch b, ok := special[r]; {
		case ok:
			out = append(out, b)
		case r < 0x100:
			out = append(out, byte(r))
		default:
			t.Fatalf("rune %q not in Windows-1252", r)
		}
	}
	return out
}

func TestHygiene(t *testing.T) {
	in := "Le pre\u0301sident\u200b a\u00a0dit\u00ad :  «\u00a0bonjour\u00a0»\ufeff\t!\x07"
	if got, want := cleanLine(in), "Le président a dit : « bonjour » !"; got != want {
		t.Errorf("cleanLine = %q, want %q", got, want)
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"19.12.2022 - 20:53", time.Date(2022, 12, 19, 20, 53, 0, 0, time.UTC)},
		{"Publié dans L'Expression le 21 - 12 - 2022", time.Date(2022, 12, 21, 0, 0, 0, 0, time.UTC)},
		{"à Minsk, le 19/12/2022", time.Date(2022, 12, 19, 0, 0, 0, 0, time.UTC)},
		{"2022-12-19T20:53:00+01:00", time.Date(2022, 12, 19, 19, 53, 0, 0, time.UTC)},
		{"2022-12-19", time.Date(2022, 12, 19, 0, 0, 0, 0, time.UTC)},
		{"December 19, 2022", time.Date(2022, 12, 19, 0, 0, 0, 0, time.UTC)},
		{"Mis à jour le 19 décembre 2022 à 10h15", time.Date(2022, 12, 19, 10, 15, 0, 0, time.UTC)},
		{"1er janvier 2023", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"19. Dezember 2022", time.Date(2022, 12, 19, 0, 0, 0, 0, time.UTC)},
		{"19 de diciembre de 2022", time.Date(2022, 12, 19, 0, 0, 0, 0, time.UTC)},
		{"En 2023, la Russie a", time.Time{}},
		{"31.02.2022", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := findDate(tt.in, testNow)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("findDate(%q) = %v %v, want %v", tt.in, got, ok, tt.want)
		}
	}
}

func TestBylines(t *testing.T) {
	tests := []struct {
		in, source string
		agencies   []string
		ok         bool
	}{
		{"Par euronews avec AFP, AP", "euronews", []string{"AFP", "AP"}, true},
		{"ATS", "", []string{"ATS"}, true},
		{"Keystone-SDA", "", []string{"Keystone-SDA"}, true},
		{"AFP/Reuters", "", []string{"AFP", "Reuters"}, true},
		{"By Jane Miller", "", nil, true},
		{"Von Hans Muster, dpa", "", []string{"dpa"}, true},
		{"Par ailleurs, la Russie a annoncé de nouvelles mesures contre l'Ukraine.", "", nil, false},
		{"Le chef du Kremlin a parlé à l'AFP.", "", nil, false},
	}
	for _, tt := range tests {
		b, ok := parseByline(tt.in)
		if ok != tt.ok || b.source != tt.source || strings.Join(b.agencies, ",") != strings.Join(tt.agencies, ",") {
			t.Errorf("parseByline(%q) = %+v %v", tt.in, b, ok)
		}
	}
}

func articleID(url, hash string) string { return article.NewID(url, hash) }

func TestHardWrapped(t *testing.T) {
	text := `Storm closes schools

High winds brought down power lines across the coast overnight,
leaving more than 40,000 homes and businesses without electricity
on Thursday morning, the regional grid operator said.

Crews have been working since dawn to clear fallen trees from the
main roads, and the operator said it expected to restore supply to
most homes by Friday evening.
`
	a := normalizeOK(t, Input{Name: "wire.txt", Data: []byte(text)})
	if a.Title != "Storm closes schools" || len(a.Body) != 2 || !strings.HasSuffix(a.Body[0], "operator said.") || a.Language != "en" {
		t.Errorf("got title %q body %q lang %q", a.Title, a.Body, a.Language)
	}
}

// TestConcurrent runs one Normalizer from several goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	n := newTest()
	files, _ := filepath.Glob("testdata/seeds/*.txt")
	files = append(files, "testdata/article.html")
	errc := make(chan error, len(files)*4)
	for i := 0; i < 4; i++ {
		for _, f := range files {
			go func() {
				data, err := os.ReadFile(f)
				if err == nil {
					_, err = n.Normalize(context.Background(), Input{Name: filepath.Base(f), Data: data})
				}
				errc <- err
			}()
		}
	}
	for range len(files) * 4 {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}

func TestEnglishText(t *testing.T) {
	text := "Home | World | Sport\nAdvertisement\nMarkets rally as inflation cools\nBy Anna Schmidt, Reuters\nMarch 3, 2025\n" +
		"Stocks rose sharply on Monday after new figures showed that inflation in the euro zone slowed more than economists had expected in February, giving the central bank room to cut rates.\n" +
		"Share\nInvestors had been waiting for the data for weeks, and the reaction was swift across all major indices.\n" +
		"What comes next\nThe central bank meets again in April, and most analysts now expect a quarter-point cut at that meeting.\n" +
		"Read more\nOil prices fall for a third day\nGold hits record high\n"
	a := normalizeOK(t, Input{Name: "en.txt", Data: []byte(text)})
	want := []string{
		"Stocks rose sharply on Monday after new figures showed that inflation in the euro zone slowed more than economists had expected in February, giving the central bank room to cut rates.",
		"Investors had been waiting for the data for weeks, and the reaction was swift across all major indices.",
		"What comes next",
		"The central bank meets again in April, and most analysts now expect a quarter-point cut at that meeting.",
	}
	if strings.Join(a.Body, "|") != strings.Join(want, "|") {
		t.Errorf("body = %q", a.Body)
	}
	if a.Title != "Markets rally as inflation cools" || a.Byline != "Anna Schmidt" || strings.Join(a.Agencies, ",") != "Reuters" || a.Language != "en" {
		t.Errorf("title/byline/agencies/lang = %q/%q/%q/%q", a.Title, a.Byline, a.Agencies, a.Language)
	}
	if !a.Published.Equal(time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)) || !strings.Contains(a.BodyHTML, "<h2>What comes next</h2>") {
		t.Errorf("published %v, html %s", a.Published, a.BodyHTML)
	}
}
