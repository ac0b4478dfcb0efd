package broker_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/crier/crier/broker"
	"github.com/crier/crier/broker/brokertest"
)

func TestEmbeddedListensForOtherClients(t *testing.T) {
	b, top := brokertest.StartAt(t, t.TempDir(), "127.0.0.1:0")
	if b.ClientURL == "" || !b.Embedded() {
		t.Fatalf("embedded listening server has no client URL")
	}
	other, err := nats.Connect(b.ClientURL)
	if err != nil {
		t.Fatalf("second client: %v", err)
	}
	defer other.Close()
	sub, err := other.SubscribeSync(top.SubjectPrefix + ".>")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := other.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.JS.Publish(ctx, top.ArticleSubject("fr", "euronews"), []byte("{}"), jetstream.WithMsgID("x")); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("other client saw nothing: %v", err)
	}
	if m.Subject != "crier.articles.fr.euronews" {
		t.Fatalf("subject %q", m.Subject)
	}
}

func TestDuplicateMsgIDDropped(t *testing.T) {
	b, top := brokertest.Start(t)
	ctx := context.Background()
	for range 2 {
		if _, err := b.JS.Publish(ctx, top.ArticleSubject("fr", "x"), []byte("{}"), jetstream.WithMsgID("same")); err != nil {
			t.Fatal(err)
		}
	}
	if n := brokertest.StreamMsgs(t, b.JS, top.ArticleStream); n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
}

func TestFilters(t *testing.T) {
	top := broker.DefaultTopology()
	for _, tc := range []struct{ lang, src, want string }{
		{"", "", "crier.articles.*.*"},
		{"fr", "", "crier.articles.fr.*"},
		{"", "euronews", "crier.articles.*.euronews"},
	} {
		if got := top.ArticleFilter(tc.lang, tc.src); got != tc.want {
			t.Errorf("ArticleFilter(%q,%q) = %q, want %q", tc.lang, tc.src, got, tc.want)
		}
	}
	if !broker.ValidToken("keystone-sda") || broker.ValidToken("a.b") || broker.ValidToken("") {
		t.Error("ValidToken wrong")
	}
}

func TestBusyPortFailsAtOnce(t *testing.T) {
	b, _ := brokertest.StartAt(t, t.TempDir(), "127.0.0.1:0")
	addr := b.ClientURL[len("nats://"):]
	_, err := broker.Start(context.Background(), broker.Options{StoreDir: t.TempDir(), Listen: addr})
	if err == nil || !strings.Contains(err.Error(), "nats.listen "+addr) {
		t.Fatalf("busy port: %v; want an error naming nats.listen", err)
	}
}

// Follow's consumer exists when it returns: a message published right after
// reaches Each, which returns nil when ctx ends and an error when the
// messages are stopped otherwise.
func TestFollowEach(t *testing.T) {
	b, top := brokertest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := b.JS.Publish(ctx, top.ArticleSubject("fr", "x"), []byte("old")); err != nil {
		t.Fatal(err)
	}
	msgs, err := broker.Follow(ctx, b.JS, top.ArticleStream, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.JS.Publish(ctx, top.ArticleSubject("fr", "x"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 2)
	done := make(chan error, 1)
	go func() {
		done <- broker.Each(ctx, msgs, slog.New(slog.DiscardHandler), func(m jetstream.Msg) { got <- string(m.Data()) })
	}()
	if data := <-got; data != "new" {
		t.Errorf("first message %q, want the one published after Follow", data)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Each after ctx ended: %v", err)
	}

	msgs, err = broker.Follow(context.Background(), b.JS, top.ArticleStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	msgs.Stop()
	if err := broker.Each(context.Background(), msgs, slog.New(slog.DiscardHandler), func(jetstream.Msg) {}); !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
		t.Errorf("Each on stopped messages: %v", err)
	}
}
