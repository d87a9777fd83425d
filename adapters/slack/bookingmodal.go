package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
)

// openBookingModal asks the operator who pressed Rifiuta for the reason, or the one
// who pressed Proponi altro orario for the time, in a modal; its submission does the
// rest (see answerViewSubmission). The card does not change yet.
func (d *Desk) openBookingModal(ctx context.Context, p CardPress) (CardResult, error) {
	b, err := d.bookings.Get(ctx, p.Ref)
	switch {
	case errors.Is(err, bookings.ErrNotFound):
		return CardResult{Status: d.text("booking.gone"), Notice: d.text("booking.gone")}, nil
	case err != nil:
		return CardResult{}, err
	case b.Status != bookings.Requested || !b.Proposed.IsZero():
		return d.changedMeanwhile(ctx, b.ID)
	case b.Series != "" && p.Verb == verbPropose:
		return CardResult{Unchanged: true, Notice: d.text("booking.series_no_propose")}, nil
	case p.TriggerID == "":
		return CardResult{}, errors.New("a press without a trigger_id cannot open a modal")
	}
	meta, err := json.Marshal(bookingModal{Booking: b.ID, Card: p.Card.String()})
	if err != nil {
		return CardResult{}, err
	}
	view := d.refuseModal(b)
	switch p.Verb {
	case verbPropose:
		view = d.proposeModal(b)
	case verbConfirm:
		view = d.offerModal(b)
	}
	view.PrivateMetadata = string(meta)
	err = d.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := d.api.OpenViewContext(ctx, p.TriggerID, view)
		return err
	})
	if err != nil {
		return CardResult{}, err
	}
	return CardResult{Unchanged: true}, nil
}

// modal lays out a booking modal: a reminder of the booking, then the inputs.
func (d *Desk) modal(b bookings.Booking, verb, title, submit string, inputs ...slackapi.Block) slackapi.ModalViewRequest {
	plain := func(s string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, true, false)
	}
	service := b.Service
	if d.search != nil {
		if s, ok := d.search.Catalogue().Service(b.Service); ok {
			service = s.Name
		}
	}
	summary := slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType,
		d.text("booking.modal_summary", "service", Escape(service), "when", d.when(b.Start),
			"name", Escape(cmp.Or(b.FirstName, d.text("handoff.citizen")))), false, false), nil, nil)
	return slackapi.ModalViewRequest{Type: slackapi.VTModal, CallbackID: actionID(bookingKind, verb),
		Title: plain(title), Submit: plain(submit), Close: plain(d.text("booking.modal_close")),
		Blocks: slackapi.Blocks{BlockSet: append([]slackapi.Block{summary}, inputs...)}}
}

// refuseModal asks for the reason of a refusal, which the citizen reads.
func (d *Desk) refuseModal(b bookings.Booking) slackapi.ModalViewRequest {
	input := slackapi.NewPlainTextInputBlockElement(
		slackapi.NewTextBlockObject(slackapi.PlainTextType, d.text("booking.reason_placeholder"), false, false), actionReason)
	input.Multiline, input.MaxLength = true, maxReasonRunes
	return d.modal(b, verbRefuse, d.text("booking.refuse_title"), d.text("booking.refuse_submit"),
		slackapi.NewInputBlock(blockReason,
			slackapi.NewTextBlockObject(slackapi.PlainTextType, d.text("booking.reason_label"), false, false),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, d.text("booking.reason_hint"), false, false), input))
}

// proposeModal asks for another start: a date picker and a time picker, filled in
// with the time the citizen asked for, in the operators' time zone.
func (d *Desk) proposeModal(b bookings.Booking) slackapi.ModalViewRequest {
	start := b.Start.In(d.loc)
	date := slackapi.NewDatePickerBlockElement(actionDate)
	date.InitialDate = start.Format(time.DateOnly)
	clock := slackapi.NewTimePickerBlockElement(actionTime)
	clock.InitialTime = start.Format("15:04")
	if name := d.loc.String(); strings.Contains(name, "/") {
		clock.Timezone = name // an IANA name: the time is Milan's whatever the operator's zone
	}
	label := func(key string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, d.text(key), false, false)
	}
	return d.modal(b, verbPropose, d.text("booking.propose_title"), d.text("booking.propose_submit"),
		slackapi.NewInputBlock(blockDate, label("booking.date_label"), nil, date),
		slackapi.NewInputBlock(blockTime, label("booking.time_label"), label("booking.time_hint"), clock))
}

// answerViewSubmission checks a booking modal's submission at once, since Slack wants
// the answer in the acknowledgement: nil closes the modal, and the action is queued;
// errors keep it open, saying what to fix. The note modal of a Tate, Colf e Badanti
// card goes to answerNoteModal; a submission of another modal is ignored.
func (d *Desk) answerViewSubmission(ctx context.Context, e Engine, cb slackapi.InteractionCallback) *slackapi.ViewSubmissionResponse {
	kind, verb, ok := parseActionID(cb.View.CallbackID)
	if ok && (kind == requestKind || kind == applicationKind) {
		return d.answerNoteModal(ctx, e, cb, kind, verb)
	}
	var meta bookingModal
	if !ok || kind != bookingKind || json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta) != nil ||
		!bookings.ValidID(meta.Booking) {
		return nil
	}
	channel, ts, ok := splitThread(meta.Card)
	if !ok || channel != d.channel {
		return nil
	}
	a := bot.BookingAction{Booking: meta.Booking}
	var values map[string]map[string]slackapi.BlockAction
	if cb.View.State != nil {
		values = cb.View.State.Values
	}
	switch verb {
	case verbRefuse:
		a.Kind, a.Reason = bot.BookingRefuse, strings.TrimSpace(values[blockReason][actionReason].Value)
		switch {
		case a.Reason == "":
			return invalid(blockReason, d.text("booking.reason_required"))
		case utf8.RuneCountInString(a.Reason) > maxReasonRunes:
			return invalid(blockReason, d.text("booking.reason_too_long", "max", strconv.Itoa(maxReasonRunes)))
		}
	case verbPropose:
		a.Kind = bot.BookingPropose
		day, dayErr := time.ParseInLocation(time.DateOnly, values[blockDate][actionDate].SelectedDate, d.loc)
		at, atErr := time.Parse("15:04", values[blockTime][actionTime].SelectedTime)
		switch {
		case dayErr != nil:
			return invalid(blockDate, d.text("booking.date_required"))
		case atErr != nil:
			return invalid(blockTime, d.text("booking.time_required"))
		}
		a.Proposed = time.Date(day.Year(), day.Month(), day.Day(), at.Hour(), at.Minute(), 0, 0, d.loc)
		now := d.now().In(d.loc)
		switch {
		case day.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, d.loc)):
			return invalid(blockDate, d.text("booking.proposal_past"))
		case !a.Proposed.After(now):
			return invalid(blockTime, d.text("booking.proposal_past"))
		}
		if block, text := d.proposalRule(ctx, a.Booking, a.Proposed); text != "" {
			return invalid(block, text) // see bookingrules.go
		}
	case verbOffer:
		var bad *slackapi.ViewSubmissionResponse
		if a, bad = d.offerSubmission(ctx, a, values); bad != nil {
			return bad
		}
	default:
		return nil
	}
	card := MessageRef{Channel: channel, TS: ts}
	err := d.work.submit(ctx, bookingKey(a.Booking), func(ctx context.Context) {
		if cb.View.ID != "" && !d.first(ctx, "slack-view:"+cb.View.ID) {
			return
		}
		d.onBookingModal(ctx, e, cb.User, card, a)
	})
	if err != nil {
		d.log.WarnContext(ctx, "slack: modal submission not taken", "err", err)
		block := blockReason
		switch a.Kind {
		case bot.BookingPropose:
			block = blockTime
		case bot.BookingOffer:
			block = blockPrice
		}
		return invalid(block, d.text("card.error"))
	}
	return nil
}

// invalid keeps a modal open with an error under one of its blocks.
func invalid(block, text string) *slackapi.ViewSubmissionResponse {
	return slackapi.NewErrorsViewSubmissionResponse(map[string]string{block: text})
}

// onBookingModal applies a refusal or a proposal submitted with a modal, updates the
// card and tells the operator what they must know.
func (d *Desk) onBookingModal(ctx context.Context, e Engine, user slackapi.User, card MessageRef, a bot.BookingAction) {
	notice := func(text string) { d.tell(ctx, card.Channel, "", user.ID, "", text) }
	a.Operator = d.operatorName(ctx, user.ID, user.Name)
	b, err := d.applyBookingAction(ctx, e, a) // the booking, or its whole series
	res, err := d.afterBookingAction(ctx, card, a, b, err)
	if err != nil {
		d.log.WarnContext(ctx, "slack: booking action failed", "kind", a.Kind, "err", err)
		notice(d.text("card.error"))
		return
	}
	if !res.Unchanged {
		if err := d.UpdateCard(ctx, card, bookingKind, a.Booking, res.Status, res.Actions); err != nil {
			d.log.WarnContext(ctx, "slack: update card failed", "kind", bookingKind, "err", err)
		}
	}
	if res.Notice != "" {
		notice(res.Notice)
	}
}
