package redis

import (
	"context"
	"fmt"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Broadcast sends short messages to every replica on one Redis pub/sub channel: the
// vault's shreds, so that each replica drops a shredded key from its memory at once.
// Messages published while a subscriber is reconnecting are lost to it, which is why
// what they protect (cached keys) also expires by itself.
type Broadcast struct {
	client  goredis.UniversalClient
	channel string
}

// DefaultBroadcastChannel is the channel NewBroadcast uses for an empty name, under
// the default key prefix.
const DefaultBroadcastChannel = DefaultPrefix + ":vault:shred"

// NewBroadcast returns a Broadcast on channel (empty: DefaultBroadcastChannel).
func NewBroadcast(client goredis.UniversalClient, channel string) *Broadcast {
	if channel == "" {
		channel = DefaultBroadcastChannel
	}
	return &Broadcast{client: client, channel: channel}
}

// Publish sends msg to every subscriber.
func (b *Broadcast) Publish(ctx context.Context, msg string) error {
	if err := b.client.Publish(ctx, b.channel, msg).Err(); err != nil {
		return fmt.Errorf("redis: publish: %w", err)
	}
	return nil
}

// Subscribe calls fn, from one goroutine, with every message published from now on,
// until stop is called. It returns once Redis has confirmed the subscription.
func (b *Broadcast) Subscribe(ctx context.Context, fn func(msg string)) (stop func() error, err error) {
	ps := b.client.Subscribe(ctx, b.channel)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("redis: subscribe: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			fn(m.Payload)
		}
	}()
	var once sync.Once
	return func() error {
		var err error
		once.Do(func() {
			err = ps.Close()
			<-done
		})
		return err
	}, nil
}
