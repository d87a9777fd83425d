package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

// ruledService returns a bundled service by id, failing when the catalogue's data no
// longer gives it the rules the test relies on.
func ruledService(t *testing.T, id string, check func(catalogue.BookingRules) bool) *catalogue.Service {
	t.Helper()
	s, ok := testIndex(t).Catalogue().Service(id)
	if !ok || !check(s.Rules) {
		t.Fatalf("the bundled service %s is gone or its booking rules changed: %+v", id, s)
	}
	return s
}

// homeCareService is ASA home care: Monday to Saturday 7:30-20:00, 3 to 8 hours,
// 48 hours' notice, 90 days ahead, closed on holidays and on 29 January 2027.
func homeCareService(t *testing.T) *catalogue.Service {
	return ruledService(t, "faro-assistenza-domiciliare-ore", func(r catalogue.BookingRules) bool {
		return r.MinQuantity == 3 && r.MaxQuantity == 8 && r.LeadTime == 48*time.Hour && !r.OpenOnHolidays &&
			len(r.Closures) == 1 && r.Closures[0].From.Format(time.DateOnly) == "2027-01-29"
	})
}

// The booking form refuses the days the rules close, each with its reason; the harness's
// clock is Monday 23 November 2026, 10:00.
func TestBookingDaysFollowTheRules(t *testing.T) {
	s := homeCareService(t)
	tests := []struct {
		name   string
		lang   string
		answer func(c *convo) *convo
		want   []string
	}{
		{"Sant'Ambrogio pressed", "it", func(c *convo) *convo { return c.pressData("book:day:20261207") },
			[]string{"lun 07/12 è Sant'Ambrogio: il servizio è chiuso."}},
		{"Sant'Ambrogio typed", "it", func(c *convo) *convo { return c.say("il 7 dicembre") },
			[]string{"Sant'Ambrogio", "chiuso"}},
		{"the Immacolata in English", "en", func(c *convo) *convo { return c.say("8 December at 10") },
			[]string{"is the Immaculate Conception: the service is closed"}},
		{"Christmas", "it", func(c *convo) *convo { return c.pressData("book:day:20261225") },
			[]string{"è Natale"}},
		{"closure", "it", func(c *convo) *convo { return c.pressData("book:day:20270129") },
			[]string{"il servizio è chiuso: Giornata di formazione del personale"}},
		{"closure in English", "en", func(c *convo) *convo { return c.pressData("book:day:20270129") },
			[]string{"the service is closed: Staff training day"}},
		{"tomorrow: lead time", "it", func(c *convo) *convo { return c.say("domani alle 10") },
			[]string{"almeno 2 giorni di anticipo", "il primo giorno possibile è mer 25/11"}},
		{"tomorrow in Spanish", "es", func(c *convo) *convo { return c.say("mañana a las 10") },
			[]string{"al menos 2 días de antelación", "25/11"}},
		{"beyond the horizon", "it", func(c *convo) *convo { return c.pressData("book:day:20270301") },
			[]string{"al massimo 90 giorni"}},
		{"past", "it", func(c *convo) *convo { return c.pressData("book:day:20261120") },
			[]string{"già passato"}},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := h.citizen(t, "r"+itoa(i))
				c.lang = tc.lang
				c.pressData("book:new:" + s.ID)
				tc.answer(c).expect(tc.want...).expectButtons(dayButtonsFor(c)...)
				if len(c.buttonsWithData("book:qty:")) > 0 {
					t.Errorf("a refused day went on to the quantity:\n%s", c.text())
				}
			})
		}
	})
}

// dayButtonsFor is the calendar button's label in the conversation's language.
func dayButtonsFor(c *convo) []string {
	if c.lang == "it" || c.lang == "" {
		return []string{"Calendario"}
	}
	return nil
}

// The quick days and the calendar offer only days the rules allow.
func TestBookingCalendarSkipsClosedDays(t *testing.T) {
	s := homeCareService(t)
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID)
		// 48 hours from Monday 10:00: Wednesday is the first day.
		quick := c.buttonsWithData("book:day:")
		if len(quick) != 3 || quick[0].Data != "book:day:20261125" {
			t.Errorf("quick days = %+v, want from Wednesday 25/11", quick)
		}
		c.pressData("book:cal:202612").expect("dicembre 2026")
		days := map[string]bool{}
		for _, b := range c.buttonsWithData("book:day:") {
			days[strings.TrimPrefix(b.Data, "book:day:")] = true
		}
		for day, open := range map[string]bool{"20261204": true, "20261205": true, "20261206": false, "20261207": false,
			"20261208": false, "20261209": true, "20261225": false, "20261226": false, "20261228": true} {
			if days[day] != open {
				t.Errorf("December calendar: %s offered = %v, want %v", day, days[day], open)
			}
		}
		// Meals at home run on holidays.
		meals := ruledService(t, "tavolaamica-pranzo-caldo", func(r catalogue.BookingRules) bool { return r.OpenOnHolidays })
		c = h.citizen(t, "u2").pressData("book:new:" + meals.ID).pressData("book:day:20261208")
		c.expect("Quanti pasti").expectButtons("1 pasto", "2 pasti")
	})
}

// Quantity buttons and typed quantities respect the minimum and the maximum, with the
// unit's natural wording in each language.
func TestBookingQuantityFollowsTheRules(t *testing.T) {
	s := homeCareService(t)
	tests := []struct {
		lang, say string
		want      []string
		taken     bool
	}{
		{"it", "1 ora", []string{"il minimo è 3 ore per volta"}, false},
		{"it", "un'ora e mezza", []string{"numero intero di ore"}, false},
		{"it", "20 ore", []string{"il massimo è 8 ore"}, false},
		{"it", "boh", []string{"Non ho capito quante", "da 3 a 8"}, false},
		{"it", "tre ore", []string{"A che ora"}, true},
		{"en", "2 hours", []string{"the minimum is 3 hours"}, false},
		{"en", "four hours", []string{"At what time"}, true},
		{"es", "dos horas", []string{"el mínimo es 3 horas"}, false},
		{"fr", "cinq heures", []string{"À quelle heure"}, true},
		{"ru", "два часа", []string{"минимум — 3 часа"}, false},
		{"zh", "三个小时", []string{"几点"}, true},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID).pressData("book:day:20261125")
		c.expect("Per quante ore", "Si prenota da 3 ore a 8 ore per volta.").expectButtons("3 ore", "4 ore", "5 ore", "6 ore")
		c.expectNot("1 ora", "×")
		c.pressData("book:qty:2").expect("non è più valido") // below the minimum: a forged button
		for i, tc := range tests {
			t.Run(tc.lang+" "+tc.say, func(t *testing.T) {
				c := h.citizen(t, "q"+itoa(i))
				c.lang = tc.lang
				c.pressData("book:new:" + s.ID).pressData("book:day:20261125").say(tc.say).expect(tc.want...)
				if got := len(c.buttonsWithData("book:slot:")) > 0; got != tc.taken {
					t.Errorf("quantity taken = %v, want %v:\n%s", got, tc.taken, c.text())
				}
			})
		}
	})
}

// A psychologist books one session at a time: no quantity question, and the summary
// says "1 seduta".
func TestBookingOneSessionIsNotAsked(t *testing.T) {
	s := ruledService(t, "lanterna-sostegno-psicologico-adulti", func(r catalogue.BookingRules) bool {
		return r.MinQuantity == 1 && r.MaxQuantity == 1 && r.Venue == catalogue.AtProvider
	})
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID).pressData("book:day:20261125").expect("A che ora")
		c.press("10:00").press("Per me")
		if c.findButton("Nessuna nota") == nil {
			c.pressData("book:mun:" + itoa(s.Municipi[0]))
		}
		c.press("Nessuna nota").expect("Riepilogo", "Quanto: 1 seduta").expectNot("×")
	})
}

// The rules' checks and the form agree: every start the form offers passes
// bookings.CheckStart.
func TestBookingSlotsPassTheRules(t *testing.T) {
	s := homeCareService(t)
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _, _ := bookingHarness(t, store)
		c := h.citizen(t, "u1").pressData("book:new:" + s.ID).pressData("book:day:20261125").pressData("book:qty:4")
		slots := c.buttonsWithData("book:slot:")
		if len(slots) == 0 {
			t.Fatalf("no slots:\n%s", c.text())
		}
		rome := monday10(t).Location()
		for _, b := range slots {
			at, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-25 "+b.Label, rome)
			if err != nil {
				t.Fatal(err)
			}
			if err := bookings.CheckStart(s, at, 4, monday10(t), rome); err != nil {
				t.Errorf("offered %s: %v", b.Label, err)
			}
		}
	})
}

// The calendar file sent with a confirmation places a home service at home (with
// the Municipio, never the provider's office) and an online one online.
func TestBookingCalendarFileFollowsTheVenue(t *testing.T) {
	tests := []struct {
		s        *catalogue.Service
		qty      string
		location string
	}{
		{homeCareService(t), "3", "LOCATION:A domicilio (Municipio 3)"},
		{ruledService(t, "fenice-sedute-online", func(r catalogue.BookingRules) bool { return r.Venue == catalogue.Online }), "", "LOCATION:Online"},
		{ruledService(t, "lanterna-sostegno-psicologico-adulti", func(r catalogue.BookingRules) bool { return r.Venue == catalogue.AtProvider }), "", "LOCATION:"},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, _, _ := bookingHarness(t, store)
		for i, tc := range tests {
			user := "v" + itoa(i)
			c := h.citizen(t, user).pressData("book:new:" + tc.s.ID).pressData("book:day:20261125")
			if tc.qty != "" {
				c.pressData("book:qty:" + tc.qty)
			}
			c.pressData(c.buttonsWithData("book:slot:")[0].Data)
			for c.findButton("Individuale") != nil {
				c.press("Individuale")
			}
			c.press("Per me")
			if c.findButton("Nessuna nota") == nil {
				c.pressData("book:mun:" + itoa(tc.s.Municipi[len(tc.s.Municipi)-1]))
			}
			c.press("Nessuna nota").press("Invia la richiesta").expect("Richiesta inoltrata")
			staffConfirms(t, h, h.lastEvent(t).Booking)
			got := box.take(user)
			if len(got) != 1 || got[0].Document == nil {
				t.Fatalf("%d: confirmation: %+v", i, got)
			}
			ics := strings.ReplaceAll(string(got[0].Document.Data), "\r\n ", "")
			if !strings.Contains(ics, tc.location) {
				t.Errorf("%s: no %q in\n%s", tc.s.ID, tc.location, ics)
			}
			if address := tc.s.Organization.Location.Address; tc.s.Rules.Venue != catalogue.AtProvider && strings.Contains(ics, address) ||
				tc.s.Rules.Venue == catalogue.AtProvider && !strings.Contains(ics, strings.ReplaceAll(address, ",", `\,`)) {
				t.Errorf("%s (%s): the provider's address in the calendar file is wrong:\n%s", tc.s.ID, tc.s.Rules.Venue, ics)
			}
		}
	})
}

// Staff's "propose another time" follows the rules too: a holiday, a time before the
// lead time or outside the hours is refused with the rule it breaks, and the booking
// and the citizen are left as they were.
func TestStaffProposalFollowsTheRules(t *testing.T) {
	s := bookableService(t, func(s *catalogue.Service) bool { return !s.Rules.OpenOnHolidays })
	rome := monday10(t).Location()
	tests := []struct {
		name string
		at   time.Time
		rule bookings.Rule
	}{
		{"Sant'Ambrogio", time.Date(2026, 12, 7, 10, 0, 0, 0, rome), bookings.RuleHoliday},
		{"Christmas", time.Date(2026, 12, 25, 10, 0, 0, 0, rome), bookings.RuleHoliday},
		{"beyond the horizon", time.Date(2027, 6, 1, 10, 0, 0, 0, rome), bookings.RuleHorizon},
		{"at night", time.Date(2026, 11, 26, 3, 0, 0, 0, rome), bookings.RuleHours},
	}
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, bs, _ := bookingHarness(t, store)
		id := book(t, h, h.citizen(t, "u1").pressData("svc:"+s.ID), s)
		box.take("u1")
		for _, tc := range tests {
			_, err := h.engine.BookingFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingPropose, Booking: id, Proposed: tc.at})
			var re *bookings.RuleError
			if !errors.As(err, &re) || re.Rule != tc.rule {
				t.Errorf("%s: BookingFromStaff = %v, want the rule %s", tc.name, err, tc.rule)
			}
		}
		if b, err := bs.Get(context.Background(), id); err != nil || !b.Proposed.IsZero() || b.Status != bookings.Requested {
			t.Errorf("after refused proposals: %+v %v", b, err)
		}
		if got := box.take("u1"); len(got) != 0 {
			t.Errorf("the citizen was told of a refused proposal: %+v", got)
		}
		// A time that keeps the rules goes through.
		ok := time.Date(2026, 11, 26, 10, 0, 0, 0, rome)
		if _, err := h.engine.BookingFromStaff(context.Background(), bot.BookingAction{Kind: bot.BookingPropose, Booking: id, Proposed: ok}); err != nil {
			t.Errorf("a proposal within the rules: %v", err)
		}
	})
}
