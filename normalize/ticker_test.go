package normalize

import (
	"testing"
	"time"
)

func TestTickerStamp(t *testing.T) {
	for _, tc := range []struct {
		line         string
		minutes      int
		headline, ok bool
	}{
		{"14:44 Accusations de viols : 14 militaires mis en cause", 14*60 + 44, true, true},
		{"13:24", 13*60 + 24, false, true},
		{"14h10 Le Qatar achète 24 Rafale", 14*60 + 10, true, true},
		{"7:28 PM ET", 19*60 + 28, false, true},
		{"11:57 AM Obama signs the budget bill", 11*60 + 57, true, true},
		{"12:05 a.m. Storm warning lifted for the coast", 5, true, true},
		{"14:06 Uhr Politischer Vordenker: SPD-Urgestein Erhard Eppler", 14*60 + 6, true, true},
		{"07:50 PM | Permalink | Comments (3)", 19*60 + 50, false, true}, // a post's footer
		{"10:15 The council met and voted the budget through.", 10*60 + 15, false, true},
		{"2:1 gegen Bayern", 0, false, false},           // a score
		{"24:10 Tage bis Weihnachten", 0, false, false}, // no time of day
		{"11.05.12 at 5:02 pm", 0, false, false},        // a date first
		{"Posted at 14:44 by Jane", 0, false, false},
	} {
		m, h, ok := tickerStamp(newBlock(tc.line, time.Now()))
		if m != tc.minutes || h != tc.headline || ok != tc.ok {
			t.Errorf("tickerStamp(%q) = %d, %v, %v; want %d, %v, %v", tc.line, m, h, ok, tc.minutes, tc.headline, tc.ok)
		}
	}
}

func TestNewsTickers(t *testing.T) {
	para := testPara
	checkFirstMarked(t, "ticker", newsTickers, []markCase{
		{"latest stories, newest first", []string{para, "14:44 Accusations de viols : des sanctions", "14:32 Un artiste arrêté au geyser", "14:10", para, "13:54 En Islande, tuer un Basque est interdit"}, 1},
		{"a schedule counts up", []string{para, "10:00 Opening address by the mayor", "11:30 Panel on the new road plan", "14:00 Closing remarks and drinks"}, -1},
		{"a live blog: prose under each time", []string{para, "14:44", para, "14:32", para, "14:10", para}, -1},
		{"two stories", []string{para, "14:44 Accusations de viols : des sanctions", "14:32 Un artiste arrêté au geyser"}, -1},
		{"one time, many stories", []string{"14:44 Accusations de viols : des sanctions", "14:44 Un artiste arrêté au geyser", "14:44 En Islande, tuer un Basque est interdit"}, -1},
		{"a blog's front page", []string{para, "07:50 PM | Permalink | Comments (3)", para, "11:24 AM | Permalink | Comments (7)", para, "09:48 AM | Permalink | Comments (4)"}, -1},
		{"items far apart", []string{"14:44 Accusations de viols : des sanctions", para, para, para, para, para, para, para,
			"14:32 Un artiste arrêté au geyser", "14:10 En Islande, tuer un Basque est interdit"}, -1},
	})
}
