package safety

import (
	"strings"
	"testing"
)

// FuzzAssess: any text, however hostile, is assessed without a panic, consistently.
func FuzzAssess(f *testing.F) {
	r := load(f)
	for _, s := range []string{"", "mia madre è caduta e non si rialza", "non non non mi mi picchia",
		"I can't t t breathe", "39.8,5 di febbre", "uccidermiiii", "\x00\xff'", "se se se cade",
		strings.Repeat("mi picchia ", 200), strings.Repeat("e ", 500) + "caduta", "l'l'l'anno scorso",
		"#5+ =di !x & y", strings.Repeat("ﬁ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := r.Assess(s)
		if ok != (a.Kind != "") || len(a.Why) != 1+len(a.Also) && ok {
			t.Errorf("%q: inconsistent %+v %v", s, a, ok)
		}
	})
}

// Hostile repetitions at the engine's limit are assessed, and say what they say: the
// matcher's work is bounded by maxRunes. How long they take is BenchmarkHostileRepetition's
// to measure, not a test's.
func TestHostileRepetition(t *testing.T) {
	r := load(t)
	for _, unit := range hostileUnits {
		s := strings.Repeat(unit, maxRunes/len(unit)+10)
		a, ok := r.Assess(s)
		if ok != (a.Kind != "") {
			t.Errorf("%q repeated: inconsistent %+v %v", unit, a, ok)
		}
		if danger := strings.Contains(unit, "picchia") || strings.Contains(unit, "morire"); danger && !ok {
			t.Errorf("%q repeated: danger missed", unit)
		}
	}
}

// hostileUnits are repeated up to the assessed length by TestHostileRepetition and
// BenchmarkHostileRepetition.
var hostileUnits = []string{"mi picchia ", "non mi ", "caduta a terra ", "e ", "se ", "l anno scorso ",
	"voglio morire ", "fuoco ", "x"}

// BenchmarkHostileRepetition measures the worst messages: each unit repeated to the
// assessed length (go test -run '^$' -bench HostileRepetition ./safety/).
func BenchmarkHostileRepetition(b *testing.B) {
	r := load(b)
	for _, unit := range hostileUnits {
		s := strings.Repeat(unit, maxRunes/len(unit)+10)
		b.Run(strings.ReplaceAll(strings.TrimSpace(unit), " ", "_"), func(b *testing.B) {
			for b.Loop() {
				r.Assess(s)
			}
		})
	}
}
