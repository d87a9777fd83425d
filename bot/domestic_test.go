package bot_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/records"
)

func domesticHarness(t *testing.T, store bot.Store) (*harness, *inbox, *domestic.Store) {
	t.Helper()
	recs, ok := store.(records.Records)
	if !ok {
		t.Fatalf("%T keeps no records", store)
	}
	var ds *domestic.Store
	box := &inbox{}
	h := newHarness(t, store, func(o *bot.Options) {
		o.Pushers = map[string]bot.Pusher{"test": box}
		// Retention is measured on the engine's clock: on the real one, a request
		// closed in the tests' 2026 would be past keeping some day.
		ds = domestic.NewStore(recs, 180*24*time.Hour, 90*24*time.Hour, domestic.WithClock(o.Now))
		o.Domestic = ds
	})
	return h, box, ds
}

// A family looking for a carer: what the service is, the guided request with its
// estimate and the help they may get, staff's changes reaching them, withdrawal.
func TestFamilyRequest(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, ds := domesticHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").say("cerco una badante per mia madre").
			expect("assumere", "diverso dal prenotare", "Con quale orario").expectButtons("Convivente")
		c.press("Non convivente").expect("Quante ore").pressData("dom:hours:25").
			expect("autosufficiente").press("No, non autosufficiente").
			expect("Da quando").say("1/12").
			expect("Municipio").say("Niguarda").
			expect("età, autonomia").say("Ha 86 anni e l'Alzheimer").
			expect("lingue").pressData("dom:lang:it").pressData("dom:langok").
			expect("contattarti").say("non so").expect("Non sembra").
			say("+39 333 1234567").
			expect("Riepilogo della richiesta", "Badante", "25 ore", "01/12/2026", "Municipio: 9", "Alzheimer",
				"Costo mensile stimato", "livello CS", "stima", "Aiuti che potreste avere", "non garantiti",
				"Bonus Assistenti Familiari (Regione Lombardia)", "Un rimborso di parte della spesa").
			expectNot("A refund of part", "Lombardy Region").
			expectButtons("Come è calcolata la stima")
		// How the estimate is worked out, with the summary's buttons again.
		c.press("Come è calcolata la stima").
			expect("*Come è calcolata la stima*", "• È una stima indicativa", "in vigore dal 1° gennaio 2026 (livello CS)",
				"Paga minima: 8,30 € l'ora per 25 ore a settimana, cioè 108,33 ore al mese",
				"• Contributi a carico della famiglia: INPS 0,93 € l'ora", "Cassa Colf 0,04 € l'ora",
				"• I ratei comprendono la tredicesima", "divisa per 13,5", "119,66 € al mese (0,70 € l'ora)", "Fonti: https://").
			expectNot("{", "Vitto e alloggio", "€0").
			expectButtons("Invia la richiesta", "Ricomincia", "Lascia perdere", "Come è calcolata la stima")
		c.press("Invia la richiesta").expect("Richiesta inviata")
		// A press on the old summary finds no draft.
		c.pressData("dom:notes").expect("non è più valido").expectNot("Come è calcolata")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventDomesticRequest || ev.Booking == "" {
			t.Fatalf("event: %+v", ev)
		}
		r, err := ds.GetRequest(ctx, ev.Booking)
		if err != nil || r.Role != domestic.Badante || r.SelfSufficient || r.HoursPerWeek != 25 || r.EstimateCents <= 0 || r.Contact != "+39 333 1234567" {
			t.Fatalf("stored request: %+v %v", r, err)
		}
		if _, err := h.engine.DomesticFromStaff(ctx, bot.DomesticAction{ID: r.ID, Request: true, Status: string(domestic.RequestInProgress), Operator: "Giulia"}); err != nil {
			t.Fatal(err)
		}
		if got := replyText(box.take("u1")); !strings.Contains(got, "sta lavorando alla tua richiesta") {
			t.Errorf("family told %q", got)
		}
		c.pressData("dom:mine").expect("in lavorazione").press("Ritira la 1").expect("ritirata")
		if ev := h.lastEvent(t); ev.Kind != bot.EventDomesticWithdrawn || ev.Reason != "request" || ev.Text != "" {
			t.Errorf("withdraw event: %+v", ev)
		}
		if _, err := h.engine.DomesticFromStaff(ctx, bot.DomesticAction{ID: r.ID, Request: true, Status: string(domestic.RequestMatched)}); !errors.Is(err, domestic.ErrTransition) {
			t.Errorf("closing a withdrawn request: %v", err)
		}
	})
}

// "babysitter" alone is an hourly service; "tata fissa" is hiring.
func TestHiringOrService(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		h.citizen(t, "u1").say("babysitter per stasera").expect("Ho trovato").expectNot("Con quale orario")
		h.citizen(t, "u2").say("mi serve una tata fissa per i bambini").expect("assumere", "Con quale orario")
		h.citizen(t, "u3").say("mi serve una colf").expect("assumere")
	})
}

// A worker applies: nothing is kept before consent; refusing keeps nothing; the
// application reaches staff, its status the applicant, and erasure takes it all.
func TestWorkerApplication(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, box, ds := domesticHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").say("voglio lavorare come badante").expect("i tuoi dati", "Sei d'accordo")
		c.press("Non sono d'accordo").expect("non ho conservato nulla")
		if reqs, apps, _ := ds.ByConversation(ctx, "test:u1"); len(reqs)+len(apps) != 0 {
			t.Fatal("something was kept without consent")
		}
		c.say("voglio lavorare come badante").press("Sono d'accordo").
			expect("Che lavoro cerchi").pressData("dom:roles:badante").pressData("dom:roles:colf").pressData("dom:next").
			expect("Da quanti anni").pressData("dom:years:5").
			expect("con che famiglie").say("Anziani con demenza, per sei anni").
			expect("lingue").pressData("dom:lang:it").pressData("dom:lang:ro").pressData("dom:langok").
			expect("attestati").pressData("dom:cert:oss").pressData("dom:next").
			expect("Municipi").pressData("dom:mun:3").pressData("dom:mun:4").pressData("dom:next").
			expect("disponibile").press("Tempo pieno").
			expect("vivere con la famiglia").press("Sì, posso").
			expect("contattarti").say("ana@example.org").
			expect("Riepilogo della candidatura", "Badante, Colf", "OSS", "3, 4", "rumeno", "ana@example.org")
		c.press("Invia la candidatura").expect("Candidatura inviata")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventApplication {
			t.Fatalf("event: %+v", ev)
		}
		a, err := ds.GetApplication(ctx, ev.Booking)
		if err != nil || a.Consent.IsZero() || len(a.Roles) != 2 || !a.LiveIn || a.Years != 5 {
			t.Fatalf("stored application: %+v %v", a, err)
		}
		if _, err := h.engine.DomesticFromStaff(ctx, bot.DomesticAction{ID: a.ID, Status: string(domestic.ApplicationReviewing)}); err != nil {
			t.Fatal(err)
		}
		if got := replyText(box.take("u1")); !strings.Contains(got, "valutando la tua candidatura") {
			t.Errorf("applicant told %q", got)
		}
		c.pressData("dom:mine").expect("in valutazione").press("Cancella la 1").expect("Non si può annullare").press("Sì, cancella").expect("cancellata")
		if _, err := ds.GetApplication(ctx, a.ID); !errors.Is(err, domestic.ErrNotFound) {
			t.Errorf("the application survived its erasure: %v", err)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventDomesticWithdrawn || ev.Text != "erased" {
			t.Errorf("erase event: %+v", ev)
		}
	})
}

// /dimenticami erases requests and applications too.
func TestForgetErasesDomestic(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, ds := domesticHarness(t, store)
		ctx := context.Background()
		c := h.citizen(t, "u1").pressData("dom:fam").pressData("dom:role:colf").pressData("dom:pat:non_convivente").
			pressData("dom:hours:10").pressData("dom:start:7").pressData("dom:mun:1").pressData("dom:care").
			pressData("dom:lang:it").pressData("dom:langok").say("giulia@example.org").press("Invia la richiesta").expect("Richiesta inviata")
		c.say("/dimenticami").press("Sì, cancella tutto").expect("ho cancellato")
		if reqs, apps, err := ds.ByConversation(ctx, "test:u1"); err != nil || len(reqs)+len(apps) != 0 {
			t.Errorf("left after erasure: %d requests, %d applications, %v", len(reqs), len(apps), err)
		}
		if ev := h.lastEvent(t); ev.Kind != bot.EventDomesticWithdrawn || ev.Text != "erased" {
			t.Errorf("staff event: %+v", ev)
		}
	})
}

// Typed answers a citizen would give are understood where buttons are offered.
func TestTypedAnswers(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		// "italiano" at the languages question is an answer, not a change of language.
		c := h.citizen(t, "u1").say("voglio assumere una tata").expect("Con quale orario").
			press("Non convivente").say("circa 20 ore").expect("Da quando").say("1/12").
			expect("Municipio").say("Municipio 7").expect("età, autonomia").press("Preferisco non dirlo").
			say("italiano e spagnolo").expectButtons("✅ italiano", "✅ spagnolo").expectNot("ti scrivo in italiano")
		c.say("annulla").expect("annullato")
		if c.say("+39 333 1234567"); strings.Contains(c.text(), "Riepilogo") {
			t.Error("the request went on after «annulla»")
		}
		// A typed "sì" to the erasure question just asked erases.
		h.citizen(t, "u2").say("/dimenticami").say("sì").expect("ho cancellato").expectNot("non ho cancellato")
		// The lists by their names.
		h.citizen(t, "u3").say("le mie richieste").expect("Non hai richieste")
		h.citizen(t, "u4").say("le mie prenotazioni").expect("Non hai prenotazioni")
	})
}

// What a citizen types into a form stays in the form: a later handoff does not carry
// it to staff, even after refusing consent or leaving the form; and words of other
// features are answers there.
func TestFormAnswersStayInTheForm(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		c := h.citizen(t, "u1").say("voglio lavorare come badante").say("sì va bene, sono Maria 3331234567").
			expect("rispondi con uno dei due pulsanti").press("Sono d'accordo").
			pressData("dom:roles:badante").pressData("dom:next").pressData("dom:years:3").
			say("ho lavorato come operatrice socio sanitaria, privacy e dignità prima di tutto").
			expect("lingue").expectNot("operatore WeMi", "I tuoi dati")
		c.pressData("dom:x").say("/operatore")
		ev := h.lastEvent(t)
		if ev.Kind != bot.EventHandoff {
			t.Fatalf("event: %+v", ev)
		}
		for _, turn := range ev.Recent {
			if strings.Contains(turn.Text, "3331234567") || strings.Contains(turn.Text, "socio sanitaria") {
				t.Errorf("a form answer reached staff: %q", turn.Text)
			}
		}
	})
}

// Questions about employing someone already hired, or about training, are the
// catalogue's; hours beyond a pattern's are refused with its range.
func TestHiringWordsAndHours(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		h.citizen(t, "u1").say("vorrei informazioni sul contratto della colf").expectNot("Con quale orario")
		h.citizen(t, "u2").say("cerco un corso per badante").expectNot("Con quale orario")
		h.citizen(t, "u3").say("cerco una colf").press("Non convivente").say("70").expect("da 1 a 40")
	})
}

// An arrangement, a start and a contact written in words; an English-speaking family
// reads the help it may get in English.
func TestDomesticTypedWords(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, ds := domesticHarness(t, store)
		c := h.citizen(t, "u1")
		c.lang = "en-GB"
		c.say("I need a live-in carer").expect("hours a week").pressData("dom:hours:54").
			pressData("dom:self:1").say("ASAP").expect("Municipio").pressData("dom:mun:2").pressData("dom:care").
			pressData("dom:lang:en").pressData("dom:langok").say("my number is +39 345 678 9012").
			expect("Live-in", "+39 345 678 9012", "Help you may be able to get", "Bonus Assistenti Familiari (Lombardy Region)",
				"A refund of part of the cost of the family carer", "Conditions: ISEE of the person who signs the contract up to €35,000").
			expectNot("in Italian", "Un rimborso", "Regione Lombardia", "Conditions: ISEE di chi firma")
		c.press("How the estimate is worked out").
			expect("*How the estimate is worked out*", "in force from 1 January 2026 (level BS) and the INPS contributions for 2026",
				"(up to 54 hours a week): €1,053.39.", "INPS €0.93 an hour", "Cassa Colf €0.04 an hour",
				"divided by 13.5", "(€6.66 a day)").
			expectNot("{", "Contributi a carico", "1.053,39 €", "under 6").
			expectButtons("Send the request", "Start again", "Never mind")
		c.press("Send the request").expect("Request sent")
		r, err := ds.GetRequest(context.Background(), h.lastEvent(t).Booking)
		if err != nil || r.Pattern != domestic.Convivente || r.Contact != "+39 345 678 9012" || !r.Start.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, r.Start.Location())) {
			t.Errorf("request: %+v %v", r, err)
		}
		h.citizen(t, "u2").say("cerco una colf").say("a ore").expect("Quante ore")
	})
}

// The estimate's notes are shown only for a request being put together, once it is
// complete: otherwise a press is stale.
func TestEstimateNotesStale(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h, _, _ := domesticHarness(t, store)
		h.citizen(t, "u1").pressData("dom:notes").expect("non è più valido")
		h.citizen(t, "u2").pressData("dom:fam").pressData("dom:role:colf").pressData("dom:notes").
			expect("non è più valido").expectNot("Come è calcolata")
		h.citizen(t, "u3").say("voglio lavorare come badante").press("Sono d'accordo").pressData("dom:notes").
			expect("non è più valido")
	})
}

// Every note an estimate can have has a sentence in every language, quoting exactly
// the note's figures.
func TestEstimateNotesHaveTexts(t *testing.T) {
	texts, err := bot.LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	pay, err := domestic.LoadPay()
	if err != nil {
		t.Fatal(err)
	}
	for name, lv := range pay.Levels {
		lv.FunctionAllowance = 20769 // so that its note is among those checked
		pay.Levels[name] = lv
	}
	placeholderRE := regexp.MustCompile(`\{([a-z_]+)\}`)
	checked := map[string]bool{}
	for _, role := range domestic.Roles() {
		for _, pattern := range domestic.Patterns() {
			hours := pay.Patterns[pattern]
			for h := hours.Min; h <= hours.Max; h++ {
				for _, self := range []bool{true, false} {
					e, ok := pay.Estimate(role, pattern, h, self)
					if !ok {
						continue
					}
					for _, n := range e.Notes {
						if checked[n.Key] {
							continue
						}
						checked[n.Key] = true
						var names []string
						for _, v := range n.Values {
							names = append(names, v.Name)
						}
						slices.Sort(names)
						for _, lang := range bot.Languages() {
							text := texts.T(lang, "dom.note."+n.Key)
							var got []string
							for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
								got = append(got, m[1])
							}
							slices.Sort(got)
							if text == "dom.note."+n.Key || !slices.Equal(got, names) {
								t.Errorf("%s: note %q reads %q; its figures are %q", lang, n.Key, text, names)
							}
						}
					}
				}
			}
		}
	}
	if len(checked) < 18 {
		t.Errorf("only %d kinds of note checked: %v", len(checked), checked)
	}
}
