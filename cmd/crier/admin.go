package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crier/crier/admin"
	"github.com/crier/crier/subscribers"
)

// adminTimeout bounds one admin API call; a replay of a long range reads
// the stream before it answers.
const adminTimeout = 2 * time.Minute

// subcommand is one verb of a command group ("endpoints list").
type subcommand struct {
	name, args, help string
	run              func(ctx context.Context, env *environment, name string, args []string) int
}

func endpointSubcommands() []subcommand {
	return []subcommand{
		{"list", "[--json]", "List the webhook endpoints and their status.", endpointsList},
		{"show", "NAME [--json]", "Show one endpoint; secrets appear as fingerprints.", endpointsShow},
		{"create", "--name N --url U [filters and settings] [--signing-key]", "Create an endpoint. Its secret is printed once, never again.", endpointsCreate},
		{"update", "NAME [--url U] [filters and settings]", "Change the settings given; the others stay. An empty filter value (--tag '') clears that filter.", endpointsUpdate},
		{"delete", "NAME", "Delete an endpoint created through the API.", endpointsDelete},
		{"disable", "NAME [--reason R]", "Stop delivering to an endpoint; its articles wait until it is enabled.", endpointsDisable},
		{"enable", "NAME", "Resume delivery to an endpoint, backlog first.", endpointsEnable},
		{"rotate", "NAME", "Add a new secret; the old one keeps signing for subscribers.rotation_grace.", endpointsRotate},
		{"attempts", "NAME [--limit N]", "List an endpoint's latest delivery attempts, newest first.", endpointsAttempts},
		{"replay", "NAME --from T [--to T]", "Redeliver to an endpoint the articles published between two times (RFC 3339, or a duration ago such as 24h).", endpointsReplay},
	}
}

func deadLetterSubcommands() []subcommand {
	return []subcommand{
		{"list", "[--endpoint N] [--limit N] [--json]", "List the latest dead letters, newest first.", deadLettersList},
		{"replay", "SEQ | --since T [--endpoint N]", "Redeliver one dead letter by its sequence, or every one since a time (RFC 3339, or a duration ago such as 24h).", deadLettersReplay},
	}
}

func endpointsCmd(ctx context.Context, env *environment, args []string) int {
	return group(ctx, env, "endpoints", "Manage webhook endpoints through the admin API.", endpointSubcommands(), args)
}

func deadLettersCmd(ctx context.Context, env *environment, args []string) int {
	return group(ctx, env, "dead-letters", "List and replay webhook dead letters through the admin API.", deadLetterSubcommands(), args)
}

// group dispatches to a subcommand, or prints the group's usage.
func group(ctx context.Context, env *environment, name, help string, subs []subcommand, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: crier %s COMMAND [flags]\n\n%s\n\nCommands:\n", name, help)
		for _, s := range subs {
			fmt.Fprintf(w, "  crier %s %s %s\n      %s\n", name, s.name, s.args, s.help)
		}
		fmt.Fprintf(w, "\nThey call the admin API at --server (default: http.base_url) with the bearer token\nhttp.admin_token (or CRIER_HTTP_ADMIN_TOKEN). Run crier %s COMMAND --help for its flags.\n", name)
	}
	if len(args) == 0 {
		usage(env.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(env.stdout)
		return exitOK
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, env, name+" "+s.name, args[1:])
		}
	}
	fmt.Fprintf(env.stderr, "crier %s: unknown command %q\n\n", name, args[0])
	usage(env.stderr)
	return exitUsage
}

// clientFlags are the flags every admin command takes.
type clientFlags struct {
	config, server string
	json           bool
}

func addClientFlags(fs *flag.FlagSet) *clientFlags {
	cf := &clientFlags{}
	fs.StringVar(&cf.config, "config", "", "YAML configuration `file` (for http.base_url and http.admin_token)")
	fs.StringVar(&cf.server, "server", "", "crier's base `URL` (default: http.base_url)")
	fs.BoolVar(&cf.json, "json", false, "print the API's JSON answer instead of a table")
	return cf
}

// parsePositional parses flags and positional arguments in any order
// (crier endpoints show NAME --json) and returns the positionals.
func parsePositional(fs *flag.FlagSet, env *environment, args []string) (pos []string, code int, done bool) {
	for {
		if code, done := parse(fs, env, args); done {
			return nil, code, true
		}
		if fs.NArg() == 0 {
			return pos, 0, false
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseArgs is parsePositional that also checks the count of positionals.
func parseArgs(fs *flag.FlagSet, env *environment, args []string, positional int) (pos []string, code int, done bool) {
	if pos, code, done = parsePositional(fs, env, args); done {
		return nil, code, true
	}
	if len(pos) != positional {
		fmt.Fprintf(env.stderr, "crier %s: want %d argument(s), got %d\n", fs.Name(), positional, len(pos))
		fs.Usage()
		return nil, exitUsage, true
	}
	return pos, 0, false
}

// adminClient calls the admin API.
type adminClient struct {
	base, token string
	http        *http.Client
}

// client reads the configuration for the server and the token.
func (cf *clientFlags) client(env *environment, cmd string) (*adminClient, bool) {
	cfg, _, ok := loadConfig(env, cf.config)
	if !ok {
		return nil, false
	}
	base := cf.server
	if base == "" {
		base = cfg.HTTP.BaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(env.stderr, "crier %s: server %q: want an http or https URL\n", cmd, base)
		return nil, false
	}
	token := cfg.HTTP.AdminToken.Reveal()
	if token == "" {
		fmt.Fprintf(env.stderr, "crier %s: no admin token: set http.admin_token in the configuration or CRIER_HTTP_ADMIN_TOKEN\n", cmd)
		return nil, false
	}
	return &adminClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: adminTimeout}}, true
}

// apiError is an answer outside 2xx.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.msg, e.status) }

// do sends in (if not nil) as JSON and returns the answer's body.
func (c *adminClient) do(ctx context.Context, method, path string, in any) ([]byte, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e admin.Error
		if json.Unmarshal(raw, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(http.StatusText(resp.StatusCode))
		}
		return nil, &apiError{status: resp.StatusCode, msg: e.Error}
	}
	return raw, nil
}

// call reads the configuration for the client, runs one request and
// decodes its answer into out (if not nil); with --json it prints the
// answer as is instead. It returns the exit status to use, and whether the
// caller should print out.
func (cf *clientFlags) call(ctx context.Context, env *environment, cmd, method, path string, in, out any) (code int, printTable bool) {
	c, ok := cf.client(env, cmd)
	if !ok {
		return exitUsage, false
	}
	raw, err := c.do(ctx, method, path, in)
	if err != nil {
		fmt.Fprintf(env.stderr, "crier %s: %v\n", cmd, err)
		return exitFailed, false
	}
	if cf.json {
		if len(raw) > 0 {
			env.stdout.Write(raw)
		}
		return exitOK, false
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			fmt.Fprintf(env.stderr, "crier %s: unreadable answer: %v\n", cmd, err)
			return exitFailed, false
		}
	}
	return exitOK, true
}

func endpointPath(name string, rest ...string) string {
	return "/admin/endpoints/" + strings.Join(append([]string{url.PathEscape(name)}, rest...), "/")
}

func endpointsList(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "[--json]", "List the webhook endpoints and their status.")
	cf := addClientFlags(fs)
	if _, code, done := parseArgs(fs, env, args, 0); done {
		return code
	}
	var list admin.EndpointList
	code, table := cf.call(ctx, env, cmd, http.MethodGet, "/admin/endpoints", nil, &list)
	if !table {
		return code
	}
	tw := newTable(env.stdout)
	fmt.Fprintln(tw, "NAME\tORIGIN\tSTATUS\tPAYLOAD\tFILTERS\tURL")
	for _, ep := range list.Endpoints {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ep.Name, ep.Origin, statusText(ep.Status), payloadText(ep.Endpoint), orElse(filtersText(ep.Endpoint), "all"), ep.URL)
	}
	tw.Flush()
	return exitOK
}

func endpointsShow(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME [--json]", "Show one endpoint; secrets appear as fingerprints.")
	cf := addClientFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	return endpointCall(ctx, env, cf, cmd, http.MethodGet, endpointPath(pos[0]), nil)
}

// endpointCall runs a call answered by an endpoint and prints it.
func endpointCall(ctx context.Context, env *environment, cf *clientFlags, cmd, method, path string, in any) int {
	var info subscribers.EndpointInfo
	code, table := cf.call(ctx, env, cmd, method, path, in, &info)
	if table {
		printEndpoint(env.stdout, info.Endpoint, &info.Status)
	}
	return code
}

// settingFlags are the flags of create and update.
type settingFlags struct {
	url, description, payload         *string
	languages, sources, tags, stories *stringList
	eventTypes                        *stringList
	concurrency                       *int
	rateLimit                         *float64
	strictOrder                       *bool
}

func addSettingFlags(fs *flag.FlagSet) *settingFlags {
	s := &settingFlags{
		url:         fs.String("url", "", "the receiver's http or https `URL`"),
		description: fs.String("description", "", "a note for operators"),
		payload:     fs.String("payload", "", "`mode`: full (the whole article, default) or thin (id, title, links)"),
		languages:   &stringList{}, sources: &stringList{}, tags: &stringList{}, stories: &stringList{},
		eventTypes:  &stringList{},
		concurrency: fs.Int("concurrency", 0, "deliveries in flight (0: subscribers.concurrency)"),
		rateLimit:   fs.Float64("rate-limit", 0, "the `rate` in attempts per second (0: unlimited)"),
		strictOrder: fs.Bool("strict-order", false, "deliver one article at a time, in stream order"),
	}
	fs.Var(s.languages, "language", "only articles in this `language` (repeatable)")
	fs.Var(s.sources, "source", "only articles from this `source` (repeatable)")
	fs.Var(s.tags, "tag", "only articles with this `tag` (repeatable)")
	fs.Var(s.stories, "story", "only articles of this story `id` (repeatable)")
	fs.Var(s.eventTypes, "event-type", "only this `type` of event: "+strings.Join(subscribers.EventTypes, " or ")+" (repeatable; default all)")
	return s
}

// stringList is a repeatable flag; empty values are dropped, so a lone
// --tag ” sets an empty list.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if v != "" {
		*l = append(*l, v)
	}
	return nil
}

func endpointsCreate(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "--name N --url U [--payload thin] [--language L ...] [--source S] [--tag T] [--story ID] [--event-type T] [--concurrency N] [--rate-limit R] [--strict-order] [--signing-key]",
		"Create a webhook endpoint. crier generates its secret and prints it once: it is never shown again.\nWith --signing-key, crier also signs with a new ed25519 key and prints its public key for receivers.")
	cf := addClientFlags(fs)
	name := fs.String("name", "", "the endpoint's `name`, [a-z0-9_-]+")
	s := addSettingFlags(fs)
	signing := fs.Bool("signing-key", false, "also sign with a new ed25519 key (v1a signatures)")
	if _, code, done := parseArgs(fs, env, args, 0); done {
		return code
	}
	if *name == "" || *s.url == "" {
		fmt.Fprintf(env.stderr, "crier %s: --name and --url are required\n", cmd)
		return exitUsage
	}
	ep := subscribers.Endpoint{
		Name: *name, URL: *s.url, Description: *s.description, Payload: *s.payload,
		Languages: *s.languages, Sources: *s.sources, Tags: *s.tags, Stories: *s.stories,
		EventTypes: *s.eventTypes, Concurrency: *s.concurrency, RateLimit: *s.rateLimit, StrictOrder: *s.strictOrder,
	}
	var public string
	if *signing {
		key, pub, err := subscribers.GenerateSigningKey()
		if err != nil {
			fmt.Fprintf(env.stderr, "crier %s: %v\n", cmd, err)
			return exitFailed
		}
		ep.SigningKey, public = key, pub
	}
	var created subscribers.Endpoint
	code, table := cf.call(ctx, env, cmd, http.MethodPost, "/admin/endpoints", ep, &created)
	if code != exitOK {
		return code
	}
	if !table {
		if public != "" {
			fmt.Fprintf(env.stderr, "public key for receivers (v1a): %s\n", public)
		}
		return code
	}
	printEndpoint(env.stdout, created.Redacted(), nil)
	fmt.Fprintln(env.stdout)
	for _, sec := range created.Secrets {
		fmt.Fprintf(env.stdout, "secret: %s\n", sec.Value)
	}
	if public != "" {
		fmt.Fprintf(env.stdout, "public key for receivers (v1a): %s\n", public)
	}
	fmt.Fprintln(env.stdout, "Store the secret now: it will not be shown again (crier endpoints rotate makes a new one).")
	return exitOK
}

func endpointsUpdate(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME [--url U] [--description D] [--payload P] [--language L ...] [--source S] [--tag T] [--story ID] [--event-type T] [--concurrency N] [--rate-limit R] [--strict-order=true|false]",
		"Change an endpoint created through the API: only the settings given change.\nA filter flag replaces that filter; an empty value (--tag '') clears it.")
	cf := addClientFlags(fs)
	s := addSettingFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	var u subscribers.EndpointUpdate
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "url":
			u.URL = s.url
		case "description":
			u.Description = s.description
		case "payload":
			u.Payload = s.payload
		case "language":
			u.Languages = (*[]string)(s.languages)
		case "source":
			u.Sources = (*[]string)(s.sources)
		case "tag":
			u.Tags = (*[]string)(s.tags)
		case "story":
			u.Stories = (*[]string)(s.stories)
		case "event-type":
			u.EventTypes = (*[]string)(s.eventTypes)
		case "concurrency":
			u.Concurrency = s.concurrency
		case "rate-limit":
			u.RateLimit = s.rateLimit
		case "strict-order":
			u.StrictOrder = s.strictOrder
		}
	})
	if u == (subscribers.EndpointUpdate{}) {
		fmt.Fprintf(env.stderr, "crier %s: nothing to change: give at least one setting flag\n", cmd)
		return exitUsage
	}
	// An emptied list must be sent as [], not dropped as omitempty nil.
	for _, l := range []*[]string{u.Languages, u.Sources, u.Tags, u.Stories, u.EventTypes} {
		if l != nil && *l == nil {
			*l = []string{}
		}
	}
	return endpointCall(ctx, env, cf, cmd, http.MethodPatch, endpointPath(pos[0]), u)
}

func endpointsDelete(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME", "Delete an endpoint created through the API, with its consumers. Its dead letters stay.")
	cf := addClientFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	if code, table := cf.call(ctx, env, cmd, http.MethodDelete, endpointPath(pos[0]), nil, nil); !table {
		return code
	}
	fmt.Fprintf(env.stdout, "deleted endpoint %s\n", pos[0])
	return exitOK
}

func endpointsDisable(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME [--reason R]", "Stop delivering to an endpoint on every replica; its articles wait until it is enabled.")
	cf := addClientFlags(fs)
	reason := fs.String("reason", "", "why, shown in its status")
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	return endpointCall(ctx, env, cf, cmd, http.MethodPost, endpointPath(pos[0], "disable"), admin.DisableRequest{Reason: *reason})
}

func endpointsEnable(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME", "Resume delivery to an endpoint, backlog first.")
	cf := addClientFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	return endpointCall(ctx, env, cf, cmd, http.MethodPost, endpointPath(pos[0], "enable"), nil)
}

func endpointsRotate(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME", "Add a new secret to an endpoint and print it once. The old secrets keep signing\nfor subscribers.rotation_grace, so receivers can switch without losing a delivery.")
	cf := addClientFlags(fs)
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	var rot admin.RotateResponse
	if code, table := cf.call(ctx, env, cmd, http.MethodPost, endpointPath(pos[0], "rotate"), nil, &rot); !table {
		return code
	}
	fmt.Fprintf(env.stdout, "new secret: %s\n", rot.Secret)
	fmt.Fprintln(env.stdout, "Store it now: it will not be shown again. The old secret keeps signing for subscribers.rotation_grace.")
	return exitOK
}

func endpointsAttempts(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME [--limit N]", "List an endpoint's latest delivery attempts, newest first.")
	cf := addClientFlags(fs)
	limit := fs.Int("limit", 50, "most attempts to list, 1 to 1000")
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	var list admin.AttemptList
	code, table := cf.call(ctx, env, cmd, http.MethodGet, endpointPath(pos[0], "attempts")+"?limit="+strconv.Itoa(*limit), nil, &list)
	if !table {
		return code
	}
	tw := newTable(env.stdout)
	fmt.Fprintln(tw, "AT\tWEBHOOK-ID\tATTEMPT\tOUTCOME\tSTATUS\tLATENCY\tERROR")
	for _, a := range list.Attempts {
		n := strconv.Itoa(a.N)
		if a.Replay {
			n += " (replay)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0fms\t%s\n", a.At.Format(time.RFC3339), a.WebhookID, n, a.Outcome, orElse(statusCode(a.Status), ""), a.LatencyMS, a.Error)
	}
	tw.Flush()
	return exitOK
}

func endpointsReplay(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "NAME --from T [--to T]", "Redeliver to one endpoint the articles that entered the stream between two times and\nmatch its filters: a new endpoint can back-fill history. Times are RFC 3339, or a\nduration ago (24h).")
	cf := addClientFlags(fs)
	from := fs.String("from", "", "start `time`")
	to := fs.String("to", "", "end `time` (default: now)")
	pos, code, done := parseArgs(fs, env, args, 1)
	if done {
		return code
	}
	var req admin.ReplayRequest
	var err error
	if req.From, err = parseWhen(*from, time.Now()); err != nil {
		fmt.Fprintf(env.stderr, "crier %s: --from: %v\n", cmd, err)
		return exitUsage
	}
	if *to != "" {
		if req.To, err = parseWhen(*to, time.Now()); err != nil {
			fmt.Fprintf(env.stderr, "crier %s: --to: %v\n", cmd, err)
			return exitUsage
		}
	}
	var q admin.Queued
	if code, table := cf.call(ctx, env, cmd, http.MethodPost, endpointPath(pos[0], "replay"), req, &q); !table {
		return code
	}
	fmt.Fprintf(env.stdout, "queued %d article(s) for %s\n", q.Queued, pos[0])
	return exitOK
}

func deadLettersList(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "[--endpoint N] [--limit N] [--json]", "List the latest dead letters, newest first: messages whose every attempt failed.")
	cf := addClientFlags(fs)
	endpoint := fs.String("endpoint", "", "only this endpoint's `name`")
	limit := fs.Int("limit", 50, "most dead letters to list, 1 to 1000")
	if _, code, done := parseArgs(fs, env, args, 0); done {
		return code
	}
	q := url.Values{"limit": {strconv.Itoa(*limit)}}
	if *endpoint != "" {
		q.Set("endpoint", *endpoint)
	}
	var list admin.DeadLetterList
	code, table := cf.call(ctx, env, cmd, http.MethodGet, "/admin/dead-letters?"+q.Encode(), nil, &list)
	if !table {
		return code
	}
	tw := newTable(env.stdout)
	fmt.Fprintln(tw, "SEQ\tENDPOINT\tDEAD-LETTERED\tWEBHOOK-ID\tATTEMPTS\tREASON")
	for _, dl := range list.DeadLetters {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", dl.Seq, dl.Endpoint, dl.At.Format(time.RFC3339), dl.WebhookID, len(dl.Attempts), dl.Reason)
	}
	tw.Flush()
	return exitOK
}

func deadLettersReplay(ctx context.Context, env *environment, cmd string, args []string) int {
	fs := flags(env, cmd, "SEQ | --since T [--endpoint N]", "Redeliver one dead letter by its sequence (see crier dead-letters list), or every\ndead letter since a time (RFC 3339, or a duration ago such as 24h), of one endpoint or all.\nA webhook receiver gets the same webhook-id and body as on the first attempts;\na WebSub subscriber gets its topic's feed as it is at replay time.")
	cf := addClientFlags(fs)
	since := fs.String("since", "", "replay the dead letters since this `time`")
	endpoint := fs.String("endpoint", "", "with --since: only this endpoint's `name`")
	pos, code, done := parsePositional(fs, env, args)
	if done {
		return code
	}
	var path string
	var req any
	switch {
	case len(pos) == 1 && *since == "" && *endpoint == "":
		seq, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil || seq == 0 {
			fmt.Fprintf(env.stderr, "crier %s: %q is no dead letter sequence\n", cmd, pos[0])
			return exitUsage
		}
		path = "/admin/dead-letters/" + pos[0] + "/replay"
	case len(pos) == 0 && *since != "":
		t, err := parseWhen(*since, time.Now())
		if err != nil {
			fmt.Fprintf(env.stderr, "crier %s: --since: %v\n", cmd, err)
			return exitUsage
		}
		path, req = "/admin/dead-letters/replay", admin.ReplayFailuresRequest{Since: t, Endpoint: *endpoint}
	default:
		fmt.Fprintf(env.stderr, "crier %s: give a sequence or --since, not both\n", cmd)
		fs.Usage()
		return exitUsage
	}
	var q admin.Queued
	if code, table := cf.call(ctx, env, cmd, http.MethodPost, path, req, &q); !table {
		return code
	}
	fmt.Fprintf(env.stdout, "queued %d dead letter(s)\n", q.Queued)
	return exitOK
}

// parseWhen reads an RFC 3339 time or a duration before now ("24h").
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("a time is required")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time (2026-01-02T15:04:05Z) or a duration ago (24h)", s)
}

// printEndpoint writes an endpoint as aligned "key  value" lines; status
// is nil right after a creation.
func printEndpoint(w io.Writer, ep subscribers.Endpoint, st *subscribers.Status) {
	tw := newTable(w)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	line("name", ep.Name)
	line("origin", ep.Origin)
	line("url", ep.URL)
	line("description", ep.Description)
	if st != nil {
		line("status", statusText(*st))
	}
	for _, s := range ep.Secrets {
		v := s.Value
		if !s.Expires.IsZero() {
			v += " (expires " + s.Expires.Format(time.RFC3339) + ")"
		}
		line("secret", v)
	}
	line("public key", ep.SigningKey)
	if ep.Protocol == subscribers.ProtocolWebSub {
		line("protocol", "websub (the topic's feed, signed with X-Hub-Signature)")
		line("topic", ep.Topic)
		line("lease ends", expiresText(ep))
		line("hub secret", orElse(ep.HubSecret, "none (unsigned)"))
	}
	line("filters", orElse(filtersText(ep), "all articles"))
	if ep.Protocol != subscribers.ProtocolWebSub {
		line("payload", orElse(ep.Payload, subscribers.PayloadFull))
	}
	if ep.Concurrency > 0 {
		line("concurrency", strconv.Itoa(ep.Concurrency))
	}
	if ep.RateLimit > 0 {
		line("rate limit", strconv.FormatFloat(ep.RateLimit, 'g', -1, 64)+"/s")
	}
	if ep.StrictOrder {
		line("strict order", "yes")
	}
	if !ep.Created.IsZero() {
		line("created", ep.Created.Format(time.RFC3339))
	}
	if !ep.Updated.IsZero() && !ep.Updated.Equal(ep.Created) {
		line("updated", ep.Updated.Format(time.RFC3339))
	}
	tw.Flush()
}

// payloadText is what an endpoint receives, for the list: its payload
// mode, or for a WebSub subscription its protocol, topic and lease.
func payloadText(ep subscribers.Endpoint) string {
	if ep.Protocol == subscribers.ProtocolWebSub {
		return "websub " + ep.Topic + " until " + expiresText(ep)
	}
	return orElse(ep.Payload, subscribers.PayloadFull)
}

func expiresText(ep subscribers.Endpoint) string {
	if ep.Expires.IsZero() {
		return "never"
	}
	return ep.Expires.UTC().Format(time.RFC3339)
}

// newTable aligns the columns of every listing the same way.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

func statusText(s subscribers.Status) string {
	switch {
	case s.Disabled && s.DisabledReason != "":
		return "disabled: " + s.DisabledReason
	case s.Disabled:
		return "disabled"
	case !s.FailingSince.IsZero():
		return "failing since " + s.FailingSince.Format(time.RFC3339)
	}
	return "enabled"
}

func filtersText(ep subscribers.Endpoint) string {
	var parts []string
	for _, f := range []struct {
		key    string
		values []string
	}{{"language", ep.Languages}, {"source", ep.Sources}, {"tag", ep.Tags}, {"story", ep.Stories}, {"event", ep.EventTypes}} {
		if len(f.values) > 0 {
			parts = append(parts, f.key+"="+strings.Join(f.values, ","))
		}
	}
	return strings.Join(parts, " ")
}

func statusCode(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// orElse returns s, or def when s is empty ("-" when def is empty too).
func orElse(s, def string) string {
	if s == "" {
		if def == "" {
			return "-"
		}
		return def
	}
	return s
}
