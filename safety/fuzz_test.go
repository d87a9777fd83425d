package safety

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAssess: any text, however hostile, is assessed without a panic and in bounded
// time.
func FuzzAssess(f *testing.F) {
	r := load(f)
	for _, s := range []string{"", "mia madre è caduta e non si rialza", "non non non mi mi picchia",
		"I can't t t breathe", "39.8,5 di febbre", "uccidermiiii", "\x00\xff'", "se se se cade",
		strings.Repeat("mi picchia ", 200), strings.Repeat("e ", 500) + "caduta", "l'l'l'anno scorso",
		"#5+ =di !x & y", strings.Repeat("ﬁ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		a, ok := r.Assess(s)
		if ok != (a.Kind != "") || len(a.Why) != 1+len(a.Also) && ok {
			t.Errorf("%q: inconsistent %+v %v", s, a, ok)
		}
		if d := time.Since(start); d > time.Second && utf8.RuneCountInString(s) < 1000 {
			t.Errorf("%d bytes took %v", len(s), d)
		}
	})
}

// Hostile repetitions at the engine's limit stay fast: the matcher's work is bounded.
func TestHostileRepetition(t *testing.T) {
	r := load(t)
	for _, unit := range []string{"mi picchia ", "non mi ", "caduta a terra ", "e ", "se ", "l anno scorso ",
		"voglio morire ", "fuoco ", "x"} {
		s := strings.Repeat(unit, maxRunes/len(unit)+10)
		start := time.Now()
		r.Assess(s)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q repeated: %v", unit, d)
		}
	}
}
