package catalogue

import (
	"regexp"
	"sort"
	"strings"
)

// Reading an address out of a citizen's words: "abito in v.le Monza 120", "spazio
// WeMi vicino a corso Buenos Aires 20", "CAP 20127". The rules are the language's,
// not examples': a kind of street (or its abbreviation) starts a street's name, the
// longest name of the gazetteer that follows is the street, a number after it is the
// house number; five digits starting with 20 (or after "CAP") are a postcode.

// Address is a place found in a citizen's words.
type Address struct {
	// Street is the gazetteer's street, or nil.
	Street *Street
	// Postcode is the postcode's area, or nil.
	Postcode *Postcode
	// Number is the house number as written ("20", "12a"), or "".
	Number string
	// Said is what the citizen wrote for it, folded ("corso buenos aires 20"; an
	// unknown street's kind written out: "viale delle rose" for "v.le delle Rose").
	Said string
	// Outside is set for a postcode that is not Milan's (20090 Segrate, 00184).
	Outside bool
}

// Known reports whether the address is a place of Milan the gazetteer knows.
func (a Address) Known() bool { return a.Street != nil || a.Postcode != nil }

// Point is where the address is (approximately).
func (a Address) Point() Point {
	switch {
	case a.Street != nil:
		return a.Street.Point
	case a.Postcode != nil:
		return a.Postcode.Point()
	}
	return Point{}
}

// Municipio is the Municipio the address falls in, or 0 when unknown.
func (a Address) Municipio() int {
	switch {
	case a.Street != nil:
		return a.Street.Municipio
	case a.Postcode != nil:
		return a.Postcode.Municipio
	}
	return 0
}

// Name is how the address is shown, without its house number (which says who the
// citizen is more than where: filters and records keep this one): "via Padova",
// "CAP 20127 (Loreto, via Padova, NoLo, Turro)".
func (a Address) Name() string {
	switch {
	case a.Street != nil:
		return a.Street.Name
	case a.Postcode != nil:
		return "CAP " + a.Postcode.Code + " (" + a.Postcode.Area + ")"
	}
	return a.Said
}

// FullName is Name with the house number, to answer the citizen who wrote it:
// "via Padova 12".
func (a Address) FullName() string {
	if a.Street != nil && a.Number != "" {
		return a.Street.Name + " " + a.Number
	}
	return a.Name()
}

// numberRE is a house number, folded: "20", "12a", "7 b" is read as "7".
var numberRE = regexp.MustCompile(`^\d{1,4}[a-z]?$`)

// capWords announce a postcode ("CAP 20127", "c.a.p.", "postcode", "zip").
var capWords = map[string]bool{"cap": true, "c a p": true, "postcode": true, "zip": true, "postal code": true}

// numberWords come before a house number ("n. 12", "civico 4", "numero 7").
var numberWords = map[string]bool{"n": true, "nr": true, "num": true, "numero": true, "civico": true, "no": true}

// Bounds on reading a message: what an unknown street's name is taken to be, how
// many kinds of street are looked after, and how long a name may be to be matched
// with one letter off (each try compares it with every name of the gazetteer).
const (
	maxAddressWords = 4
	maxKindsLooked  = 6
	maxFuzzyWords   = 3
)

// FindAddress finds a street or a postcode in free text, and returns the text's
// folded words without it. A kind of street followed by a name the gazetteer does
// not know is an Address with only Said: the citizen named a street, and should be
// told it is not known rather than searched for its words.
func (m *Milan) FindAddress(text string) (Address, string, bool) {
	words := strings.Fields(Fold(text))
	if len(words) > 200 {
		words = words[:200] // an address is in the first words of a message
	}
	// A known street first: it is more precise than the postcode written after it
	// ("corso Buenos Aires 20, 20124 Milano"); then a postcode; then a street the
	// gazetteer does not know.
	street, streetRest, found := m.findStreet(words)
	if found && street.Known() {
		return street, streetRest, true
	}
	if a, rest, ok := m.findPostcode(words); ok {
		return a, rest, true
	}
	if found {
		return street, streetRest, true
	}
	return Address{}, strings.Join(words, " "), false
}

// findStreet finds the first street the gazetteer knows in words, or else the first
// kind of street followed by a name it does not know; rest is words without it.
func (m *Milan) findStreet(words []string) (Address, string, bool) {
	var unknown *Address
	var unknownRest string
	kinds := 0
	for i := range words {
		kind, n := m.kindAt(words, i)
		if n == 0 || i+n >= len(words) {
			continue
		}
		if kinds++; kinds > maxKindsLooked {
			break // "via via via…": a message names one or two streets, not dozens
		}
		if a, end, ok := m.streetAt(words, kind, i+n); ok {
			a.Said = strings.Join(words[i:end], " ")
			end = afterTown(words, end)
			return a, join(words[:i], words[end:]), true
		}
		if unknown == nil && !isNumber(words[i+n]) {
			end := i + n
			for end < len(words) && end < i+n+maxAddressWords && !isNumber(words[end]) && !isPostcodeLike(words[end]) {
				end++
			}
			unknown = &Address{Said: kind + " " + strings.Join(words[i+n:end], " ")}
			if end < len(words) && isNumber(words[end]) {
				end++
			}
			unknownRest = join(words[:i], words[afterTown(words, end):])
		}
	}
	if unknown != nil {
		return *unknown, unknownRest, true
	}
	return Address{}, "", false
}

// afterTown skips what follows an address on an envelope: a postcode and the
// town ("20124 Milano", "Milano (MI)").
func afterTown(words []string, end int) int {
	if end < len(words) && isPostcodeLike(words[end]) {
		end++
	}
	for end < len(words) && townWords[words[end]] {
		end++
	}
	return end
}

// townWords name Milan after an address.
var townWords = map[string]bool{"milano": true, "milan": true, "mi": true, "milán": true, "milao": true}

func isPostcodeLike(w string) bool { return len(w) == 5 && isDigits(w) }

// findPostcode finds five digits that are a postcode: after "CAP" (Milan's, or
// Outside), or alone when they are one of Milan's.
func (m *Milan) findPostcode(words []string) (Address, string, bool) {
	for i, w := range words {
		if len(w) != 5 || !isDigits(w) {
			continue
		}
		start := i
		announced := false
		for _, n := range []int{1, 2, 3} { // "cap", "postal code", "c a p"
			if i-n >= 0 && capWords[strings.Join(words[i-n:i], " ")] {
				start, announced = i-n, true
			}
		}
		if !announced && !strings.HasPrefix(w, "20") {
			continue
		}
		a := Address{Said: strings.Join(words[start:i+1], " ")}
		p, ok := m.postcodes[w]
		switch {
		case ok:
			a.Postcode = p
		case !announced:
			continue // 20xxx alone may be an amount ("ISEE 20500"): only Milan's are read
		default:
			a.Outside = true
		}
		return a, join(words[:start], words[afterTown(words, i+1):]), true
	}
	return Address{}, "", false
}

// streetAt finds the longest name of the gazetteer starting at words[from], and
// the house number after it; end is where the address ends.
func (m *Milan) streetAt(words []string, kind string, from int) (Address, int, bool) {
	s, n := m.nameAt(words, kind, from)
	if s == nil {
		return Address{}, 0, false
	}
	a, end := Address{Street: s}, from+n
	if end+1 < len(words) && numberWords[words[end]] && isNumber(words[end+1]) {
		end++ // "n. 12", "civico 4"
	}
	if end < len(words) && isNumber(words[end]) {
		a.Number = words[end]
		end++
	}
	return a, end, true
}

// nameAt finds the longest name of the gazetteer written at words[from] and how
// many words it takes; only when none is written exactly, one a letter off.
func (m *Milan) nameAt(words []string, kind string, from int) (*Street, int) {
	longest := min(maxStreetNameWords, len(words)-from)
	for n := longest; n >= 1; n-- {
		if s, ok := m.pick(kind, m.streets[strings.Join(words[from:from+n], " ")]); ok {
			return s, n
		}
	}
	for n := min(maxFuzzyWords, longest); n >= 1; n-- {
		if s, ok := m.nearName(kind, strings.Join(words[from:from+n], " ")); ok {
			return s, n
		}
	}
	return nil, 0
}

// nearName finds a street whose name is one letter away from name ("via padva"),
// when exactly one is: a slip of the finger, not another street. Short names must
// be exact.
func (m *Milan) nearName(kind, name string) (*Street, bool) {
	if len([]rune(name)) < 5 {
		return nil, false
	}
	var found *Street
	for key, ss := range m.streets {
		// A letter is at most 4 bytes: names further apart in bytes are further
		// apart in letters, and are skipped before decoding them.
		if d := len(key) - len(name); d > 4 || d < -4 || !oneEditApart(name, key) {
			continue
		}
		s, ok := m.pick(kind, ss)
		if !ok || (found != nil && found != s) {
			return nil, false
		}
		found = s
	}
	return found, found != nil
}

// oneEditApart reports whether a and b differ by one inserted, deleted or changed
// letter.
func oneEditApart(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if len(ra) == len(rb) {
		return string(ra[i+1:]) == string(rb[i+1:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// kindAt returns the kind of street written at words[i] and how many words it
// takes ("v le" is two), or 0.
func (m *Milan) kindAt(words []string, i int) (string, int) {
	for _, f := range m.kindForms[words[i]] { // longest first
		if i+len(f.words) <= len(words) && equalWords(words[i:i+len(f.words)], f.words) {
			return f.kind, len(f.words)
		}
	}
	return "", 0
}

// kindForm is one way of writing a kind of street, as folded words.
type kindForm struct {
	kind  string
	words []string
}

// indexKinds indexes streetKinds' forms by their first word, longest first.
func indexKinds() map[string][]kindForm {
	out := map[string][]kindForm{}
	for kind, forms := range streetKinds {
		for _, f := range forms {
			w := strings.Fields(f)
			out[w[0]] = append(out[w[0]], kindForm{kind: kind, words: w})
		}
	}
	for _, fs := range out {
		sort.Slice(fs, func(i, j int) bool { return len(fs[i].words) > len(fs[j].words) })
	}
	return out
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func isNumber(w string) bool { return numberRE.MatchString(w) }

func isDigits(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// join joins two runs of words with single spaces.
func join(a, b []string) string {
	return strings.TrimSpace(strings.Join(a, " ") + " " + strings.Join(b, " "))
}
