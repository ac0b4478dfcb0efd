// Command loadgen drives a running crier's ingest API with synthetic
// articles and reports what it costs: articles/s, POST latency, and the
// server's heap and resident memory as the archive grows.
//
// The articles are varied enough that dedupe and story grouping do not
// collapse them: each belongs to one of -stories stories (shared names and
// topic words, so reports of one story group together) and draws its
// sentences from a large vocabulary (so no two are near duplicates). About
// 5 KB each, like a wire dispatch.
//
// Memory is read from crier's /metrics (go_memstats_heap_inuse_bytes,
// process_resident_memory_bytes) at each checkpoint; give -metrics-token
// when http.admin_token is set.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080 -n 10000 -c 16 [-token T] [-metrics-token T]
//
// With -inbox DIR it writes the same articles as JSON files into an inbox
// folder instead (each under a temporary name, then renamed, so crier never
// reads half a file), for `crier run-once` or a running crier to take in.
//
//	go run ./cmd/loadgen -inbox /srv/crier/inbox -n 1000
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	url, token, metricsToken string
	inbox                    string // write files here instead of posting
	n, conns, stories        int
	checkpoints              []int
	seed                     uint64
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "crier's base `URL`")
	fs.StringVar(&o.token, "token", "", "the ingest API's bearer `token` (http.api_token)")
	fs.StringVar(&o.metricsToken, "metrics-token", "", "the bearer `token` of /metrics (http.admin_token), if set")
	fs.IntVar(&o.n, "n", 1000, "articles to post")
	fs.IntVar(&o.conns, "c", 8, "concurrent clients")
	fs.IntVar(&o.stories, "stories", 300, "distinct stories the articles report")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the synthetic articles: the same seed makes the same articles")
	fs.StringVar(&o.inbox, "inbox", "", "write the articles as JSON files into this inbox `dir` instead of posting them")
	every := fs.String("checkpoints", "", "comma-separated article counts at which to report (default: every tenth of -n)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.n < 1 || o.conns < 1 || o.stories < 1 {
		return o, errors.New("-n, -c and -stories must be positive")
	}
	if *every != "" {
		for _, f := range strings.Split(*every, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || v < 1 || v > o.n {
				return o, fmt.Errorf("-checkpoints: %q is not a count from 1 to -n", f)
			}
			o.checkpoints = append(o.checkpoints, v)
		}
	} else {
		for i := 1; i <= 10; i++ {
			o.checkpoints = append(o.checkpoints, max(1, o.n*i/10))
		}
	}
	slices.Sort(o.checkpoints)
	o.checkpoints = slices.Compact(o.checkpoints)
	return o, nil
}

// checkpoint is what one stretch of the run measured.
type checkpoint struct {
	articles       int
	rate           float64 // articles/s over the stretch
	p50, p99, pmax time.Duration
	heap, rss      float64 // bytes, from /metrics; -1 when unread
}

// result is one POST's outcome.
type result struct {
	latency time.Duration
	status  string // the API's status, or the HTTP status on an error
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	gen := newGenerator(o.seed, o.stories)
	if o.inbox != "" {
		return writeInbox(ctx, o, gen, stdout)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.conns}}
	jobs := make(chan []byte, o.conns)
	results := make(chan result, o.conns)
	var wg sync.WaitGroup
	for range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range jobs {
				results <- post(ctx, client, o, body)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range o.n {
			select {
			case jobs <- gen.article(i):
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	statuses := map[string]int{}
	var cps []checkpoint
	var lat []time.Duration
	start, last, done := time.Now(), time.Now(), 0
	next := 0
	for r := range results {
		done++
		statuses[r.status]++
		lat = append(lat, r.latency)
		if next < len(o.checkpoints) && done == o.checkpoints[next] {
			now := time.Now()
			cp := checkpoint{articles: done, rate: float64(len(lat)) / now.Sub(last).Seconds()}
			cp.p50, cp.p99, cp.pmax = percentiles(lat)
			cp.heap, cp.rss = readMemory(ctx, client, o)
			cps = append(cps, cp)
			lat, last = lat[:0], now
			next++
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	report(stdout, o, cps, statuses, done, time.Since(start))
	if bad := done - statuses["published"] - statuses["updated"] - statuses["duplicate"]; bad > 0 {
		return fmt.Errorf("%d of %d posts failed", bad, done)
	}
	return nil
}

// writeInbox writes the articles into o.inbox as loadgen-<seed>-<i>.json,
// each first under a name crier ignores, then renamed.
func writeInbox(ctx context.Context, o options, gen *generator, stdout io.Writer) error {
	start := time.Now()
	var total int
	for i := range o.n {
		if err := ctx.Err(); err != nil {
			return err
		}
		data := gen.article(i)
		name := filepath.Join(o.inbox, fmt.Sprintf("loadgen-%d-%06d.json", o.seed, i))
		if err := os.WriteFile(name+".tmp", data, 0o644); err != nil {
			return err
		}
		if err := os.Rename(name+".tmp", name); err != nil {
			return err
		}
		total += len(data)
	}
	fmt.Fprintf(stdout, "wrote %d files (%.1f MB) to %s in %v\n", o.n, float64(total)/1e6, o.inbox, time.Since(start).Round(time.Millisecond))
	return nil
}

// post sends one article and reads the API's answer.
func post(ctx context.Context, c *http.Client, o options, body []byte) result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.url, "/")+"/api/articles", bytes.NewReader(body))
	if err != nil {
		return result{status: "error"}
	}
	req.Header.Set("Content-Type", "application/json")
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	t := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return result{latency: time.Since(t), status: "error"}
	}
	defer resp.Body.Close()
	var answer struct{ Status string }
	err = json.NewDecoder(resp.Body).Decode(&answer)
	d := time.Since(t)
	if resp.StatusCode != http.StatusAccepted || err != nil {
		return result{latency: d, status: "HTTP " + strconv.Itoa(resp.StatusCode)}
	}
	return result{latency: d, status: answer.Status}
}

// percentiles returns the median, 99th percentile and maximum of ds.
func percentiles(ds []time.Duration) (p50, p99, pmax time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.5), at(0.99), s[len(s)-1]
}

// readMemory reads the server's heap in use and resident memory from
// /metrics; -1 for what it cannot read.
func readMemory(ctx context.Context, c *http.Client, o options) (heap, rss float64) {
	heap, rss = -1, -1
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(o.url, "/")+"/metrics", nil)
	if err != nil {
		return
	}
	if o.metricsToken != "" {
		req.Header.Set("Authorization", "Bearer "+o.metricsToken)
	}
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heap = v
		case "process_resident_memory_bytes":
			rss = v
		}
	}
	return
}

func report(w io.Writer, o options, cps []checkpoint, statuses map[string]int, done int, took time.Duration) {
	fmt.Fprintf(w, "%d articles to %s, %d clients, %d stories: %.0f articles/s overall (%s)\n",
		done, o.url, o.conns, o.stories, float64(done)/took.Seconds(), took.Round(time.Millisecond))
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range statuses {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %d\n", k, statuses[k])
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "articles\tarticles/s\tPOST p50\tp99\tmax\theap MB\tRSS MB\t")
	mb := func(b float64) string {
		if b < 0 {
			return "-"
		}
		return strconv.FormatFloat(b/(1<<20), 'f', 0, 64)
	}
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
	}
	for _, cp := range cps {
		fmt.Fprintf(tw, "%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", cp.articles, cp.rate, ms(cp.p50), ms(cp.p99), ms(cp.pmax), mb(cp.heap), mb(cp.rss))
	}
	tw.Flush()
}

// generator makes the synthetic articles: deterministic for a seed.
type generator struct {
	seed    uint64
	stories []storyWords
}

// storyWords are what the reports of one story share.
type storyWords struct {
	names, topic []string
}

func newGenerator(seed uint64, stories int) *generator {
	g := &generator{seed: seed}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for range stories {
		g.stories = append(g.stories, storyWords{
			names: []string{pick(r, firstNames) + " " + pick(r, lastNames), pick(r, places), pick(r, places)},
			topic: []string{pick(r, topics), pick(r, topics), pick(r, topics), pick(r, topics)},
		})
	}
	return g
}

// article returns the JSON input of article i: about 5 KB, in English,
// reporting story i mod the number of stories.
func (g *generator) article(i int) []byte {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)+1))
	st := g.stories[i%len(g.stories)]
	var body strings.Builder
	for p := 0; p < 8; p++ {
		for s := 0; s < 5; s++ {
			words := make([]string, 0, 16)
			words = append(words, st.names[r.IntN(len(st.names))])
			for range 12 {
				if r.IntN(4) == 0 {
					words = append(words, st.topic[r.IntN(len(st.topic))])
				} else {
					words = append(words, pick(r, vocabulary))
				}
			}
			body.WriteString(strings.Join(words, " "))
			body.WriteString(". ")
		}
		body.WriteString("\n\n")
	}
	in := map[string]string{
		"url":       fmt.Sprintf("https://load.example/%d/%d-%x", i%len(g.stories), i, r.Uint32()),
		"title":     fmt.Sprintf("%s %s %s in %s", st.names[0], pick(r, verbs), st.topic[0], st.names[1]),
		"text":      body.String(),
		"source":    pick(r, sources),
		"language":  "en",
		"published": time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
	}
	b, _ := json.Marshal(in)
	return b
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }

var (
	firstNames = strings.Fields("Anna Ben Clara David Elena Farid Grace Hugo Ines Jonas Kofi Lena Marco Nadia Omar Paula Quentin Rosa Samir Tara Umar Vera Wen Yara Zoe")
	lastNames  = strings.Fields("Adams Bauer Costa Diallo Evans Fischer Garcia Haddad Ito Jensen Kowalski Lopez Moreau Novak Okafor Petrov Rossi Silva Tanaka Umarov Varga Weber Xu Yilmaz Zhang")
	places     = strings.Fields("Lisbon Nairobi Oslo Lima Hanoi Quito Accra Riga Tunis Perth Denver Leeds Porto Lyon Graz Basel Turin Cork Malmo Gdansk Brno Split Varna Izmir Haifa")
	topics     = strings.Fields("election budget strike flood vaccine merger tariff drought wildfire earthquake summit pension railway hospital refinery festival verdict protest ceasefire satellite")
	verbs      = strings.Fields("announces rejects delays backs questions unveils defends criticises approves halts")
	sources    = strings.Fields("Courier Herald Gazette Tribune Chronicle Observer Post Times Ledger Sentinel")
	vocabulary = strings.Fields(`the a of to in and for on with at by from that this after before over under
		while during about against between into through council minister officials residents company workers
		police court government report plan city region country week month year morning evening statement
		said says told added warned expected reported confirmed according would could should might will
		new first last major local national several many more most other early late higher lower public
		private economic political social financial quickly slowly already still again also only just even
		meeting decision agreement response investigation support pressure crisis market price cost growth
		people families students teachers doctors farmers drivers voters leaders experts analysts members
		announced planned opened closed raised cut increased reduced approved rejected proposed delayed`)
)
