package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ExportStats says what Export wrote.
type ExportStats struct {
	Files   int   // identity files
	GzFiles int   // .gz siblings
	Bytes   int64 // of both
	Removed int   // files of retracted articles removed
}

// documents is the catalogue of every document the site serves at its
// default limit, as URL paths (escaped): the home page, every feed of every
// kind in every format, and every article page and its JSON. Export writes
// exactly these; add a kind of document here and it is exported.
func (s *Service) documents() []string {
	s.mu.RLock()
	keys := make([]feedKey, 0, len(s.sets)+1)
	keys = append(keys, feedKey{kind: kindAll}) // even when empty
	for k := range s.sets {
		if k.kind != kindAll {
			keys = append(keys, k)
		}
	}
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	s.mu.RUnlock()

	paths := s.pagePaths() // "/" and the listings
	for _, k := range keys {
		for _, f := range feedFormats {
			paths = append(paths, feedPath(k, f))
		}
	}
	for _, id := range ids {
		p := articlePath(id)
		paths = append(paths, p, p+".json")
	}
	paths = append(paths, s.archivePaths()...)
	slices.Sort(paths)
	return paths
}

// exportFile is the file, relative to the export directory, that holds the
// document at URL path p: a directory path ("/", "/sources/") is its
// index.html, an article page /articles/<id> is articles/<id>.html, every
// other path is itself (unescaped). A web server maps them back with
// try_files $uri $uri/index.html $uri.html (the README's nginx snippet).
func exportFile(p string) (string, error) {
	u, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("feeds: export path %q: %w", p, err)
	}
	switch {
	case strings.HasSuffix(u, "/"):
		u += "index.html"
	case strings.HasPrefix(u, "/articles/") && path.Ext(u) != ".json":
		u += ".html"
	}
	rel := strings.TrimPrefix(u, "/")
	for _, seg := range strings.Split(rel, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\x00\\") {
			return "", fmt.Errorf("feeds: export path %q: not a safe file name", p)
		}
	}
	return filepath.FromSlash(rel), nil
}

// Export writes every document of the catalogue under dir, with a .gz
// sibling holding the gzip response when the document has one: the bytes
// are those Handler sends, since they come from it (without the rate
// limit). Files are written atomically (a temporary file renamed) and
// carry the document's Last-Modified as their modification time. Export
// touches nothing outside dir, and deletes only the files it wrote for
// articles since retracted (their page and JSON, and .gz siblings).
func (s *Service) Export(ctx context.Context, dir string) (ExportStats, error) {
	var st ExportStats
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return st, fmt.Errorf("feeds: export: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return st, fmt.Errorf("feeds: export: %w", err)
	}
	defer root.Close()
	for _, p := range s.documents() {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		rel, err := exportFile(p)
		if err != nil {
			return st, err
		}
		plain, mod, err := s.exportGet(p, "")
		if errors.Is(err, errNotFound) {
			continue // gone since the catalogue was read
		}
		if err != nil {
			return st, err
		}
		if err := writeFile(root, rel, plain, mod); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += int64(len(plain))
		gz, _, err := s.exportGet(p, "gzip")
		if err != nil && !errors.Is(err, errNotFound) {
			return st, err
		}
		if gz != nil {
			if err := writeFile(root, rel+".gz", gz, mod); err != nil {
				return st, err
			}
			st.GzFiles++
			st.Bytes += int64(len(gz))
		}
	}
	for _, p := range s.retractedPaths() {
		rel, err := exportFile(p)
		if err != nil {
			return st, err
		}
		for _, f := range [...]string{rel, rel + ".gz"} {
			if err := root.Remove(f); err == nil {
				st.Removed++
			} else if !errors.Is(err, fs.ErrNotExist) {
				return st, fmt.Errorf("feeds: export: remove %s: %w", f, err)
			}
		}
	}
	return st, nil
}

// retractedPaths are the URL paths of the retracted articles' documents.
func (s *Service) retractedPaths() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	paths := make([]string, 0, 2*len(s.gone))
	for id := range s.gone {
		p := articlePath(id)
		paths = append(paths, p, p+".json")
	}
	slices.Sort(paths)
	return paths
}

// exportGet asks the handler for p; with encoding "gzip" it returns nil
// unless the answer is gzip-encoded.
func (s *Service) exportGet(p, encoding string) ([]byte, time.Time, error) {
	req := httptest.NewRequest(http.MethodGet, p, nil)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	s.serveHTTP(rec, req)
	switch {
	case rec.Code == http.StatusNotFound:
		return nil, time.Time{}, errNotFound
	case rec.Code != http.StatusOK:
		return nil, time.Time{}, fmt.Errorf("feeds: export %s: status %d", p, rec.Code)
	case encoding != "" && rec.Header().Get("Content-Encoding") != encoding:
		return nil, time.Time{}, nil
	}
	mod, _ := http.ParseTime(rec.Header().Get("Last-Modified"))
	return rec.Body.Bytes(), mod, nil
}

// writeFile replaces rel under root atomically, skipping the write when
// the file already holds these bytes.
func writeFile(root *os.Root, rel string, data []byte, mod time.Time) error {
	if old, err := root.ReadFile(rel); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if d := filepath.Dir(rel); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("feeds: export: %w", err)
		}
	}
	tmp := filepath.Join(filepath.Dir(rel), "."+filepath.Base(rel)+".tmp")
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("feeds: export: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil && !mod.IsZero() {
		werr = root.Chtimes(tmp, mod, mod)
	}
	if werr == nil {
		werr = root.Rename(tmp, rel)
	}
	if werr != nil {
		_ = root.Remove(tmp)
		return fmt.Errorf("feeds: export %s: %w", rel, werr)
	}
	return nil
}
