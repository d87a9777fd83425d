package catalogue

import (
	"sort"
	"strings"
	"testing"
)

func mustMilan(t testing.TB) *Milan {
	t.Helper()
	m, err := LoadMilan()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFindAddress(t *testing.T) {
	m := mustMilan(t)
	tests := []struct {
		text, street, number string
		municipio            int
		rest                 string
	}{
		{"via Padova", "via Padova", "", 2, ""},
		{"/vicino via Padova", "via Padova", "", 2, "vicino"},
		{"spazio WeMi vicino a corso Buenos Aires 20", "corso Buenos Aires", "20", 3, "spazio wemi vicino a"},
		{"abito in viale Monza", "viale Monza", "", 2, "abito in"},
		{"I live near piazza Duomo", "piazza del Duomo", "", 1, "i live near"},
		// Abbreviations, case, accents, punctuation, house numbers.
		{"v.le Monza 120", "viale Monza", "120", 2, ""},
		{"C.SO BUENOS AIRES, 20", "corso Buenos Aires", "20", 3, ""},
		{"p.za Cinque Giornate", "piazza Cinque Giornate", "", 1, ""},
		{"p.zza 5 giornate 3", "piazza Cinque Giornate", "3", 1, ""},
		{"p.le Loreto", "piazzale Loreto", "", 2, ""},
		{"c.so XXII Marzo n. 12", "corso XXII Marzo", "12", 4, ""},
		{"via Mosè Bianchi 4", "via Mosè Bianchi", "4", 7, ""},
		{"via mose bianchi", "via Mosè Bianchi", "", 7, ""},
		{"via della Spiga", "via della Spiga", "", 1, ""},
		{"via Spiga 2", "via della Spiga", "2", 1, ""},
		{"piazza dell'Ateneo Nuovo", "piazza dell'Ateneo Nuovo", "", 9, ""},
		{"via Ca' Granda", "viale Ca' Granda", "", 9, ""}, // another kind, a unique name
		{"via Buenos Aires 3", "corso Buenos Aires", "3", 3, ""},
		{"vivo in via Padva 12", "via Padova", "12", 2, "vivo in"}, // one letter off
		{"corso Lodi", "corso Lodi", "", 4, ""},
		{"piazzale Lodi", "piazzale Lodi", "", 4, ""},
		{"corso Sempione 5", "corso Sempione", "5", 8, ""},
		{"piazza Sempione", "piazza Sempione", "", 1, ""},
		{"я живу на via Padova 5", "via Padova", "5", 2, "я живу на"},
		{"我住在via Padova", "via Padova", "", 2, "我 住 在"},
		// An address as on an envelope: the street, not its postcode.
		{"corso Buenos Aires 20, 20124 Milano", "corso Buenos Aires", "20", 3, ""},
		{"abito in via Padova 12 - 20127 Milano (MI)", "via Padova", "12", 2, "abito in"},
	}
	for _, tt := range tests {
		a, rest, ok := m.FindAddress(tt.text)
		if !ok || a.Street == nil {
			t.Errorf("FindAddress(%q) = %+v, %v; want %s", tt.text, a, ok, tt.street)
			continue
		}
		if a.Street.Name != tt.street || a.Number != tt.number || a.Municipio() != tt.municipio || rest != tt.rest {
			t.Errorf("FindAddress(%q) = %s %q (Municipio %d), rest %q; want %s %q (%d), rest %q",
				tt.text, a.Street.Name, a.Number, a.Municipio(), rest, tt.street, tt.number, tt.municipio, tt.rest)
		}
	}
}

func TestFindPostcode(t *testing.T) {
	m := mustMilan(t)
	tests := []struct {
		text      string
		code      string
		municipio int
		outside   bool
	}{
		{"CAP 20127", "20127", 2, false},
		{"cap: 20162", "20162", 9, false},
		{"abito nel 20136", "20136", 5, false},
		{"c.a.p. 20121 Milano", "20121", 1, false},
		{"20159 Milano (MI)", "20159", 9, false},
		{"my postcode is 20149", "20149", 8, false},
		{"CAP 20090", "", 0, true}, // Segrate: the province, not the city
		{"cap 00184", "", 0, true}, // Rome
	}
	for _, tt := range tests {
		a, _, ok := m.FindAddress(tt.text)
		switch {
		case !ok:
			t.Errorf("FindAddress(%q): nothing found", tt.text)
		case a.Outside != tt.outside:
			t.Errorf("FindAddress(%q): outside %v, want %v", tt.text, a.Outside, tt.outside)
		case !tt.outside && (a.Postcode == nil || a.Postcode.Code != tt.code || a.Municipio() != tt.municipio):
			t.Errorf("FindAddress(%q) = %+v, want %s in Municipio %d", tt.text, a, tt.code, tt.municipio)
		}
	}
	// Amounts and numbers that are not a postcode.
	for _, text := range []string{"ISEE sotto 20500 euro", "ho 20130 euro", "chiamo il 0255502001"} {
		if a, _, ok := m.FindAddress(text); ok {
			t.Errorf("FindAddress(%q) = %+v, want nothing", text, a)
		}
	}
}

func TestFindAddressUnknownStreets(t *testing.T) {
	m := mustMilan(t)
	for _, tt := range []struct{ text, said string }{
		{"abito in via Inesistente 4", "via inesistente"},
		{"v.le delle Rose", "viale delle rose"},
		{"/vicino corso Atlantide", "corso atlantide"},
	} {
		a, _, ok := m.FindAddress(tt.text)
		if !ok || a.Known() || a.Said != tt.said {
			t.Errorf("FindAddress(%q) = %+v, %v; want an unknown street %q", tt.text, a, ok, tt.said)
		}
	}
	for _, text := range []string{"cerco una badante", "babysitter a Niguarda", "", strings.Repeat("via ", 500)} {
		if a, _, ok := m.FindAddress(text); ok && a.Known() {
			t.Errorf("FindAddress(%q) = %+v, want no known address", shorten(text), a)
		}
	}
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// The gazetteer's data: every street near the neighbourhoods of its Municipio (a
// wrong sign or a swapped coordinate lands it elsewhere), every postcode of Milan.
func TestGazetteerData(t *testing.T) {
	m := mustMilan(t)
	if len(m.Streets) < 300 {
		t.Errorf("%d streets, want a few hundred", len(m.Streets))
	}
	var all []Neighbourhood
	for _, mun := range m.Municipi {
		all = append(all, mun.Neighbourhoods...)
	}
	for _, s := range m.Streets {
		sort.Slice(all, func(i, j int) bool {
			return planeDistance(s.Point, all[i].Point) < planeDistance(s.Point, all[j].Point)
		})
		found := false
		for _, n := range all[:4] {
			found = found || n.Municipio == s.Municipio
		}
		if !found {
			t.Errorf("%s (Municipio %d) at %v, %v: the nearest neighbourhoods are %s (%d), %s (%d)",
				s.Name, s.Municipio, s.Point.Lat, s.Point.Lon, all[0].Name, all[0].Municipio, all[1].Name, all[1].Municipio)
		}
	}
	for code := 20121; code <= 20162; code++ {
		c := itoa(code)
		_, ok := m.Postcode(c)
		if want := code%10 != 0; ok != want {
			t.Errorf("Postcode(%s) found %v, want %v", c, ok, want)
		}
	}
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// planeDistance is enough to compare distances within a city.
func planeDistance(a, b Point) float64 {
	dlat, dlon := a.Lat-b.Lat, (a.Lon-b.Lon)*0.7
	return dlat*dlat + dlon*dlon
}

// FindAddress reads citizens' words: whatever they are, it neither panics nor
// returns a known address without a point in Milan, and what it leaves is the
// message's own words.
func FuzzFindAddress(f *testing.F) {
	m := mustMilan(f)
	for _, s := range []string{"via Padova 12", "v.le Monza", "CAP 20127", "c.so", "via", "p.za 5 giornate 3",
		"20121 20162 cap 00184", "abito in via della Spiga", "vía", "via via via 1 2 3", "我住在via Padova"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, rest, ok := m.FindAddress(text)
		if !ok {
			return
		}
		if a.Known() {
			p := a.Point()
			if p.Lat < minLat || p.Lat > maxLat || p.Lon < minLon || p.Lon > maxLon || a.Municipio() < 1 || a.Municipio() > 9 {
				t.Fatalf("FindAddress(%q) = %+v: not in Milan", text, a)
			}
		}
		if len(rest) > len(Fold(text)) {
			t.Fatalf("FindAddress(%q) left %q, longer than the message", text, rest)
		}
	})
}

// What reading an address costs: a citizen's sentence, and the worst case, a long
// message of street kinds (bounded by maxKindsLooked).
func BenchmarkFindAddress(b *testing.B) {
	m := mustMilan(b)
	for _, bc := range []struct{ name, text string }{
		{"sentence", "abito in v.le Monza 120 e cerco una badante per mia madre"},
		{"unknown", "abito in via dei Gelsomini Blu 4"},
		{"worst", strings.Repeat("via viale corso piazza xyzzyq ", 200)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				m.FindAddress(bc.text)
			}
		})
	}
}
