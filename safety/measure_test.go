package safety

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// dangerSet is a file of messages that must raise an alarm and ordinary ones that
// must not (testdata/danger.yaml, testdata/heldout.yaml).
type dangerSet struct {
	Danger []struct {
		Kind Kind   `yaml:"kind"`
		Text string `yaml:"text"`
	} `yaml:"danger"`
	Ordinary []string `yaml:"ordinary"`
}

// score is how a recogniser does on a set.
type score struct {
	danger, caught, rightKind, ordinary, alarms int
	missed, wrongKind, false_                   []string
}

func (s score) recall() float64      { return pct(s.caught, s.danger) }
func (s score) kindRate() float64    { return pct(s.rightKind, s.caught) }
func (s score) falseAlarms() float64 { return pct(s.alarms, s.ordinary) }

func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

func measure(t *testing.T, r *Recogniser, file string) score {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var set dangerSet
	if err := yaml.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	var s score
	for _, d := range set.Danger {
		s.danger++
		a, ok := r.Assess(d.Text)
		switch {
		case !ok:
			s.missed = append(s.missed, string(d.Kind)+": "+d.Text)
		case a.Kind != d.Kind:
			s.caught++
			s.wrongKind = append(s.wrongKind, string(d.Kind)+" taken for "+string(a.Kind)+": "+d.Text)
		default:
			s.caught++
			s.rightKind++
		}
	}
	for _, o := range set.Ordinary {
		s.ordinary++
		if a, ok := r.Assess(o); ok {
			s.alarms++
			s.false_ = append(s.false_, a.Why[0]+" | "+o)
		}
	}
	return s
}

func (s score) log(t *testing.T, name string, detail bool) {
	t.Helper()
	t.Logf("%s: recall on danger %.1f%% (%d/%d), right kind %.1f%% of those caught, false alarms %.1f%% (%d/%d)",
		name, s.recall(), s.caught, s.danger, s.kindRate(), s.falseAlarms(), s.alarms, s.ordinary)
	if !detail {
		return
	}
	for _, m := range s.missed {
		t.Logf("  missed %s", m)
	}
	for _, m := range s.wrongKind {
		t.Logf("  kind %s", m)
	}
	for _, m := range s.false_ {
		t.Logf("  false alarm %s", m)
	}
}

// TestDevSet measures the recogniser on the set it is tuned on: every danger message
// caught, and at most 2% false alarms on ordinary messages with alarming words.
func TestDevSet(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	s := measure(t, r, "testdata/danger.yaml")
	s.log(t, "dev set", true)
	if s.danger < 200 || s.ordinary < 200 {
		t.Errorf("the dev set has %d danger and %d ordinary messages: want at least 200 of each", s.danger, s.ordinary)
	}
	if s.recall() < 100 {
		t.Errorf("recall on danger %.1f%%, want 100%%", s.recall())
	}
	if s.falseAlarms() > 2 {
		t.Errorf("false alarms %.1f%%, want at most 2%%", s.falseAlarms())
	}
	if s.kindRate() < 95 {
		t.Errorf("right kind for %.1f%% of the danger caught, want at least 95%%", s.kindRate())
	}
}

// TestDevSetPerLanguage measures each language's own dev set
// (testdata/danger_<lang>.yaml) the same way: every danger message caught, at most
// one false alarm in 40 ordinary messages.
func TestDevSetPerLanguage(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/danger_*.yaml")
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "danger_"), ".yaml")
		t.Run(lang, func(t *testing.T) {
			s := measure(t, r, f)
			s.log(t, lang+" dev set", true)
			if s.danger < 40 || s.ordinary < 40 {
				t.Errorf("%s has %d danger and %d ordinary messages: want at least 40 of each", f, s.danger, s.ordinary)
			}
			if s.recall() < 100 {
				t.Errorf("recall on danger %.1f%%, want 100%%", s.recall())
			}
			if s.falseAlarms() > 2.5 {
				t.Errorf("false alarms %.1f%%, want at most 2.5%%", s.falseAlarms())
			}
			if s.kindRate() < 90 {
				t.Errorf("right kind for %.1f%% of the danger caught, want at least 90%%", s.kindRate())
			}
		})
	}
}

// TestHeldOut measures the recogniser on messages it was never tuned on. It reports
// and does not fail: the numbers say how well the rules generalise. Set
// SAFETY_HELDOUT_DETAIL=1 to list the misses, once tuning is over.
func TestHeldOut(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	s := measure(t, r, "testdata/heldout.yaml")
	s.log(t, "held-out set", os.Getenv("SAFETY_HELDOUT_DETAIL") != "")
	files, _ := filepath.Glob("testdata/heldout_*.yaml")
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "heldout_"), ".yaml")
		measure(t, r, f).log(t, lang+" held-out set", os.Getenv("SAFETY_HELDOUT_DETAIL") != "")
	}
}
