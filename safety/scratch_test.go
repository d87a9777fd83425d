package safety

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// devMessages returns every message of the dev set, danger and ordinary.
func devMessages(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/danger.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var set dangerSet
	if err := yaml.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	msgs := slices.Clone(set.Ordinary)
	for _, d := range set.Danger {
		msgs = append(msgs, d.Text)
	}
	return msgs
}

// A recycled analysis reads a message as a new one does: nothing of the messages
// before it (their occurrences, scopes, typo corrections) leaks into its verdict.
func TestRecycledAnalysesForgetEarlierMessages(t *testing.T) {
	r := load(t)
	msgs := devMessages(t)
	want := make([]string, len(msgs))
	for i, m := range msgs {
		want[i] = fmt.Sprint(r.Assess(m))
	}
	noisy := "l'anno scorso mia madre è caduta, se cade non si rialza, mi picchia, voglio morire, fuoco, respria"
	for i := len(msgs) - 1; i >= 0; i-- {
		r.Assess(noisy)
		if got := fmt.Sprint(r.Assess(msgs[i])); got != want[i] {
			t.Errorf("%q after another message: %s, want %s", msgs[i], got, want[i])
		}
	}
}

// reset leaves no occurrence, token or flag behind.
func TestResetEmptiesTheAnalysis(t *testing.T) {
	r := load(t)
	a := r.analyse("l'anno scorso mia madre è caduta e non si rialza, mi picchia, muoio dal ridere")
	if len(a.touched) == 0 {
		t.Fatal("the message has no occurrences: the test proves nothing")
	}
	a.reset()
	for id, list := range a.occs {
		if len(list) > 0 {
			t.Errorf("part %s keeps %d occurrences", r.lex.names[id], len(list))
		}
	}
	if len(a.toks) > 0 || len(a.flags) > 0 || len(a.touched) > 0 || len(a.text.fix) > 0 {
		t.Errorf("tokens %d, flags %d, touched %d, typo corrections %d left", len(a.toks), len(a.flags), len(a.touched), len(a.text.fix))
	}
	if i := slices.IndexFunc(a.present, func(bits uint64) bool { return bits != 0 }); i >= 0 {
		t.Errorf("parts %b of %d... still present", a.present[i], i*64)
	}
}

// The analysis of a hostile message at the length limit is not kept for the next.
func TestLargeAnalysesAreNotRecycled(t *testing.T) {
	r := load(t)
	small := r.analyse("mi picchia")
	if !small.recyclable() {
		t.Error("the analysis of a short message is not recycled")
	}
	large := r.analyse(strings.Repeat("火", maxRunes))
	if large.recyclable() {
		t.Errorf("the analysis of %d tokens is recycled", len(large.toks))
	}
}

// BenchmarkAssessShort assesses messages as short as most a citizen writes.
func BenchmarkAssessShort(b *testing.B) {
	r := load(b)
	msgs := []string{"ciao", "non so a chi lasciare i bambini", "mia mamma non riesce più a cucinare",
		"cerco una badante per mio padre che è caduto l'anno scorso"}
	for b.Loop() {
		for _, m := range msgs {
			r.Assess(m)
		}
	}
}
