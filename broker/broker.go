// Package broker connects crier to NATS JetStream: it starts the embedded
// server when no external URL is configured, and it declares the streams and
// subjects that make up crier's wire contract.
package broker

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options says where NATS is.
type Options struct {
	// URL of an external NATS server or cluster; empty starts the embedded one.
	URL string
	// Listen is the embedded server's client address ("127.0.0.1:4222",
	// port 0 for a random one); empty runs it in-process only, with no port.
	Listen string
	// StoreDir holds the embedded server's JetStream files.
	StoreDir string
	// MaxMemory caps the embedded server's JetStream memory store (bytes);
	// zero means 64 MiB rather than the server's default of 75% of RAM.
	MaxMemory int64
	// MaxPayload is the embedded server's largest message (bytes); zero
	// means 8 MiB. Tests lower it to reach the limit with a small article.
	MaxPayload int32
	// CredsFile is a NATS credentials file for an external server.
	CredsFile string
	// Name identifies this client to the server.
	Name   string
	Logger *slog.Logger
}

// Broker is a live NATS connection with JetStream, and the embedded server
// behind it when there is one.
type Broker struct {
	Conn *nats.Conn
	JS   jetstream.JetStream
	// ClientURL is where other NATS clients can reach the server; empty for
	// an in-process-only embedded server.
	ClientURL string
	server    *server.Server
	closed    chan struct{} // closed when the connection has closed
}

// maxPayload is the embedded server's largest message by default.
const maxPayload = 8 << 20

// syncQueueLen is the channel of a synchronous subscription: crier's only
// ones collect the answers of batched direct gets (the story index's
// reads), at most 1,024 messages and an end marker. The client's default,
// 65,536 slots, allocated and cleared 512 KB per read.
const syncQueueLen = 1025

// Start connects to NATS, starting the embedded server first if needed.
func Start(ctx context.Context, o Options) (*Broker, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Broker{closed: make(chan struct{})}
	copts := []nats.Option{
		nats.ClosedHandler(func(*nats.Conn) { close(b.closed) }),
		nats.Name(firstNonEmpty(o.Name, "crier")),
		nats.MaxReconnects(-1),
		nats.SyncQueueLen(syncQueueLen),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "error", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "url", c.ConnectedUrlRedacted()) }),
	}
	url := o.URL
	if url == "" {
		ns, err := startEmbedded(ctx, o, log)
		if err != nil {
			return nil, err
		}
		b.server = ns
		if o.Listen != "" {
			b.ClientURL = ns.ClientURL()
		}
		copts = append(copts, nats.InProcessServer(ns))
	} else {
		b.ClientURL = url
		if o.CredsFile != "" {
			copts = append(copts, nats.UserCredentials(o.CredsFile))
		}
	}
	nc, err := nats.Connect(url, copts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("broker: connect to nats: %w", err)
	}
	b.Conn = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("broker: jetstream: %w", err)
	}
	b.JS = js
	if _, err := js.AccountInfo(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("broker: jetstream not available at %s: %w", firstNonEmpty(url, "embedded server"), err)
	}
	return b, nil
}

// embeddedStartLimit bounds the wait for the embedded server: it recovers
// its streams before it takes connections, about 2 s per 200,000 articles
// and their keys on two cores, so a large store takes minutes.
const embeddedStartLimit = 10 * time.Minute

func startEmbedded(ctx context.Context, o Options, log *slog.Logger) (*server.Server, error) {
	maxMem := o.MaxMemory
	if maxMem == 0 {
		maxMem = 64 << 20
	}
	opts := &server.Options{
		ServerName:         "crier-embedded",
		JetStream:          true,
		StoreDir:           o.StoreDir,
		JetStreamMaxMemory: maxMem,
		// An article carries its body twice (text and HTML): NATS's 1 MiB
		// default would refuse a long read. 8 MiB is NATS's advised ceiling.
		MaxPayload: cmp.Or(o.MaxPayload, maxPayload),
		NoSigs:     true,
		NoLog:      true,
		DontListen: o.Listen == "",
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("broker: nats listen address %q: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("broker: nats listen port %q: %w", port, err)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		} else {
			// The server only reports a busy port by never becoming ready:
			// try it first, for an immediate, clear error.
			ln, err := net.Listen("tcp", o.Listen)
			if err != nil {
				return nil, fmt.Errorf("broker: nats.listen %s: %w (set nats.listen to another address, or \"\" for in-process only)", o.Listen, err)
			}
			ln.Close()
		}
		opts.Host, opts.Port = host, p
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("broker: embedded nats server: %w", err)
	}
	go ns.Start()
	start := time.Now()
	for !ns.ReadyForConnections(10 * time.Second) {
		waited := time.Since(start).Round(time.Second)
		if ctx.Err() != nil || waited >= embeddedStartLimit {
			ns.Shutdown()
			if o.Listen != "" {
				return nil, fmt.Errorf("broker: embedded nats server not ready after %v: is %s already in use?", waited, o.Listen)
			}
			return nil, fmt.Errorf("broker: embedded nats server not ready after %v", waited)
		}
		log.Info("waiting for the embedded nats server to recover its streams", "waited", waited, "store", o.StoreDir)
	}
	return ns, nil
}

// Embedded reports whether this broker runs its own server.
func (b *Broker) Embedded() bool { return b.server != nil }

// Close drains the connection, so pending acks and publishes reach the
// server, then stops the embedded server.
func (b *Broker) Close() {
	if b.Conn != nil {
		if err := b.Conn.Drain(); err != nil {
			b.Conn.Close()
		}
		<-b.closed // a drain ends in a close, after the client's drain timeout at worst
	}
	b.shutdownServer()
}

func (b *Broker) shutdownServer() {
	if b.server != nil {
		b.server.Shutdown()
		b.server.WaitForShutdown()
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
