package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crier/crier/subscribers"
)

// lines is a writer safe for concurrent use that signals each line matching re.
type lines struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	re    *regexp.Regexp
	match chan []string
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if m := l.re.FindStringSubmatch(line); m != nil {
			l.match <- m
		}
	}
	return l.buf.Write(p)
}

func (l *lines) next(t *testing.T) []string {
	t.Helper()
	select {
	case m := <-l.match:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("expected output never came")
		return nil
	}
}

func TestReceiveVerifiesSignatures(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	env := &environment{
		stdin:   strings.NewReader(""),
		stdout:  &lines{re: regexp.MustCompile(`^(verified|REJECTED) ([^\s:]+)`), match: make(chan []string, 4)},
		stderr:  &lines{re: regexp.MustCompile(`address=(http://\S+)`), match: make(chan []string, 1)},
		environ: []string{"CRIER_SUBSCRIBERS_WEBHOOKS_0_NAME=demo", "CRIER_SUBSCRIBERS_WEBHOOKS_0_URL=http://127.0.0.1:9/hook", "CRIER_SUBSCRIBERS_WEBHOOKS_0_SECRET=" + secret},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() { done <- receive(ctx, env, []string{"--listen", "127.0.0.1:0"}) }()
	url := env.stderr.(*lines).next(t)[1]
	if !strings.HasSuffix(url, "/hook") {
		t.Fatalf("receiver at %s, want the webhook's path /hook", url)
	}

	key, err := subscribers.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"article.published","timestamp":"2026-01-01T00:00:00Z","data":{"id":"abc","title":"T"}}`)
	now := time.Now()
	for _, tc := range []struct {
		sig  string
		want int
		out  string
	}{
		{subscribers.Sign(key, "msg_abc", now, body), http.StatusNoContent, "verified"},
		{"v1,AAAA", http.StatusUnauthorized, "REJECTED"},
	} {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("webhook-id", "msg_abc")
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", tc.sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
		}
		if m := env.stdout.(*lines).next(t); m[1] != tc.out || m[2] != "msg_abc" {
			t.Errorf("printed %q, want %s msg_abc", m[0], tc.out)
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit status %d after shutdown", code)
	}
}

func TestReceiveSecretFromEnvironment(t *testing.T) {
	env := &environment{
		stdin:   strings.NewReader(""),
		stdout:  &lines{re: regexp.MustCompile(`^(verified) (\S+)`), match: make(chan []string, 1)},
		stderr:  &lines{re: regexp.MustCompile(`address=(http://\S+)`), match: make(chan []string, 1)},
		environ: []string{"CRIER_RECEIVE_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- receive(ctx, env, []string{"--listen", "127.0.0.1:0"}) }()
	select {
	case m := <-env.stderr.(*lines).match:
		if !strings.HasPrefix(m[1], "http://127.0.0.1:") {
			t.Errorf("receiver at %s", m[1])
		}
	case code := <-done:
		t.Fatalf("receive exited with %d: %s", code, env.stderr.(*lines).buf.String())
	}
}
