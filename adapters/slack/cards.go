package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	slackapi "github.com/slack-go/slack"
)

// Card is a request card: a message in a staff channel that says what a citizen asks
// and carries buttons to act on it. Handoffs use it; so do bookings and the Tate,
// Colf e Badanti requests.
type Card struct {
	// Kind says which handler the card's buttons go to (see Options.Cards): "handoff".
	Kind string
	// Ref names what the card is about for its handler (a handoff's id); every button
	// carries it. It must not be personal data: Slack shows it to anyone who inspects
	// the message.
	Ref string
	// Title is the card's headline, plain text (emoji shortcodes work).
	Title string
	// Fallback is the notification's text, trusted mrkdwn (it may mention <!here>).
	Fallback string
	// Fields are short facts shown two by two; their values are plain text and are
	// escaped here.
	Fields []CardField
	// Body is the longer part, plain text (a citizen's words), escaped here.
	Body string
	// Context lines are small print, trusted mrkdwn.
	Context []string
	// Status says what was done and by whom, trusted mrkdwn; "" for none yet.
	Status string
	// Actions are the buttons, in order.
	Actions []CardAction
}

// CardField is one labelled fact on a card.
type CardField struct {
	Label string // trusted text
	Value string // plain text, escaped when shown
}

// CardAction is a button on a card.
type CardAction struct {
	Verb  string // what the handler is asked to do: "claim"; no dots
	Label string // plain text
	Style string // "primary", "danger" or "" (Slack's default)
}

// MessageRef says where a message is in Slack.
type MessageRef struct {
	Channel string
	TS      string
}

// String returns the reference as "<channel id>/<ts>", as desk.Handoff.Thread keeps it.
func (r MessageRef) String() string { return threadRef(r.Channel, r.TS) }

// CardPress is an operator pressing a card's button.
type CardPress struct {
	Kind   string
	Verb   string
	Ref    string
	Card   MessageRef // the card's message, which is also its thread
	UserID string     // the operator's Slack id
	// Operator is the operator's first name, as the citizen is to read it.
	Operator string
	// ID identifies this press (Slack's action_ts), for applying it once.
	ID string
	// TriggerID lets the handler open a modal (views.open), within 3 seconds of the
	// press.
	TriggerID string
}

// CardResult is what a handler did about a press.
type CardResult struct {
	// Status replaces the card's status line (trusted mrkdwn): what was done, by whom.
	Status string
	// Actions are the buttons left on the card; nil removes them all.
	Actions []CardAction
	// Notice is shown to the operator who pressed, and to nobody else; "" for none.
	Notice string
	// Unchanged leaves the card as it is (a press that changed nothing).
	Unchanged bool
}

// CardHandler handles the presses on cards of one kind. An error leaves the card as it
// is and tells the operator to try again.
type CardHandler func(ctx context.Context, p CardPress) (CardResult, error)

// cardHandler returns the handler of the presses on cards of kind: one given in
// Options.Cards, or the desk's own, which apply operators' actions through e; nil for
// a kind nobody handles.
func (d *Desk) cardHandler(kind string, e Engine) CardHandler {
	if h, ok := d.cards[kind]; ok {
		return h
	}
	switch kind {
	case handoffKind:
		return func(ctx context.Context, p CardPress) (CardResult, error) { return d.onHandoffCard(ctx, e, p) }
	case bookingKind:
		return func(ctx context.Context, p CardPress) (CardResult, error) { return d.onBookingCard(ctx, e, p) }
	case moveKind:
		return func(ctx context.Context, p CardPress) (CardResult, error) { return d.onMoveCard(ctx, e, p) }
	case requestKind, applicationKind:
		return func(ctx context.Context, p CardPress) (CardResult, error) { return d.onDomesticCard(ctx, e, p) }
	}
	return nil
}

// Block ids the mechanism recognises when it updates a card.
const (
	blockTitle   = "wemi.title"
	blockFields  = "wemi.fields"
	blockBody    = "wemi.body"
	blockContext = "wemi.context"
	blockStatus  = "wemi.status"
	blockActions = "wemi.actions"
)

// Block Kit limits, with a margin.
const (
	maxTitleRunes   = 150
	maxFieldRunes   = 1900
	maxFields       = 10
	maxSectionRunes = 2900
	maxBodyBlocks   = 12
	maxContextItems = 10
)

// PostCard posts a card as a new message in channel; the message is also the card's
// thread.
func (d *Desk) PostCard(ctx context.Context, channel string, c Card) (MessageRef, error) {
	if c.Kind == "" || strings.Contains(c.Kind, ".") || c.Ref == "" {
		return MessageRef{}, errors.New("slack: a card needs a kind without dots and a ref")
	}
	ts, err := d.postMessage(ctx, channel, "", slackapi.MsgOptionText(cmp.Or(c.Fallback, Escape(c.Title)), false),
		slackapi.MsgOptionBlocks(renderCard(c)...), slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl())
	if err != nil {
		return MessageRef{}, fmt.Errorf("post %s card: %w", c.Kind, err)
	}
	return MessageRef{Channel: channel, TS: ts}, nil
}

// renderCard lays a card out in Block Kit.
func renderCard(c Card) []slackapi.Block {
	blocks := []slackapi.Block{slackapi.NewHeaderBlock(
		slackapi.NewTextBlockObject(slackapi.PlainTextType, truncate(c.Title, maxTitleRunes), true, false),
		slackapi.HeaderBlockOptionBlockID(blockTitle))}
	if len(c.Fields) > 0 {
		var fields []*slackapi.TextBlockObject
		for _, f := range c.Fields[:min(len(c.Fields), maxFields)] {
			text := "*" + Escape(f.Label) + "*\n" + truncate(escapeLine(cmp.Or(f.Value, "—")), maxFieldRunes)
			fields = append(fields, slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true))
		}
		blocks = append(blocks, slackapi.NewSectionBlock(nil, fields, nil, slackapi.SectionBlockOptionBlockID(blockFields)))
	}
	if c.Body != "" {
		parts := chunks(Escape(c.Body), maxSectionRunes)
		for i, part := range parts[:min(len(parts), maxBodyBlocks)] {
			blocks = append(blocks, slackapi.NewSectionBlock(
				slackapi.NewTextBlockObject(slackapi.MarkdownType, part, false, true), nil, nil,
				slackapi.SectionBlockOptionBlockID(fmt.Sprintf("%s.%d", blockBody, i))))
		}
	}
	if len(c.Context) > 0 {
		var items []slackapi.MixedElement
		for _, line := range c.Context[:min(len(c.Context), maxContextItems)] {
			items = append(items, slackapi.NewTextBlockObject(slackapi.MarkdownType, line, false, false))
		}
		blocks = append(blocks, slackapi.NewContextBlock(blockContext, items...))
	}
	return append(blocks, statusAndActions(c.Kind, c.Ref, c.Status, c.Actions)...)
}

// statusAndActions renders the part of a card a press changes.
func statusAndActions(kind, ref, status string, actions []CardAction) []slackapi.Block {
	var blocks []slackapi.Block
	if status != "" {
		blocks = append(blocks, slackapi.NewContextBlock(blockStatus,
			slackapi.NewTextBlockObject(slackapi.MarkdownType, status, false, false)))
	}
	if len(actions) > 0 {
		var buttons []slackapi.BlockElement
		for _, a := range actions {
			b := slackapi.NewButtonBlockElement(actionID(kind, a.Verb), ref,
				slackapi.NewTextBlockObject(slackapi.PlainTextType, a.Label, true, false))
			if a.Style != "" {
				b = b.WithStyle(slackapi.Style(a.Style))
			}
			buttons = append(buttons, b)
		}
		blocks = append(blocks, slackapi.NewActionBlock(blockActions, buttons...))
	}
	return blocks
}

// actionID names a card's button: "wemi.<kind>.<verb>".
func actionID(kind, verb string) string { return "wemi." + kind + "." + verb }

// parseActionID reads an actionID.
func parseActionID(id string) (kind, verb string, ok bool) {
	rest, ok := strings.CutPrefix(id, "wemi.")
	if !ok {
		return "", "", false
	}
	kind, verb, ok = strings.Cut(rest, ".")
	return kind, verb, ok && kind != "" && verb != "" && !strings.Contains(verb, ".")
}

// UpdateCard changes a card in place: the same content, with status as its status
// line and actions as its buttons (nil: none). Handlers need not call it, a press's
// CardResult does; it is for changes that come from elsewhere (the citizen left).
func (d *Desk) UpdateCard(ctx context.Context, at MessageRef, kind, ref, status string, actions []CardAction) error {
	return d.updateCard(ctx, at, nil, kind, ref, status, actions)
}

// RedactCard replaces a card's content with its title and a status line, no
// buttons: what is left when the citizen erased their data (their name and words
// leave the card).
func (d *Desk) RedactCard(ctx context.Context, at MessageRef, kind, ref, title, status string) error {
	blocks := renderCard(Card{Kind: kind, Ref: ref, Title: title, Status: status})
	err := d.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := d.api.UpdateMessageContext(ctx, at.Channel, at.TS,
			slackapi.MsgOptionText(title, false), slackapi.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return fmt.Errorf("redact %s card: %w", kind, err)
	}
	return nil
}

// updateCard is UpdateCard starting from current, the card as an interaction payload
// showed it, when there is one; otherwise the card is read back from Slack. Slack,
// not the desk's store, keeps what a card says: it is no copy of a citizen's words.
func (d *Desk) updateCard(ctx context.Context, at MessageRef, current *slackapi.Message, kind, ref, status string, actions []CardAction) error {
	if current == nil || len(current.Blocks.BlockSet) == 0 {
		var msgs []slackapi.Message
		err := d.call(ctx, "conversations.replies", func(ctx context.Context) error {
			var err error
			msgs, _, _, err = d.api.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{
				ChannelID: at.Channel, Timestamp: at.TS, Limit: 1, Inclusive: true})
			return err
		})
		if err != nil {
			return fmt.Errorf("read %s card: %w", kind, err)
		}
		if len(msgs) == 0 || msgs[0].Timestamp != at.TS {
			return fmt.Errorf("read %s card: not found", kind)
		}
		current = &msgs[0]
	}
	var blocks []slackapi.Block
	for _, b := range current.Blocks.BlockSet {
		if id := b.ID(); id != blockStatus && id != blockActions {
			blocks = append(blocks, b)
		}
	}
	blocks = append(blocks, statusAndActions(kind, ref, status, actions)...)
	err := d.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := d.api.UpdateMessageContext(ctx, at.Channel, at.TS,
			slackapi.MsgOptionText(current.Text, false), slackapi.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return fmt.Errorf("update %s card: %w", kind, err)
	}
	return nil
}

// onPress routes a button press to its card's handler, updates the card with what
// the handler did and tells the operator what they must know.
func (d *Desk) onPress(ctx context.Context, e Engine, cb *slackapi.InteractionCallback, a *slackapi.BlockAction) {
	at := MessageRef{Channel: cmp.Or(cb.Container.ChannelID, cb.Channel.ID), TS: cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp)}
	notice := func(text string) { d.tell(ctx, at.Channel, "", cb.User.ID, cb.ResponseURL, text) }
	kind, verb, ok := parseActionID(a.ActionID)
	h := d.cardHandler(kind, e)
	if !ok || h == nil || a.Value == "" {
		notice(d.text("card.unknown_action"))
		return
	}
	p := CardPress{Kind: kind, Verb: verb, Ref: a.Value, Card: at, UserID: cb.User.ID, ID: a.ActionTs,
		Operator: d.operatorName(ctx, cb.User.ID, cb.User.Name), TriggerID: cb.TriggerID}
	res, err := h(ctx, p)
	switch {
	case errors.Is(err, ErrUnknownAction):
		notice(d.text("card.unknown_action"))
		return
	case err != nil:
		d.log.WarnContext(ctx, "slack: card action failed", "kind", kind, "verb", verb, "err", err)
		notice(d.text("card.error"))
		return
	}
	if !res.Unchanged {
		if err := d.updateCard(ctx, at, &cb.Message, kind, p.Ref, res.Status, res.Actions); err != nil {
			d.log.WarnContext(ctx, "slack: update card failed", "kind", kind, "err", err)
		}
	}
	if res.Notice != "" {
		notice(res.Notice)
	}
}

// ErrUnknownAction is what a CardHandler returns for a verb it does not know: the
// operator is told the action is no longer available.
var ErrUnknownAction = errors.New("slack: unknown card action")
