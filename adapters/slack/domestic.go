package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/domestic"
)

// The card kinds of Tate, Colf e Badanti: a family's request and a worker's
// application. A card's ref is the record's id.
const (
	requestKind     = "domestic"
	applicationKind = "application"
)

// domesticKey orders the desk's work on one request or application: its events, the
// presses on its card and its modal's submissions run one after the other, so the card
// ends up showing the last change.
func domesticKey(id string) string { return "domestic:" + id }

// domesticStep is a button of a request or application card: it moves the record to
// a status, and the citizen hears of it.
type domesticStep struct {
	verb   string // the button's verb
	status string // the status it moves to
	button string // text key of the button's label
	state  string // text key of the status it leaves on the card: "🔎 In lavorazione"
	style  string
	// note: the step first asks, in a modal, for an optional note to the citizen.
	note bool
}

// domesticFlow is what differs between the cards of requests and of applications.
type domesticFlow struct {
	kind    string
	request bool
	// sent is the status a record is sent with, withdrawn the one the citizen's
	// withdrawal leaves.
	sent, withdrawn string
	steps           []domesticStep
	// can reports whether the record's lifecycle allows going from one status to
	// another: the card offers only the steps it allows.
	can func(from, to string) bool
	// Text keys: the card's title, what is left on it when its record is gone or
	// erased, and the note modal's texts.
	title, gone, erased                      string
	noteTitle, noteSubmit, noteLabel, noteEx string
}

// requestFlow is a family's request: "In lavorazione", then closed with or without a
// match; closing without a match may tell the family why.
func requestFlow() domesticFlow {
	return domesticFlow{kind: requestKind, request: true,
		sent: string(domestic.RequestSent), withdrawn: string(domestic.RequestWithdrawn),
		steps: []domesticStep{
			{verb: "progress", status: string(domestic.RequestInProgress), button: "domestic.progress",
				state: "domestic.state_progress", style: "primary"},
			{verb: "matched", status: string(domestic.RequestMatched), button: "domestic.matched",
				state: "domestic.state_matched", style: "primary"},
			{verb: "unmatched", status: string(domestic.RequestUnmatched), button: "domestic.unmatched",
				state: "domestic.state_unmatched", style: "danger", note: true},
		},
		can: func(from, to string) bool {
			return domestic.RequestStatus(from).CanTransition(domestic.RequestStatus(to))
		},
		title: "domestic.title", gone: "domestic.gone", erased: "domestic.erased",
		noteTitle: "domestic.note_title", noteSubmit: "domestic.note_submit", noteLabel: "domestic.note_label",
		noteEx: "domestic.note_placeholder"}
}

// applicationFlow is a worker's application: "In valutazione", then accepted or not;
// not accepting it may tell the applicant why.
func applicationFlow() domesticFlow {
	return domesticFlow{kind: applicationKind,
		sent: string(domestic.ApplicationSent), withdrawn: string(domestic.ApplicationWithdrawn),
		steps: []domesticStep{
			{verb: "review", status: string(domestic.ApplicationReviewing), button: "application.review",
				state: "application.state_review", style: "primary"},
			{verb: "accept", status: string(domestic.ApplicationAccepted), button: "application.accept",
				state: "application.state_accepted", style: "primary"},
			{verb: "reject", status: string(domestic.ApplicationRejected), button: "application.reject",
				state: "application.state_rejected", style: "danger", note: true},
		},
		can: func(from, to string) bool {
			return domestic.ApplicationStatus(from).CanTransition(domestic.ApplicationStatus(to))
		},
		title: "application.title", gone: "application.gone", erased: "application.erased",
		noteTitle: "application.note_title", noteSubmit: "application.note_submit", noteLabel: "application.note_label",
		noteEx: "application.note_placeholder"}
}

// flowOf returns the flow of a card kind.
func flowOf(kind string) (domesticFlow, bool) {
	switch kind {
	case requestKind:
		return requestFlow(), true
	case applicationKind:
		return applicationFlow(), true
	}
	return domesticFlow{}, false
}

// step returns the step a button's verb names.
func (f domesticFlow) step(verb string) (domesticStep, bool) {
	for _, s := range f.steps {
		if s.verb == verb {
			return s, true
		}
	}
	return domesticStep{}, false
}

// domesticRecord is what the desk needs of a request or an application.
type domesticRecord struct {
	status  string
	card    string    // where its card is; "" until it is posted
	changed time.Time // when its status last changed
	view    Card      // its card, as it is to be posted
	summary string    // a line that reminds the operator which one it is, mrkdwn
}

// loadRecord reads a request or an application; domestic.ErrNotFound when it is gone.
func (d *Desk) loadRecord(ctx context.Context, f domesticFlow, id string) (domesticRecord, error) {
	if f.request {
		r, err := d.domestic.GetRequest(ctx, id)
		if err != nil {
			return domesticRecord{}, err
		}
		return d.requestRecord(r), nil
	}
	a, err := d.domestic.GetApplication(ctx, id)
	if err != nil {
		return domesticRecord{}, err
	}
	return d.applicationRecord(a), nil
}

// setCard records where the card of a request or an application is.
func (d *Desk) setCard(ctx context.Context, f domesticFlow, id string, at MessageRef) (domesticRecord, error) {
	if f.request {
		r, err := d.domestic.UpdateRequest(ctx, id, func(r *domestic.Request) error { r.Card = at.String(); return nil })
		if err != nil {
			return domesticRecord{}, err
		}
		return d.requestRecord(r), nil
	}
	a, err := d.domestic.UpdateApplication(ctx, id, func(a *domestic.Application) error { a.Card = at.String(); return nil })
	if err != nil {
		return domesticRecord{}, err
	}
	return d.applicationRecord(a), nil
}

// domesticState is a card's status line and buttons for a record as it is stored.
func (d *Desk) domesticState(f domesticFlow, rec domesticRecord) (string, []CardAction) {
	actions := d.domesticActions(f, rec.status)
	state := ""
	switch rec.status {
	case f.sent:
		return "", actions
	case f.withdrawn:
		state = d.text("domestic.state_withdrawn")
	default:
		state = Escape(rec.status) // a status this desk does not know yet
		for _, s := range f.steps {
			if s.status == rec.status {
				state = d.text(s.state)
			}
		}
	}
	return d.text("domestic.since", "state", state, "at", d.moment(rec.changed)), actions
}

// domesticActions are the buttons of a card whose record has status: the steps its
// lifecycle allows from there.
func (d *Desk) domesticActions(f domesticFlow, status string) []CardAction {
	var actions []CardAction
	for _, s := range f.steps {
		if f.can(status, s.status) {
			actions = append(actions, CardAction{Verb: s.verb, Label: d.text(s.button), Style: s.style})
		}
	}
	return actions
}

// moment says when, as a status line does: "alle 10:32" today, "il 03/03 alle 10:32"
// on another day, in the operators' time zone.
func (d *Desk) moment(t time.Time) string {
	t, now := t.In(d.loc), d.now().In(d.loc)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return d.text("domestic.at_time", "time", t.Format("15:04"))
	}
	return d.text("domestic.at_day", "day", t.Format("02/01"), "time", t.Format("15:04"))
}

// domesticEvent shows operators what happened to a request or an application: a new
// one becomes a card; a withdrawal changes the card and is noted in its thread; an
// erasure takes the citizen's data off the card too.
func (d *Desk) domesticEvent(ctx context.Context, ev bot.Event) error {
	if d.domestic == nil {
		d.log.InfoContext(ctx, "slack: domestic-work event ignored: the desk has no domestic store", "kind", ev.Kind)
		return nil
	}
	switch ev.Kind {
	case bot.EventDomesticRequest:
		return d.postDomesticCard(ctx, requestFlow(), ev.Booking)
	case bot.EventApplication:
		return d.postDomesticCard(ctx, applicationFlow(), ev.Booking)
	}
	var f domesticFlow
	switch ev.Reason {
	case "request":
		f = requestFlow()
	case "application":
		f = applicationFlow()
	default:
		d.log.InfoContext(ctx, "slack: withdrawal of an unknown kind ignored", "reason", ev.Reason)
		return nil
	}
	at := cmpTime(ev.At, d.now())
	if channel, ts, ok := splitThread(ev.Card); ok && ev.Text == "erased" {
		// The record is gone already: the event names its card.
		return d.redactDomestic(ctx, f, ev.Booking, MessageRef{Channel: channel, TS: ts}, at)
	}
	return d.domesticWithdrawn(ctx, f, ev.Booking, ev.Text == "erased", at)
}

// postDomesticCard posts the card of a new request or application and records it in
// the record, for the events that follow, and in the desk's store, for the erasure.
func (d *Desk) postDomesticCard(ctx context.Context, f domesticFlow, id string) error {
	rec, err := d.loadRecord(ctx, f, id)
	switch {
	case errors.Is(err, domestic.ErrNotFound):
		return nil // erased before its card could be posted: nothing to show
	case err != nil:
		return fmt.Errorf("load %s: %w", f.kind, err)
	case rec.card != "":
		return nil // posted already
	}
	at, err := d.PostCard(ctx, d.channel, rec.view)
	if err != nil {
		return err
	}
	d.rememberCard(ctx, f, id, at)
	posted := rec.status
	rec, err = d.setCard(ctx, f, id, at)
	switch {
	case errors.Is(err, domestic.ErrNotFound):
		// Erased while the card was on its way: the citizen's data leaves it at once.
		return d.redactDomestic(ctx, f, id, at, d.now())
	case err != nil:
		return fmt.Errorf("record the card of %s %s: %w", f.kind, id, err)
	case rec.status != posted:
		// Changed while the card was on its way.
		status, actions := d.domesticState(f, rec)
		return d.UpdateCard(ctx, at, f.kind, id, status, actions)
	}
	return nil
}

// domesticWithdrawn shows on a card that the citizen withdrew its request or
// application, and says so in its thread; when the citizen erased it, only the card's
// title and what happened are left on it. The card is the record's, or the desk's
// note of it once the record is gone.
func (d *Desk) domesticWithdrawn(ctx context.Context, f domesticFlow, id string, erased bool, at time.Time) error {
	card, rec, err := d.domesticCardOf(ctx, f, id)
	if errors.Is(err, errNoCard) {
		d.log.InfoContext(ctx, "slack: a withdrawn request or application has no card", "kind", f.kind)
		return nil
	}
	if err != nil {
		return err
	}
	if erased || rec == nil {
		return d.redactDomestic(ctx, f, id, card, at)
	}
	status, actions := d.domesticState(f, *rec)
	var postErr error
	if rec.status == f.withdrawn {
		_, postErr = d.postText(ctx, card.Channel, card.TS, d.text("domestic.withdrawn_note", "at", d.moment(at)))
	}
	updErr := d.UpdateCard(ctx, card, f.kind, id, status, actions)
	return errors.Join(postErr, updErr)
}

// domesticCardOf returns where the card of a request or an application is, waiting
// up to the desk's ThreadWait for another replica to post it, and the record; a nil
// record is one that is gone (erased), whose card the desk's store remembers.
func (d *Desk) domesticCardOf(ctx context.Context, f domesticFlow, id string) (MessageRef, *domesticRecord, error) {
	deadline := time.Now().Add(d.wait)
	wait := 50 * time.Millisecond
	for {
		rec, err := d.loadRecord(ctx, f, id)
		switch {
		case errors.Is(err, domestic.ErrNotFound):
			if at, ok := d.rememberedCard(ctx, id); ok {
				return at, nil, nil
			}
			return MessageRef{}, nil, fmt.Errorf("%s %s: %w", f.kind, id, errNoCard)
		case err != nil:
			return MessageRef{}, nil, fmt.Errorf("load %s: %w", f.kind, err)
		}
		if channel, ts, ok := splitThread(rec.card); ok {
			return MessageRef{Channel: channel, TS: ts}, &rec, nil
		}
		if time.Now().Add(wait).After(deadline) {
			// Posted, but not recorded in the record (the store failed then).
			if at, ok := d.rememberedCard(ctx, id); ok {
				return at, &rec, nil
			}
			return MessageRef{}, nil, fmt.Errorf("%s %s: %w", f.kind, id, errNoCard)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return MessageRef{}, nil, ctx.Err()
		case <-t.C:
		}
		wait *= 2
	}
}

// redactDomestic takes the citizen's data off the card of an erased request or
// application, and asks operators in its thread to forget them too.
func (d *Desk) redactDomestic(ctx context.Context, f domesticFlow, id string, card MessageRef, at time.Time) error {
	status := d.text(f.erased, "at", d.moment(at))
	_, postErr := d.postText(ctx, card.Channel, card.TS, d.text("domestic.erased_note", "at", d.moment(at)))
	redactErr := d.RedactCard(ctx, card, f.kind, id, d.text(f.title), status)
	if redactErr == nil {
		d.forgetCard(ctx, id)
	}
	return errors.Join(postErr, redactErr)
}

// onDomesticCard handles the buttons of request and application cards: each moves
// the record to a status, which the citizen hears of; the closings that disappoint
// first ask for an optional note to the citizen, in a modal.
func (d *Desk) onDomesticCard(ctx context.Context, e Engine, p CardPress) (CardResult, error) {
	f, _ := flowOf(p.Kind)
	s, ok := f.step(p.Verb)
	switch {
	case d.domestic == nil || !ok || !domestic.ValidID(p.Ref):
		return CardResult{}, ErrUnknownAction
	case s.note && p.TriggerID != "":
		return d.openNoteModal(ctx, f, s, p)
	}
	return d.applyStep(ctx, e, f, s, p.Ref, p.Operator, "", p.Card)
}

// applyStep has the engine apply an operator's step and tell the citizen, and says
// what the card becomes. When the citizen could not be told, every operator reads it
// in the card's thread.
func (d *Desk) applyStep(ctx context.Context, e Engine, f domesticFlow, s domesticStep, id, operator, note string, card MessageRef) (CardResult, error) {
	conv, err := e.DomesticFromStaff(ctx, bot.DomesticAction{ID: id, Request: f.request, Status: s.status,
		Note: note, Operator: operator})
	switch {
	case err == nil:
	case errors.Is(err, bot.ErrNotDelivered):
		channel, _, _ := strings.Cut(conv, ":")
		text := d.text("domestic.not_delivered", "channel", d.channelName(channel))
		if _, err := d.postText(ctx, card.Channel, card.TS, text); err != nil {
			d.log.WarnContext(ctx, "slack: could not report an undelivered domestic-work change", "err", err)
		}
	case errors.Is(err, domestic.ErrNotFound):
		return d.domesticGone(ctx, f, id, card)
	case errors.Is(err, domestic.ErrTransition):
		return d.domesticChanged(ctx, f, id, card)
	default:
		return CardResult{}, err
	}
	status := d.text("domestic.by", "state", d.text(s.state), "name", Escape(operator), "at", d.moment(d.now()))
	if note = strings.TrimSpace(note); note != "" {
		status += "\n" + d.text("domestic.note", "note", escapeLine(truncate(note, domestic.MaxNote)))
	}
	return CardResult{Status: status, Actions: d.domesticActions(f, s.status)}, nil
}

// domesticChanged is the answer to a step the record's lifecycle does not allow (the
// citizen withdrew it meanwhile, another operator closed it): the card shows the
// record as it is, and the operator alone is told.
func (d *Desk) domesticChanged(ctx context.Context, f domesticFlow, id string, card MessageRef) (CardResult, error) {
	rec, err := d.loadRecord(ctx, f, id)
	if errors.Is(err, domestic.ErrNotFound) {
		return d.domesticGone(ctx, f, id, card)
	}
	if err != nil {
		return CardResult{}, err
	}
	status, actions := d.domesticState(f, rec)
	return CardResult{Status: status, Actions: actions, Notice: d.text("domestic.changed")}, nil
}

// domesticGone is the answer to a press on the card of a record that is gone (erased,
// or expired): the card is redacted rather than updated, since the press may come
// from a client that still shows the citizen's data.
func (d *Desk) domesticGone(ctx context.Context, f domesticFlow, id string, card MessageRef) (CardResult, error) {
	if err := d.RedactCard(ctx, card, f.kind, id, d.text(f.title), d.text(f.gone)); err != nil {
		return CardResult{}, err
	}
	d.forgetCard(ctx, id)
	return CardResult{Unchanged: true, Notice: d.text(f.gone)}, nil
}
