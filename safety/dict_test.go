//go:build dict

package safety

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestDictionaryCollisions finds the real words of a word list (one a line) that the
// typo matcher would take for a lexicon word ("cooking" for "choking"): a real word
// is no typo. It runs only when SAFETY_DICT names the list, e.g. /usr/share/dict/italian
// (Debian's witalian), and adds what it finds to the file SAFETY_DICT_OUT names
// (data/known_it.txt): run it again whenever the lexicon grows, with
// `SAFETY_DICT=... SAFETY_DICT_OUT=... go test -tags dict -run TestDictionaryCollisions ./safety/`.
func TestDictionaryCollisions(t *testing.T) {
	path := os.Getenv("SAFETY_DICT")
	if path == "" {
		t.Fatal("set SAFETY_DICT to a word list")
	}
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	var hits []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		for _, w := range splitWords(sc.Text()) {
			tok := w.text
			if seen[tok] || len(tok) < 4 || r.lex.knows(tok) {
				continue
			}
			seen[tok] = true
			if c := r.lex.correct(tok, map[string]string{}); c != tok {
				hits = append(hits, tok)
			}
		}
	}
	t.Logf("%d new collisions", len(hits))
	out := os.Getenv("SAFETY_DICT_OUT")
	if out == "" || len(hits) == 0 {
		return
	}
	old, _ := os.ReadFile(out)
	all := append(strings.Fields(string(old)), hits...)
	sort.Strings(all)
	all = compactStrings(all)
	if err := os.WriteFile(out, []byte(strings.Join(all, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
