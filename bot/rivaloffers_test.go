package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// A citizen who asked two providers for the same need, the same day, pays one
// offer: the other closes (declined, staff told, the citizen told in the receipt);
// an offer for another need that day stays open.
func TestPayingOneOfferClosesTheOthersForTheSameRequest(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _, _ := payHarness(t, store)
		ctx := context.Background()
		chosen := bookableService(t)
		var rival, other *catalogue.Service
		for _, s := range testIndex(t).Catalogue().Services {
			if s.ID == chosen.ID || len(s.Municipi) == 0 || s.Cost.Free {
				continue
			}
			switch {
			case rival == nil && s.Category == chosen.Category:
				rival = s
			case other == nil && s.Category != chosen.Category:
				other = s
			}
		}
		if rival == nil || other == nil {
			t.Fatal("the bundled catalogue has no second service of the category, or of another")
		}
		ids := []string{requested(t, h, bs, chosen), requested(t, h, bs, rival), requested(t, h, bs, other)}
		for _, id := range ids {
			offer(t, h, box, id, 4000)
		}
		if _, err := h.engine.PaymentReceived(ctx, notice(ids[0], 4000, "evt_chosen")); err != nil {
			t.Fatal(err)
		}
		receipt := box.take("u1")
		if len(receipt) != 1 || !strings.Contains(receipt[0].Text, "Ho chiuso le altre offerte che avevi per la stessa richiesta (1)") {
			t.Fatalf("receipt: %+v", receipt)
		}
		for id, want := range map[string]bookings.Status{ids[0]: bookings.Confirmed, ids[1]: bookings.Refused, ids[2]: bookings.Offered} {
			if b, err := bs.Get(ctx, id); err != nil || b.Status != want {
				t.Errorf("booking %s: %s (%v), want %s", id, b.Status, err, want)
			}
		}
		if n := eventsOf(h, bot.EventOfferDeclined); n != 1 {
			t.Errorf("%d offers declined for staff, want 1", n)
		}
		// The closed offer can no longer be paid.
		if err := h.engine.PaymentAllowed(ctx, ids[1], 4000); err == nil {
			t.Error("the closed offer can still be paid")
		}
	})
}
