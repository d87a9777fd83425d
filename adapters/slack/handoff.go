package slack

import (
	"context"
	"errors"
	"regexp"

	"github.com/slack-go/slack/slackevents"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

// onHandoffCard handles the handoff card's buttons: "Prendo io" and "Chiudi".
func (d *Desk) onHandoffCard(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	switch p.Verb {
	case verbClaim:
		return d.claim(ctx, e, p)
	case verbClose:
		return d.closeByOperator(ctx, e, p)
	}
	return CardResult{}, ErrUnknownAction
}

// claim gives the handoff to the operator who pressed, unless another has it, and
// tells the citizen who is going to answer.
func (d *Desk) claim(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	h, claimed, err := d.handoffs.Claim(ctx, p.Ref, p.Operator, p.UserID, d.now())
	if errors.Is(err, desk.ErrClosed) {
		return d.closedAlready(), nil
	}
	if err != nil {
		return CardResult{}, err
	}
	if !claimed && h.OperatorID != p.UserID {
		return CardResult{Unchanged: true, Notice: d.text("handoff.already_claimed", "name", Escape(h.Operator))}, nil
	}
	// Claimed now, or by this operator before: pressing again retries telling the
	// citizen, and the engine applies one claim per operator and handoff.
	err = e.FromStaff(ctx, bot.StaffAction{Kind: bot.StaffClaim, Conversation: h.Conversation, Handoff: h.ID,
		Operator: p.Operator, ID: "claim." + h.ID + "." + p.UserID})
	res := CardResult{Status: d.claimedStatus(h), Actions: d.handoffActions(false)}
	switch {
	case err == nil, errors.Is(err, bot.ErrDuplicate):
		return res, nil
	case errors.Is(err, bot.ErrNotDelivered):
		res.Notice = d.text("handoff.claim_not_delivered", "channel", d.channelName(h.Channel))
		return res, nil
	case errors.Is(err, bot.ErrNoHandoff):
		return d.citizenGone(ctx, h.ID), nil
	}
	return CardResult{}, err
}

func (d *Desk) claimedStatus(h desk.Handoff) string {
	return d.text("handoff.claimed", "name", Escape(h.Operator), "time", d.clock(h.Claimed))
}

// closeByOperator hands the citizen back to the bot, which asks them for a rating.
func (d *Desk) closeByOperator(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	h, err := d.handoffs.Get(ctx, p.Ref)
	if errors.Is(err, records.ErrNotFound) || errors.Is(err, desk.ErrClosed) {
		return d.closedAlready(), nil
	}
	if err != nil {
		return CardResult{}, err
	}
	err = e.FromStaff(ctx, bot.StaffAction{Kind: bot.StaffClose, Conversation: h.Conversation, Handoff: h.ID,
		Operator: p.Operator, ID: "close." + h.ID})
	res := CardResult{Status: d.text("handoff.closed_by", "name", Escape(p.Operator), "time", d.clock(d.now()))}
	switch {
	case err == nil, errors.Is(err, bot.ErrDuplicate):
	case errors.Is(err, bot.ErrNotDelivered):
		res.Notice = d.text("handoff.close_not_delivered", "channel", d.channelName(h.Channel))
	case errors.Is(err, bot.ErrNoHandoff):
		return d.citizenGone(ctx, h.ID), nil
	default:
		return CardResult{}, err
	}
	if _, err := d.closeHandoff(ctx, h.ID); err != nil && !errors.Is(err, desk.ErrClosed) {
		d.log.WarnContext(ctx, "slack: close handoff failed", "err", err)
	}
	return res, nil
}

// closedAlready is the answer to a press on a handoff that is closed.
func (d *Desk) closedAlready() CardResult {
	return CardResult{Status: d.text("handoff.closed_already"), Notice: d.text("handoff.closed_already")}
}

// citizenGone closes, for the desk, a handoff the engine no longer has open (the
// citizen left and the desk did not hear of it), and says so on the card.
func (d *Desk) citizenGone(ctx context.Context, id string) CardResult {
	if _, err := d.closeHandoff(ctx, id); err != nil && !errors.Is(err, desk.ErrClosed) {
		d.log.WarnContext(ctx, "slack: close handoff failed", "err", err)
	}
	return CardResult{Status: d.text("handoff.gone"), Notice: d.text("handoff.gone")}
}

// noteRE matches an internal note: "nota:" at the start, whatever the formatting
// around it ("*Nota:*", "_nota_ :", "> nota:", "Nota :", "NOTA -"), so that a note
// never reaches a citizen because an operator wrote it in bold. A message that
// merely mentions a note later on is not one.
var noteRE = regexp.MustCompile(`(?i)^[\s*_~>` + "`" + `]*(&gt;)?[\s*_~>` + "`" + `]*nota[\s*_~` + "`" + `]*[:\-–]`)

// isNote reports whether an operator's message is an internal note.
func isNote(text string) bool {
	// Also as the citizen would read it: a mention or a link Slack renders away
	// must not hide the prefix.
	return noteRE.MatchString(text) || noteRE.MatchString(plainText(text))
}

// onThreadReply passes what an operator writes in a handoff's thread to the citizen,
// signed with the operator's first name; notes stay in the thread. The first reply
// claims a handoff nobody claimed.
func (d *Desk) onThreadReply(ctx context.Context, e Engine, eventID string, m *slackevents.MessageEvent) {
	tell := func(text string) { d.tell(ctx, m.Channel, m.ThreadTimeStamp, m.User, "", text) }
	h, err := d.handoffs.ByThread(ctx, threadRef(m.Channel, m.ThreadTimeStamp))
	switch {
	case errors.Is(err, records.ErrNotFound):
		return // operators talking in a thread that is no handoff's
	case errors.Is(err, desk.ErrClosed):
		tell(d.text("handoff.reply_closed"))
		return
	case err != nil:
		d.log.WarnContext(ctx, "slack: find the handoff of a thread failed", "err", err)
		tell(d.text("handoff.reply_failed"))
		return
	}
	if m.SubType == "file_share" {
		tell(d.text("handoff.text_only"))
		return
	}
	text := plainText(m.Text)
	if text == "" || isNote(text) {
		return
	}
	name := d.operatorName(ctx, m.User, "")
	if h.OperatorID == "" {
		d.autoClaim(ctx, h, name, m.User)
	}
	err = e.FromStaff(ctx, bot.StaffAction{Kind: bot.StaffReply, Conversation: h.Conversation, Handoff: h.ID,
		Operator: name, Text: text, ID: eventID})
	switch {
	case err == nil, errors.Is(err, bot.ErrDuplicate):
	case errors.Is(err, bot.ErrNotDelivered):
		// Every operator in the thread must see it, not only the writer.
		note := d.text("handoff.not_delivered", "channel", d.channelName(h.Channel))
		if _, err := d.postText(ctx, m.Channel, m.ThreadTimeStamp, note); err != nil {
			d.log.WarnContext(ctx, "slack: could not report an undelivered reply", "err", err)
		}
	case errors.Is(err, bot.ErrNoHandoff):
		res := d.citizenGone(ctx, h.ID)
		if err := d.UpdateCard(ctx, MessageRef{Channel: m.Channel, TS: m.ThreadTimeStamp}, handoffKind, h.ID, res.Status, nil); err != nil {
			d.log.WarnContext(ctx, "slack: update card failed", "kind", handoffKind, "err", err)
		}
		tell(d.text("handoff.reply_closed"))
	default:
		d.log.WarnContext(ctx, "slack: operator's reply not delivered", "err", err)
		tell(d.text("handoff.reply_failed"))
	}
}

// autoClaim gives an unclaimed handoff to the operator who answers first, and shows
// it on the card.
func (d *Desk) autoClaim(ctx context.Context, h desk.Handoff, name, userID string) {
	h, claimed, err := d.handoffs.Claim(ctx, h.ID, name, userID, d.now())
	if err != nil || !claimed {
		return
	}
	channel, ts, _ := splitThread(h.Thread)
	if err := d.UpdateCard(ctx, MessageRef{Channel: channel, TS: ts}, handoffKind, h.ID, d.claimedStatus(h), d.handoffActions(false)); err != nil {
		d.log.WarnContext(ctx, "slack: update card failed", "kind", handoffKind, "err", err)
	}
}
