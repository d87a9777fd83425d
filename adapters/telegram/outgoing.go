package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/outbox"
)

// outgoing is one Bot API call as the outbox keeps it: everything the sender needs,
// and nothing that depends on another call's result. An edit names the message the
// citizen pressed, known when the update arrived, never a message an earlier part of
// the same answer will create: so any replica can send any part after any restart,
// and sending an edit twice changes nothing ("message is not modified").
type outgoing struct {
	Method   string                         `json:"method"` // sendMessage, editMessageText, sendLocation or sendDocument
	Chat     int64                          `json:"chat"`
	Edit     int                            `json:"edit,omitempty"` // the message editMessageText changes
	Text     string                         `json:"text,omitempty"` // Telegram HTML
	Keyboard *tgbotapi.InlineKeyboardMarkup `json:"keyboard,omitempty"`
	// AskLocation is the reply keyboard with the button that shares the location;
	// RemoveKeyboard takes such a keyboard away. A message has one keyboard at most.
	AskLocation    *tgbotapi.ReplyKeyboardMarkup `json:"ask_location,omitempty"`
	RemoveKeyboard bool                          `json:"remove_keyboard,omitempty"`
	Lat            float64                       `json:"lat,omitempty"`
	Lon            float64                       `json:"lon,omitempty"`
	File           string                        `json:"file,omitempty"` // a document's name
	Data           []byte                        `json:"data,omitempty"` // and its bytes
	// Invoice is a sendInvoice's content. The provider token is added when the call
	// is made: a secret is never kept in the outbox.
	Invoice *invoice `json:"invoice,omitempty"`
}

// call returns the Bot API call; an edit falls back to sending the text anew when the
// message cannot be edited. token is the payment provider's token, for an invoice.
func (o outgoing) call(token string) call {
	switch o.Method {
	case "editMessageText":
		edit := tgbotapi.NewEditMessageText(o.Chat, o.Edit, o.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.DisableWebPagePreview = true
		edit.ReplyMarkup = o.Keyboard
		fallback := o
		fallback.Method = "sendMessage"
		return call{c: edit, fallback: fallback.call(token).c}
	case "sendLocation":
		return call{c: tgbotapi.NewLocation(o.Chat, o.Lat, o.Lon)}
	case "sendDocument":
		return call{c: tgbotapi.NewDocument(o.Chat, tgbotapi.FileBytes{Name: o.File, Bytes: o.Data})}
	case "sendInvoice":
		return call{c: o.Invoice.config(o.Chat, token)}
	}
	msg := tgbotapi.NewMessage(o.Chat, o.Text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	switch {
	case o.AskLocation != nil:
		msg.ReplyMarkup = *o.AskLocation
	case o.Keyboard != nil:
		msg.ReplyMarkup = *o.Keyboard
	case o.RemoveKeyboard:
		msg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	}
	return call{c: msg}
}

func calls(out []outgoing, token string) []call {
	cs := make([]call, len(out))
	for i, o := range out {
		cs[i] = o.call(token)
	}
	return cs
}

// render turns the engine's replies into Bot API calls. A reply that replaces the
// pressed message edits it in place.
func (a *Adapter) render(chatID int64, editID int, replies []bot.Reply) []outgoing {
	var out []outgoing
	for _, r := range replies {
		if r.Text != "" {
			out = append(out, a.renderText(chatID, editID, r)...)
		}
		if l := r.Location; l != nil {
			out = append(out, outgoing{Method: "sendLocation", Chat: chatID, Lat: l.Point.Lat, Lon: l.Point.Lon})
		}
		if d := r.Document; d != nil {
			out = append(out, outgoing{Method: "sendDocument", Chat: chatID, File: d.Name, Data: d.Data})
		}
		if r.Invoice != nil {
			out = append(out, a.renderInvoice(chatID, *r.Invoice)...)
		}
	}
	return out
}

// renderText is the messages of a reply's text, within Telegram's length: the last
// carries the reply's buttons, or the keyboard that asks for the location; the one
// that follows a location question takes that keyboard away.
func (a *Adapter) renderText(chatID int64, editID int, r bot.Reply) []outgoing {
	inline := a.sign.keyboard(chatID, r.Buttons)
	chunks, removeAt := split(directed(r.Text, r.Lang), maxMessageUnits), -1
	if r.LocationDone && r.AskLocation == "" {
		chunks, removeAt = keyboardRemoval(chunks, inline != nil)
	}
	out := make([]outgoing, 0, len(chunks))
	for i, chunk := range chunks {
		o := outgoing{Method: "sendMessage", Chat: chatID, Text: html(chunk)}
		last := i == len(chunks)-1
		switch {
		case last && r.AskLocation != "":
			kb := locationKeyboard(r.AskLocation, r.Buttons)
			o.AskLocation = &kb
		case last:
			o.Keyboard = inline
		}
		o.RemoveKeyboard = i == removeAt && o.Keyboard == nil && o.AskLocation == nil
		if r.Replace && editID != 0 && len(chunks) == 1 && r.AskLocation == "" && removeAt < 0 {
			o.Method, o.Edit = "editMessageText", editID
		}
		out = append(out, o)
	}
	return out
}

// putTries bounds the attempts to store an update's replies in the outbox.
const putTries = 3

// queue stores an update's replies in the outbox (see store) and returns once they
// are stored: only then may the update be confirmed to Telegram. When the outbox
// cannot take them, they wait in this process's memory instead.
func (a *Adapter) queue(ctx context.Context, updateID int, chatID int64, out []outgoing) {
	if err := a.store(ctx, updateID, chatID, out); err != nil {
		a.log.Error("telegram: outbox refused a reply; it waits in memory", "err", err)
		a.send.enqueue(ctx, chatID, calls(out, a.opts.PaymentToken)...)
	}
}

// store puts an update's replies in the outbox, each keyed by the update and its
// place, so that an update handled twice queues them once, in the lane of the
// conversation ("telegram:<chat id>", the engine's conversation id, which also names
// whose data they are), and wakes the dispatcher.
func (a *Adapter) store(ctx context.Context, updateID int, chatID int64, out []outgoing) error {
	if len(out) == 0 {
		return nil
	}
	items := make([]outbox.Item, len(out))
	for i, o := range out {
		payload, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("telegram: encode reply: %w", err)
		}
		items[i] = outbox.Item{Key: fmt.Sprintf("tg:%d:%d", updateID, i), Lane: "telegram:" + strconv.FormatInt(chatID, 10), Payload: payload}
	}
	var err error
	for try := 1; try <= putTries; try++ {
		if _, err = a.replies.store.Put(ctx, time.Now(), items...); err == nil {
			a.replies.dispatch.Wake()
			return nil
		}
		if errors.Is(err, outbox.ErrFull) || sleepCtx(ctx, time.Duration(try)*200*time.Millisecond) != nil {
			break
		}
	}
	return err
}

// deliver sends one reply the outbox gave this replica: it waits for Telegram's limits
// (giving up, unsent, when ctx ends first), makes the call once, and says whether to
// try again.
func (s *sender) deliver(ctx context.Context, c outbox.Claimed) error {
	var o outgoing
	if err := json.Unmarshal(c.Payload, &o); err != nil {
		return fmt.Errorf("telegram: unreadable reply in the outbox: %w", err)
	}
	cl := o.call(s.paymentToken)
	if err := s.settling.wait(ctx, o.Chat); err != nil {
		return fmt.Errorf("telegram: %w: %w", outbox.ErrNotSent, err)
	}
	if err := s.pace(ctx, o.Chat); err != nil {
		return fmt.Errorf("telegram: %w: %w", outbox.ErrNotSent, err)
	}
	release, err := s.global.acquire(ctx)
	if err != nil {
		return fmt.Errorf("telegram: %w: %w", outbox.ErrNotSent, err)
	}
	_, err = s.send(cl.c)
	if err != nil && cl.fallback != nil {
		switch {
		case notModified(err):
			err = nil // the same page again, or an edit sent twice: nothing to change
		case cannotEdit(err):
			s.log.Info("telegram: message cannot be edited, sending a new one")
			_, err = s.send(cl.fallback)
		}
	}
	release()
	return s.outcome(methodOf(cl.c), err)
}

// outcome classifies a failed call for the outbox: flood control and server or
// network errors are tried again; other refusals (a blocked bot, a bad request) are
// dropped, as no retry would change them.
func (s *sender) outcome(method string, err error) error {
	if err == nil {
		return nil
	}
	var tgErr *tgbotapi.Error
	isTG := errors.As(err, &tgErr)
	switch {
	case isTG && (tgErr.Code == 429 || tgErr.RetryAfter > 0):
		s.report(method, true)
		d := time.Duration(max(tgErr.RetryAfter, 1)) * time.Second
		s.log.Warn("telegram: rate limited", "retry_after", d)
		s.pausedUntil.Store(time.Now().Add(d).UnixNano())
		return outbox.Later(d, err)
	case isTG && tgErr.Code >= 500, isNetwork(err):
		s.report(method, true)
		return outbox.Later(0, err)
	}
	s.report(method, false)
	s.log.Error("telegram: send failed; reply dropped", "method", method, "err", err)
	return nil
}

func (s *sender) report(method string, retried bool) {
	if s.onError != nil {
		s.onError(method, retried)
	}
}
