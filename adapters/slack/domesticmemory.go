package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/records"
)

// cardKind is the record kind that maps a request or application to its card, for
// when the record is gone: the erasure must still find the card.
const cardKind = "slack.domestic"

// cardTTL is how long the desk remembers a card: longer than a record lives.
const cardTTL = 400 * 24 * time.Hour

// cardNote is the desk's note of a request's or an application's card.
type cardNote struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Card string `json:"card"`
}

// rememberCard notes where the card of a request or an application is, in the desk's
// store; a failure only means an erasure or an expiry will not find the card.
func (d *Desk) rememberCard(ctx context.Context, f domesticFlow, id string, at MessageRef) {
	if d.records == nil {
		return
	}
	note, err := json.Marshal(cardNote{ID: id, Kind: f.kind, Card: at.String()})
	if err == nil {
		_, err = d.records.Update(ctx, cardKind, id, cardTTL, func([]byte) ([]byte, error) { return note, nil })
	}
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not remember a domestic-work card", "err", err)
	}
}

// rememberedCard returns where the card of a request or an application is, as the
// desk's store remembers it.
func (d *Desk) rememberedCard(ctx context.Context, id string) (MessageRef, bool) {
	if d.records == nil {
		return MessageRef{}, false
	}
	b, err := d.records.Get(ctx, cardKind, id)
	if err != nil {
		if !errors.Is(err, records.ErrNotFound) {
			d.log.WarnContext(ctx, "slack: could not read where a domestic-work card is", "err", err)
		}
		return MessageRef{}, false
	}
	var note cardNote
	if json.Unmarshal(b, &note) != nil {
		return MessageRef{}, false
	}
	channel, ts, ok := splitThread(note.Card)
	return MessageRef{Channel: channel, TS: ts}, ok
}

// RedactExpired takes the citizen's data off the cards of requests and applications
// the store has erased at the end of their retention (or that are otherwise gone),
// for a periodic job: what staff see in Slack lives no longer than the record. It
// returns how many cards it redacted.
func (d *Desk) RedactExpired(ctx context.Context) (int, error) {
	if d.records == nil || d.domestic == nil {
		return 0, nil
	}
	docs, err := d.records.List(ctx, cardKind)
	if err != nil {
		return 0, fmt.Errorf("slack: list domestic-work cards: %w", err)
	}
	n := 0
	var errs []error
	for _, doc := range docs {
		var note cardNote
		if json.Unmarshal(doc, &note) != nil {
			continue
		}
		f, ok := flowOf(note.Kind)
		channel, ts, ok2 := splitThread(note.Card)
		if !ok || !ok2 {
			continue
		}
		_, err := d.loadRecord(ctx, f, note.ID)
		if !errors.Is(err, domestic.ErrNotFound) {
			continue // still kept (or the store is away: next time)
		}
		if err := d.RedactCard(ctx, MessageRef{Channel: channel, TS: ts}, f.kind, note.ID, d.text(f.title), d.text(f.gone)); err != nil {
			errs = append(errs, err)
			continue
		}
		d.forgetCard(ctx, note.ID)
		n++
	}
	return n, errors.Join(errs...)
}

// forgetCard drops the desk's note of a card that has nothing left to redact.
func (d *Desk) forgetCard(ctx context.Context, id string) {
	if d.records == nil {
		return
	}
	_, err := d.records.Update(ctx, cardKind, id, cardTTL, func([]byte) ([]byte, error) { return nil, nil })
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not forget a domestic-work card", "err", err)
	}
}
