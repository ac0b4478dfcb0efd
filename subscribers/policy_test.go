package subscribers

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	m := &Manager{o: Options{
		RetrySchedule:  []time.Duration{5 * time.Second, 5 * time.Minute},
		Jitter:         0.2,
		MaxRetryAfter:  time.Hour,
		SlowRetryFloor: time.Minute,
	}}
	for _, tc := range []struct {
		name       string
		n          int
		outcome    string
		status     int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{"first retry, jittered", 1, OutcomeHTTPError, 500, 0, 4 * time.Second, 6 * time.Second},
		{"second retry, jittered", 2, OutcomeHTTPError, 500, 0, 4 * time.Minute, 6 * time.Minute},
		{"past the schedule keeps the last delay", 3, OutcomeHTTPError, 500, 0, 4 * time.Minute, 6 * time.Minute},
		{"timeout waits at least a minute", 1, OutcomeTimeout, 0, 0, time.Minute, time.Minute},
		{"429 waits at least a minute", 1, OutcomeThrottled, 429, 0, time.Minute, time.Minute},
		{"429 Retry-After honoured", 1, OutcomeThrottled, 429, 90 * time.Second, 90 * time.Second, 90 * time.Second},
		{"429 Retry-After below the floor", 1, OutcomeThrottled, 429, 2 * time.Second, time.Minute, time.Minute},
		{"503 Retry-After honoured below the floor", 1, OutcomeThrottled, 503, 2 * time.Second, 2 * time.Second, 2 * time.Second},
		{"Retry-After bounded", 1, OutcomeThrottled, 503, 48 * time.Hour, time.Hour, time.Hour},
		{"Retry-After ignored on 500", 1, OutcomeHTTPError, 500, time.Hour, 4 * time.Second, 6 * time.Second},
	} {
		for range 50 {
			if d := m.retryDelay(tc.n, tc.outcome, tc.status, tc.retryAfter); d < tc.lo || d > tc.hi {
				t.Errorf("%s: retryDelay = %s, want %s to %s", tc.name, d, tc.lo, tc.hi)
				break
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"Sat, 21 Nov 2026 12:10:00 GMT", 10 * time.Minute},
		{"Sat, 21 Nov 2026 11:00:00 GMT", 0}, // in the past
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestBreaker(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	b := &breaker{threshold: 3, cooldown: 30 * time.Second}
	for i := range 2 {
		if opened, _ := b.failure(t0.Add(time.Duration(i) * time.Second)); opened {
			t.Fatalf("opened after %d failures", i+1)
		}
		if ok, _ := b.allow(t0); !ok {
			t.Fatalf("closed breaker refused after %d failures", i+1)
		}
	}
	opened, since := b.failure(t0.Add(2 * time.Second))
	if !opened || !since.Equal(t0) {
		t.Fatalf("third failure: opened %v since %v, want true since %v", opened, since, t0)
	}
	if ok, wait := b.allow(t0.Add(12 * time.Second)); ok || wait != 20*time.Second {
		t.Errorf("open breaker: allow = %v, wait %s; want false, 20s", ok, wait)
	}
	// Half open after the cool-down: one probe, not two.
	probeAt := t0.Add(33 * time.Second)
	if ok, _ := b.allow(probeAt); !ok {
		t.Fatal("no probe after the cool-down")
	}
	if ok, _ := b.allow(probeAt); ok {
		t.Error("a second probe went out while the first was in flight")
	}
	// A failed probe opens it again for twice as long, without a new event.
	if opened, _ := b.failure(probeAt); opened {
		t.Error("a failed probe reported a new opening")
	}
	if ok, wait := b.allow(probeAt); ok || wait != time.Minute {
		t.Errorf("after a failed probe: allow = %v, wait %s; want false, 1m", ok, wait)
	}
	if !b.success() {
		t.Error("success after an opening did not report a recovery")
	}
	if b.success() {
		t.Error("a second success reported a recovery")
	}
	if ok, _ := b.allow(probeAt); !ok {
		t.Error("closed breaker refused")
	}
	// Retry-After pauses the endpoint.
	b.pause(probeAt, 10*time.Second)
	if ok, wait := b.allow(probeAt.Add(4 * time.Second)); ok || wait != 6*time.Second {
		t.Errorf("paused: allow = %v, wait %s; want false, 6s", ok, wait)
	}
}
