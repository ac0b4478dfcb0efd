package eval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumVersion names the rendering recipe in cache keys: change it
// when Chromium's flags or the script below change.
const chromiumVersion = "innertext-v1"

// Chromium renders pages as headless Chromium's document.body.innerText,
// the way the project corpus's scraped texts were made: the page's
// scripts off and the network closed, so external style sheets are
// missing and menus, footers and hidden blocks come out as text. Renders
// are cached by the page's bytes in a folder, so a second run is quick.
type Chromium struct {
	cache   string
	version string               // "HeadlessChrome/156.0.8078.114"
	tabs    chan context.Context // idle tabs, one per core
	cancel  func()
	tmp     string
}

// NewChromium starts Chromium (the binary at execPath) and caches its
// renders in cacheDir.
func NewChromium(ctx context.Context, execPath, cacheDir string) (*Chromium, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "crier-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1280, 1024),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-proxy-server", true),
		// The network is closed: no host name resolves.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("blink-settings", "imagesEnabled=false"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	n := runtime.GOMAXPROCS(0)
	c := &Chromium{cache: cacheDir, tmp: tmp, tabs: make(chan context.Context, n), cancel: func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(tmp)
	}}
	noScripts := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(browser, noScripts); err != nil {
		c.Close()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	v, err := cdp.Call(browser, chromedp.FromContext(browser).Browser, cdpbrowser.GetVersion, cdp.Empty{})
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("chromium's version: %w", err)
	}
	c.version = v.Product
	c.tabs <- browser
	for range n - 1 {
		tab, _ := chromedp.NewContext(browser) // cancelled with the browser
		if err := chromedp.Do(tab, noScripts); err != nil {
			c.Close()
			return nil, fmt.Errorf("open a chromium tab: %w", err)
		}
		c.tabs <- tab
	}
	return c, nil
}

// Version is the browser's product and version, as it reports them
// ("HeadlessChrome/156.0.8078.114"): its renders depend on it.
func (c *Chromium) Version() string { return c.version }

// Close stops the browser.
func (c *Chromium) Close() { c.cancel() }

// InnerText returns the page's rendered text, from the cache when it
// has it. It is safe for concurrent use: each call takes a tab of its own.
func (c *Chromium) InnerText(ctx context.Context, page []byte) (string, error) {
	// The browser's build is in the key: another build renders some pages
	// otherwise, and a report names the build that rendered its pages.
	sum := sha256.Sum256(append([]byte(chromiumVersion+"\x00"+c.version+"\x00"), page...))
	cached := filepath.Join(c.cache, hex.EncodeToString(sum[:12])+".txt")
	if b, err := os.ReadFile(cached); err == nil {
		return string(b), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	// The page goes to Chromium decoded, as UTF-8 with a byte-order mark,
	// which overrides the corpora's often wrong <meta charset>.
	file := filepath.Join(c.tmp, hex.EncodeToString(sum[:6])+".html")
	defer os.Remove(file)
	if err := os.WriteFile(file, append([]byte("\xef\xbb\xbf"), noRefresh(decodePage(page))...), 0o644); err != nil {
		return "", err
	}
	var tab context.Context
	select {
	case tab = <-c.tabs:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { c.tabs <- tab }()
	tctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	// A failed navigation (a frame that aborts) may still leave the
	// page's document to read.
	navErr := chromedp.Do(tctx, chromedp.Navigate("file://"+file))
	text, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "", fmt.Errorf("chromium: %w", errors.Join(navErr, err))
	}
	if text == "" && navErr != nil {
		err = navErr
	}
	if err != nil {
		return "", fmt.Errorf("chromium: %w", err)
	}
	if err := os.WriteFile(cached+".tmp", []byte(text), 0o644); err != nil {
		return "", err
	}
	return text, os.Rename(cached+".tmp", cached)
}

// metaRefresh is a <meta http-equiv="refresh"> tag.
var metaRefresh = regexp.MustCompile(`(?i)<meta[^>]*http-equiv\s*=\s*["']?refresh[^>]*>`)

// noRefresh removes the page's refresh tags: with the network off, a
// refresh to another address closes the page before its text is read
// (cleaneval/final-757 under Chromium 156), and a crawler stores the page
// it fetched, not the one it would be sent to.
func noRefresh(page string) string { return metaRefresh.ReplaceAllString(page, "") }
