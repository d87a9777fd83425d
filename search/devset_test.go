package search

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

type devCase struct {
	lang  string
	want  catalogue.CategoryID
	query string
}

func readDevSet(t testing.TB) []devCase {
	t.Helper()
	f, err := os.Open("testdata/devset.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []devCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 || !catalogue.CategoryID(parts[1]).Valid() {
			t.Fatalf("devset.tsv:%d: want lang<TAB>category<TAB>query, got %q", line, sc.Text())
		}
		out = append(out, devCase{lang: parts[0], want: catalogue.CategoryID(parts[1]), query: parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDevSetAccuracy measures how often the expected category is the top hit's
// (top-1) or among the categories of the first three hits (top-3), over citizen
// phrasings the search was not tuned on word by word. It fails below 90% top-3.
func TestDevSetAccuracy(t *testing.T) {
	x := testIndex(t)
	cases := readDevSet(t)
	if len(cases) < 150 {
		t.Fatalf("the development set has %d phrasings, want at least 150", len(cases))
	}
	var top1, top3 int
	byLang := map[string][2]int{}
	for _, c := range cases {
		res := mustSearch(t, x, Request{Query: c.query, Lang: c.lang, Limit: 3})
		var hitCats []catalogue.CategoryID
		for _, h := range res.Hits {
			hitCats = append(hitCats, h.Service.Category)
		}
		in3 := false
		for _, cat := range hitCats {
			if cat == c.want {
				in3 = true
			}
		}
		is1 := len(hitCats) > 0 && hitCats[0] == c.want
		if is1 {
			top1++
		}
		if in3 {
			top3++
		}
		l := byLang[c.lang]
		l[0]++
		if in3 {
			l[1]++
		}
		byLang[c.lang] = l
		if !is1 && testing.Verbose() {
			t.Logf("miss%s: [%s] %q want %s, got %v", map[bool]string{true: " (in top 3)", false: ""}[in3], c.lang, c.query, c.want, hitCats)
		}
	}
	n := float64(len(cases))
	t.Logf("development set: %d phrasings; top-1 accuracy %.1f%%, top-3 accuracy %.1f%%", len(cases), 100*float64(top1)/n, 100*float64(top3)/n)
	for lang, v := range byLang {
		t.Logf("  %s: %d phrasings, top-3 %.1f%%", lang, v[0], 100*float64(v[1])/float64(v[0]))
	}
	if float64(top3)/n < 0.90 {
		t.Errorf("top-3 accuracy %.1f%% is below 90%%", 100*float64(top3)/n)
	}
}
