// Command crier publishes news articles as feeds, NATS messages and signed
// webhooks. Run "crier help" for the commands.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	// The zones normalize infers for dates printed without one must load
	// in the distroless image, which has no tz database.
	_ "time/tzdata"

	"github.com/crier/crier/config"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // a run failed, or an input could not be normalized
	exitUsage  = 2 // bad command line or configuration
)

// version is set with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

type command struct {
	name, args, help string
	run              func(ctx context.Context, env *environment, args []string) int
}

// environment is what a command may touch, injected for tests.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
}

func commands() []command {
	return []command{
		{"serve", "[--config FILE]", "run crier: embedded or external NATS, scheduled ingestion, feeds, webhooks", serve},
		{"run-once", "[--config FILE]", "make one ingestion pass over the inbox, then exit (status 1 if an input failed)", runOnce},
		{"export", "[--config FILE] --out DIR", "write every feed and page as static files (with .gz siblings) for any web server", exportCmd},
		{"normalize", "FILE... | -", "print each input normalized, as one JSON article per line; needs no NATS", normalizeCmd},
		{"eval", "[-v] DIR...", "score normalization against a labelled corpus (see normalize/testdata/corpus)", evalCmd},
		{"receive", "[--config FILE] [--webhook NAME] [--listen ADDR]", "run a test webhook receiver that verifies signatures and prints deliveries", receive},
		{"endpoints", "list|show|create|update|delete|disable|enable|rotate|attempts|replay", "manage webhook endpoints through the admin API", endpointsCmd},
		{"dead-letters", "list|replay", "list and replay webhook dead letters through the admin API", deadLettersCmd},
		{"articles", "list|show|retract", "list, inspect and retract articles through the admin API", articlesCmd},
		{"secret", "[--ed25519]", "print a new webhook secret (whsec_...), or an ed25519 key pair (whsk_/whpk_)", secret},
		{"version", "", "print the version", printVersion},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	env := &environment{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(stderr, "crier: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "crier %s: news feeds, NATS messages and signed webhooks from raw articles\n\nUsage:\n", currentVersion())
	for _, c := range commands() {
		fmt.Fprintf(w, "  crier %-12s %s\n      %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintf(w, "\nRun crier COMMAND --help for a command's flags. Every config key can be set by an\nenvironment variable: http.listen is CRIER_HTTP_LISTEN.\n")
}

// flags returns a flag set that prints its usage on --help and errors to
// env.stderr.
func flags(env *environment, name, args, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: crier %s %s\n\n%s\n", name, args, help)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args; done is true when the command should return code.
// The usage asked for with --help goes to stdout; a bad flag's error and
// usage go to stderr, where the output stays for the command's own usage
// errors.
func parse(fs *flag.FlagSet, env *environment, args []string) (code int, done bool) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	fs.SetOutput(env.stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		env.stdout.Write(out.Bytes())
		return exitOK, true
	case err != nil:
		env.stderr.Write(out.Bytes())
		return exitUsage, true
	}
	return 0, false
}

func loadConfig(env *environment, path string) (*config.Config, *slog.Logger, bool) {
	cfg, err := config.Load(path, env.environ)
	if err != nil {
		fmt.Fprintf(env.stderr, "crier: %v\n", err)
		return nil, nil, false
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(env.stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(env.stderr, opts)
	}
	return cfg, slog.New(h), true
}

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func printVersion(_ context.Context, env *environment, args []string) int {
	fs := flags(env, "version", "", "Print crier's version.")
	if code, done := parse(fs, env, args); done {
		return code
	}
	fmt.Fprintf(env.stdout, "crier %s\n", currentVersion())
	return exitOK
}
