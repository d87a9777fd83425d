package sealed

import (
	"context"
	"errors"
	"fmt"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/vault"
)

// Options configure a Store.
type Options struct {
	// Aliases returns the other subjects a conversation's data is sealed under, shredded
	// with it by Forget (the web chat's mailbox of a session); nil: none.
	Aliases func(conversation string) []string
}

// Store seals each conversation's state with the conversation's key: opened by Begin,
// sealed by Commit. Forget shreds the key after the inner store has forgotten the
// conversation, so that whatever copy of the data is left (a backup, a freed page, an
// AOF file, another replica's cache) cannot be opened.
type Store struct {
	inner   bot.Store
	v       *vault.Vault
	aliases func(string) []string
}

var _ bot.Store = (*Store)(nil)

// NewStore returns inner with its conversations' states sealed by v.
func NewStore(inner bot.Store, v *vault.Vault, opts Options) *Store {
	return &Store{inner: inner, v: v, aliases: opts.Aliases}
}

// Begin implements bot.Store. A state that cannot be opened (its key was shredded, or
// it is damaged) reads as a new conversation's: nil.
func (s *Store) Begin(ctx context.Context, b bot.Begin) (bot.Session, error) {
	sess, err := s.inner.Begin(ctx, b)
	if err != nil || sess.State == nil || !vault.IsSealed(sess.State) {
		return sess, err
	}
	state, err := s.v.Open(ctx, sess.State)
	switch {
	case errors.Is(err, vault.ErrShredded), errors.Is(err, vault.ErrCorrupt):
		state = nil
	case err != nil:
		return bot.Session{}, errors.Join(fmt.Errorf("begin %s: open the state: %w", bot.Redact(b.Conversation), err),
			s.inner.Release(ctx, sess))
	}
	sess.State = state
	return sess, nil
}

// Commit implements bot.Store, sealing the state with the conversation's key (created
// on its first Commit) for as long as the state is kept, c.IdleTTL: the key of a
// conversation that never went past its greeting expires within hours, not KeyTTL.
func (s *Store) Commit(ctx context.Context, sess bot.Session, c bot.Commit) error {
	if c.State != nil && sess.Token != "" {
		sealed, err := s.v.SealFor(ctx, sess.Conversation, c.State, c.IdleTTL)
		if err != nil {
			return fmt.Errorf("commit %s: seal the state: %w", bot.Redact(sess.Conversation), err)
		}
		c.State = sealed
	}
	return s.inner.Commit(ctx, sess, c)
}

// Release implements bot.Store.
func (s *Store) Release(ctx context.Context, sess bot.Session) error {
	return s.inner.Release(ctx, sess)
}

// Forget implements bot.Store: the inner store forgets the conversation, then its key
// and its aliases' are shredded, on every replica. The engine erases the citizen's
// other records (bookings, requests, handoffs) before it calls Forget.
func (s *Store) Forget(ctx context.Context, conversation string) error {
	if err := s.inner.Forget(ctx, conversation); err != nil {
		return err
	}
	subjects := []string{conversation}
	if s.aliases != nil {
		subjects = append(subjects, s.aliases(conversation)...)
	}
	for _, subject := range subjects {
		if err := s.v.Shred(ctx, subject); err != nil {
			return fmt.Errorf("forget %s: %w", bot.Redact(conversation), err)
		}
	}
	return nil
}
