package telegramtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
)

func TestSendInvoiceChecksWhatTheBotAPIChecks(t *testing.T) {
	srv, bot := newBot(t)
	srv.AddChat(chatID)
	prices := []tgbotapi.LabeledPrice{{Label: "Servizio", Amount: 4550}}
	tests := []struct {
		name string
		edit func(c *tgbotapi.InvoiceConfig)
		ok   bool
	}{
		{"valid", func(*tgbotapi.InvoiceConfig) {}, true},
		{"title of 33 characters", func(c *tgbotapi.InvoiceConfig) { c.Title = strings.Repeat("à", 33) }, false},
		{"no description", func(c *tgbotapi.InvoiceConfig) { c.Description = "" }, false},
		{"payload over 128 bytes", func(c *tgbotapi.InvoiceConfig) { c.Payload = strings.Repeat("b", 129) }, false},
		{"no provider token", func(c *tgbotapi.InvoiceConfig) { c.ProviderToken = "" }, false},
		{"no prices", func(c *tgbotapi.InvoiceConfig) { c.Prices = nil }, false},
		{"nothing to pay", func(c *tgbotapi.InvoiceConfig) { c.Prices = []tgbotapi.LabeledPrice{{Label: "x", Amount: 0}} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tgbotapi.NewInvoice(chatID, "Assistenza", "martedì, 3 ore", "bk-1", "284685063:TEST:tok", "", "EUR", prices)
			c.SuggestedTipAmounts = []int{}
			tt.edit(&c)
			msg, err := bot.Send(c)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (msg.Invoice == nil || msg.Invoice.TotalAmount != 4550 || msg.Invoice.Currency != "EUR") {
				t.Errorf("the sent message's invoice = %+v", msg.Invoice)
			}
		})
	}
	sent := srv.Sent(chatID)
	if len(sent) != 1 || sent[0].Invoice == nil || sent[0].Invoice.ProviderToken != "284685063:TEST:tok" {
		t.Fatalf("recorded = %+v", sent)
	}
}

func TestPreCheckoutQueryInTelegramsWireFormat(t *testing.T) {
	srv, bot := newBot(t)
	from := telegramtest.User{FirstName: "Giulia", LanguageCode: "it"}
	id, q := srv.PushPreCheckout(chatID, from, "bk-7", "EUR", 1200)
	var u tgbotapi.Update
	if err := json.Unmarshal(srv.Update(id), &u); err != nil {
		t.Fatal(err)
	}
	p := u.PreCheckoutQuery
	if p == nil || p.ID != q || p.InvoicePayload != "bk-7" || p.Currency != "EUR" || p.TotalAmount != 1200 || p.From == nil || p.From.ID != chatID {
		t.Fatalf("pre_checkout_query = %+v", p)
	}
	if _, err := bot.Request(tgbotapi.PreCheckoutConfig{PreCheckoutQueryID: q, OK: false}); err == nil {
		t.Error("a refusal without error_message was accepted")
	}
	if _, err := bot.Request(tgbotapi.PreCheckoutConfig{PreCheckoutQueryID: q, OK: true}); err != nil {
		t.Fatalf("answer: %v", err)
	}
	if _, err := bot.Request(tgbotapi.PreCheckoutConfig{PreCheckoutQueryID: q, OK: true}); err == nil {
		t.Error("a second answer was accepted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	a, err := srv.WaitPreCheckoutAnswer(ctx, q)
	if err != nil || !a.OK {
		t.Fatalf("answer = %+v, %v", a, err)
	}
	payID := srv.PushSuccessfulPayment(chatID, from, telegramtest.Payment{Currency: "EUR", TotalAmount: 1200,
		InvoicePayload: "bk-7", TelegramPaymentChargeID: "tg_1", ProviderPaymentChargeID: "ch_1"})
	u = tgbotapi.Update{}
	if err := json.Unmarshal(srv.Update(payID), &u); err != nil {
		t.Fatal(err)
	}
	sp := u.Message.SuccessfulPayment
	if sp == nil || sp.InvoicePayload != "bk-7" || sp.TelegramPaymentChargeID != "tg_1" || sp.ProviderPaymentChargeID != "ch_1" {
		t.Fatalf("successful_payment = %+v", sp)
	}
}
