package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/activities"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/records"
)

// activitiesHarness is the booking harness on 6 December 2026 (a Sunday), with the
// activities' places counted in the same store.
func activitiesHarness(t *testing.T, store bot.Store) (*harness, *bookings.Store, *activities.Places) {
	t.Helper()
	recs := store.(records.Records)
	var places *activities.Places
	h, _, bs, _ := bookingHarness(t, store, func(o *bot.Options) {
		places = activities.NewPlaces(recs, o.Now)
		o.Places = places
	})
	h.clock.Set(sunday6Dec(t))
	return h, bs, places
}

func sunday6Dec(t testing.TB) time.Time {
	return time.Date(2026, 12, 6, 10, 0, 0, 0, monday10(t).Location())
}

func TestActivitiesAsked(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	tests := []struct {
		say       string
		want      []string
		wantNot   []string
		wantLabel string
	}{
		{"centri estivi per un bambino di 8 anni", []string{"Summer School: i centri estivi", "Per: 8 anni", "Summer School NoLo", "95 € a settimana", "Ci sono posti in 7 turni su 7", "8 in programma"},
			[]string{"Summer School San Siro", "ripetizioni"}, "Summer School"},
		{"Summer School", []string{"Summer School: i centri estivi", "10 in programma"}, []string{"ripetizioni"}, "Summer School"},
		{"cosa c'è questa settimana allo spazio WeMi di Corvetto?", []string{"SPID e servizi online", "Open day: conosci lo Spazio WeMi Corvetto", "allo Spazio WeMi Corvetto", "dal 06/12 al 13/12"},
			[]string{"Biscotti", "Summer School"}, "SPID"},
		{"corsi per adulti a gennaio", []string{"Corsi", "6 in programma", "Per: adulti, dal 01/01 al 31/01", "Corso di italiano A2 per adulti"},
			[]string{"Robotica", "Italiano per bambini"}, "Corso di italiano"},
		{"open day", []string{"Open day", "Porte aperte allo Sportello"}, []string{"Summer School NoLo"}, "Open day"},
	}
	for i, tc := range tests {
		t.Run(tc.say, func(t *testing.T) {
			c := h.citizen(t, "u"+itoa(i+1))
			c.say(tc.say).expect(tc.want...).expectButtons(tc.wantLabel)
			if len(tc.wantNot) > 0 {
				c.expectNot(tc.wantNot...)
			}
		})
	}
}

// A service search is not taken for activities: "corso di italiano" has no period,
// age or WeMi space, so it finds the courses of the catalogue.
func TestCourseWithoutFilterIsASearch(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	c := h.citizen(t, "u1")
	c.say("corso di italiano").expectNot("in programma")
}

// Enrolling from the card: the week, two places, for a child; staff get the booking
// card's event, the places are held; a refusal gives them back.
func TestEnrolInSummerSchool(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, bs, places := activitiesHarness(t, store)
		ctx := context.Background()
		cat := testIndex(t).Catalogue()
		a, _ := cat.Activity("ce-nolo-estate-2027")
		c := h.citizen(t, "u1")
		c.pressData("act:ce-nolo-estate-2027").expect("Summer School NoLo", "Centro estivo (Summer School)", "Turni e posti liberi", "Posti liberi: 25").
			expectButtons("Iscriviti", "Spazio WeMi NoLo")
		c.press("Iscriviti").expect("Iscriviamoci", "Quale turno").expectButtons("lun 14/06")
		c.press("lun 21/06").expect("Quanti posti", "Ne restano 25")
		c.pressData("enrol:n:2").expect("Per chi")
		c.press("Per un familiare").expect("Ecco la tua iscrizione", "lun 21/06", "Posti: 2", "190 €")
		c.press("Invia l'iscrizione").expect("Fatto!", "Summer School NoLo")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventBookingRequested {
			t.Fatalf("event %+v, want a booking request", ev)
		}
		b, err := bs.Get(ctx, ev.Booking)
		if err != nil || b.Activity != a.ID || b.Session != "20270621" || b.Quantity != 2 || b.EstimateCents != 19000 || b.Municipio != 2 {
			t.Fatalf("booking = %+v, %v", b, err)
		}
		if n, _ := places.Left(ctx, a, "20270621"); n != 23 {
			t.Errorf("places left after enrolling 2 = %d, want 23", n)
		}
		c.pressData("mybook").expect("Summer School NoLo")
		// A second enrolment, which staff confirm: a calendar file named after the camp.
		c.pressData("enrol:go:ce-nolo-estate-2027").press("lun 14/06").pressData("enrol:n:1").press("Per me").press("Invia l'iscrizione")
		confirmed, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingConfirm, Booking: h.lastEvent(t).Booking})
		if err != nil || confirmed.Status != bookings.Confirmed || confirmed.Session != "20270614" {
			t.Fatalf("confirm = %+v, %v", confirmed, err)
		}
		if _, err := h.engine.BookingFromStaff(ctx, bot.BookingAction{Kind: bot.BookingRefuse, Booking: b.ID, Reason: "turno riservato"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := places.Left(ctx, a, "20270621"); n != 25 {
			t.Errorf("places left after the refusal = %d, want 25", n)
		}
	})
}

// A full session says so and offers no enrolment; a past activity too.
func TestFullAndPastActivities(t *testing.T) {
	h, _, places := activitiesHarness(t, stores()[0].open(t))
	ctx := context.Background()
	cat := testIndex(t).Catalogue()
	a, _ := cat.Activity("open-day-wemi-corvetto") // one session, 40 places
	for i := range 7 {
		if _, err := places.Take(ctx, a, "20261212", "full-"+itoa(i), min(6, 40-6*i)); err != nil {
			t.Fatal(err)
		}
	}
	c := h.citizen(t, "u1")
	c.pressData("act:open-day-wemi-corvetto").expect("Completo")
	if c.findButton("Iscriviti") != nil {
		t.Error("a full activity offers enrolment")
	}
	h.clock.Set(time.Date(2026, 12, 20, 10, 0, 0, 0, sunday6Dec(t).Location()))
	c.pressData("act:corso-spid-dicembre").expect("già iniziata o conclusa")
	c.pressData("enrol:go:corso-spid-dicembre").expect("già iniziata o conclusa")
	c.pressData("act:no-such-thing").expect("non è più in programma")
	c.pressData("enrol:s:20270614").expect("non è più valido")
}

// Two citizens race for the last place of a workshop: one gets it, the other is
// told the session is full; the places never go below zero.
func TestLastPlaceOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, places := activitiesHarness(t, store)
		ctx := context.Background()
		a, _ := testIndex(t).Catalogue().Activity("lab-ciclofficina-ragazzi") // 12 places, one date
		if _, err := places.Take(ctx, a, "20261219", "others", 6); err != nil {
			t.Fatal(err)
		}
		if _, err := places.Take(ctx, a, "20261219", "more", 5); err != nil {
			t.Fatal(err)
		}
		first, second := h.citizen(t, "u1"), h.citizen(t, "u2")
		for _, c := range []*convo{first, second} {
			c.pressData("enrol:go:lab-ciclofficina-ragazzi").expect("Quanti posti", "Ne restano 1")
			c.pressData("enrol:n:1").press("Per me").expect("Ecco la tua iscrizione")
		}
		first.press("Invia l'iscrizione").expect("Fatto!")
		second.press("Invia l'iscrizione").expect("completo")
		if n, _ := places.Left(ctx, a, "20261219"); n != 0 {
			t.Errorf("places left = %d, want 0", n)
		}
	})
}

// The space's card says what is on there.
func TestSpaceCardWhatsOn(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	c := h.citizen(t, "u1")
	c.pressData("space:wemi-nolo").expect("In programma qui", "Laboratorio di biscotti di Natale").expectButtons("Cosa c'è in questo spazio")
	c.press("Cosa c'è in questo spazio").expect("allo Spazio WeMi NoLo", "Summer School NoLo")
	if c.replies[0].Replace {
		t.Error("the space's activities replace the space's card")
	}
	c.say("Summer School").press("Altre attività").expect("6. ")
	if !c.replies[0].Replace {
		t.Error("turning the page of the activities sends a new message")
	}
}

// Without a store of places (or staff), activities are listed and their cards say
// how to enrol elsewhere.
func TestActivitiesWithoutEnrolment(t *testing.T) {
	h := newHarness(t, stores()[0].open(t))
	h.clock.Set(sunday6Dec(t))
	c := h.citizen(t, "u1")
	c.say("Summer School").expect("Summer School NoLo").expectNot("Posti liberi")
	c.pressData("act:ce-nolo-estate-2027").expect("allo Spazio WeMi NoLo, negli orari").expectNot("qui in chat")
	if c.findButton("Iscriviti") != nil {
		t.Error("enrolment offered without a store of places")
	}
	c.pressData("enrol:go:ce-nolo-estate-2027").expect("allo Spazio WeMi NoLo")
	if strings.Contains(c.text(), "Quale turno") {
		t.Error("the form started without a store of places")
	}
}

// failingRecords is a records store that is down.
type failingRecords struct{}

func (failingRecords) Get(context.Context, string, string) ([]byte, error) {
	return nil, errors.New("connection refused")
}
func (failingRecords) Update(context.Context, string, string, time.Duration, func([]byte) ([]byte, error)) ([]byte, error) {
	return nil, errors.New("connection refused")
}
func (failingRecords) List(context.Context, string) ([][]byte, error) {
	return nil, errors.New("connection refused")
}

// With the places' store down, the activities are still listed (without places,
// rather than guessed), and enrolling says to try again: nothing is held or filed.
func TestActivitiesWhenThePlacesStoreIsDown(t *testing.T) {
	store := stores()[0].open(t)
	h, _, bs, _ := bookingHarness(t, store, func(o *bot.Options) {
		o.Places = activities.NewPlaces(failingRecords{}, o.Now)
	})
	h.clock.Set(sunday6Dec(t))
	c := h.citizen(t, "u1")
	c.say("Summer School").expect("Summer School NoLo").expectNot("posti", "Completo")
	c.pressData("act:lab-biscotti-natale-nolo").expect("Laboratorio di biscotti di Natale").expectButtons("Iscriviti")
	c.press("Iscriviti").expect("non riesco a vedere i posti liberi").expectButtons("Riprova")
	list, err := bs.ByConversation(context.Background(), "test:u1")
	if err != nil || len(list) != 0 {
		t.Errorf("bookings filed = %v, %v; want none", list, err)
	}
}

// Forged or stale buttons of the flow get the polite "no longer valid" answer.
func TestActivityButtonsForged(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	c := h.citizen(t, "u1")
	for _, data := range []string{"enrol:n:3", "enrol:ok", "enrol:zz:1", "act:"} {
		c.pressData(data).expect("non è più valido")
	}
	c.pressData("enrol:go:lab-biscotti-natale-nolo").expect("Quale turno")
	for _, data := range []string{"enrol:s:20991231", "enrol:n:0", "enrol:n:99", "enrol:w:stranger"} {
		c.pressData(data).expect("non è più valido")
	}
	c.pressData("enrol:x").expect("nessuna iscrizione")
}

// In the search flow, and in other languages, the camps are the answer too: not
// the tutoring services that mention summer.
func TestSummerSchoolFromTheSearchAndInOtherLanguages(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	c := h.citizen(t, "u1")
	c.pressData("search").say("centro estivo").expect("Summer School: i centri estivi").expectNot("ripetizioni", "Ripetizioni")
	tests := []struct{ lang, say, want string }{
		{"en", "summer camp for my 8 year old", "Summer School: summer camps"},
		{"es", "campamento de verano para mi hijo de 8 años", "Summer School: campamentos de verano"},
		{"uk", "літній табір для дитини 8 років", "Summer School: літні табори"},
		{"zh", "有没有适合8岁孩子的夏令营", "Summer School：夏令营"},
		{"ar", "مخيمات صيفية لطفل عمره 8 سنوات", "المدرسة الصيفية: المخيمات الصيفية"},
	}
	for i, tc := range tests {
		c := h.citizen(t, "l"+itoa(i))
		c.lang = tc.lang
		c.say(tc.say).expect(tc.want)
	}
}

// A course said with whom it is for, but no period or WeMi space, is a search of the
// services: the Italian courses are services of the catalogue.
func TestItalianCourseForAdultsIsASearch(t *testing.T) {
	h, _, _ := activitiesHarness(t, stores()[0].open(t))
	h.citizen(t, "u1").say("corso di italiano per adulti").expectNot("in programma", "Yoga")
	h.citizen(t, "u2").say("laboratori per bambini").expect("Laboratori", "in programma")
}

// A citizen who cancels an enrolment, or asks to be forgotten, gives the places back.
func TestCancelAndForgetReleasePlaces(t *testing.T) {
	h, _, places := activitiesHarness(t, stores()[0].open(t))
	ctx := context.Background()
	a, _ := testIndex(t).Catalogue().Activity("lab-robotica-barona")
	c := h.citizen(t, "u1")
	enrol := func() string {
		c.pressData("enrol:go:lab-robotica-barona").press("sab 23/01").pressData("enrol:n:3").press("Per un familiare").press("Invia l'iscrizione").expect("Fatto!")
		return h.lastEvent(t).Booking
	}
	id := enrol()
	if n, _ := places.Left(ctx, a, "20270123"); n != 9 {
		t.Fatalf("left after enrolling 3 = %d, want 9", n)
	}
	c.pressData("book:cancelyes:" + id).expect("annullata")
	if n, _ := places.Left(ctx, a, "20270123"); n != 12 {
		t.Errorf("left after cancelling = %d, want 12", n)
	}
	enrol()
	c.say("cancella i miei dati").press("Sì")
	if n, _ := places.Left(ctx, a, "20270123"); n != 12 {
		t.Errorf("left after the citizen was forgotten = %d, want 12", n)
	}
}
