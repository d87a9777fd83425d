package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/domestic"
)

// The card shows each request and application as it is: no estimate when there was
// none, a self-sufficient person, the Municipi chosen, no experience, another channel
// and language.
func TestDomesticCardFields(t *testing.T) {
	request := domestic.Request{ID: domestic.NewID(), Conversation: "web:s-1", Lang: "en", Role: domestic.Badante,
		Pattern: domestic.Convivente, HoursPerWeek: 54, Start: time.Date(2026, 4, 1, 0, 0, 0, 0, rome), Municipio: 8,
		SelfSufficient: true, Languages: []string{"it", "ro", "xx"}, Contact: phone, EstimateCents: -1,
		Created: monday10, Updated: monday10}
	application := domestic.Application{ID: domestic.NewID(), Conversation: "web:s-2", Lang: "it", FirstName: "Ana",
		Roles: []domestic.Role{domestic.Tata, domestic.Colf}, Years: 1, Languages: []string{"es"}, Municipi: []int{1, 4},
		Availability: "Mattina", Consent: monday10, Contact: email, Created: monday10, Updated: monday10}
	tests := []struct {
		name   string
		create func(context.Context, *domestic.Store) error
		event  bot.Event
		want   []string
		absent []string
	}{
		{"a request", func(ctx context.Context, s *domestic.Store) error { return s.CreateRequest(ctx, request) },
			bot.Event{Kind: bot.EventDomesticRequest, Booking: request.ID},
			[]string{"*Cerca*\nBadante, per una persona autosufficiente", "*Regime*\nconvivente", "*Ore a settimana*\n54",
				"*Inizio desiderato*\n01/04/2026", "*Municipio*\n8", "*Lingue richieste*\nitaliano, rumeno, xx",
				"*Nome*\nCittadino", "*Canale e lingua*\nChat del sito, in inglese"},
			[]string{"Costo mensile", "Sulla persona"}},
		{"an application", func(ctx context.Context, s *domestic.Store) error { return s.CreateApplication(ctx, application) },
			bot.Event{Kind: bot.EventApplication, Booking: application.ID},
			[]string{"*Si candida come*\nTata, Colf", "*Anni di esperienza*\n1 anno", "*Lingue parlate*\nspagnolo",
				"*Attestati*\n—", "*Municipi*\n1, 4", "*Disponibilità*\nMattina",
				"*Convivenza*\nnon disponibile a vivere con la famiglia", "*Nome*\nAna", "*Canale e lingua*\nChat del sito, in italiano"},
			[]string{"Esperienza, nelle sue parole"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withDomestic)
			ctx := testContext(t)
			if err := tt.create(ctx, e.domestic); err != nil {
				t.Fatal(err)
			}
			if err := e.desk.Notify(ctx, tt.event); err != nil {
				t.Fatal(err)
			}
			card := e.waitPost(ctx, 1)
			checkShows(t, card, tt.want...)
			for _, a := range tt.absent {
				if strings.Contains(card.VisibleText(), a) {
					t.Errorf("the card shows %q:\n%s", a, card.VisibleText())
				}
			}
			// The same event again (a retry) posts no second card.
			if err := e.desk.Notify(ctx, tt.event); err != nil {
				t.Fatal(err)
			}
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := e.desk.Drain(dctx); err != nil {
				t.Fatal(err)
			}
			if n := len(e.srv.Posts(operators)); n != 1 {
				t.Errorf("%d posts, want 1", n)
			}
		})
	}
}
