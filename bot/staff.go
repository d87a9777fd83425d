package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/comune-milano/wemibot/desk"
)

// The events the engine raises for staff, besides handoff requests and emergencies.
const (
	// EventRelay carries a citizen's message, written while a handoff is open, to the
	// operators (Text).
	EventRelay EventKind = "relay"
	// EventHandoffEnded says the citizen left an open handoff (Reason "citizen"): the
	// desk closes it. With Reason "forgotten" the citizen erased their data: it comes
	// for each of their latest handoffs, open or long closed, and the desk closes the
	// open one and takes the citizen out of every one's thread.
	EventHandoffEnded EventKind = "handoff_ended"
	// EventRating carries the citizen's rating (Score, 1-5) of a closed handoff.
	EventRating EventKind = "rating"
)

// Pusher delivers replies to a citizen outside an answer to their own message: an
// operator's reply, a claim, a close. Each channel that can reach a citizen on its own
// initiative has one (Telegram sends at once; the web chat keeps them for the page to
// collect).
type Pusher interface {
	Push(ctx context.Context, userID string, replies []Reply) error
}

// Figures counts what staff read in the day's figures and the daily digest. Count is
// called after a message's state is saved; it must be cheap, safe for concurrent use,
// and never fail the conversation (an implementation logs its own errors).
type Figures interface {
	Count(ctx context.Context, f desk.Fact)
}

// StaffActionKind says what an operator did.
type StaffActionKind string

// What an operator can do with a handoff.
const (
	StaffClaim StaffActionKind = "claim" // takes the handoff: the citizen learns who
	StaffReply StaffActionKind = "reply" // writes to the citizen (Text)
	StaffClose StaffActionKind = "close" // hands the citizen back to the bot, who asks for a rating
)

// StaffAction is an operator acting on a citizen's open handoff.
type StaffAction struct {
	Kind         StaffActionKind
	Conversation string // Event.Conversation of the handoff
	Handoff      string // Event.Handoff
	Operator     string // the operator's first name, shown to the citizen
	Text         string // for StaffReply
	// ID is the desk's id of this action (a Slack event id), so that a repeated
	// delivery is applied once; may be empty.
	ID string
}

// Errors of Engine.FromStaff.
var (
	// ErrNoHandoff: the conversation has no open handoff with that id (the citizen
	// left it or erased their data, or another operator closed it).
	ErrNoHandoff = errors.New("no such open handoff")
	// ErrNotDelivered: the action was applied but the citizen's channel could not be
	// reached (or cannot be reached by the bot's initiative); the citizen will not see it.
	ErrNotDelivered = errors.New("not delivered to the citizen")
)

// staffUpdatePrefix keeps an operator's action ids apart from the citizen's own
// update ids in the store's record of handled updates.
const staffUpdatePrefix = "staff."

// FromStaff applies an operator's action to a citizen's open handoff, with the same
// ordering and locking as the citizen's own messages, and pushes what the citizen must
// see to their channel. It returns ErrNoHandoff when the handoff is no longer open,
// ErrDuplicate for an action applied before, ErrUnavailable when the store cannot be
// reached, and ErrNotDelivered when the citizen could not be told.
func (e *Engine) FromStaff(ctx context.Context, a StaffAction) error {
	channel, user, ok := splitConversation(a.Conversation)
	if !ok || a.Handoff == "" {
		return errors.New("bot: staff action without conversation or handoff")
	}
	if a.Kind == StaffReply && cleanText(a.Text) == "" {
		return errors.New("bot: empty staff reply")
	}
	update := ""
	if a.ID != "" {
		update = staffUpdatePrefix + a.ID
	}
	var t *Turn
	err := e.transact(ctx, a.Conversation, update, func(x *tx) txEnd {
		if !x.known || x.st.Handoff == nil || x.st.Handoff.ID != a.Handoff {
			return txDrop
		}
		t = &Turn{e: e, cat: e.opts.Search.Catalogue(), m: Message{Channel: channel, UserID: user}, st: &x.st, now: e.now()}
		e.flows.handoff.staffAction(t, a)
		return txSave
	})
	switch {
	case err != nil:
		return err // ErrDuplicate, or wrapping ErrUnavailable or a panic
	case t == nil:
		return ErrNoHandoff
	}
	e.count(ctx, t.facts)
	// The conversation's lock and turn are given back already: the citizen's own
	// messages need not wait for the push (Telegram may pace it).
	return e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}

// Tell sends replies to a citizen on the bot's initiative, outside any handoff: what
// a staff card's handler has to say (a request's outcome). conversation is the
// engine's "channel:user". It returns ErrNotDelivered when the channel cannot reach
// the citizen.
func (e *Engine) Tell(ctx context.Context, conversation string, replies []Reply) error {
	channel, user, ok := splitConversation(conversation)
	if !ok {
		return errors.New("bot: tell without a conversation")
	}
	return e.push(ctx, channel, user, replies)
}

// push delivers replies through the channel's Pusher.
func (e *Engine) push(ctx context.Context, channel, user string, replies []Reply) error {
	if len(replies) == 0 {
		return nil
	}
	p := e.opts.Pushers[channel]
	if p == nil {
		return ErrNotDelivered
	}
	if err := p.Push(ctx, user, replies); err != nil {
		e.log.WarnContext(ctx, "push to citizen failed", "channel", channel, "err", err)
		return errors.Join(ErrNotDelivered, err)
	}
	return nil
}

// count reports the facts of a turn.
func (e *Engine) count(ctx context.Context, facts []desk.Fact) {
	if e.opts.Figures == nil {
		return
	}
	for _, f := range facts {
		e.opts.Figures.Count(ctx, f)
	}
}

// splitConversation splits "channel:user".
func splitConversation(conv string) (channel, user string, ok bool) {
	channel, user, ok = strings.Cut(conv, ":")
	return channel, user, ok && channel != "" && user != ""
}
