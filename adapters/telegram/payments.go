package telegram

import (
	"context"
	"errors"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// Telegram Payments' limits on an invoice (Bot API, sendInvoice).
const (
	maxInvoiceTitle       = 32  // characters
	maxInvoiceDescription = 255 // characters
	maxInvoicePayload     = 128 // bytes
)

// preCheckoutBudget bounds the engine's check of a payment: Telegram cancels the
// payment when the bot has not answered its pre-checkout query within 10 s.
const preCheckoutBudget = 4 * time.Second

// invoice is an offer sent as a Telegram invoice, as the outbox keeps it.
type invoice struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Payload     string `json:"payload"`
	Currency    string `json:"currency"`
	Amount      int    `json:"amount"` // in cents
}

// config is the sendInvoice call, with the provider's token added only now.
func (in *invoice) config(chatID int64, token string) tgbotapi.InvoiceConfig {
	c := tgbotapi.NewInvoice(chatID, in.Title, in.Description, in.Payload, token, "", in.Currency,
		[]tgbotapi.LabeledPrice{{Label: in.Title, Amount: in.Amount}})
	// The bot needs nothing more from the citizen: the provider asks for the card.
	c.SuggestedTipAmounts = []int{}
	return c
}

// renderInvoice is the sendInvoice of an engine's Invoice, within Telegram's limits.
// Without a payment token there is no invoice: the engine offers invoices only on
// channels wired with one (bot.Payments.Invoices), so this is a wiring mistake, logged.
func (a *Adapter) renderInvoice(chatID int64, in bot.Invoice) []outgoing {
	switch {
	case a.opts.PaymentToken == "":
		a.log.Error("telegram: an invoice without a payment token (WEMI_TELEGRAM_PAYMENT_TOKEN): not sent")
		return nil
	case in.Payload == "" || len(in.Payload) > maxInvoicePayload || in.AmountCents <= 0:
		a.log.Error("telegram: an invoice without a booking or an amount: not sent", "amount_cents", in.AmountCents)
		return nil
	}
	currency := in.Currency
	if currency == "" {
		currency = "EUR"
	}
	title := catalogue.TruncateRunes(nonEmpty(in.Title, "WeMi"), maxInvoiceTitle)
	desc := catalogue.TruncateRunes(nonEmpty(in.Description, title), maxInvoiceDescription)
	return []outgoing{{Method: "sendInvoice", Chat: chatID, Invoice: &invoice{Title: title, Description: desc,
		Payload: in.Payload, Currency: currency, Amount: in.AmountCents}}}
}

func nonEmpty(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// payingEngine checks a payment before Telegram takes it (*bot.Engine), and has the
// texts of the refusals it cannot word itself.
type payingEngine interface {
	PaymentAllowed(ctx context.Context, booking string, amountCents int) error
	Texts() *bot.Texts
}

// answerPreCheckout answers Telegram's last question before it charges the citizen:
// ok when the engine says the booking can be paid that amount now, else a refusal
// Telegram shows the citizen, in their language. It answers within preCheckoutBudget
// whatever the engine does, outside the paced queue: Telegram waits at most 10 s.
func (a *Adapter) answerPreCheckout(ctx context.Context, engine Engine, q *tgbotapi.PreCheckoutQuery) {
	ctx, cancel := context.WithTimeout(ctx, preCheckoutBudget)
	defer cancel()
	answer := tgbotapi.PreCheckoutConfig{PreCheckoutQueryID: q.ID, OK: true}
	if reason := a.checkPayment(ctx, engine, q); reason != "" {
		answer.OK, answer.ErrorMessage = false, reason
	}
	if _, err := a.api.Request(answer); err != nil {
		a.log.Warn("telegram: answerPreCheckoutQuery failed", "err", err)
	}
}

// checkPayment returns why the payment q asks for must not go ahead, in the citizen's
// language; "" when it may.
func (a *Adapter) checkPayment(ctx context.Context, engine Engine, q *tgbotapi.PreCheckoutQuery) string {
	pe, ok := engine.(payingEngine)
	if !ok {
		a.log.Error("telegram: a payment reached an engine that takes none: refused")
		return "-" // no texts to word it: the citizen sees Telegram's own failure
	}
	lang := ""
	if q.From != nil {
		lang = i18n.FromHint(q.From.LanguageCode)
	}
	if lang == "" {
		lang = i18n.Default()
	}
	if q.Currency != "EUR" {
		a.log.Warn("telegram: pre-checkout in another currency: refused", "currency", q.Currency)
		return pe.Texts().T(lang, "paypage.refused")
	}
	err := pe.PaymentAllowed(ctx, q.InvoicePayload, q.TotalAmount)
	if err == nil {
		return ""
	}
	if text := refusalText(err); text != "" {
		return text
	}
	if errors.Is(err, bot.ErrUnavailable) || ctx.Err() != nil {
		a.log.Warn("telegram: payment not checked in time: refused, the citizen can try again", "err", err)
		return pe.Texts().T(lang, "paypage.unavailable")
	}
	a.log.Info("telegram: payment refused", "err", err)
	return pe.Texts().T(lang, "paypage.refused")
}

// refusalText is the engine's own wording of a refusal, when it gives one.
func refusalText(err error) string {
	var r *bot.PaymentRefusal
	if errors.As(err, &r) {
		return r.Text
	}
	return ""
}

// paymentNotice turns Telegram's successful_payment into the engine's notice; nil for
// a payment the bot never asked for (another currency, no booking).
func (a *Adapter) paymentNotice(p *tgbotapi.SuccessfulPayment) *bot.PaymentNotice {
	if p.Currency != "EUR" || p.InvoicePayload == "" || p.TelegramPaymentChargeID == "" || p.TotalAmount <= 0 {
		a.log.Error("telegram: a payment the bot did not ask for", "currency", p.Currency, "amount", p.TotalAmount)
		return nil
	}
	return &bot.PaymentNotice{Booking: p.InvoicePayload, AmountCents: p.TotalAmount, Method: bookings.MethodTelegram,
		Provider: "telegram", Ref: PaymentRef(p.TelegramPaymentChargeID, p.ProviderPaymentChargeID),
		EventID: "telegram:" + p.TelegramPaymentChargeID}
}

// PaymentRef is a Telegram payment's reference as bookings keep it:
// "<telegram charge id>/<provider charge id>". Telegram's id names the payment to
// Telegram's support; the provider's is what a refund names (adapters/stripe reads it).
func PaymentRef(telegramCharge, providerCharge string) string {
	return telegramCharge + "/" + providerCharge
}
