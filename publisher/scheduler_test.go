package publisher

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// logWatch is a slog handler that signals log messages containing a string.
type logWatch struct {
	slog.Handler
	want string
	seen chan struct{}
	once *sync.Once
}

func (l logWatch) Enabled(context.Context, slog.Level) bool { return true }

func (l logWatch) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, l.want) {
		l.once.Do(func() { close(l.seen) })
	}
	return nil
}

func TestSchedulerRunsAtStartSkipsOverlapAndSurvivesPanic(t *testing.T) {
	skipped := logWatch{Handler: slog.DiscardHandler, want: "skip", seen: make(chan struct{}), once: new(sync.Once)}
	var calls atomic.Int32
	release := make(chan struct{})
	runs := make(chan int32, 10)
	job := func(ctx context.Context) {
		n := calls.Add(1)
		runs <- n
		switch n {
		case 1: // the run at start: block until a tick was skipped
			<-release
		case 2:
			panic("boom")
		}
	}
	s, err := NewScheduler("@every 1s", job, slog.New(skipped))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if n := <-runs; n != 1 {
		t.Fatalf("first run is #%d", n)
	}
	<-skipped.seen // a tick came while run 1 was still going, and was skipped
	if calls.Load() != 1 {
		t.Fatalf("runs overlapped: %d calls", calls.Load())
	}
	close(release)
	if n := <-runs; n != 2 {
		t.Fatalf("second run is #%d", n)
	}
	if n := <-runs; n != 3 { // run 2 panicked; the schedule goes on
		t.Fatalf("third run is #%d", n)
	}
}

func TestSchedulerRejectsBadSpec(t *testing.T) {
	if _, err := NewScheduler("every minute", func(context.Context) {}, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("bad spec accepted")
	}
}

func TestScheduleInterval(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 7, 30, 0, time.UTC)
	for _, tc := range []struct {
		spec string
		want time.Duration
	}{
		{"@every 1m", time.Minute},
		{"@every 90s", 90 * time.Second},
		{"*/5 * * * *", 5 * time.Minute},
		{"@hourly", time.Hour},
		{"CRON_TZ=Europe/Paris 0 6-22 * * *", time.Hour},
	} {
		if got := ScheduleInterval(tc.spec, now); got != tc.want {
			t.Errorf("%s: Interval = %s, want %s", tc.spec, got, tc.want)
		}
	}
}
