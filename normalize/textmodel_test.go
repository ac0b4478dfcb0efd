package normalize

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMetaSegments(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Ashok Pradhan | TNN | Apr 7, 2020, 15:43 IST", true},
		{"Par Jean Dupont · 12 mars 2024", true},
		{"Home | World | Sport", false},
		{"Published on 12 March 2024", false}, // no fields: dateOnly's business
		{"The minister said on 12 March 2024 that the plan | which nobody had read | was final", false},
	} {
		if got := metaSegments(tc.line, now); got != tc.want {
			t.Errorf("metaSegments(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestIsCommentHeader(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Jane Doe says:", true},
		{"Reply", true},
		{"Posted by Alina Chau", true},
		{"53 Responses to “1,400 Rectangles”", true},
		{"by Dharmesh Shah on December 4, 2010 at 10:42 pm. Reply #", true},
		{"Comments (12)", true},
		{"The council says the plan will be ready next year.", false},
		{"Minister replies to critics", false},
	} {
		b := newBlock(tc.line, time.Now())
		if got := isCommentHeader(b); got != tc.want {
			t.Errorf("isCommentHeader(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestCommentHeaderShape(t *testing.T) {
	a := lineShape("by Jane Doe on December 4, 2010 at 10:42 pm. Reply #")
	b := lineShape("by Ed Fry on December 5, 2010 at 1:04 pm. Reply #")
	if a != b {
		t.Errorf("comment headers shaped differently: %q, %q", a, b)
	}
	if lineShape("The minister resigned") == a {
		t.Error("a headline has a comment header's shape")
	}
}

// TestModelViewHidesBoilerplate: lines of known boilerplate do not change
// what the model sees of the others, so the same article under other
// boilerplate gets the same inputs.
func TestModelViewHidesBoilerplate(t *testing.T) {
	_, data := readSeed(t, "000")
	now := time.Now()
	plain := textBlocks(string(data), now)
	var noisy strings.Builder
	for _, l := range strings.Split(string(data), "\n") {
		noisy.WriteString(l + "\nPublicité\nPartager sur Facebook\n")
	}
	bs := textBlocks(noisy.String(), now)
	f1, l1, t1 := judgeLines(plain, "", &extraction{})
	f2, l2, t2 := judgeLines(bs, "", &extraction{})
	v1, v2 := newModelView(plain, f1, l1, t1), newModelView(bs, f2, l2, t2)
	if len(v1.bs) != len(v2.bs) || v1.title != v2.title {
		t.Fatalf("view of %d lines (title %d), want %d (title %d)", len(v2.bs), v2.title, len(v1.bs), v1.title)
	}
	for i := range v1.bs {
		if v1.bs[i].text != v2.bs[i].text {
			t.Fatalf("line %d: %q, want %q", i, v2.bs[i].text, v1.bs[i].text)
		}
	}
}

func TestDefaultLineModel(t *testing.T) {
	m, err := DefaultLineModel()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.First.Features, TextFeatureNames()) || !slices.Equal(m.Second.Features, SecondFeatureNames()) {
		t.Error("the embedded model's features are not this version's")
	}
	info, err := os.Stat("model/text.json")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > 2<<20 {
		t.Errorf("the model is %d bytes: over the 2 MB a committed model may weigh", info.Size())
	}
	if _, err := ParseLineModel([]byte(`{"first":{},"second":{}}`)); err == nil {
		t.Error("an empty model parsed")
	}
}

func TestCutAtComments(t *testing.T) {
	para := testPara
	comment := "I live on that street and I think the council got it wrong again, as they always do when it comes to traffic in this part of town."
	checkDrops(t, cutAtComments, []dropCase{
		{"a count after the article", []string{para, para, "{ 53 comments… read them below or add one }", "Tim Worstall 11.06.12 at 11:06 am", comment, comment}, 2},
		{"responses to the post", []string{para, "156 Responses to “Shuteye”", "Jane Doe says:", comment}, 1},
		{"a count in the article's header", []string{"by Jane Doe on November 12, 2012 · 1 comment", "Jane Doe says:", para, para}, 4},
		{"a count with no comment after it", []string{para, "12 comments", para, para}, 4},
		{"a commenter's byline", []string{para, para, "104 Comments +", "Add a Comment", "1", "2", "Next »", "by EmpireGeorge July 25, 2012 10:59 AM EDT", comment, "Reply to this comment"}, 2},
		{"wordless lines after a count", []string{para, para, "12 comments", "—", "•", comment}, 6},
		{"a blog's front page", []string{"January 31, 2005", para, "07:50 PM | Permalink | Comments (3)", "January 28, 2005", para, "11:11:24 AM | Permalink | Comments (7)", para}, 7},
		{"an end marker after the article", []string{para, para, "Leave a Reply", comment}, 2},
		{"an end marker in a sidebar", []string{para, "Comments", para, para, para}, 5},
		{"a link to the next post after the article", []string{para, para, "Next post: Benefits of spiritual partnership", comment}, 2},
		{"a link to the previous post above most of it", []string{para, "Previous post", para, para}, 4},
		{"comments closed, then the thread", []string{para, "Comments are now closed for this story", "Lina", comment, "Bruce", comment}, 1},
		{"an article's byline after a tab", []string{para, "Comments", "Ex-Anglo Irish Executives Charged", "BY EAMON QUINN", para, para}, 6},
		{"a thread under the post, no count above it", []string{para, "Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment, "Rob 08 Nov 12", comment}, 1},
		{"a forum: the thread is the page", []string{"Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment, "Rob 08 Nov 12", comment}, 6},
		{"a longer forum thread", []string{"Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment, "Rob 08 Nov 12", comment,
			"Ann 08 Nov 12", comment, "Tim 09 Nov 12", comment}, 10},
		{"race splits after the report", []string{para, "5km - 17:20. Projects a 2:26:17", "10km - 34:46 (17:26). Projects 2:26:42", "15 km - 52:10 (17:24)", "Halfway - 1:13:13", para}, 6},
		{"a thread's heading naming the post", []string{para, "13 Responses to The Time Has Come", "Barbara", comment, comment}, 1},
		{"a thread of said headers", []string{para, "Paula said,", comment, "dan said,", comment, "Surio said,", comment}, 1},
		{"a comment form after the article", []string{para, para, "Name (required)", "Mail (will not be published) (required)", comment, comment}, 2},
		{"a ticker of the latest stories after the article", []string{para, para, "14:44 Accusations de viols : des sanctions", comment, "14:32 Un artiste arrêté au geyser", "14:10 En Islande, tuer un Basque est interdit", comment}, 2},
		{"a ticker above the article", []string{"14:44 Accusations de viols : des sanctions", "14:32 Un artiste arrêté au geyser", "14:10 En Islande, tuer un Basque est interdit", para, para}, 5},
		{"an end marker before a longer thread", []string{para, "Comments", comment, "Posted by: Jane at November 8, 2012 1:57 PM", comment, comment, "Posted by: Tim at November 8, 2012 3:34 PM"}, 1},
	})
}

func TestPostNav(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"Next post: Benefits of spiritual partnership", true},
		{"« Older Post", true},
		{"Previous article", true},
		{"Next posters unveiled for the festival", false},
		{"The next post office will close", false},
	} {
		if got := postNav(markerKey(tc.line)); got != tc.want {
			t.Errorf("postNav(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestDropDoubtfulRuns(t *testing.T) {
	para := testPara
	teaser := "A man was charged on Friday after a fire destroyed a barn on the edge of the town, police said."
	// Each line: its probability, or -1 for a line that is not content.
	for _, tc := range []struct {
		name  string
		p     []float32
		title int // the headline's line, -1 for none
		want  int // lines left as content
	}{
		{"a ticker after the article", []float32{0.9, 0.9, -1, -1, -1, -1, 0.3, -1, -1, -1, -1, 0.2}, -1, 2},
		{"a doubtful line close to the article", []float32{0.9, 0.9, -1, -1, 0.3}, -1, 3},
		{"a believed run after the article", []float32{0.9, 0.9, -1, -1, -1, -1, 0.7}, -1, 3},
		{"a run believed much less than the article", []float32{0.95, 0.95, -1, -1, -1, -1, 0.6, 0.6}, -1, 2},
		{"a doubtful run before the article", []float32{0.3, -1, -1, -1, -1, 0.9, 0.9}, -1, 3},
		{"a doubtful run longer than the article", []float32{0.9, -1, -1, -1, -1, 0.4, 0.4, 0.4}, -1, 4},
		{"a lukewarm run above the headline", []float32{0.6, 0.6, -1, -1, -1, -1, -1, 0.9, 0.9, 0.9}, 6, 3},
		{"a believed run above the headline", []float32{0.9, 0.9, -1, -1, -1, -1, -1, 0.95, 0.95, 0.95}, 6, 5},
		{"a lukewarm run below the headline", []float32{-1, 0.6, 0.6, -1, -1, -1, -1, 0.9, 0.9, 0.9}, 0, 5},
		{"a lukewarm run just above the headline", []float32{0.6, 0.6, 0.6, 0.6, -1, 0.9, 0.9}, 4, 2},
	} {
		var bs []*block
		for i, p := range tc.p {
			l := para
			if i > 0 && tc.p[i-1] < 0 {
				l = teaser
			}
			b := newBlock(l, time.Now())
			b.content = p >= 0
			bs = append(bs, b)
		}
		dropDoubtfulRuns(bs, tc.p, tc.title)
		if n := contentLines(bs); n != tc.want {
			t.Errorf("%s: %d lines left, want %d", tc.name, n, tc.want)
		}
	}
}

func TestKeepIntroducedLists(t *testing.T) {
	intro := "As promised, the Epub version is ready, and you can now read it on these devices:"
	para := testPara
	for _, tc := range []struct {
		name  string
		lines []string
		p     []float32 // the model's; a line at 0.5 or more is content
		want  int       // lines left as content
	}{
		{"a list the article introduces", []string{intro, "• Amazon Kindle (DX)", "• Barnes & Noble Nook", "• Apple iPad", para}, []float32{0.9, 0.1, 0, 0.2, 0.9}, 5},
		{"a heading over links", []string{"More world stories from NBC News:", "Fire destroys barn", "Road plan approved", para}, []float32{0.9, 0.1, 0.1, 0.9}, 2},
		{"a doubted sentence", []string{intro, "• Amazon Kindle (DX)", "• Apple iPad", para}, []float32{0.4, 0.1, 0.1, 0.9}, 1},
		{"one line is no list", []string{intro, "• Amazon Kindle (DX)", para}, []float32{0.9, 0.1, 0.9}, 2},
		{"a label ends the list", []string{intro, "• Amazon Kindle (DX)", "• Apple iPad", "Search for:", "Archives"}, []float32{0.9, 0.1, 0.1, 0.1, 0.1}, 3},
	} {
		var bs []*block
		for i, l := range tc.lines {
			b := newBlock(l, time.Now())
			b.content = tc.p[i] >= 0.5
			bs = append(bs, b)
		}
		keepIntroducedLists(bs, tc.p, -1)
		if n := contentLines(bs); n != tc.want {
			t.Errorf("%s: %d lines left, want %d", tc.name, n, tc.want)
		}
	}
}

// contentBlocks makes a block of each line, all of them content.
func contentBlocks(lines []string) []*block {
	bs := newBlocks(lines)
	for _, b := range bs {
		b.content = true
	}
	return bs
}

// contentLines counts the lines left as content.
func contentLines(bs []*block) int {
	n := 0
	for _, b := range bs {
		if b.content {
			n++
		}
	}
	return n
}

// testPara is a paragraph of an article.
const testPara = "The council voted on the plan after a long debate that went on late into the night, and the mayor said the new road would be built next year."

// dropCase is a page whose lines all start as content, and how many of
// them a rule leaves.
type dropCase struct {
	name  string
	lines []string
	want  int // lines left as content
}

// checkDrops runs a rule that leaves lines out over the cases.
func checkDrops(t *testing.T, drop func([]*block), cases []dropCase) {
	t.Helper()
	for _, tc := range cases {
		bs := contentBlocks(tc.lines)
		drop(bs)
		if n := contentLines(bs); n != tc.want {
			t.Errorf("%s: %d lines left, want %d", tc.name, n, tc.want)
		}
	}
}

// A text model that takes no line of a page leaves the rules' lines, not
// an empty article (Dragnet's R858: the model missed the one paragraph).
func TestTextModelRejectsAll(t *testing.T) {
	text := "Home | World | Sport\nMarkets rally as inflation cools\nBy Anna Schmidt, Reuters\nMarch 3, 2025\n" +
		"Stocks rose sharply on Monday after new figures showed that inflation in the euro zone slowed more than economists had expected in February, giving the central bank room to cut rates.\n" +
		"Investors had been waiting for the data for weeks, and the reaction was swift across all major indices.\n"
	m := &LineModel{First: rejectAll(TextFeatureNames()), Second: rejectAll(SecondFeatureNames())}
	a, err := New(Options{TextModel: m}).Normalize(context.Background(), Input{Name: "en.txt", Data: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Body) != 2 || !strings.HasPrefix(a.Body[0], "Stocks rose sharply") || a.Title != "Markets rally as inflation cools" {
		t.Errorf("title %q, body %q", a.Title, a.Body)
	}
}
