package bot_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
)

func TestWelcomeAndMenu(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.citizen(t, "u1").say("/start").
			expect("WeMi Bot", "di cosa hai bisogno").
			expectButtons("Cerca un servizio", "Categorie", "Tate, colf e badanti", "Spazi WeMi", "Le mie prenotazioni", "Parla con un operatore", "Lingua").
			say("Ciao!").expect("WeMi Bot").
			say("buongiorno a tutti").expect("WeMi Bot").
			press("Cerca un servizio").expect("con parole tue").
			say("/aiuto").expect("Cosa posso fare per te", "/dimenticami").
			say("/annulla").expect("ho annullato").
			say("/boh").expect("Non conosco il comando /boh").
			press("Le mie prenotazioni").expect("Non hai prenotazioni").
			press("Menu").press("Tate, colf e badanti").expect("badante", "contratto").
			press("Servizi per il lavoro domestico").expect("Lavoro domestico")
	})
}

func TestDeepLinks(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		svc := testIndex(t).Catalogue().Services[0]
		h.citizen(t, "u1").say("/start s_"+svc.ID).expect(svc.Name, "Costo").expectButtons("Come richiederlo")
		h.citizen(t, "u2").say("/start c_pasti-domicilio").expect("Pasti a domicilio", "3 servizi")
		h.citizen(t, "u3").say("/start s_non-esiste").expect("non corrisponde più", "WeMi Bot")
		h.citizen(t, "u4").say("/start@WeMiBot c_corsi-italiano").expect("Corsi di italiano")
	})
}

func TestSearchPagingAndRefining(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("non so a chi lasciare i bambini il pomeriggio").
			expect("Ho trovato", "Ecco i più adatti").
			expectButtons("Altri risultati", "Solo gratuiti", "Zona", "Per chi", "Nessuno di questi")
		first := c.buttonsWithData("svc:")
		if len(first) != 5 {
			t.Fatalf("page 1 has %d services", len(first))
		}
		c.press("Altri risultati").expect("6. ").expectButtons("Indietro")
		second := c.buttonsWithData("svc:")
		if second[0].Data == first[0].Data {
			t.Error("page 2 repeats page 1")
		}
		c.press("Indietro").expect("1. ")
		c.press("Solo gratuiti").expect("solo gratuiti").expectButtons("Solo gratuiti ✓")
		for _, b := range c.buttonsWithData("svc:") {
			s, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(b.Data, "svc:"))
			if !s.Cost.Free {
				t.Errorf("free-only results include paid %s", s.ID)
			}
		}
		c.press("Solo gratuiti ✓").press("Zona").expect("In quale Municipio").press("9").expect("Municipio 9")
		for _, b := range c.buttonsWithData("svc:") {
			s, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(b.Data, "svc:"))
			if !s.Serves(9) {
				t.Errorf("Municipio 9 results include %s", s.ID)
			}
		}
		c.press("Per chi").expect("Per chi è il servizio").press("persone con disabilità")
		c.press("Per chi").press("Per tutti").press("Zona").press("Tutta Milano").expectNot("Municipio 9")
		// A card from the results, and back.
		c.pressData(c.buttonsWithData("svc:")[0].Data).expect("Costo", "Attesa").expectButtons("Come richiederlo").
			press("Torna ai risultati").expect("Ho trovato")
	})
}

func TestNeighbourhoodInTheMessageNarrowsTheSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("psicologo a Niguarda").expect("Municipio 9 (Niguarda", "«psicologo a Niguarda»").expectNot("Pasti")
		for _, b := range c.buttonsWithData("svc:") {
			s, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(b.Data, "svc:"))
			if !s.Serves(9) {
				t.Errorf("%s does not serve Municipio 9", s.ID)
			}
		}
		// No babysitting service covers Niguarda: the bot says so and shows the city's,
		// rather than padding the list with unrelated services of the area.
		h.citizen(t, "u2").say("cerco una babysitter a Niguarda").expect("non ho trovato servizi", "tutta Milano").
			expectButtons("Babysitting", "Tate, colf e badanti").expectNot("Pasti")
	})
}

func TestNoResultsThenOperator(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("astronave marziana quantistica").
			expect("non ho trovato servizi").expectButtons("Categorie", "Parla con un operatore")
		if n := len(h.staff.all()); n != 0 {
			t.Fatalf("%d events after one miss", n)
		}
		c.say("teletrasporto interstellare").expect("ho chiesto a un operatore WeMi")
		ev := h.staff.all()
		if len(ev) != 1 || ev[0].Kind != bot.EventHandoff || ev[0].Reason != "no_results" || ev[0].FirstName != "Giulia" {
			t.Fatalf("events: %+v", ev)
		}
		if len(ev[0].Recent) == 0 || ev[0].Query != "teletrasporto interstellare" {
			t.Errorf("handoff lacks context: %+v", ev[0])
		}
		// "None of these" counts too.
		d := h.citizen(t, "u2").say("psicologo").press("Nessuno di questi").expect("altre parole")
		d.say("psicologa per ansia").press("Nessuno di questi").expect("operatore WeMi")
		if n := len(h.staff.all()); n != 2 {
			t.Errorf("%d events, want 2", n)
		}
	})
}

// Outside office hours the citizen learns when someone will answer: here on the
// evening of 6 December, after Sunday come Sant'Ambrogio and the Immacolata.
func TestHandoffOutsideOfficeHours(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		rome, _ := time.LoadLocation("Europe/Rome")
		h.clock.Set(time.Date(2026, 12, 6, 20, 0, 0, 0, rome))
		h.citizen(t, "u1").say("/operatore").expect("uffici sono chiusi", "mer 09/12 alle 09:00")
	})
}

func TestOperatorOnRequest(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.citizen(t, "u1").say("badante").say("voglio parlare con una persona").
			expect("operatore WeMi", "entro 30 minuti").expectButtons("Torna all'assistente").
			say("/operatore").expect("Stai già parlando")
		h.citizen(t, "u2").say("/operatore").expect("operatore WeMi")
		ev := h.staff.all()
		if len(ev) != 2 || ev[0].Reason != "asked" || ev[0].Query != "badante" || ev[0].Channel != "test" {
			t.Fatalf("events: %+v", ev)
		}
	})
}

func TestCategoriesAndCard(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/categorie").expect("categorie").
			expectButtons("Servizi educativi (35)", "Supporto psicologico (28)", "Pasti a domicilio (3)")
		c.press("Supporto psicologico").expect("Supporto psicologico", "28 servizi").expectButtons("Altri risultati")
		cat := testIndex(t).Catalogue()
		var svc *catalogue.Service
		for _, s := range cat.Services {
			if s.Cost.ISEE != nil && s.Delivery.Shared != nil && s.Delivery.Individual && !s.Cost.Free {
				svc = s
				break
			}
		}
		// The card is a summary; each detail is a button away.
		c.pressData("svc:"+svc.ID).expect(svc.Name, "Sentieri", "Per chi", "Costo", "in gruppo", "ISEE", "Dove",
			"Attesa massima").expectNot(svc.Organization.Phone, svc.Activation).
			expectButtons("Costi", "Quando", "Dove", "Contatti", "Come richiederlo", "Parla con un operatore", "Menu")
		c.press("Costi").expect("Individuale", "In gruppo", "Riduzione ISEE").
			expectButtons("Quando", "Torna al servizio").press("Torna al servizio").expect("Attesa massima")
		c.press("Quando").expect("Quando", "dalle").press("Dove").expect("Municipi", svc.Organization.Location.Address)
		c.press("Contatti").expect(svc.Organization.Phone, svc.Organization.Email)
		c.press("Come richiederlo").expect("Come richiedere", svc.Organization.Email)
	})
}

func TestNearMe(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/vicino").expect("Condividi la tua posizione").
			share(catalogue.Point{Lat: 45.5180, Lon: 9.1880}).
			expect("Vicino a te", "Servizi", "Spazi WeMi", " m", "aperto ora")
		var located bool
		for _, r := range c.replies {
			located = located || r.Location != nil
		}
		if !located {
			t.Error("no map location for the nearest WeMi space")
		}
		c.say("/vicino").say("Lorenteggio").expect("Vicino a Lorenteggio")
		c.press("Menu").press("Vicino a me").say("Atlantide").expect("Non conosco il luogo")
		c.say("45.4642, 9.19").expect("Vicino a te")
		c.share(catalogue.Point{Lat: 41.9, Lon: 12.5}).expect("fuori Milano")
		// With a search in progress, near me finds its services.
		h.citizen(t, "u2").say("psicologo").press("Menu").press("Vicino a me").say("Isola").expect("Vicino a Isola")
	})
}

func TestSpacesOpenNow(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/spazi").expect("Spazi WeMi", "corso San Gottardo 41", "aperto ora")
		c.press("San Gottardo").expect("Orari", "Cosa puoi fare qui", "sangottardo@")
		// Sunday night: every space is closed.
		sunday := monday10(t).Add(-34 * time.Hour)
		h.clock.Set(sunday)
		c.say("/spazi").expect("chiuso ora").expectNot("aperto ora")
	})
}

func TestLanguage(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		en := h.citizen(t, "u1")
		en.lang = "en-GB"
		en.say("/start").expect("Hi! I'm *WeMi Bot*").expectButtons("Find a service", "Talk to a person").
			say("someone to walk my dog").expect("I found").
			say("/language").expectButtons("Italiano", "English").press("Italiano").expect("in italiano").
			say("/start").expect("Ciao! Sono")
		it := h.citizen(t, "u2").say("/lingua english").expect("in English")
		it.say("/categorie").expect("categories").expectButtons("Childcare and education (35)")
	})
}

func TestPrivacyAndForgetMe(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/lingua en").say("psychologist for my son").
			say("/privacy").expect("Your data", "30 days", "delete", "a key of your own", "backup copies can no longer be read").
			press("Delete my data").expect("really").press("No, cancel").expect("haven't deleted")
		c.say("/forget").press("Yes, delete everything").expect("deleted everything")
		// Nothing is left: the store knows no such conversation.
		sess, err := store.Begin(context.Background(), bot.Begin{Conversation: "test:u1", UpdateID: "probe", LockTTL: time.Second, RateWindow: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if sess.State != nil {
			t.Errorf("state survived erasure: %s", sess.State)
		}
		store.Release(context.Background(), sess)
		c.say("/start").expect("Ciao! Sono") // the language choice is gone too
		// A stale confirmation button does not erase by surprise.
		h.citizen(t, "u2").say("badante").pressData("forgetyes").expect("Vuoi davvero cancellare")
	})
}

func TestSafetyWhateverTheFlow(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.citizen(t, "u1").press2("Vicino a me").say("mio marito mi picchia e ho paura").
			expect("112", "1522").expectNot("Vicino a")
		h.citizen(t, "u2").say("/dimenticami").say("non voglio più vivere").expect("112", "Telefono Amico", "02 2327 2327")
		h.citizen(t, "u3").say("my dad is having a heart attack").expect("112")
		ev := h.staff.all()
		if len(ev) != 3 {
			t.Fatalf("%d events, want 3", len(ev))
		}
		for _, e := range ev {
			if e.Kind != bot.EventEmergency || !e.Priority {
				t.Errorf("event %+v is not a priority emergency", e)
			}
		}
		// A search that merely mentions a hard topic is a search.
		h.citizen(t, "u4").say("fisioterapia dopo un ictus").expect("Ho trovato")
	})
}

func TestLimitsAndForgedButtons(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say(strings.Repeat("aiuto ", 2000)).expect("molto lungo")
		c.say("   ").expect("Non ho ricevuto testo")
		for _, forged := range []string{"svc:non-esiste", "svc:", "xyz", "page:999", "page:-1", "cat:../../etc/passwd",
			"zone:77", "for:marziani", strings.Repeat("a", 300), "svc:ab\x00c", "space:nope", "retry:1", "menu:x"} {
			c.pressData(forged).expect("non è più valido")
		}
		c.pressData("lang:de").expect("Which language")
		// Someone else's results are not reachable: paging needs one's own search.
		h.citizen(t, "u2").pressData("page:1").expect("non è più valido")
	})
}

func TestFloodGetsOneSlowDown(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store, func(o *bot.Options) { o.RateLimit = 5; o.RateWindow = time.Minute })
		c := h.citizen(t, "u1")
		slow := 0
		for i := 0; i < 30; i++ {
			c.say("badante")
			if strings.Contains(c.text(), "molto velocemente") {
				slow++
			}
			if i >= 6 && !strings.Contains(c.text(), "molto velocemente") && len(c.replies) != 0 {
				t.Fatalf("message %d of a flood was answered:\n%s", i, c.transcript())
			}
		}
		if slow != 1 {
			t.Errorf("%d slow-down messages, want 1", slow)
		}
	})
}

// press2 presses a main-menu button after opening the menu.
func (c *convo) press2(label string) *convo {
	c.t.Helper()
	return c.say("/menu").press(label)
}

func TestUnsupportedContentAndPagingInPlace(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1")
		c.send(bot.Message{Unsupported: "voice"}).expect("solo messaggi scritti")
		c.say("psicologo")
		if c.replies[0].Replace {
			t.Error("a new search must be a new message")
		}
		c.press("Altri risultati")
		if !c.replies[0].Replace {
			t.Error("paging must replace the results message")
		}
		c.press("Solo gratuiti")
		if !c.replies[0].Replace {
			t.Error("refining must replace the results message")
		}
	})
}

func TestForgedPageNumbersDoNotCrash(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("psicologo")
		for _, data := range []string{"cat:educativo:2305843009213693952", "cat:educativo:-3", "cat:educativo:99999999999999999999",
			"page:1000", "cat:educativo:abc"} {
			c.pressData(data)
			if c.err != nil || len(c.replies) == 0 {
				t.Errorf("%s: err %v, %d replies", data, c.err, len(c.replies))
			}
		}
	})
}

func TestAppLanguageCountsUntilTheCitizenChooses(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/start").expect("Ciao! Sono")
		c.lang = "en"
		c.say("/start").expect("Hi! I'm")
		c.say("/lingua it").expect("in italiano")
		c.say("/start").expect("Ciao! Sono") // the choice wins over the app's language
	})
}

func TestLocationMustBeAPoint(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		nan := math.NaN()
		h.citizen(t, "u1").share(catalogue.Point{Lat: nan, Lon: nan}).expect("Condividi la tua posizione")
		h.citizen(t, "u2").share(catalogue.Point{Lat: 200, Lon: 9}).expect("Condividi la tua posizione")
	})
}

func TestPlainSentences(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1")
		c.say("grazie mille!").expect("Prego")
		c.say("che dati tenete su di me?").expect("I tuoi dati")
		c.say("cancella i miei dati").expect("Vuoi davvero cancellare").press("No, annulla")
		c.say("vicino a me").expect("Condividi la tua posizione")
		c.say("dov'è lo spazio WeMi più vicino?").expect("Spazi WeMi")
		c.say("english please").expect("in English")
		c.say("italiano").expect("in italiano")
		c.say("corso di italiano").expect("Ho trovato") // a need, not a language switch
		// Free words become the filter.
		c.say("psicologo gratis").expect("solo gratuiti").expectButtons("Solo gratuiti ✓")
		for _, b := range c.buttonsWithData("svc:") {
			s, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(b.Data, "svc:"))
			if !s.Cost.Free {
				t.Errorf("%s is not free", s.ID)
			}
		}
		// A neighbourhood typed after the zone question sets the zone.
		c.say("psicologo").press("Zona").say("Città Studi").expect("Municipio 3 (").expectButtons("Zona ✓")
		// Markup pasted into a message is not part of the need.
		c.say("<img src=x onerror=alert(1)> cerco <b>badante</b>").expect("Ho trovato")
		if first, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(c.buttonsWithData("svc:")[0].Data, "svc:")); first.Category != catalogue.SocioAssistenziale {
			t.Errorf("badante with markup found %s first", first.ID)
		}
		// Nothing searchable is not a failure: no operator is called.
		c.say("😀😀🙏").expect("Non ho capito")
		c.say("aiuto").expect("Cosa posso fare per te") // the help, not a failed search
		if n := len(h.staff.all()); n != 0 {
			t.Errorf("%d staff events for messages with nothing to search", n)
		}
	})
}

func TestWordingDetails(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("/start c_pasti-domicilio")
		c.say("/lingua en").say("someone to walk my dog")
		// English lists show English titles (long ones cut to one line).
		for _, b := range c.buttonsWithData("svc:") {
			s, _ := testIndex(t).Catalogue().Service(strings.TrimPrefix(b.Data, "svc:"))
			if title := []rune(s.NameEN); !strings.Contains(c.text(), string(title[:min(len(title), 40)])) {
				t.Errorf("the English list lacks %q", s.NameEN)
			}
		}
		// A card's details say where the provider is and the languages spoken.
		c.pressData(c.buttonsWithData("svc:")[0].Data).press("Where").expect("office:").
			press("What it is").expect("Languages:", "Italian")
		// A closed space says when it opens.
		h.clock.Set(monday10(t).Add(-34 * time.Hour)) // Sunday night
		h.citizen(t, "u2").say("/spazi").expect("apre lun alle")
	})
}

func TestAfterHandoffNoMoreFailures(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		// While the handoff is open, what the citizen writes goes to the operators:
		// no search, no failure counted, no second handoff.
		c := h.citizen(t, "u1").say("/operatore")
		c.say("xqzw vbnm").silent()
		c.say("plokij uhygt").silent()
		ev := h.staff.all()
		if len(ev) != 3 || ev[0].Kind != bot.EventHandoff || ev[1].Kind != bot.EventRelay || ev[2].Text != "plokij uhygt" {
			t.Errorf("events: %+v", ev)
		}
	})
}

// The buttons of an older list do not act on (nor replace) the current one.
func TestOlderListButtons(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		c := h.citizen(t, "u1").say("babysitter")
		oldFree := c.findButton("Solo gratuiti").Data
		oldMore := c.findButton("Altri risultati")
		c.say("corso di italiano").expect("Ho trovato")
		c.pressData(oldFree).expect("non è più quello attuale")
		if c.replies[0].Replace {
			t.Error("a stale button replaced a message")
		}
		if oldMore != nil {
			c.pressData(oldMore.Data).expect("non è più quello attuale")
		}
	})
}

func TestNoStaffDeskIsSaidPlainly(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store, func(o *bot.Options) { o.Staff = nil })
		h.citizen(t, "u1").say("/operatore").expect("Spazio WeMi").expectButtons("Spazi WeMi").expectNot("Ho passato")
		h.citizen(t, "u2").say("mio marito mi picchia").expect("1522").expectNot("avvisato")
	})
}
