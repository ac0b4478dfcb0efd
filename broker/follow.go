package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// followPause is how long Each waits after a transient error.
const followPause = time.Second

// Follow opens an ordered consumer on stream, from where cfg says. The
// consumer exists when Follow returns: with DeliverNewPolicy, every
// message published after is delivered. Read it with Each.
func Follow(ctx context.Context, js jetstream.JetStream, stream string, cfg jetstream.OrderedConsumerConfig) (jetstream.MessagesContext, error) {
	cons, err := js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("broker: follow %s: %w", stream, err)
	}
	msgs, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("broker: follow %s: %w", stream, err)
	}
	return msgs, nil
}

// Each calls handle for every message of msgs, in order, until ctx ends
// (nil) or msgs is stopped otherwise (an error wrapping
// jetstream.ErrMsgIteratorClosed); it stops msgs before it returns. The
// ordered consumer recreates itself after a transient error: Each logs it
// and pauses, so a persistent one does not spin.
func Each(ctx context.Context, msgs jetstream.MessagesContext, log *slog.Logger, handle func(jetstream.Msg)) error {
	defer msgs.Stop()
	stop := context.AfterFunc(ctx, msgs.Stop)
	defer stop()
	for {
		msg, err := msgs.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return fmt.Errorf("broker: consumer closed: %w", err)
			}
			log.Warn("broker: next message", "error", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(followPause):
			}
			continue
		}
		handle(msg)
	}
}
