package slack_test

import (
	"encoding/json"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bookings"
)

// Proponi altro orario refuses, in the modal, a time that breaks the service's booking
// rules, saying which; the booking, the card and the citizen are left alone. The
// clock is Monday 2 March 2026; the booking is day-time babysitting at home (weekdays
// and Saturdays, closed on holidays, 90 days ahead).
func TestBookingProposalBreaksTheRules(t *testing.T) {
	e := newEnv(t, withBookings)
	ctx := testContext(t)
	card, b := e.book(ctx, "")
	e.pressCard(ctx, giulia.ID, card, "propose", b.ID)
	views, err := e.srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		values map[string]map[string]any
		block  string
		want   string
	}{
		{"Easter Monday", proposal("2026-04-06", "10:00"), "wemi.booking.date", "festivo (Pasquetta): il servizio è chiuso"},
		{"Liberation Day", proposal("2026-04-25", "10:00"), "wemi.booking.date", "Festa della Liberazione"},
		{"a Sunday", proposal("2026-03-08", "10:00"), "wemi.booking.date", "non è attivo"},
		{"beyond the horizon", proposal("2026-07-01", "10:00"), "wemi.booking.date", "al massimo fino al 31/05/2026"},
		{"after closing", proposal("2026-03-04", "23:00"), "wemi.booking.time", "Alle 23:00 il servizio non può iniziare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resp slackapi.ViewSubmissionResponse
			payload := e.submit(ctx, giulia.ID, views[0], tt.values)
			if err := json.Unmarshal(payload, &resp); err != nil || resp.ResponseAction != slackapi.RAErrors ||
				len(resp.Errors) != 1 || !strings.Contains(resp.Errors[tt.block], tt.want) {
				t.Errorf("answered %s, want an error on %s containing %q", payload, tt.block, tt.want)
			}
		})
	}
	b, err = e.bookings.Get(ctx, b.ID)
	if err != nil || b.Status != bookings.Requested || !b.Proposed.IsZero() {
		t.Errorf("booking after proposals against the rules: %+v (%v)", b, err)
	}
	if n := len(e.srv.Updates()) + len(e.inbox.all()); n != 0 {
		t.Errorf("%d card updates and messages to the citizen, want none", n)
	}
}
