package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/reminders"
	"github.com/comune-milano/wemibot/vault"
	"github.com/comune-milano/wemibot/vault/sealed"
)

// stores is everything the bot keeps, all in one store: conversations, the staff
// desk's records, tallies and onces (the records also keep bookings, the Tate, Colf e
// Badanti requests and applications, and the web chat's mailboxes), the reminder
// queue and the outbox, with the personal data sealed by the vault. openStores returns
// one.
type stores interface {
	bot.Store
	desk.Store
	reminders.Queue
	// Outbox is where replies wait until a channel has delivered them.
	Outbox() outbox.Store
	// Shred destroys the key of a citizen's data, on every replica.
	Shred(ctx context.Context, subject string) error
	// Seal and Open encrypt a citizen's data with their key, for the caches kept
	// outside the store (the web chat's answers): vault.Vault's.
	Seal(ctx context.Context, subject string, plain []byte) ([]byte, error)
	Open(ctx context.Context, sealed []byte) ([]byte, error)
	// SealFor is Seal for data kept at most keep: the key need not outlive it
	// (vault.Vault.SealFor).
	SealFor(ctx context.Context, subject string, plain []byte, keep time.Duration) ([]byte, error)
	// Ping reports whether the store answers, for readiness.
	Ping(ctx context.Context) error
	// Sweep removes expired records and says how many it removed.
	Sweep(ctx context.Context) (int, error)
	// Close releases the store.
	Close() error
}

// rawStore is a store as opened, before its personal data is sealed: the vault keeps
// its keys in it. *bolt.Store and *redisStore are ones.
type rawStore interface {
	bot.Store
	desk.Store
	reminders.Queue
	vault.KeyStore
	Outbox() outbox.Store
	Ping(ctx context.Context) error
	Sweep(ctx context.Context) (int, error)
	Close() error
}

var (
	_ stores   = (*sealedStores)(nil)
	_ rawStore = (*bolt.Store)(nil)
	_ rawStore = (*redisStore)(nil)
)

// redisStore is the Redis store, with the client it closes.
type redisStore struct {
	*redis.Store
	client io.Closer
}

// Sweep removes nothing: Redis expires records by itself.
func (*redisStore) Sweep(context.Context) (int, error) { return 0, nil }

// Close closes the connection to Redis.
func (s *redisStore) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("close redis: %w", err)
	}
	return nil
}

// openStores opens the store (openRawStore) and seals its personal data with a vault
// on the key-encryption keys of the settings. With Redis it also returns the cache of
// answers the replicas share; nil otherwise.
func (c *cli) openStores(ctx context.Context) (stores, web.AnswerCache, error) {
	raw, answers, bcast, err := c.openRawStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	keks, err := c.loadKEKs()
	if err == nil {
		var v *vault.Vault
		if v, err = vault.New(raw, keks, vault.Options{Broadcaster: bcast}); err == nil {
			return newSealedStores(raw, v), answers, nil
		}
	}
	_ = raw.Close()
	return nil, nil, fmt.Errorf("open the keys of personal data: %w", err)
}

// openRawStore opens Redis when WEMI_REDIS_URL is set, otherwise the embedded bbolt
// file in the data folder, cleaned of expired records first. With Redis it also
// returns the answer cache and the broadcast of shreds to the other replicas.
func (c *cli) openRawStore(ctx context.Context) (rawStore, web.AnswerCache, vault.Broadcaster, error) {
	if c.cfg.RedisURL != "" {
		client, err := redis.Open(ctx, c.cfg.RedisURL)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("connect to Redis (WEMI_REDIS_URL / --redis-url): %w", err)
		}
		return &redisStore{Store: redis.New(client, redis.Options{}), client: client}, redis.NewCache(client, ""),
			redis.NewBroadcast(client, ""), nil
	}
	store, err := bolt.Open(filepath.Join(c.cfg.DataDir, "wemibot.db"), bolt.Options{})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open the embedded store in %s (WEMI_DATA_DIR / --data-dir): %w", c.cfg.DataDir, err)
	}
	if _, err := store.Sweep(ctx); err != nil {
		store.Close()
		return nil, nil, nil, fmt.Errorf("clean expired conversations: %w", err)
	}
	return store, nil, nil, nil
}

// sealedStores is a raw store whose personal data the vault seals: the conversations'
// states, the records of every kind that names a citizen and the reminders'
// conversations (vault/sealed says which). Tallies and onces hold none.
type sealedStores struct {
	*sealed.Store
	*sealed.Records
	*sealed.Queue
	raw   rawStore
	vault *vault.Vault
}

func newSealedStores(raw rawStore, v *vault.Vault) *sealedStores {
	return &sealedStores{
		Store:   sealed.NewStore(raw, v, sealed.Options{Aliases: webMailbox}),
		Records: sealed.NewRecords(raw, v),
		Queue:   sealed.NewQueue(raw, v),
		raw:     raw, vault: v,
	}
}

// webMailbox is the alias of a web conversation: its session's mailbox, whose key is
// shredded with the conversation's.
func webMailbox(conversation string) []string {
	if box := web.MailboxOf(conversation); box != "" {
		return []string{box}
	}
	return nil
}

// Shred destroys the key of a subject's data, on every replica.
func (s *sealedStores) Shred(ctx context.Context, subject string) error {
	return s.vault.Shred(ctx, subject)
}

// Seal encrypts plain with subject's key (vault.Vault.Seal).
func (s *sealedStores) Seal(ctx context.Context, subject string, plain []byte) ([]byte, error) {
	return s.vault.Seal(ctx, subject, plain)
}

// SealFor encrypts plain, kept at most keep, with subject's key (vault.Vault.SealFor).
func (s *sealedStores) SealFor(ctx context.Context, subject string, plain []byte, keep time.Duration) ([]byte, error) {
	return s.vault.SealFor(ctx, subject, plain, keep)
}

// sealAnswer seals a web chat answer with s's vault for web.AnswerTTL, as long as
// the answer caches keep it: web.Options.Seal.
func sealAnswer(s stores) func(ctx context.Context, subject string, plain []byte) ([]byte, error) {
	return func(ctx context.Context, subject string, plain []byte) ([]byte, error) {
		return s.SealFor(ctx, subject, plain, web.AnswerTTL)
	}
}

// Open decrypts what Seal returned; vault.ErrShredded once the key is shredded.
func (s *sealedStores) Open(ctx context.Context, sealed []byte) ([]byte, error) {
	return s.vault.Open(ctx, sealed)
}

// Add implements desk.Tallies: tallies hold no personal data.
func (s *sealedStores) Add(ctx context.Context, t desk.Tally) error { return s.raw.Add(ctx, t) }

// Counts implements desk.Tallies.
func (s *sealedStores) Counts(ctx context.Context, key string) (map[string]int64, error) {
	return s.raw.Counts(ctx, key)
}

// Once implements desk.Onces.
func (s *sealedStores) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.raw.Once(ctx, key, ttl)
}

// Outbox is the raw store's outbox, its payloads (replies, chats) sealed.
func (s *sealedStores) Outbox() outbox.Store { return sealed.NewOutbox(s.raw.Outbox(), s.vault) }

// Ping reports whether the store answers.
func (s *sealedStores) Ping(ctx context.Context) error { return s.raw.Ping(ctx) }

// Sweep removes expired records.
func (s *sealedStores) Sweep(ctx context.Context) (int, error) { return s.raw.Sweep(ctx) }

// Close ends the vault's subscription, then closes the store.
func (s *sealedStores) Close() error {
	vErr := s.vault.Close()
	if err := s.raw.Close(); err != nil {
		return err
	}
	return vErr
}
