package catalogue

import (
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/comune-milano/wemibot/i18n"
	"go.yaml.in/yaml/v3"
)

//go:embed municipi.yaml
var municipiYAML []byte

// Municipio is one of Milan's nine administrative districts.
type Municipio struct {
	Number         int
	Name           string
	Center         Point
	Neighbourhoods []Neighbourhood
}

// Neighbourhood is a NIL (Nucleo di Identità Locale), one of the neighbourhoods that
// make up a Municipio.
type Neighbourhood struct {
	Name      string
	Aliases   []string
	Point     Point
	Municipio int
}

// Milan is the city's geography: Municipi and neighbourhoods, with the names people
// use for them, its main streets and squares and its postcodes.
type Milan struct {
	Municipi []Municipio
	// Streets are the gazetteer's streets and squares (streets.yaml), in its order.
	Streets   []*Street
	byName    map[string]Neighbourhood
	names     []string              // folded names, longest first, for finding one in free text
	streets   map[string][]*Street  // by folded name without its kind, and aliases
	postcodes map[string]*Postcode  // by code
	kindForms map[string][]kindForm // the ways to write a kind of street, by first word
}

// LoadMilan reads the bundled geography of Milan: municipi.yaml, streets.yaml and
// postcodes.yaml, validated.
func LoadMilan() (*Milan, error) {
	var f struct {
		Municipi []struct {
			Number         int     `yaml:"number"`
			Name           string  `yaml:"name"`
			Latitude       float64 `yaml:"latitude"`
			Longitude      float64 `yaml:"longitude"`
			Neighbourhoods []struct {
				Name      string   `yaml:"name"`
				Latitude  float64  `yaml:"latitude"`
				Longitude float64  `yaml:"longitude"`
				Aliases   []string `yaml:"aliases"`
			} `yaml:"neighbourhoods"`
		} `yaml:"municipi"`
	}
	if err := yaml.Unmarshal(municipiYAML, &f); err != nil {
		return nil, fmt.Errorf("load municipi: %w", err)
	}
	m := &Milan{byName: map[string]Neighbourhood{}}
	for _, mr := range f.Municipi {
		mun := Municipio{Number: mr.Number, Name: mr.Name, Center: Point{Lat: mr.Latitude, Lon: mr.Longitude}}
		for _, nr := range mr.Neighbourhoods {
			n := Neighbourhood{Name: nr.Name, Aliases: nr.Aliases, Point: Point{Lat: nr.Latitude, Lon: nr.Longitude}, Municipio: mr.Number}
			mun.Neighbourhoods = append(mun.Neighbourhoods, n)
			for _, name := range neighbourhoodNames(n) {
				if _, taken := m.byName[name]; !taken {
					m.byName[name] = n
				}
			}
		}
		m.Municipi = append(m.Municipi, mun)
	}
	if len(m.Municipi) != 9 {
		return nil, fmt.Errorf("load municipi: found %d municipi, want 9", len(m.Municipi))
	}
	for name := range m.byName {
		m.names = append(m.names, name)
	}
	sort.Slice(m.names, func(i, j int) bool {
		if len(m.names[i]) != len(m.names[j]) {
			return len(m.names[i]) > len(m.names[j])
		}
		return m.names[i] < m.names[j]
	})
	if err := m.loadGazetteer(); err != nil {
		return nil, err
	}
	return m, nil
}

// neighbourhoodNames lists every folded name a neighbourhood answers to: its official
// name, each part of a compound name ("Niguarda - Ca' Granda"), and its aliases.
func neighbourhoodNames(n Neighbourhood) []string {
	names := []string{Fold(n.Name)}
	if parts := strings.Split(n.Name, " - "); len(parts) > 1 {
		for _, p := range parts {
			names = append(names, Fold(p))
		}
	}
	for _, a := range n.Aliases {
		names = append(names, Fold(a))
	}
	out := names[:0]
	for _, s := range names {
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	return out
}

// Municipio returns the Municipio with the given number (1-9).
func (m *Milan) Municipio(n int) (Municipio, bool) {
	for _, mun := range m.Municipi {
		if mun.Number == n {
			return mun, true
		}
	}
	return Municipio{}, false
}

// MunicipioAt returns the Municipio of the neighbourhood whose centre is nearest to
// p: near a border it may be the one next door, which is good enough to say which
// services reach a citizen's home.
func (m *Milan) MunicipioAt(p Point) int {
	best, bestD := 0, math.Inf(1)
	for _, mun := range m.Municipi {
		for _, n := range mun.Neighbourhoods {
			// An equirectangular distance: Milan is small enough for it.
			dlat, dlon := p.Lat-n.Point.Lat, (p.Lon-n.Point.Lon)*math.Cos(p.Lat*math.Pi/180)
			if d := dlat*dlat + dlon*dlon; d < bestD {
				best, bestD = mun.Number, d
			}
		}
	}
	return best
}

// Neighbourhood resolves a neighbourhood's name, ignoring case, accents and
// punctuation: "niguarda", "Quarto Oggiaro", "citta studi".
func (m *Milan) Neighbourhood(name string) (Neighbourhood, bool) {
	n, ok := m.byName[Fold(name)]
	return n, ok
}

// FindNeighbourhood finds a neighbourhood named anywhere in free text ("cerco aiuto in
// zona Lorenteggio"), preferring the longest name that matches whole words.
func (m *Milan) FindNeighbourhood(text string) (Neighbourhood, bool) {
	folded := " " + Fold(text) + " "
	for _, name := range m.names {
		if strings.Contains(folded, " "+name+" ") {
			return m.byName[name], true
		}
	}
	return Neighbourhood{}, false
}

// StripNeighbourhood finds a neighbourhood named in free text, like
// FindNeighbourhood, and also returns the text without the words of its name:
// "babysitter a Niguarda" gives "babysitter a" and Niguarda.
func (m *Milan) StripNeighbourhood(text string) (string, Neighbourhood, bool) {
	n, ok := m.FindNeighbourhood(text)
	if !ok {
		return text, Neighbourhood{}, false
	}
	words := strings.Fields(text)
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = Fold(w)
	}
	for _, name := range neighbourhoodNames(n) {
		target := strings.Fields(name)
		for i := 0; i+len(target) <= len(words); i++ {
			// A word may fold to several ("ca'granda"): compare the folded run.
			if strings.Join(folded[i:i+len(target)], " ") == name {
				rest := append(append([]string(nil), words[:i]...), words[i+len(target):]...)
				return strings.Join(rest, " "), n, true
			}
		}
	}
	return text, n, true
}

// Fold lower-cases text, removes accents and turns punctuation into single spaces, so
// that "Ca' Granda", "CA GRANDA" and "ca'granda" compare by their words.
func Fold(s string) string { return i18n.Fold(s) }
