package catalogue

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Milan's streets and postcodes, as data (streets.yaml, postcodes.yaml), so that a
// citizen who writes "via Padova" or "CAP 20127" finds what is near.

//go:embed streets.yaml
var streetsYAML []byte

//go:embed postcodes.yaml
var postcodesYAML []byte

// Street is a street or square of Milan's gazetteer.
type Street struct {
	// Name is as on the street sign, its kind first: "via Padova", "piazza del Duomo".
	Name string
	// Kind is the name's first word: via, viale, corso, piazza, piazzale, largo...
	Kind    string
	Aliases []string
	// Point is approximate: the middle of a long street.
	Point     Point
	Municipio int
}

// Postcode is the area of one of Milan's postcodes (CAP).
type Postcode struct {
	Code string
	// Area is what people call it: "Loreto, via Padova, NoLo, Turro".
	Area      string
	Municipio int
	// Neighbourhoods are the NIL it covers, the main one first: its centre stands
	// for the postcode's.
	Neighbourhoods []Neighbourhood
}

// Point is the centre of the postcode's main neighbourhood.
func (p Postcode) Point() Point { return p.Neighbourhoods[0].Point }

// streetKinds are the kinds of street the gazetteer knows, with the ways citizens
// write them, folded ("v.le" folds to "v le").
var streetKinds = map[string][]string{
	"via":      {"via", "v"},
	"viale":    {"viale", "v le", "vle"},
	"corso":    {"corso", "c so", "cso"},
	"piazza":   {"piazza", "p za", "p zza", "pza", "pzza"},
	"piazzale": {"piazzale", "p le", "ple"},
	"largo":    {"largo", "l go", "lgo"},
	"vicolo":   {"vicolo", "vic"},
	"alzaia":   {"alzaia", "alz"},
	"ripa":     {"ripa"},
	"foro":     {"foro"},
	"bastioni": {"bastioni"},
	"galleria": {"galleria", "gall"},
}

// The gazetteer's bounds: Milan's postcodes, and names short enough to find in a
// message word by word.
var postcodeRE = regexp.MustCompile(`^201[2-6][1-9]$`)

const maxStreetNameWords = 7

// loadGazetteer reads streets.yaml and postcodes.yaml into m, which has its
// neighbourhoods already. Every problem is reported at once.
func (m *Milan) loadGazetteer() error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	m.kindForms = indexKinds()
	m.loadStreets(bad)
	m.loadPostcodes(bad)
	if len(problems) > 0 {
		return fmt.Errorf("load Milan's gazetteer: %d problems: %s", len(problems), strings.Join(problems, "; "))
	}
	return nil
}

func (m *Milan) loadStreets(bad func(string, ...any)) {
	var f struct {
		Streets []struct {
			Name      string   `yaml:"name"`
			Aliases   []string `yaml:"aliases"`
			Lat       float64  `yaml:"lat"`
			Lon       float64  `yaml:"lon"`
			Municipio int      `yaml:"municipio"`
		} `yaml:"streets"`
	}
	if err := yaml.Unmarshal(streetsYAML, &f); err != nil {
		bad("streets.yaml: %v", err)
		return
	}
	m.streets = map[string][]*Street{}
	names := map[string]bool{}
	for i, r := range f.Streets {
		where := fmt.Sprintf("streets.yaml: street #%d %q", i+1, r.Name)
		kind, rest, ok := cutKind(Fold(r.Name))
		switch {
		case !ok || rest == "":
			bad("%s: the name must start with a kind of street (via, viale, corso, piazza...)", where)
			continue
		case names[Fold(r.Name)]:
			bad("%s: listed twice", where)
		case r.Municipio < 1 || r.Municipio > 9:
			bad("%s: municipio %d is outside 1-9", where, r.Municipio)
		case r.Lat < minLat || r.Lat > maxLat || r.Lon < minLon || r.Lon > maxLon:
			bad("%s: %v, %v is not in Milan", where, r.Lat, r.Lon)
		}
		names[Fold(r.Name)] = true
		s := &Street{Name: r.Name, Kind: kind, Aliases: r.Aliases, Point: Point{Lat: r.Lat, Lon: r.Lon}, Municipio: r.Municipio}
		m.Streets = append(m.Streets, s)
		for _, a := range append([]string{r.Name}, r.Aliases...) {
			_, key, ok := cutKind(Fold(a))
			if !ok || key == "" {
				bad("%s: alias %q must start with a kind of street", where, a)
				continue
			}
			if len(strings.Fields(key)) > maxStreetNameWords {
				bad("%s: %q has more than %d words", where, a, maxStreetNameWords)
			}
			for _, k := range nameKeys(key) {
				m.streets[k] = appendOnce(m.streets[k], s)
			}
		}
	}
}

func (m *Milan) loadPostcodes(bad func(string, ...any)) {
	var f struct {
		Postcodes []struct {
			Cap            string   `yaml:"cap"`
			Area           string   `yaml:"area"`
			Municipio      int      `yaml:"municipio"`
			Neighbourhoods []string `yaml:"neighbourhoods"`
		} `yaml:"postcodes"`
	}
	if err := yaml.Unmarshal(postcodesYAML, &f); err != nil {
		bad("postcodes.yaml: %v", err)
		return
	}
	m.postcodes = map[string]*Postcode{}
	for _, r := range f.Postcodes {
		where := fmt.Sprintf("postcodes.yaml: %q", r.Cap)
		p := &Postcode{Code: r.Cap, Area: r.Area, Municipio: r.Municipio}
		switch {
		case !postcodeRE.MatchString(r.Cap):
			bad("%s: not a postcode of Milan (20121-20162)", where)
			continue
		case m.postcodes[r.Cap] != nil:
			bad("%s: listed twice", where)
		case strings.TrimSpace(r.Area) == "":
			bad("%s: area is required", where)
		case len(r.Neighbourhoods) == 0:
			bad("%s: at least one neighbourhood is required", where)
		}
		for _, name := range r.Neighbourhoods {
			n, ok := m.Neighbourhood(name)
			if !ok || Fold(n.Name) != Fold(name) {
				bad("%s: %q is not a neighbourhood of municipi.yaml", where, name)
				continue
			}
			p.Neighbourhoods = append(p.Neighbourhoods, n)
		}
		if len(p.Neighbourhoods) > 0 && p.Neighbourhoods[0].Municipio != r.Municipio {
			bad("%s: municipio %d, but its main neighbourhood %s is in %d", where, r.Municipio, p.Neighbourhoods[0].Name, p.Neighbourhoods[0].Municipio)
		}
		if len(p.Neighbourhoods) > 0 {
			m.postcodes[r.Cap] = p
		}
	}
	for first := 20121; first <= 20162; first++ {
		code := fmt.Sprint(first)
		if postcodeRE.MatchString(code) && m.postcodes[code] == nil {
			bad("postcodes.yaml: %s is missing", code)
		}
	}
}

// cutKind splits a folded street name into its kind and the rest: "v le monza 12"
// gives "viale" and "monza 12".
func cutKind(folded string) (kind, rest string, ok bool) {
	best, bestLen := "", 0
	for k, forms := range streetKinds {
		for _, f := range forms {
			if (folded == f || strings.HasPrefix(folded, f+" ")) && len(f) > bestLen {
				best, bestLen = k, len(f)
			}
		}
	}
	if best == "" {
		return "", folded, false
	}
	return best, strings.TrimSpace(folded[bestLen:]), true
}

// nameKeys are the keys a street's name is found by: the name itself and, when it
// starts with an article or a preposition, the name without it ("della spiga",
// "spiga"), as citizens often leave it out.
func nameKeys(name string) []string {
	keys := []string{name}
	words := strings.Fields(name)
	for len(words) > 1 && articles[words[0]] {
		words = words[1:]
		keys = append(keys, strings.Join(words, " "))
	}
	return keys
}

// articles are the Italian articles and prepositions a street's name may start
// with, folded ("dell'Ateneo" folds to "dell ateneo").
var articles = map[string]bool{"di": true, "del": true, "dello": true, "della": true, "dei": true, "degli": true,
	"delle": true, "dell": true, "de": true, "d": true, "il": true, "lo": true, "la": true, "i": true, "gli": true,
	"le": true, "l": true, "al": true, "alla": true, "ai": true, "alle": true}

func appendOnce(ss []*Street, s *Street) []*Street {
	for _, x := range ss {
		if x == s {
			return ss
		}
	}
	return append(ss, s)
}

// Postcode returns the area of one of Milan's postcodes ("20127").
func (m *Milan) Postcode(code string) (Postcode, bool) {
	p, ok := m.postcodes[strings.TrimSpace(code)]
	if !ok {
		return Postcode{}, false
	}
	return *p, true
}

// Street returns the street of the gazetteer a name says ("via Padova", "c.so
// Buenos Aires", "v.le Monza"), without a house number.
func (m *Milan) Street(name string) (*Street, bool) {
	kind, rest, ok := cutKind(Fold(name))
	if !ok {
		return nil, false
	}
	return m.pick(kind, m.streets[rest])
}

// pick chooses among the streets of one name the one of the kind said; a name
// unique in the gazetteer is taken whatever kind was said ("via Buenos Aires").
func (m *Milan) pick(kind string, ss []*Street) (*Street, bool) {
	for _, s := range ss {
		if s.Kind == kind {
			return s, true
		}
	}
	if len(ss) == 1 {
		return ss[0], true
	}
	return nil, false
}
