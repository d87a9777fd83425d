package telegramtest

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Telegram Payments in the fake, after the Bot API reference: sendInvoice,
// pre_checkout_query updates answered with answerPreCheckoutQuery within 10 seconds,
// and the successful_payment service message.

// preCheckoutTimeout is how long Telegram waits for answerPreCheckoutQuery before it
// cancels the payment.
const preCheckoutTimeout = 10 * time.Second

// preCheckoutIDBase makes pre-checkout query ids look like Telegram's.
const preCheckoutIDBase = 5_000_000_000_000_000_000

// Price is one line of an invoice (LabeledPrice).
type Price struct {
	Label  string `json:"label"`
	Amount int    `json:"amount"`
}

// Invoice is what the bot sent with sendInvoice.
type Invoice struct {
	Title         string
	Description   string
	Payload       string
	ProviderToken string
	Currency      string
	Prices        []Price
}

// Total is the sum of the invoice's prices, in the currency's smallest unit.
func (in Invoice) Total() int {
	n := 0
	for _, p := range in.Prices {
		n += p.Amount
	}
	return n
}

// Payment is what a user paid, as successful_payment reports it.
type Payment struct {
	Currency                string
	TotalAmount             int
	InvoicePayload          string
	TelegramPaymentChargeID string
	ProviderPaymentChargeID string
}

// PreCheckoutAnswer is the bot's answer to a pre-checkout query.
type PreCheckoutAnswer struct {
	QueryID      string
	OK           bool
	ErrorMessage string
	// After is how long after the query was pushed the answer came.
	After time.Duration
}

type apiInvoice struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	StartParameter string `json:"start_parameter"`
	Currency       string `json:"currency"`
	TotalAmount    int    `json:"total_amount"`
}

type apiSuccessfulPayment struct {
	Currency                string `json:"currency"`
	TotalAmount             int    `json:"total_amount"`
	InvoicePayload          string `json:"invoice_payload"`
	TelegramPaymentChargeID string `json:"telegram_payment_charge_id"`
	ProviderPaymentChargeID string `json:"provider_payment_charge_id"`
}

type apiPreCheckoutQuery struct {
	ID             string  `json:"id"`
	From           apiUser `json:"from"`
	Currency       string  `json:"currency"`
	TotalAmount    int     `json:"total_amount"`
	InvoicePayload string  `json:"invoice_payload"`
}

// preCheckout is a query pushed and not yet answered.
type preCheckout struct {
	pushed   time.Time
	answered bool
}

// sendInvoice checks an invoice as the Bot API does: title 1–32 characters,
// description 1–255, payload 1–128 bytes, a provider token for real currencies, and
// prices that add up to a positive amount.
func (s *Server) sendInvoice(_ context.Context, p params) (any, *apiError) {
	in := Invoice{Title: p.str("title"), Description: p.str("description"), Payload: p.str("payload"),
		ProviderToken: p.str("provider_token"), Currency: p.str("currency")}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 32 {
		return nil, badRequest("INVOICE_TITLE_INVALID")
	}
	if n := utf8.RuneCountInString(in.Description); n == 0 || n > 255 {
		return nil, badRequest("INVOICE_DESCRIPTION_INVALID")
	}
	if len(in.Payload) == 0 || len(in.Payload) > 128 {
		return nil, badRequest("INVOICE_PAYLOAD_INVALID")
	}
	if len(in.Currency) != 3 {
		return nil, badRequest("CURRENCY_INVALID")
	}
	if in.Currency != "XTR" && in.ProviderToken == "" {
		return nil, badRequest("PAYMENT_PROVIDER_INVALID")
	}
	if err := json.Unmarshal([]byte(p.str("prices")), &in.Prices); err != nil || len(in.Prices) == 0 {
		return nil, badRequest("can't parse prices JSON object")
	}
	if in.Total() <= 0 {
		return nil, badRequest("CURRENCY_TOTAL_AMOUNT_INVALID")
	}
	mk, apiErr := optionalMarkup(p)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, apiErr := s.targetLocked(p)
	if apiErr != nil {
		return nil, apiErr
	}
	m := c.newMessage(s.bot.apiUser, true, time.Now())
	m.keyboard = mk.inline
	m.msg.Invoice = &apiInvoice{Title: in.Title, Description: in.Description, StartParameter: p.str("start_parameter"),
		Currency: in.Currency, TotalAmount: in.Total()}
	m.msg.ReplyMarkup = mk.raw
	inv := in
	return s.sendLocked(c, m, Sent{Method: "sendInvoice", Invoice: &inv, Keyboard: mk.inline}), nil
}

// answerPreCheckoutQuery records the bot's answer; like Telegram, it refuses an
// unknown query, a second answer, an answer after 10 seconds and a refusal without a
// reason for the user.
func (s *Server) answerPreCheckoutQuery(_ context.Context, p params) (any, *apiError) {
	id, ok := p.str("pre_checkout_query_id"), p.bool("ok")
	msg := p.str("error_message")
	if !ok && msg == "" {
		return nil, badRequest("error_message is required when ok is false")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, known := s.preCheckouts[id]
	if !known || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	after := time.Since(q.pushed)
	if after > preCheckoutTimeout {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	s.preAnswers = append(s.preAnswers, PreCheckoutAnswer{QueryID: id, OK: ok, ErrorMessage: msg, After: after})
	s.notifyLocked()
	return true, nil
}

// PushPreCheckout queues the pre_checkout_query Telegram sends when from confirms the
// payment of an invoice (its payload, currency and total) in chatID, and returns the
// update id and the query id the bot must answer within 10 seconds.
func (s *Server) PushPreCheckout(chatID int64, from User, payload, currency string, total int) (updateID int, queryID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID, from)
	s.nextPreCheckout++
	queryID = strconv.FormatInt(preCheckoutIDBase+s.nextPreCheckout, 10)
	s.preCheckouts[queryID] = &preCheckout{pushed: time.Now()}
	u := apiUpdate{PreCheckoutQuery: &apiPreCheckoutQuery{ID: queryID, From: userOf(chatID, from),
		Currency: currency, TotalAmount: total, InvoicePayload: payload}}
	return s.pushLocked(u, updatePreCheckoutQuery), queryID
}

// PushSuccessfulPayment queues the service message Telegram sends in chatID once the
// provider has charged from, and returns its update id.
func (s *Server) PushSuccessfulPayment(chatID int64, from User, pay Payment) (updateID int) {
	return s.pushMessage(chatID, from, func(m *apiMessage) {
		m.SuccessfulPayment = &apiSuccessfulPayment{Currency: pay.Currency, TotalAmount: pay.TotalAmount,
			InvoicePayload: pay.InvoicePayload, TelegramPaymentChargeID: pay.TelegramPaymentChargeID,
			ProviderPaymentChargeID: pay.ProviderPaymentChargeID}
	})
}

// PreCheckoutAnswers returns the bot's answers to pre-checkout queries, in order.
func (s *Server) PreCheckoutAnswers() []PreCheckoutAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.preAnswers)
}

// WaitPreCheckoutAnswer blocks until the bot answered the query queryID and returns
// the answer; it fails when ctx ends first.
func (s *Server) WaitPreCheckoutAnswer(ctx context.Context, queryID string) (PreCheckoutAnswer, error) {
	var got PreCheckoutAnswer
	err := s.waitFor(ctx, func() bool {
		for _, a := range s.preAnswers {
			if a.QueryID == queryID {
				got = a
				return true
			}
		}
		return false
	})
	return got, err
}
