package bot_test

import (
	"testing"

	"github.com/comune-milano/wemibot/bot"
)

// A street or a postcode, said with a command or in a sentence in any language,
// lists what is near it: the WeMi spaces by distance and the services that reach
// its Municipio.
func TestNearAStreetOrAPostcode(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		tests := []struct{ lang, say, want string }{
			{"it", "/vicino via Padova", "Vicino a via Padova:"},
			{"it", "spazio WeMi vicino a corso Buenos Aires 20", "Vicino a corso Buenos Aires 20:"},
			{"it", "CAP 20127", "Vicino a CAP 20127 (Loreto, via Padova, NoLo, Turro):"},
			{"it", "20136", "Vicino a CAP 20136"},
			{"it", "abito in viale Monza", "Vicino a viale Monza:"},
			{"en", "I live near piazza Duomo", "Near piazza del Duomo:"},
			// Held-out phrasings: abbreviations, capitals, house numbers, other cues.
			{"it", "V.LE MONZA 45", "Vicino a viale Monza 45:"},
			{"it", "sto in c.so Lodi n. 3", "Vicino a corso Lodi 3:"},
			{"it", "quali spazi wemi ci sono vicino a p.le Loreto?", "Vicino a piazzale Loreto:"},
			{"it", "mi trovo in p.za 5 giornate", "Vicino a piazza Cinque Giornate:"},
			{"es", "vivo en via Padova 12", "Cerca de via Padova 12"},
			{"fr", "j'habite près de corso Buenos Aires", "corso Buenos Aires"},
			{"ro", "locuiesc pe viale Monza", "viale Monza"},
			{"uk", "я живу на via Padova", "via Padova"},
			{"ru", "живу рядом с piazzale Loreto", "piazzale Loreto"},
			{"ar", "أسكن في via Padova", "via Padova"},
			{"zh", "我住在viale Monza", "viale Monza"},
		}
		for i, tt := range tests {
			c := h.citizen(t, "p"+string(rune('a'+i)))
			if tt.lang != "it" {
				c.say("/lingua " + tt.lang)
			}
			c.say(tt.say).expect(tt.want)
			located := false
			for _, r := range c.replies {
				located = located || r.Location != nil
			}
			if !located {
				t.Errorf("%q: no map of the nearest space", tt.say)
			}
		}
		// The nearest space to via Padova is NoLo's; the services reach Municipio 2.
		h.citizen(t, "q1").say("/vicino via Padova").expect("Spazio WeMi NoLo", "Servizi che arrivano nel Municipio 2")
	})
}

// An unknown street gets a polite answer and the location button; a postcode of
// another town says WeMi is Milan's.
func TestNearUnknownStreetsAndPostcodes(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		for _, say := range []string{"/vicino via Inesistente", "abito in via dei Gelsomini Blu 4", "/vicino v.le delle Rose"} {
			c := h.citizen(t, "u-"+say).say(say).expect("Non trovo «", "tra le vie di Milano che conosco")
			if label, _ := locationAsk(c); label == "" {
				t.Errorf("%q: no location button", say)
			}
		}
		h.citizen(t, "u2").say("/vicino CAP 20090").expect("non è di Milano città")
		h.citizen(t, "u3").say("/lingua en").say("/vicino corso Atlantide").expect("I can't find \"corso atlantide\"")
		// After an unknown street, the next message is a place again.
		h.citizen(t, "u4").say("/vicino via Inesistente").say("via Padova").expect("Vicino a via Padova")
	})
}

// A street or a postcode inside a need narrows the search to its Municipio, and
// words that only look like a street stay a need.
func TestAddressesInsideANeed(t *testing.T) {
	eachStore(t, func(t *testing.T, store bot.Store) {
		h := newHarness(t, store)
		h.citizen(t, "u1").say("psicologo in via Padova").expect("Municipio 2 (via Padova)").expectNot("Vicino a")
		h.citizen(t, "u2").say("abito in viale Monza e cerco uno psicologo").expect("Municipio 2").expectNot("Vicino a")
		h.citizen(t, "u3").say("corso di italiano vicino a casa").expectNot("Non trovo «", "Vicino a corso")
		h.citizen(t, "u4").say("ISEE 20500 euro, ci sono sconti?").expectNot("Vicino a", "CAP")
		// After a search, a place narrows it; naming the spaces asks what is near.
		c := h.citizen(t, "u5").say("psicologo").say("e in via Padova?").expect("Municipio 2 (via Padova)").expectNot("Vicino a")
		c.say("e gli spazi wemi vicino a via Padova?").expect("Vicino a via Padova")
		// The zone question takes a postcode or a street too.
		h.citizen(t, "u6").say("psicologo").press("Zona").say("20162").expect("Municipio 9 (CAP 20162")
	})
}
