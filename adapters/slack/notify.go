package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
	"github.com/comune-milano/wemibot/records"
)

// Notify implements bot.Staff. The work is queued and done in the background, in
// order for each handoff, so that the citizen's answer never waits for Slack; what
// fails there is logged. Notify fails only when the desk cannot take more work.
func (d *Desk) Notify(ctx context.Context, ev bot.Event) error {
	var fn func(context.Context) error
	key := ""
	if ev.Handoff != "" {
		key = "handoff:" + ev.Handoff
	}
	switch ev.Kind {
	case bot.EventHandoff:
		fn = func(ctx context.Context) error { _, err := d.openThread(ctx, ev, false); return err }
	case bot.EventEmergency:
		fn = func(ctx context.Context) error { return d.emergency(ctx, ev) }
	case bot.EventRelay:
		fn = func(ctx context.Context) error { return d.relay(ctx, ev) }
	case bot.EventHandoffEnded:
		fn = func(ctx context.Context) error { return d.citizenLeft(ctx, ev) }
	case bot.EventRating:
		fn = func(ctx context.Context) error { return d.rating(ctx, ev) }
	case bot.EventBookingRequested, bot.EventBookingCancelled, bot.EventBookingAnswered, bot.EventBookingRated,
		bot.EventReminderFailed, bot.EventBookingMoved:
		fn, key = func(ctx context.Context) error { return d.bookingEvent(ctx, ev) }, bookingKey(ev.Booking)
	case bot.EventBookingPaid, bot.EventOfferExpired, bot.EventOfferDeclined, bot.EventBookingRefunded, bot.EventPaymentMismatch,
		bot.EventVoucherPart:
		if d.bookings == nil {
			return nil
		}
		fn, key = func(ctx context.Context) error { return d.paymentEvent(ctx, ev) }, bookingKey(ev.Booking)
	case bot.EventDomesticRequest, bot.EventApplication, bot.EventDomesticWithdrawn:
		fn, key = func(ctx context.Context) error { return d.domesticEvent(ctx, ev) }, domesticKey(ev.Booking)
	default:
		d.log.InfoContext(ctx, "slack: staff event of an unknown kind ignored", "kind", ev.Kind)
		return nil
	}
	err := d.work.submit(ctx, key, func(ctx context.Context) {
		if err := fn(ctx); err != nil {
			d.log.ErrorContext(ctx, "slack: staff event not shown to operators", "kind", ev.Kind,
				"channel", ev.Channel, "priority", ev.Priority, "err", err)
		}
	})
	if err != nil {
		return fmt.Errorf("slack: notify %s: %w", ev.Kind, err)
	}
	return nil
}

// handoffKind is the card kind of handoffs.
const handoffKind = "handoff"

// Actions of the handoff card.
const (
	verbClaim = "claim"
	verbClose = "close"
)

// openThread records a handoff and posts its card, whose thread is where the
// conversation with the citizen happens; a handoff that has its thread already is
// returned as it is. late says the card is posted because a citizen's message found
// no thread.
func (d *Desk) openThread(ctx context.Context, ev bot.Event, late bool) (desk.Handoff, error) {
	h := desk.Handoff{ID: ev.Handoff, Conversation: ev.Conversation, Channel: ev.Channel, Lang: ev.Lang,
		FirstName: ev.FirstName, Reason: ev.Reason, Priority: ev.Priority, Opened: ev.At}
	if h.Opened.IsZero() {
		h.Opened = d.now()
	}
	if err := d.handoffs.Open(ctx, h); err != nil {
		return desk.Handoff{}, err
	}
	got, err := d.handoffs.Get(ctx, h.ID)
	if err != nil {
		return desk.Handoff{}, err
	}
	if got.Thread != "" {
		return got, nil
	}
	// One replica posts the card: another that finds it being posted waits for its
	// thread (a lease, so that a replica that died while posting does not leave the
	// handoff without a card for long).
	claimed, sure := d.claimCard(ctx, h.ID)
	if !claimed {
		within := cardLease
		if dl, ok := ctx.Deadline(); ok {
			within = min(within, time.Until(dl)-2*time.Second)
		}
		if within <= 0 {
			return desk.Handoff{}, errors.New("the handoff's card is being posted elsewhere") // RepostMissing follows up
		}
		got, err := d.threadWithin(ctx, h.ID, within)
		switch {
		case err == nil, errors.Is(err, desk.ErrClosed):
			return got, err // posted there; or closed meanwhile: no card to post
		}
		// The other replica never made it: post, marked late.
		if claimed, sure = d.claimCard(ctx, h.ID); !claimed {
			return desk.Handoff{}, errors.New("the handoff's card is still being posted elsewhere")
		}
		late = true
	}
	card := d.handoffCard(ev, got)
	if late {
		card.Context = append(card.Context, d.text("handoff.late"))
	}
	at, err := d.PostCard(ctx, d.channel, card)
	if err != nil {
		if sure {
			d.releaseCard(ctx, h.ID) // the next attempt, here or elsewhere, need not wait
		}
		return desk.Handoff{}, err
	}
	got, err = d.handoffs.SetThread(ctx, h.ID, at.String())
	if err == nil {
		// Remembered apart from the handoff, which holds the citizen's data: once
		// their key is shredded the erasure still finds the thread.
		d.rememberThread(ctx, h.ID, got.Thread)
	}
	return got, err
}

// cardLeaseKind is the record kind of the leases on posting handoff cards.
const cardLeaseKind = "slack.cardlease"

// claimCard reports whether this replica is to post a handoff's card: nobody else
// holds the lease. When the store cannot tell, it posts (a card twice is better than
// none) but sure is false: it holds no lease to give back.
func (d *Desk) claimCard(ctx context.Context, id string) (claimed, sure bool) {
	if d.records == nil {
		first, err := d.once.Once(ctx, "slack-card:"+id, cardLease)
		return err != nil || first, false
	}
	_, err := d.records.Update(ctx, cardLeaseKind, id, cardLease, func(old []byte) ([]byte, error) {
		claimed = old == nil // fn may run more than once
		if !claimed {
			return old, nil
		}
		return []byte("posting"), nil
	})
	if err != nil {
		return true, false
	}
	return claimed, claimed
}

// releaseCard gives the lease back after a failed post.
func (d *Desk) releaseCard(ctx context.Context, id string) {
	if d.records == nil {
		return
	}
	if _, err := d.records.Update(context.WithoutCancel(ctx), cardLeaseKind, id, cardLease,
		func([]byte) ([]byte, error) { return nil, nil }); err != nil {
		d.log.WarnContext(ctx, "slack: could not give back a card's lease", "err", err)
	}
}

// cardLease is how long a replica posting a handoff's card holds it: others wait
// that long for its thread before posting one themselves.
const cardLease = 90 * time.Second

// repostAfter is how long an open handoff may go without its card before
// RepostMissing posts it: the first attempt, on whichever replica, has long failed.
const repostAfter = 2 * time.Minute

// RepostMissing posts the cards of open handoffs whose card never made it (Slack was
// down, or the replica that raised it stopped before posting), for a periodic job.
// The card says it came late; the recent conversation, not kept by the desk, is not
// on it. It returns how many it posted.
func (d *Desk) RepostMissing(ctx context.Context) (int, error) {
	open, err := d.handoffs.Waiting(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, h := range open {
		if h.Thread != "" || d.now().Sub(h.Opened) < repostAfter {
			continue
		}
		ev := bot.Event{Kind: bot.EventHandoff, Handoff: h.ID, Conversation: h.Conversation, Channel: h.Channel,
			Lang: h.Lang, FirstName: h.FirstName, Reason: h.Reason, Priority: h.Priority, At: h.Opened}
		if _, err := d.openThread(ctx, ev, true); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// handoffCard is the card operators see for a handoff: who asks, from where, in which
// language, why, what was said lately and what was searched.
func (d *Desk) handoffCard(ev bot.Event, h desk.Handoff) Card {
	name := h.FirstName
	if name == "" {
		name = d.text("handoff.citizen")
	}
	channel := d.texts.textOr("channel."+h.Channel, h.Channel)
	c := Card{Kind: handoffKind, Ref: h.ID, Title: d.text("handoff.title"),
		Fallback: d.text("handoff.fallback", "name", Escape(name), "channel", Escape(channel)),
		Fields: []CardField{
			{Label: d.text("handoff.field_name"), Value: name},
			{Label: d.text("handoff.field_channel"), Value: channel},
			{Label: d.text("handoff.field_lang"), Value: d.texts.textOr("lang."+h.Lang, h.Lang)},
			{Label: d.text("handoff.field_reason"), Value: d.texts.textOr("reason."+h.Reason, h.Reason)},
			// With the date: a card may wait over a weekend.
			{Label: d.text("handoff.field_opened"), Value: h.Opened.In(d.loc).Format("02/01 15:04")},
		},
		Body:    d.transcript(ev),
		Context: []string{d.text("handoff.how")},
		Actions: d.handoffActions(true),
	}
	if !ev.AnswerFrom.IsZero() {
		// The thread waits: operators see what the citizen was promised.
		c.Context = append(c.Context, d.text("handoff.after_hours",
			"when", d.when(ev.AnswerFrom)))
	}
	if h.Priority {
		c.Title = d.text("handoff.title_urgent")
		c.Fallback = d.text("handoff.fallback_urgent", "name", Escape(name), "channel", Escape(channel))
	}
	return c
}

// handoffActions are the card's buttons: "Prendo io" until someone has it, "Chiudi".
func (d *Desk) handoffActions(claim bool) []CardAction {
	actions := []CardAction{{Verb: verbClose, Label: d.text("handoff.close"), Style: "danger"}}
	if claim {
		actions = append([]CardAction{{Verb: verbClaim, Label: d.text("handoff.claim"), Style: "primary"}}, actions...)
	}
	return actions
}

// maxTurnRunes bounds one line of the recent conversation on a card: the bot's own
// answers (lists of services) would crowd out what the citizen said.
const maxTurnRunes = 300

// transcript is the recent conversation and the last search, as plain text.
func (d *Desk) transcript(ev bot.Event) string {
	var b strings.Builder
	b.WriteString(d.text("handoff.recent"))
	if len(ev.Recent) == 0 {
		b.WriteString("\n" + d.text("handoff.no_recent"))
	}
	for _, t := range ev.Recent {
		fmt.Fprintf(&b, "\n%s %s %s", d.clock(t.At), d.texts.textOr("turn."+t.From, t.From),
			truncate(strings.Join(strings.Fields(t.Text), " "), maxTurnRunes))
	}
	if ev.Query != "" {
		b.WriteString("\n\n" + d.text("handoff.searched", "query", truncate(ev.Query, maxTurnRunes)))
	}
	return b.String()
}

// emergency alerts the operators to danger: the handoff's urgent card, or a note in
// its thread when the citizen was talking to an operator already, or a plain alert
// when no handoff could be opened.
func (d *Desk) emergency(ctx context.Context, ev bot.Event) error {
	if ev.Handoff == "" {
		card := Card{Kind: "alert", Ref: "none", Title: d.text("alert.title"),
			Fallback: d.text("alert.fallback", "channel", d.channelName(ev.Channel)),
			Fields: []CardField{
				{Label: d.text("handoff.field_channel"), Value: d.texts.textOr("channel."+ev.Channel, ev.Channel)},
				{Label: d.text("handoff.field_reason"), Value: d.texts.textOr("reason."+ev.Reason, ev.Reason)},
			},
			Body: d.transcript(ev), Context: []string{d.text("alert.no_thread")}}
		_, err := d.PostCard(ctx, d.channel, card)
		return err
	}
	h, err := d.handoffs.Escalate(ctx, ev.Handoff)
	if err == nil && h.Thread != "" {
		channel, ts, _ := splitThread(h.Thread)
		text := d.text("handoff.urgent_in_thread", "reason", Escape(d.texts.textOr("reason."+ev.Reason, ev.Reason)))
		// The message that raised the alarm was not relayed: all of it goes here
		// (older engines sent only the recent turns: the last the citizen wrote).
		if ev.Text != "" {
			text += "\n" + d.relayLine(h, ev.Text)
		} else {
			for i := len(ev.Recent) - 1; i >= 0; i-- {
				if ev.Recent[i].From == "user" {
					text += "\n" + d.relayLine(h, ev.Recent[i].Text)
					break
				}
			}
		}
		// Broadcast to the channel too: danger must not hide in a thread.
		_, err := d.postMessage(ctx, channel, ts, slackapi.MsgOptionText(text, false), slackapi.MsgOptionBroadcast())
		return err
	}
	if err != nil && !errors.Is(err, desk.ErrClosed) {
		return err
	}
	_, err = d.openThread(ctx, ev, false)
	return err
}

// relay posts a citizen's message in the handoff's thread. When the thread is not
// there yet (another replica is still posting the card) it waits a little, then posts
// a card of its own.
func (d *Desk) relay(ctx context.Context, ev bot.Event) error {
	h, err := d.threadOf(ctx, ev.Handoff)
	if errors.Is(err, desk.ErrClosed) {
		// Written as an operator closed the handoff: it goes to the old thread,
		// marked, rather than opening the handoff again as a ghost card.
		if h.Thread == "" {
			return err
		}
		channel, ts, _ := splitThread(h.Thread)
		_, err = d.postText(ctx, channel, ts, d.relayLine(h, ev.Text)+"\n"+d.text("handoff.after_close"))
		return err
	}
	if err != nil {
		if h, err = d.openThread(ctx, ev, true); err != nil {
			return err
		}
	}
	channel, ts, _ := splitThread(h.Thread)
	_, err = d.postText(ctx, channel, ts, d.relayLine(h, ev.Text))
	return err
}

// relayLine is a citizen's message as operators read it in the thread.
func (d *Desk) relayLine(h desk.Handoff, text string) string {
	name := h.FirstName
	if name == "" {
		name = d.text("handoff.citizen")
	}
	return d.text("handoff.relay", "name", Escape(name), "text", Escape(text))
}

// threadOf returns the handoff with its thread, waiting up to the desk's ThreadWait
// for another replica to post it.
func (d *Desk) threadOf(ctx context.Context, id string) (desk.Handoff, error) {
	return d.threadWithin(ctx, id, d.wait)
}

// threadWithin returns the handoff with its thread, waiting up to within for it.
func (d *Desk) threadWithin(ctx context.Context, id string, within time.Duration) (desk.Handoff, error) {
	deadline := time.Now().Add(within)
	wait := 50 * time.Millisecond
	for {
		h, err := d.handoffs.Get(ctx, id)
		switch {
		case err == nil && h.Thread != "":
			return h, nil
		case errors.Is(err, desk.ErrClosed):
			return h, err // with its thread
		case err != nil && !errors.Is(err, records.ErrNotFound):
			return desk.Handoff{}, err
		case time.Now().Add(wait).After(deadline):
			return desk.Handoff{}, errors.New("the handoff's thread is not there")
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return desk.Handoff{}, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// citizenLeft closes the handoff the citizen left (or erased), says so in its thread
// and takes the buttons off its card.
func (d *Desk) citizenLeft(ctx context.Context, ev bot.Event) error {
	if ev.Reason == "forgotten" {
		return d.forgetHandoff(ctx, ev)
	}
	h, err := d.closeHandoff(ctx, ev.Handoff)
	if errors.Is(err, desk.ErrClosed) || err == nil && h.Thread == "" {
		return nil // an operator closed it first, or its card never made it
	}
	if err != nil {
		return err
	}
	note := d.text("handoff.ended_citizen", "time", d.clock(cmpTime(ev.At, d.now())))
	channel, ts, _ := splitThread(h.Thread)
	_, postErr := d.postText(ctx, channel, ts, note)
	updErr := d.UpdateCard(ctx, MessageRef{Channel: channel, TS: ts}, handoffKind, h.ID, note, nil)
	return errors.Join(postErr, updErr)
}

// rating notes the citizen's rating in the thread of the handoff just closed.
func (d *Desk) rating(ctx context.Context, ev bot.Event) error {
	score := strconv.Itoa(ev.Score)
	if thread, ok := d.closedThread(ctx, ev.Handoff); ok {
		channel, ts, _ := splitThread(thread)
		_, err := d.postText(ctx, channel, ts, d.text("handoff.rating", "score", score))
		return err
	}
	_, err := d.postText(ctx, d.channel, "", d.text("handoff.rating_orphan", "score", score, "ref", Escape(ev.Handoff)))
	return err
}

// closedKind is the record kind mapping a handoff to its thread, from when its card is
// posted (the name is older than that).
const closedKind = "slack.closed"

// closedTTL is how long a closed handoff's thread is remembered: for a late rating,
// and for the erasure of the citizen's data, which reaches the threads of the last six
// months (the privacy notice says so). The record holds only the thread's reference.
const closedTTL = 180 * 24 * time.Hour

// closeHandoff closes a handoff for the desk and remembers its thread for the
// citizen's rating.
func (d *Desk) closeHandoff(ctx context.Context, id string) (desk.Handoff, error) {
	h, err := d.handoffs.Close(ctx, id)
	if err != nil {
		return h, err
	}
	d.rememberThread(ctx, id, h.Thread)
	return h, nil
}

// rememberThread notes a handoff's thread in a record of its own, which holds nothing
// personal, for the citizen's rating and erasure.
func (d *Desk) rememberThread(ctx context.Context, id, thread string) {
	if d.records == nil || thread == "" {
		return
	}
	_, err := d.records.Update(ctx, closedKind, id, closedTTL, func([]byte) ([]byte, error) { return []byte(thread), nil })
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not remember a handoff's thread", "err", err)
	}
}

// closedThread returns the thread of a handoff, as rememberThread noted it.
func (d *Desk) closedThread(ctx context.Context, id string) (string, bool) {
	if d.records == nil || id == "" {
		return "", false
	}
	b, err := d.records.Get(ctx, closedKind, id)
	if err != nil {
		if !errors.Is(err, records.ErrNotFound) {
			d.log.WarnContext(ctx, "slack: could not read a closed handoff's thread", "err", err)
		}
		return "", false
	}
	_, _, ok := splitThread(string(b))
	return string(b), ok
}

func cmpTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}
