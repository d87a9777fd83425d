package catalogue

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// serviceWithBooking is a valid hourly services file whose one service has the given
// booking block (indented under the service).
func serviceWithBooking(booking string) []byte {
	return []byte(`services:
  - id: regole-prova
    organization: coop-arcobaleno
    category: socio-assistenziale
    name: Assistenza di prova
    description: Una descrizione.
    name_en: Test care
    summary_en: Test care.
    audiences: [anziani]
    delivery: {individual: true}
    cost: {free: false, unit: ora, individual: 20}
    municipi: [1]
    languages: [it]
    schedules: [{days: [lun, mar], opens_at: "09:00", closes_at: "13:00"}]
    activation: Telefonare.
    max_wait_days: 3
` + booking)
}

func TestBookingRulesParsed(t *testing.T) {
	fsys := bundledFS(t)
	fsys["services/regole.yaml"] = &fstest.MapFile{Data: serviceWithBooking(`    booking:
      min_quantity: 2
      max_quantity: 4
      lead_hours: 48
      horizon_days: 60
      venue: domicilio
      closures:
        - {from: 2026-08-10, to: 2026-08-21, reason: Chiusura estiva, reason_en: Summer break}
        - {from: 2026-12-24, reason: Vigilia}
      refund: {full_hours_before: 48, partial_hours_before: 24, partial_percent: 50}
`)}
	c := mustLoad(t, fsys)
	s, _ := c.Service("regole-prova")
	r := s.Rules
	if r.MinQuantity != 2 || r.MaxQuantity != 4 || r.LeadTime != 48*time.Hour || r.Horizon != 60*24*time.Hour || r.Venue != AtHome {
		t.Errorf("rules = %+v", r)
	}
	if len(r.Closures) != 2 || !r.Closures[1].From.Equal(r.Closures[1].To) || r.Closures[0].ReasonEN != "Summer break" {
		t.Errorf("closures = %+v", r.Closures)
	}
	if r.Refund != (RefundPolicy{FullBefore: 48 * time.Hour, PartialBefore: 24 * time.Hour, PartialPercent: 50}) {
		t.Errorf("refund = %+v", r.Refund)
	}
	rome := mustRome(t)
	for _, tc := range []struct {
		day     time.Time
		closed  bool
		holiday string
		reason  string
	}{
		{time.Date(2026, 8, 10, 0, 0, 0, 0, rome), true, "", "Chiusura estiva"},
		{time.Date(2026, 8, 21, 23, 30, 0, 0, rome), true, "", "Chiusura estiva"}, // 21:30 UTC, still the 21st in Rome
		{time.Date(2026, 8, 22, 0, 30, 0, 0, rome), false, "", ""},                // 22:30 UTC on the 21st
		{time.Date(2026, 8, 15, 10, 0, 0, 0, rome), true, "ferragosto", ""},
		{time.Date(2026, 12, 7, 10, 0, 0, 0, rome), true, "santambrogio", ""},
		{time.Date(2026, 12, 24, 10, 0, 0, 0, rome), true, "", "Vigilia"},
		{time.Date(2026, 12, 9, 10, 0, 0, 0, rome), false, "", ""},
	} {
		h, cl, closed := r.ClosedOn(tc.day, rome)
		switch {
		case closed != tc.closed:
			t.Errorf("%v: closed = %v", tc.day, closed)
		case tc.holiday != "" && h.Key != tc.holiday:
			t.Errorf("%v: holiday %q, want %q", tc.day, h.Key, tc.holiday)
		case tc.reason != "" && (cl == nil || cl.Reason != tc.reason):
			t.Errorf("%v: closure %+v, want %q", tc.day, cl, tc.reason)
		}
	}
	r.OpenOnHolidays = true
	if _, _, closed := r.ClosedOn(time.Date(2026, 12, 7, 10, 0, 0, 0, rome), rome); closed {
		t.Error("open on holidays, yet closed on 7 December")
	}
}

func TestBookingRulesValidated(t *testing.T) {
	tests := []struct {
		name, booking, field, msg string
	}{
		{"min over max", "    booking: {min_quantity: 4, max_quantity: 2}\n", "booking.max_quantity", "below min_quantity"},
		{"negative", "    booking: {min_quantity: -1}\n", "booking.min_quantity", "negative"},
		{"huge quantity", "    booking: {max_quantity: 1000}\n", "booking.max_quantity", "not between"},
		{"never fits", "    booking: {min_quantity: 5}\n", "booking.min_quantity", "never fit"},
		{"negative lead", "    booking: {lead_hours: -2}\n", "booking.lead_hours", "negative"},
		{"horizon zero", "    booking: {horizon_days: 0}\n", "booking.horizon_days", "not between"},
		{"lead beyond horizon", "    booking: {lead_hours: 72, horizon_days: 2}\n", "booking.horizon_days", "no day to book"},
		{"unknown venue", "    booking: {venue: spiaggia}\n", "booking.venue", "unknown venue"},
		{"closure backwards", "    booking:\n      closures: [{from: 2026-08-20, to: 2026-08-10, reason: Ferie}]\n", "booking.closures[0].to", "before from"},
		{"closure date", "    booking:\n      closures: [{from: 20/08/2026, reason: Ferie}]\n", "booking.closures[0].from", "not a date"},
		{"closure without reason", "    booking:\n      closures: [{from: 2026-08-20}]\n", "booking.closures[0].reason", "is required"},
		{"closure without start", "    booking:\n      closures: [{to: 2026-08-20, reason: Ferie}]\n", "booking.closures[0].from", "is required"},
		{"percent over 100", "    booking:\n      refund: {partial_hours_before: 24, partial_percent: 150}\n", "booking.refund.partial_percent", "not between 0 and 100"},
		{"percent alone", "    booking:\n      refund: {partial_percent: 50}\n", "booking.refund.partial_hours_before", "is required"},
		{"partial before full", "    booking:\n      refund: {full_hours_before: 24, partial_hours_before: 48, partial_percent: 50}\n", "booking.refund.partial_hours_before", "more than full_hours_before"},
		{"misspelt field", "    booking: {lead_hour: 2}\n", "booking.lead_hour", "unknown field"},
		{"wrong type", "    booking: {min_quantity: tre}\n", "", "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := bundledFS(t)
			fsys["services/regole.yaml"] = &fstest.MapFile{Data: serviceWithBooking(tc.booking)}
			_, err := Load(fsys)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Load = %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.File == "services/regole.yaml" && p.Record == `service "regole-prova"` && p.Field == tc.field &&
					strings.Contains(p.Msg, tc.msg) && p.Line > 16 {
					return
				}
			}
			t.Errorf("no problem on field %q containing %q with its line; got:\n%v", tc.field, tc.msg, err)
		})
	}
}

// TestBundledServicesHaveBookingRules checks that every bundled service says where it
// happens and how it is booked, and that the rules are plausible for its kind.
func TestBundledServicesHaveBookingRules(t *testing.T) {
	c := mustLoad(t, bundledFS(t))
	for _, s := range c.Services {
		r := s.Rules
		if r.Venue == "" || r.LeadTime == 0 || r.Horizon == 0 {
			t.Errorf("%s: no venue, lead time or horizon: %+v", s.ID, r)
		}
		if s.Category == SocioAssistenziale && s.Cost.Unit == "ora" && r.Venue == AtHome && (r.MinQuantity < 2 || r.LeadTime < 24*time.Hour) {
			t.Errorf("%s: home care with minimum %d hours and %v notice", s.ID, r.MinQuantity, r.LeadTime)
		}
		if s.Category == PastiDomicilio && !r.OpenOnHolidays {
			t.Errorf("%s: meals at home stop on holidays", s.ID)
		}
		if s.Category == Psicologico && s.Cost.Unit == "seduta" && r.Venue == AtHome {
			t.Errorf("%s: a psychologist's session at home", s.ID)
		}
	}
}
