//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/crier/crier/config"
)

// runMainEnv makes the test binary run crier's main instead of the tests,
// so a test can run the real command as a child process and kill it. It
// lacks the CRIER_ prefix: config.Load refuses unknown CRIER_ variables.
const runMainEnv = "CRIERTEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main() // runs os.Args[1:] and exits
	}
	os.Exit(m.Run())
}

// killSecret signs the webhooks of TestKilledMidRetryLosesNoDelivery.
const killSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// TestKilledMidRetryLosesNoDelivery checks at-least-once delivery across a
// crash: crier is killed with SIGKILL while every article waits for a
// webhook retry, then restarted on the same data directory. Every article
// must then be delivered, under the webhook-id it had before the kill.
//
// It lasts about one AckWait (subscribers.timeout + 15s): the JetStream
// consumer state the killed server had written holds some deliveries as
// pending, and the restarted server redelivers those when their ack wait
// ends, not when their retry delay does. Deliveries it had not written yet
// come back at once as first attempts.
func TestKilledMidRetryLosesNoDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs crier twice as a child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	inbox, want := killInbox(t)
	rc := newKillReceiver(t, want)
	cfgPath := killConfig(t, inbox, rc.url+"/hook")

	// First life: the receiver answers 500 to everything, so every article
	// is waiting for a retry when the process dies.
	first := startCrier(t, cfgPath)
	select {
	case <-rc.allFailed:
	case <-first.done:
		t.Fatalf("crier exited before every article was attempted: %v", first.err)
	case <-ctx.Done():
		t.Fatalf("not every article was attempted within the deadline; failed so far: %v", rc.snapshot().failed)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-first.done
	if ws, ok := first.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("first crier ended with %v, want killed by SIGKILL", first.cmd.ProcessState)
	}
	// Connections accepted from now on come from the second process; the
	// first one's requests, even those read late, still get a 500.
	rc.life.Store(2)

	second := startCrier(t, cfgPath)
	select {
	case <-rc.allDelivered:
	case <-second.done:
		t.Fatalf("restarted crier exited before delivering every article: %v", second.err)
	case <-ctx.Done():
		s := rc.snapshot()
		t.Fatalf("not every article was delivered after the restart within the deadline; delivered %v, attempts %v", s.delivered, s.attempts)
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-second.done:
	case <-ctx.Done():
		t.Fatal("crier did not stop within the deadline after SIGTERM")
	}
	if code := second.cmd.ProcessState.ExitCode(); code != exitOK {
		t.Fatalf("crier exited with status %d after SIGTERM, want 0", code)
	}

	s := rc.snapshot()
	for _, r := range s.requests {
		if r.err != nil {
			t.Errorf("request in life %d: %v", r.life, r.err)
		}
	}
	for id := range want {
		ids := map[string]bool{}
		lives := map[int]bool{}
		for _, r := range s.requests {
			if r.articleID == id {
				ids[r.webhookID] = true
				lives[r.life] = true
			}
		}
		switch {
		case !lives[1] || !lives[2]:
			t.Errorf("article %s: attempted in lives %v, want both sides of the kill", id, lives)
		case len(ids) != 1 || !ids["msg_"+id]:
			t.Errorf("article %s: webhook-ids %v, want only msg_%s", id, ids, id)
		}
		if s.delivered[id] < 1 {
			t.Errorf("article %s was never delivered", id)
		}
	}
	t.Logf("%d requests for %d articles; 2xx per article %v", len(s.requests), len(want), s.delivered)
}

// killInbox fills a new inbox with the example articles (distinct enough
// that none is dropped as a near duplicate) and returns it with their ids,
// computed by "crier normalize" as the publisher computes them.
func killInbox(t *testing.T) (dir string, ids map[string]bool) {
	t.Helper()
	seeds, err := filepath.Glob("../../examples/inbox/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seed articles in ../../examples/inbox: %v", err)
	}
	dir = t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/inbox")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCrier(t, nil, "", append([]string{"normalize"}, seeds...)...)
	if code != exitOK {
		t.Fatalf("normalize the seeds: status %d: %s", code, errOut)
	}
	ids = map[string]bool{}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var a struct{ ID string }
		if err := dec.Decode(&a); errors.Is(err, io.EOF) {
			break
		} else if err != nil || a.ID == "" {
			t.Fatalf("normalize output: %v", err)
		}
		ids[a.ID] = true
	}
	if len(ids) != len(seeds) {
		t.Fatalf("%d distinct ids for %d seeds", len(ids), len(seeds))
	}
	return dir, ids
}

// killConfig writes crier's configuration for the test: embedded NATS
// in-process only, files in temporary directories, fast ingestion and
// retries, one webhook to hook.
func killConfig(t *testing.T, inbox, hook string) string {
	t.Helper()
	dir := t.TempDir()
	// 24 retries 300ms apart: every article is in back-off long before the
	// kill, and none runs out of attempts (and is dead-lettered) while the
	// first process waits for the slowest article's first attempt.
	retries := slices.Repeat([]string{"300ms"}, 24)
	cfg := fmt.Sprintf(`data_dir: %q
http:
  listen: 127.0.0.1:0
nats:
  listen: ""
publisher:
  schedule: "@every 1s"
  inbox: %q
  settle: 0s
  probe_media: false # no test input can make crier reach past loopback
subscribers:
  timeout: 1s
  retry_schedule: [%s]
  allow_networks: [127.0.0.0/8]
  webhooks:
    - name: kill
      url: %q
      secret: %s
`, filepath.Join(dir, "data"), inbox, strings.Join(retries, ", "), hook, killSecret)
	path := filepath.Join(dir, "crier.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := config.Load(path, nil); err != nil || c.Publisher.ProbeMedia {
		t.Fatalf("test config: %v (publisher.probe_media must be false)", err)
	}
	return path
}

// crierProcess is crier running as a child process.
type crierProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // from Wait, valid once done is closed
}

// startCrier runs "crier serve --config cfgPath" as a child process, which
// the test's cleanup kills if it still runs. Its output is shown if the
// test fails.
func startCrier(t *testing.T, cfgPath string) *crierProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--config", cfgPath)
	// The child reads no CRIER_ variable of the developer's shell.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, config.EnvPrefix+"_") })
	cmd.Env = append(cmd.Env, runMainEnv+"=1")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start crier: %v", err)
	}
	p := &crierProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // already exited: os.ErrProcessDone
		<-p.done
		if t.Failed() {
			t.Logf("crier (pid %d, %v) output:\n%s", cmd.Process.Pid, cmd.ProcessState, out.String())
		}
	})
	return p
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// killReceiver is a webhook endpoint that verifies every request with the
// Standard Webhooks library and records it. It answers 500 on connections
// accepted during crier's first life and 204 on later ones, so a request
// the killed process sent just before dying can never count as delivered.
type killReceiver struct {
	url  string
	wh   *standardwebhooks.Webhook
	want map[string]bool // article ids

	life atomic.Int32 // crier's life (1, 2) when a connection is accepted

	mu           sync.Mutex
	requests     []killRequest
	failed       map[string]bool // articles refused at least once
	delivered    map[string]int  // 2xx answers per article
	allFailed    chan struct{}   // closed when every article was refused once
	allDelivered chan struct{}   // closed when every article got a 2xx
}

// killRequest is one webhook request as the receiver saw it.
type killRequest struct {
	life                 int
	webhookID, articleID string
	status               int
	err                  error // verification or payload problem
}

// lifeKey keys the life of crier a connection belongs to in its context.
type lifeKey struct{}

func newKillReceiver(t *testing.T, want map[string]bool) *killReceiver {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(killSecret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &killReceiver{
		wh: wh, want: want,
		failed: map[string]bool{}, delivered: map[string]int{},
		allFailed: make(chan struct{}), allDelivered: make(chan struct{}),
	}
	rc.life.Store(1)
	srv := httptest.NewUnstartedServer(rc)
	srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, lifeKey{}, int(rc.life.Load()))
	}
	srv.Start()
	t.Cleanup(srv.Close)
	rc.url = srv.URL
	return rc
}

func (rc *killReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := killRequest{life: r.Context().Value(lifeKey{}).(int), webhookID: r.Header.Get("webhook-id")}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = rc.wh.Verify(body, r.Header)
	}
	if err == nil {
		var ev struct {
			Data struct{ ID string } `json:"data"`
		}
		err = json.Unmarshal(body, &ev)
		req.articleID = ev.Data.ID
		switch {
		case err != nil:
		case !rc.want[req.articleID]:
			err = fmt.Errorf("unexpected article id %q", req.articleID)
		case req.webhookID != "msg_"+req.articleID:
			err = fmt.Errorf("article %s: webhook-id %q, want msg_%s", req.articleID, req.webhookID, req.articleID)
		}
	}
	switch {
	case err != nil:
		req.status = http.StatusBadRequest
		req.err = err
	case req.life == 1:
		req.status = http.StatusInternalServerError
	default:
		req.status = http.StatusNoContent
	}

	rc.mu.Lock()
	rc.requests = append(rc.requests, req)
	if req.err == nil {
		if req.life == 1 && !rc.failed[req.articleID] {
			rc.failed[req.articleID] = true
			if len(rc.failed) == len(rc.want) {
				close(rc.allFailed)
			}
		}
		if req.status >= 200 && req.status < 300 {
			rc.delivered[req.articleID]++
			if rc.delivered[req.articleID] == 1 && len(rc.delivered) == len(rc.want) {
				close(rc.allDelivered)
			}
		}
	}
	rc.mu.Unlock()
	w.WriteHeader(req.status)
}

// killSnapshot is a copy of what a killReceiver recorded.
type killSnapshot struct {
	requests  []killRequest
	failed    []string
	delivered map[string]int
	attempts  map[string]int // requests per article, both lives
}

func (rc *killReceiver) snapshot() killSnapshot {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := killSnapshot{requests: slices.Clone(rc.requests), delivered: map[string]int{}, attempts: map[string]int{}}
	for id := range rc.failed {
		s.failed = append(s.failed, id)
	}
	slices.Sort(s.failed)
	for id, n := range rc.delivered {
		s.delivered[id] = n
	}
	for _, r := range rc.requests {
		s.attempts[r.articleID]++
	}
	return s
}
