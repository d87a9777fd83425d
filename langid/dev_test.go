package langid_test

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/langid"
)

func newDetector(t testing.TB) *langid.Detector {
	t.Helper()
	texts, err := bot.LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	return bot.NewDetector(texts)
}

// readSets reads testdata/<lang>.txt: short messages citizens send, one a line,
// written apart from the detector and never tuned on.
func readSets(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test messages: %v", err)
	}
	sets := map[string][]string{}
	for _, f := range files {
		lang := strings.TrimSuffix(filepath.Base(f), ".txt")
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				sets[lang] = append(sets[lang], l)
			}
		}
		fh.Close()
	}
	return sets
}

// TestShortMessages measures detection on short messages in every language the bot
// speaks. A message the detector is not sure of keeps the conversation's language,
// which is harmless; a sure and wrong answer would offer the wrong language, so it
// must stay rare. Floors: at least 30 messages per language, 88% attributed rightly
// and sure, at most 1% sure and wrong.
func TestShortMessages(t *testing.T) {
	d := newDetector(t)
	sets := readSets(t)
	langs := make([]string, 0, len(sets))
	for l := range sets {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var all, sureRight, sureWrong int
	for _, lang := range langs {
		if _, ok := i18n.Get(lang); !ok {
			t.Errorf("testdata/%s.txt: the bot does not speak %q", lang, lang)
			continue
		}
		var right, wrong int
		for _, m := range sets[lang] {
			r := d.Detect(m)
			switch {
			case r.Confident && r.Lang == lang:
				right++
			case r.Confident:
				wrong++
				t.Logf("%s: %q taken for %s", lang, m, r.Lang)
			}
		}
		n := len(sets[lang])
		t.Logf("%s: %d messages, %.0f%% right and sure, %.0f%% sure and wrong", lang, n,
			100*float64(right)/float64(n), 100*float64(wrong)/float64(n))
		if n < 30 {
			t.Errorf("%s: %d test messages, want at least 30", lang, n)
		}
		all, sureRight, sureWrong = all+n, sureRight+right, sureWrong+wrong
	}
	for _, l := range i18n.Codes() {
		if _, ok := sets[l]; !ok {
			t.Errorf("no test messages for %s (testdata/%s.txt)", l, l)
		}
	}
	t.Logf("all: %d messages, %.1f%% right and sure, %.1f%% sure and wrong", all,
		100*float64(sureRight)/float64(all), 100*float64(sureWrong)/float64(all))
	if float64(sureRight) < 0.88*float64(all) {
		t.Errorf("right and sure for %.1f%%, want at least 88%%", 100*float64(sureRight)/float64(all))
	}
	if float64(sureWrong) > 0.01*float64(all) {
		t.Errorf("sure and wrong for %.1f%%, want at most 1%%", 100*float64(sureWrong)/float64(all))
	}
}

// Messages in no language (numbers, addresses, a name the catalogue shares with every
// language) are never attributed with confidence.
func TestNoLanguageIsNotGuessed(t *testing.T) {
	d := newDetector(t)
	for _, m := range []string{"", "12", "ok", "!!!", "😀👍", "mario.rossi@example.org", "https://wemi.milano.it", "ISEE", "badante"} {
		if r := d.Detect(m); r.Confident {
			t.Errorf("%q taken for %s (margin %.2f)", m, r.Lang, r.Margin)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	d := newDetector(b)
	msgs := []string{"cerco una badante per mia mamma", "how much does it cost?", "hola", "спасибо", "多少钱", "شكرا"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d.Detect(msgs[i%len(msgs)])
	}
}
