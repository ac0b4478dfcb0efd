package publisher

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/article"
	"github.com/crier/crier/normalize"
)

// FailedDir is the folder, inside the inbox, where inputs that cannot be
// normalized are moved, each with a .error file saying why.
const FailedDir = "failed"

// InboxOptions configures the inbox source.
type InboxOptions struct {
	Dir string
	// Settle is how long a file must stay unmodified before it is read.
	Settle   time.Duration
	MaxBytes int64
}

// RunStats counts what one pass over the inbox did.
type RunStats struct {
	Published int
	// Updated counts new revisions of published articles.
	Updated    int
	Duplicates int
	Failed     int
	// Waiting counts files left for a later run: still being written, or
	// not published because of an error that is not the input's fault.
	Waiting int
}

// fileRecord marks an inbox file as done, so it is published once across
// restarts; the file itself is left where the user put it.
type fileRecord struct {
	Name      string    `json:"name"`
	ID        string    `json:"id"`
	Revision  int       `json:"revision,omitempty"`
	Duplicate bool      `json:"duplicate,omitempty"`
	At        time.Time `json:"at"`
}

// RunInbox makes one pass over the inbox: files are normalized on
// GOMAXPROCS goroutines, then published one by one. A bad file is moved to
// failed/ and the pass goes on; an error from NATS leaves the file for the next
// run. The error returned joins those that were not the inputs' fault.
func (p *Publisher) RunInbox(ctx context.Context) (RunStats, error) {
	start := time.Now()
	var st RunStats
	dir := p.inbox.Dir
	if err := os.MkdirAll(filepath.Join(dir, FailedDir), 0o755); err != nil {
		return st, fmt.Errorf("publisher: inbox: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return st, fmt.Errorf("publisher: inbox: %w", err)
	}
	// Normalize first, then publish in publication order (undated pages
	// last): feeds and webhooks see the news in order, and a story is
	// named after its earliest article.
	var names []string
	for _, e := range entries {
		if !e.IsDir() && !ignored(e.Name()) {
			names = append(names, e.Name())
		}
	}
	var errs []error
	var batch []*inboxArticle
	workers := runtime.GOMAXPROCS(0)
	for len(names) > 0 && len(batch) < maxBatch && ctx.Err() == nil {
		// Normalize in parallel, a few files per worker at a time, never
		// more than the batch has room for.
		n := min(len(names), 4*workers, maxBatch-len(batch))
		for _, r := range p.inboxFiles(ctx, names[:n], workers) {
			st.add(r.st)
			switch {
			case r.err == nil:
				if r.ia != nil {
					batch = append(batch, r.ia)
				}
			case errors.Is(r.err, errNotSettled):
				st.Waiting++
			default:
				st.Waiting++
				errs = append(errs, r.err)
				p.log.Error("inbox file not published; retried next run", "file", r.name, "error", r.err)
			}
		}
		names = names[n:]
	}
	slices.SortStableFunc(batch, func(x, y *inboxArticle) int {
		if x.a.PublishedEstimated != y.a.PublishedEstimated {
			if x.a.PublishedEstimated {
				return 1
			}
			return -1
		}
		return x.a.Published.Compare(y.a.Published)
	})
	for i, ia := range batch {
		if ctx.Err() != nil {
			st.Waiting += len(batch) - i
			break
		}
		if err := p.publishFile(ctx, ia, &st); err != nil {
			st.Waiting++
			errs = append(errs, err)
			p.log.Error("inbox file not published; retried next run", "file", ia.name, "error", err)
		}
	}
	if st != (RunStats{}) {
		p.log.Info("inbox run", "published", st.Published, "updated", st.Updated, "duplicates", st.Duplicates, "failed", st.Failed, "waiting", st.Waiting,
			"took", time.Since(start).Round(time.Millisecond))
	}
	return st, errors.Join(errs...)
}

// maxBatch bounds the articles one run holds in memory; the rest wait for
// the next run.
const maxBatch = 1000

var errNotSettled = errors.New("still being written")

// fileResult is what inboxFile made of one file.
type fileResult struct {
	name string
	ia   *inboxArticle
	err  error
	st   RunStats
}

// inboxFiles reads and normalizes names on at most workers goroutines,
// returning the results in the order of names.
func (p *Publisher) inboxFiles(ctx context.Context, names []string, workers int) []fileResult {
	res := make([]fileResult, len(names))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, name := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r := fileResult{name: name}
			r.ia, r.err = p.inboxFile(ctx, name, &r.st)
			res[i] = r
		})
	}
	wg.Wait()
	return res
}

// add adds the counts of o to st.
func (st *RunStats) add(o RunStats) {
	st.Published += o.Published
	st.Updated += o.Updated
	st.Duplicates += o.Duplicates
	st.Failed += o.Failed
	st.Waiting += o.Waiting
}

// inboxArticle is an inbox file normalized and waiting to be published.
type inboxArticle struct {
	name, key string
	a         *article.Article
}

// inboxFile reads and normalizes one file; nil when there is nothing to
// publish (done before, gone, or failed and moved to failed/).
func (p *Publisher) inboxFile(ctx context.Context, name string, st *RunStats) (*inboxArticle, error) {
	path := filepath.Join(p.inbox.Dir, name)
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil // taken away since the listing
		}
		return nil, fmt.Errorf("publisher: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	if p.now().Sub(info.ModTime()) < p.inbox.Settle {
		return nil, errNotSettled
	}
	key := fileKey(name, info)
	if _, err := p.ledger.Get(ctx, key); err == nil {
		return nil, nil // done in an earlier run
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("publisher: inbox ledger: %w", err)
	}

	data, err := readLimited(path, p.inbox.MaxBytes)
	if err != nil {
		return nil, fmt.Errorf("publisher: read %s: %w", name, err)
	}
	if again, err := os.Stat(path); err != nil || fileKey(name, again) != key {
		return nil, errNotSettled // changed while we read it
	}
	a, err := p.norm.Normalize(ctx, normalize.Input{Name: name, Data: data, ModTime: info.ModTime()})
	if normalize.IsBadInput(err) {
		st.Failed++
		p.log.Warn("inbox file rejected", "file", name, "error", err)
		return nil, p.moveToFailed(name, err)
	}
	if err != nil {
		return nil, err
	}
	return &inboxArticle{name: name, key: key, a: a}, nil
}

// publishFile publishes one normalized file and records it in the ledger.
func (p *Publisher) publishFile(ctx context.Context, ia *inboxArticle, st *RunStats) error {
	res, err := p.Publish(ctx, ia.a)
	if normalize.IsBadInput(err) || errors.Is(err, ErrRetracted) {
		st.Failed++
		p.log.Warn("inbox file rejected", "file", ia.name, "error", err)
		return p.moveToFailed(ia.name, err)
	}
	if err != nil {
		return err
	}
	if res.Duplicate {
		st.Duplicates++
		p.log.Info("duplicate dropped", "file", ia.name, "article_id", ia.a.ID, "published_as", res.ID, "near", res.NearDuplicate)
	} else if res.Revision > 1 {
		st.Updated++
	} else {
		st.Published++
	}
	rec := encode(fileRecord{Name: ia.name, ID: res.ID, Revision: res.Revision, Duplicate: res.Duplicate, At: p.now().UTC()})
	ctx, cancel := afterAck(ctx)
	defer cancel()
	if _, err := p.ledger.Put(ctx, ia.key, rec); err != nil {
		// Published but not marked: the next run finds it a duplicate.
		return fmt.Errorf("publisher: inbox ledger: %w", err)
	}
	return nil
}

// readLimited reads at most limit+1 bytes, so normalization can tell an
// input over the limit without reading all of a huge file.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// fileKey identifies one version of an inbox file: its name, size and
// modification time, hashed into a valid KV key.
func fileKey(name string, info fs.FileInfo) string {
	h := sha256.Sum256([]byte(name + "\x00" + strconv.FormatInt(info.Size(), 10) + "\x00" + strconv.FormatInt(info.ModTime().UnixNano(), 10)))
	return hex.EncodeToString(h[:])
}

// ignored names files that are not inputs: hidden, temporary and partial
// files (write to one of those and rename, for an atomic drop).
func ignored(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".tmp", ".part", ".partial", ".crdownload", ".swp", ".error":
		return true
	}
	return false
}

// moveToFailed moves a rejected input to failed/ beside a .error file
// giving the reason. It never overwrites: a name already taken gets a
// numbered suffix.
func (p *Publisher) moveToFailed(name string, reason error) error {
	src := filepath.Join(p.inbox.Dir, name)
	failed := filepath.Join(p.inbox.Dir, FailedDir)
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 1000; i++ {
		target := name
		if i > 0 {
			target = fmt.Sprintf("%s.%d%s", stem, i, ext)
		}
		dst := filepath.Join(failed, target)
		// A hard link fails when dst exists, unlike rename, which replaces it.
		if err := os.Link(src, dst); errors.Is(err, fs.ErrExist) {
			continue
		} else if err != nil {
			return fmt.Errorf("publisher: move %s to %s: %w", name, FailedDir, err)
		}
		if err := os.Remove(src); err != nil {
			return fmt.Errorf("publisher: move %s to %s: %w", name, FailedDir, err)
		}
		note := fmt.Sprintf("file: %s\ntime: %s\nerror: %v\n", name, p.now().UTC().Format(time.RFC3339), reason)
		if err := os.WriteFile(dst+".error", []byte(note), 0o644); err != nil {
			return fmt.Errorf("publisher: write %s.error: %w", target, err)
		}
		return nil
	}
	return fmt.Errorf("publisher: move %s to %s: too many files of that name", name, FailedDir)
}
