//go:build trace

package safety

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestTrace prints how a message is read: `SAFETY_TRACE="…" go test -tags trace -run TestTrace -v ./safety/`.
func TestTrace(t *testing.T) {
	text := os.Getenv("SAFETY_TRACE")
	if text == "" {
		t.Fatal("set SAFETY_TRACE to a message")
	}
	r := load(t)
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
