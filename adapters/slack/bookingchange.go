package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// moveKind is the kind of the message, in a booking card's thread, that asks staff to
// accept or refuse a confirmed booking's move; its ref is the booking id.
const moveKind = "bookingmove"

// Actions of a move request.
const (
	verbAcceptMove = "accept"
	verbRefuseMove = "refuse"
)

// moveRequested posts, in the booking card's thread, the citizen's request to move a
// confirmed booking, with the buttons that answer it.
func (d *Desk) moveRequested(ctx context.Context, b bookings.Booking, at MessageRef, ev bot.Event) error {
	text := d.text("booking.move_request", "from", d.when(b.Start), "when", d.when(ev.Moved))
	actions := []CardAction{
		{Verb: verbAcceptMove, Label: d.text("booking.move_accept"), Style: "primary"},
		{Verb: verbRefuseMove, Label: d.text("booking.move_refuse"), Style: "danger"},
	}
	blocks := append([]slackapi.Block{slackapi.NewSectionBlock(
		slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, false), nil, nil,
		slackapi.SectionBlockOptionBlockID(blockBody))}, statusAndActions(moveKind, b.ID, "", actions)...)
	_, err := d.postMessage(ctx, at.Channel, at.TS, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...),
		slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl())
	if err != nil {
		return fmt.Errorf("post the move request of booking %s: %w", b.ID, err)
	}
	return nil
}

// onMoveCard answers a move request: the booking moves (the citizen gets the new
// calendar file) or stays as it was (the citizen is told); the booking card shows
// the booking as it now is.
func (d *Desk) onMoveCard(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	if d.bookings == nil || (p.Verb != verbAcceptMove && p.Verb != verbRefuseMove) {
		return CardResult{}, ErrUnknownAction
	}
	a := bot.MoveAction{Booking: p.Ref, Operator: p.Operator, Accept: p.Verb == verbAcceptMove}
	b, err := e.MoveFromStaff(ctx, a)
	switch {
	case err == nil:
	case errors.Is(err, bot.ErrNotDelivered):
		channel, _, _ := strings.Cut(b.Conversation, ":")
		if _, err := d.postText(ctx, p.Card.Channel, p.Card.TS, d.text("booking.not_delivered", "channel", d.channelName(channel))); err != nil {
			d.log.WarnContext(ctx, "slack: could not report an undelivered move", "err", err)
		}
	case errors.Is(err, bookings.ErrNotFound):
		return CardResult{Status: d.text("booking.gone"), Notice: d.text("booking.gone")}, nil
	case errors.Is(err, bot.ErrNoMoveRequest):
		return CardResult{Status: d.text("booking.move_gone"), Notice: d.text("booking.move_gone")}, nil
	case errors.Is(err, bot.ErrProposalPast):
		return CardResult{Unchanged: true, Notice: d.text("booking.proposal_past")}, nil
	case errors.Is(err, bookings.ErrRule):
		_, text := d.ruleText(err)
		return CardResult{Unchanged: true, Notice: text}, nil
	default:
		return CardResult{}, err
	}
	status := d.text("booking.move_refused", "name", Escape(a.Operator))
	if a.Accept {
		status = d.text("booking.move_accepted", "name", Escape(a.Operator), "when", d.when(b.Start))
	}
	// The card above shows the booking's time: bring it up to date.
	if card, ok := splitThreadRef(b.Card); ok {
		st, actions := d.bookingState(b)
		if a.Accept {
			st = d.text("booking.move_accepted", "name", Escape(a.Operator), "when", d.when(b.Start))
		}
		if err := d.UpdateCard(ctx, card, bookingKind, b.ID, st, actions); err != nil {
			d.log.WarnContext(ctx, "slack: update the card of a moved booking failed", "err", err)
		}
	}
	return CardResult{Status: status}, nil
}

// splitThreadRef reads a card reference kept in a booking.
func splitThreadRef(ref string) (MessageRef, bool) {
	channel, ts, ok := splitThread(ref)
	return MessageRef{Channel: channel, TS: ts}, ok
}
