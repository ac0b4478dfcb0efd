package normalize

import (
	"testing"
	"time"
)

func TestDatedName(t *testing.T) {
	checkLines(t, "datedName", datedName, []lineCase{
		{"Jermaine 07 Nov 12", true},
		{"Radex | November 7, 2012 at 9:12 pm", true},
		{"markey on 12/11/2012 said:", true},
		{"Miles Taylor 12 days ago", true},
		{"Karl Fisch10/28/12 5:33 PM", true},
		{"-- Jolene @ 1:03PM Wed 19 Jul 2006", true},
		{"6. Red Dead Ryan - August 8, 2012", true},
		{"2. MJ - August 8, 2012", false}, // two capitals name a place as often
		{"September 27, 2012, | Permalink", true},
		{"October 24, 2012 | Chris", true},
		{"FRI 1/19/2007 Brooklyn NY - Union Hall", false},    // a listing's date
		{"by Jane Doe, 7 Nov 2012", false},                   // a post's byline
		{"07:50 PM | Permalink | Comments (3)", false},       // a post's footer
		{"18-02-2006 13:21 | 1 comment(s)", false},           // a post's footer
		{"► November 2012 (1)", false},                       // an archive's link
		{"5km - 17:20. Projects a 2:26:17", false},           // a race's split
		{"Gurgaon, January 2", false},                        // a dateline
		{"November 20: Phoenix, AZ", false},                  // a tour's date
		{"AZ, US - Feb 23, 2007", false},                     // an event's place
		{"Risks 258, 27 May 2006", false},                    // an issue's number
		{"24 Mar 2005 : Column 1040", false},                 // a column's number
		{"3.1.1 Creators", false},                            // a section's number
		{"Registered: July 03, 2001", false},                 // a profile's field
		{"Advanced Access 2002", false},                      // a product's year
		{"November 9th & 10th", false},                       // no name
		{"Tracked on Mar 21, 2007 12:31:13 AM", false},       // a trackback
		{"Foreign Affairs, May/June 2004", false},            // a journal's issue
		{"The Briefing, Wednesday, November 7, 2012", false}, // a column's issue
		{"The council met on 12 May 2012 at 10:00 and voted the budget through", false},
	})
}

func TestCommentThreads(t *testing.T) {
	comment := "I live on that street and I think the council got it wrong again, as they always do."
	checkFirstMarked(t, "thread", commentThreads, []markCase{
		{"three comments", []string{"Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment, "Rob 08 Nov 12", comment}, 0},
		{"one author's items", []string{"Datamonitor 6 Nov 06", comment, "Datamonitor 6 Nov 06", comment, "Datamonitor 6 Nov 06", comment}, -1},
		{"two comments", []string{"Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment}, -1},
		{"a list, one header a line", []string{"Jermaine 07 Nov 12", "Radex 07 Nov 12", "Rob 08 Nov 12", comment}, -1},
		{"headers with no comment", []string{"Jermaine 07 Nov 12", "Good.", "Radex 07 Nov 12", "Yes.", "Rob 08 Nov 12", "No."}, -1},
		{"comments far apart", []string{"Jermaine 07 Nov 12", comment, "Radex 07 Nov 12", comment,
			comment, comment, comment, comment, comment, comment, comment, comment, comment, comment, comment,
			"Rob 08 Nov 12", comment}, -1},
	})
}

func TestThreadHeading(t *testing.T) {
	checkLines(t, "threadHeading", threadHeading, []lineCase{
		{"13 Responses to The Time Has Come to Expand the Scope of Conflict for eBooks", true},
		{"8 appreciated comments on “New work: Asian Development Bank”", true},
		{"45 users responded in \" The biggest blogging mistake I ever made … \"", true},
		{"1 thought on “Shuteye”", true},
		{"12 comments", false},                                              // a sidebar's count
		{"9. Do comment on what others say", false},                         // a list's item
		{"3 comments in yesterday’s post! Allow me to answer each:", false}, // prose
	})
}

func TestSaidHeader(t *testing.T) {
	checkLines(t, "saidHeader", func(b *block) bool { return saidHeader(b.words) }, []lineCase{
		{"Silver Phoenix said:", true},
		{"Anonymous said...", true},
		{"he said.", false},
		{"“We will build the road next year,” the mayor said.", false},
	})
}

func TestCommentFormField(t *testing.T) {
	checkLines(t, "commentFormField", commentFormField, []lineCase{
		{"Name (required)", true},
		{"Mail (will not be published) (required)", true},
		{"Email *", true},
		{"Website", false},
		{"Name the three rivers that meet in the city (required reading)", false},
		{"Email us your questions", false},
	})
}

// newBlocks makes a block of each line.
func newBlocks(lines []string) []*block {
	bs := make([]*block, len(lines))
	for i, l := range lines {
		bs[i] = newBlock(l, time.Now())
	}
	return bs
}

// firstMarked returns the first index marked, -1 if none.
func firstMarked(marks []bool) int {
	for i, m := range marks {
		if m {
			return i
		}
	}
	return -1
}

// markCase is a page and the line a marker should mark first, -1 for none.
type markCase struct {
	name  string
	lines []string
	want  int
}

// checkFirstMarked runs mark, which marks where a what opens, over the
// cases.
func checkFirstMarked(t *testing.T, what string, mark func([]*block) []bool, cases []markCase) {
	t.Helper()
	for _, tc := range cases {
		if got := firstMarked(mark(newBlocks(tc.lines))); got != tc.want {
			t.Errorf("%s: the %s opens at line %d, want %d", tc.name, what, got, tc.want)
		}
	}
}

// lineCase is a line and what a predicate on its block should say.
type lineCase struct {
	line string
	want bool
}

// checkLines runs the predicate f, named name, on a block of each line.
func checkLines(t *testing.T, name string, f func(*block) bool, cases []lineCase) {
	t.Helper()
	for _, tc := range cases {
		if got := f(newBlock(tc.line, time.Now())); got != tc.want {
			t.Errorf("%s(%q) = %v, want %v", name, tc.line, got, tc.want)
		}
	}
}
