// Command feedbench measures how fast crier serves a feed beside nginx
// serving the same bytes as a static file, in the same run.
//
// It normalizes the labelled corpus (normalize/testdata/corpus: real news
// pages and texts in seven languages) with the real normalizer, repeating
// them under distinct ids when needed, into a 50-item feed, serves
// crier's feeds handler on 127.0.0.1, exports the same documents (crier
// export's code) to a temporary directory served by nginx (Debian's
// nginx-light, gzip_static on, a generated config on a random loopback
// port, no root), and drives both with wrk (Debian's wrk), plain and with
// Accept-Encoding: gzip, alternating, several rounds. It prints requests/s
// and latency percentiles (medians over the rounds) and crier/nginx.
//
// Run from the repository root:
//
//	go run ./cmd/feedbench [-path /feeds/all.atom] [-d 10s] [-c 64] [-t 2] [-rounds 3]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/crier/crier/feeds"
	"github.com/crier/crier/normalize"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "feedbench:", err)
		os.Exit(1)
	}
}

type options struct {
	seeds, path, nginx, wrk string
	items, conns, threads   int
	rounds                  int
	dur                     time.Duration
	cpuprofile              string
}

func run(ctx context.Context, args []string) error {
	var o options
	fs := flag.NewFlagSet("feedbench", flag.ContinueOnError)
	fs.StringVar(&o.seeds, "seeds", "normalize/testdata/corpus", "`dir` of articles (*.txt, *.html) to normalize")
	fs.StringVar(&o.path, "path", "/feeds/all.atom", "document to load")
	fs.IntVar(&o.items, "items", 50, "articles in the feed")
	fs.StringVar(&o.nginx, "nginx", "/usr/sbin/nginx", "nginx binary (Debian package nginx-light)")
	fs.StringVar(&o.wrk, "wrk", "wrk", "wrk binary (Debian package wrk)")
	fs.IntVar(&o.threads, "t", 2, "wrk threads")
	fs.IntVar(&o.conns, "c", 64, "wrk connections")
	fs.DurationVar(&o.dur, "d", 10*time.Second, "duration of each wrk run")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of the four runs, alternated; medians are reported")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of crier's server to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := exec.LookPath(o.nginx); err != nil {
		return fmt.Errorf("nginx not found at %s: install the Debian package nginx-light (%w)", o.nginx, err)
	}
	if _, err := exec.LookPath(o.wrk); err != nil {
		return fmt.Errorf("wrk not found: install the Debian package wrk (%w)", err)
	}

	svc, err := buildFeeds(ctx, o)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "feedbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// nginx's workers run as nobody when it was started by root.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	site := filepath.Join(tmp, "site")
	st, err := svc.Export(ctx, site)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	crierURL := "http://" + ln.Addr().String() + o.path

	nginxURL, stopNginx, err := startNginx(ctx, o.nginx, tmp, site)
	if err != nil {
		return err
	}
	defer stopNginx()
	nginxURL += o.path

	size, gzSize, err := sameBytes(ctx, crierURL, nginxURL)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d items, %d bytes (%d gzip); export wrote %d files + %d .gz\n", o.path, o.items, size, gzSize, st.Files, st.GzFiles)
	fmt.Printf("wrk -t%d -c%d -d%s --latency, %d rounds alternated, medians; crier pid %d\n\n", o.threads, o.conns, o.dur, o.rounds, os.Getpid())

	if o.cpuprofile != "" {
		stopProf, err := startProfile(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stopProf()
	}

	type runKey struct{ server, enc string }
	results := map[runKey][]wrkResult{}
	urls := map[string]string{"crier": crierURL, "nginx": nginxURL}
	for round := range o.rounds {
		for _, enc := range []string{"identity", "gzip"} {
			order := []string{"crier", "nginx"}
			if round%2 == 1 { // alternate who goes first
				slices.Reverse(order)
			}
			for _, srv := range order {
				r, err := runWrk(ctx, o, urls[srv], enc)
				if err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "round %d %-5s %-8s %8.0f req/s p50 %v p99 %v\n", round+1, srv, enc, r.rps, r.p50, r.p99)
				results[runKey{srv, enc}] = append(results[runKey{srv, enc}], r)
			}
		}
	}
	fmt.Printf("%-8s %-6s %10s %9s %9s %9s\n", "encoding", "server", "req/s", "p50", "p90", "p99")
	for _, enc := range []string{"identity", "gzip"} {
		var rps [2]float64
		for i, srv := range []string{"crier", "nginx"} {
			m := median(results[runKey{srv, enc}])
			rps[i] = m.rps
			fmt.Printf("%-8s %-6s %10.0f %9v %9v %9v\n", enc, srv, m.rps, m.p50, m.p90, m.p99)
		}
		fmt.Printf("%-8s crier/nginx %.0f%%\n", enc, 100*rps[0]/rps[1])
	}
	return nil
}

// buildFeeds normalizes the seeds and adds them, repeated under distinct
// ids and dates, until the feed has o.items articles.
func buildFeeds(ctx context.Context, o options) (*feeds.Service, error) {
	txt, _ := filepath.Glob(filepath.Join(o.seeds, "*.txt"))
	html, _ := filepath.Glob(filepath.Join(o.seeds, "*.html"))
	files := append(txt, html...)
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no seed articles in %s (run from the repository root or set -seeds)", o.seeds)
	}
	norm := normalize.New(normalize.Options{})
	svc := feeds.New(feeds.Options{BaseURL: "http://127.0.0.1:8080", Limit: o.items})
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range o.items {
		f := files[i%len(files)]
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		a, err := norm.Normalize(ctx, normalize.Input{Name: filepath.Base(f), Data: data, ModTime: base})
		if err != nil {
			return nil, fmt.Errorf("normalize %s: %w", f, err)
		}
		a.ID = fmt.Sprintf("%s-%03d", a.ID, i)
		a.Published = base.Add(time.Duration(i) * time.Hour)
		a.Ingested = a.Published.Add(time.Minute)
		svc.Add(a)
	}
	return svc, nil
}

// startNginx serves site with gzip_static on a free loopback port.
func startNginx(ctx context.Context, bin, dir, site string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`daemon off;
worker_processes auto;
pid %[1]s/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    # A tuned static server keeps the file open instead of opening and
    # stat-ing it on every request.
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    gzip_static on;
    gzip_vary on;
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html application/atom+xml application/rss+xml application/feed+json application/json;
    types {
        text/html html;
        application/atom+xml atom;
        application/rss+xml rss;
        application/json json;
    }
    server {
        listen %[2]s;
        root %[3]s;
        location / { try_files $uri $uri/index.html $uri.html =404; }
        location /feeds/ {
            types { application/atom+xml atom; application/rss+xml rss; application/feed+json json; }
        }
    }
}
`, dir, addr, site)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", "stderr")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start nginx: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			return "", nil, fmt.Errorf("nginx exited: %s", stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr, stop, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return "", nil, errors.New("nginx did not start listening")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sameBytes checks that both servers send the same body, plain and gzip,
// and returns the sizes.
func sameBytes(ctx context.Context, a, b string) (int, int, error) {
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(u, enc string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != enc {
			return nil, fmt.Errorf("GET %s (%q): %s, Content-Encoding %q", u, enc, res.Status, res.Header.Get("Content-Encoding"))
		}
		return io.ReadAll(res.Body)
	}
	var sizes [2]int
	for i, enc := range []string{"", "gzip"} {
		x, err := get(a, enc)
		if err != nil {
			return 0, 0, err
		}
		y, err := get(b, enc)
		if err != nil {
			return 0, 0, err
		}
		if !bytes.Equal(x, y) {
			return 0, 0, fmt.Errorf("crier and nginx send different bytes (%q): %d and %d", enc, len(x), len(y))
		}
		sizes[i] = len(x)
	}
	return sizes[0], sizes[1], nil
}

type wrkResult struct {
	rps           float64
	p50, p90, p99 time.Duration
}

var (
	rpsRE = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latRE = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
)

func runWrk(ctx context.Context, o options, url, enc string) (wrkResult, error) {
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.conns), "-d" + o.dur.String(), "--latency"}
	if enc == "gzip" {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.CommandContext(ctx, o.wrk, append(args, url)...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	if bytes.Contains(out, []byte("Non-2xx")) || bytes.Contains(out, []byte("Socket errors")) {
		return wrkResult{}, fmt.Errorf("wrk saw errors:\n%s", out)
	}
	var r wrkResult
	m := rpsRE.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("wrk output without Requests/sec:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	for _, l := range latRE.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(l[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(l[3])]
		d := time.Duration(v * float64(unit)).Round(time.Microsecond)
		switch string(l[1]) {
		case "50":
			r.p50 = d
		case "90":
			r.p90 = d
		case "99":
			r.p99 = d
		}
	}
	return r, nil
}

// median takes each figure's median over the runs independently.
func median(rs []wrkResult) wrkResult {
	pick := func(f func(wrkResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return wrkResult{
		rps: pick(func(r wrkResult) float64 { return r.rps }),
		p50: time.Duration(pick(func(r wrkResult) float64 { return float64(r.p50) })),
		p90: time.Duration(pick(func(r wrkResult) float64 { return float64(r.p90) })),
		p99: time.Duration(pick(func(r wrkResult) float64 { return float64(r.p99) })),
	}
}

// startProfile writes a CPU profile of this process (crier's server) until
// the returned function is called.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
