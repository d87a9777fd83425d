package safety

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestDebugTrace(t *testing.T) {
	text := os.Getenv("SAFETY_TRACE")
	if text == "" {
		t.Skip()
	}
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	a := r.analyse(text)
	var b strings.Builder
	for i, tk := range a.toks {
		fmt.Fprintf(&b, "%d:%s[s%d c%d f%b] ", i, tk.text, tk.sent, tk.clause, a.flags[i])
	}
	t.Log(b.String())
	for id, list := range a.occs {
		if len(list) > 0 {
			t.Logf("%s %v", r.lex.names[id], list)
		}
	}
	as, ok := r.Assess(text)
	t.Log(as, ok)
}
