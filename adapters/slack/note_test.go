package slack

import (
	"strings"
	"testing"
)

func TestIsNote(t *testing.T) {
	for text, want := range map[string]bool{
		"nota: richiamare la figlia":     true,
		"Nota: richiamare":               true,
		"  NOTA:richiamare":              true,
		"*Nota:* richiamare":             true,
		"*nota*: richiamare":             true,
		"_nota:_ richiamare":             true,
		"> nota: richiamare":             true,
		"&gt; nota: richiamare":          true,
		"Nota : richiamare":              true,
		"nota - richiamare":              true,
		"~nota:~":                        true,
		"`nota:` x":                      true,
		"Buongiorno, nota bene: domani":  false,
		"Le mando una nota: domani":      false,
		"notare: che":                    false,
		"Buongiorno":                     false,
		"":                               false,
		"nota":                           false, // no colon: an ordinary word
		"annotazione: domani alle 10":    false,
		"Ecco la nota: il servizio apre": false,
	} {
		if got := isNote(text); got != want {
			t.Errorf("isNote(%q) = %v, want %v", text, got, want)
		}
	}
}

// Whatever an operator writes, if what the citizen would read starts with "nota:" it
// is a note: nothing internal leaks through formatting.
func FuzzIsNote(f *testing.F) {
	for _, s := range []string{"nota: x", "*Nota:* x", "> nota: x", "ciao", "_*nota*_: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := strings.ToLower(strings.TrimLeft(plainText(s), " \t\n>"))
		if strings.HasPrefix(plain, "nota:") && !isNote(s) {
			t.Errorf("%q reads %q to the citizen but is not taken as a note", s, plain)
		}
	})
}
