package web

import (
	"strings"
	"testing"
)

func TestHTMLCache(t *testing.T) {
	c := newHTMLCache()
	texts := []string{"*Ciao* <b>", "chiama il *112*", "a\nb", strings.Repeat("x", maxCachedText+1)}
	for _, sess := range []string{"s1", "s1", "s2", "s2"} { // seen in one conversation, then in two
		for _, text := range texts {
			if got, want := c.of(text, sess), toHTML(text); got != want {
				t.Errorf("of(%.20q) = %q, want %q", text, got, want)
			}
		}
	}
	if len(c.byText) != 3 {
		t.Errorf("%d texts cached, want 3: not the one over maxCachedText", len(c.byText))
	}
	c.forget()
	if len(c.byText) != 0 || len(c.first) != 0 || c.bytes != 0 {
		t.Errorf("after forget: %d texts, %d first sightings, %d bytes", len(c.byText), len(c.first), c.bytes)
	}
	long := strings.Repeat("y", maxCachedText/2)
	for i := range 2 * maxHTMLCacheBytes / maxCachedText {
		text := long + string(rune('a'+i%26)) + strings.Repeat("z", i)
		c.of(text, "s1")
		c.of(text, "s2")
		if c.bytes > maxHTMLCacheBytes {
			t.Fatalf("%d bytes cached, over %d", c.bytes, maxHTMLCacheBytes)
		}
	}
	var nilCache *htmlCache
	if got := nilCache.of("*a*", "s1"); got != "<b>a</b>" {
		t.Errorf("nil cache: %q", got)
	}
}

// A text shown in one conversation only (a citizen's name, their booking) is never
// kept, however often that conversation shows it; of it only hashes are remembered,
// and not more than maxFirstSightings of them.
func TestHTMLCacheKeepsNoTextOfOneConversation(t *testing.T) {
	c := newHTMLCache()
	personal := "Prenotazione per *Maria Rossi*, tel. 333 1234567"
	for range 5 {
		if got := c.of(personal, "maria"); got != toHTML(personal) {
			t.Fatalf("of = %q", got)
		}
	}
	if len(c.byText) != 0 {
		t.Errorf("a text of one conversation was kept: %v", c.byText)
	}
	for i := range maxFirstSightings + 10 {
		c.of(strings.Repeat("w", i%50)+string(rune('A'+i%26))+strings.Repeat("v", i/1300), "maria")
		if len(c.first) > maxFirstSightings {
			t.Fatalf("%d first sightings remembered, over %d", len(c.first), maxFirstSightings)
		}
	}
}
