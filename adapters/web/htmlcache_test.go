package web

import (
	"strings"
	"testing"
)

func TestHTMLCache(t *testing.T) {
	c := newHTMLCache()
	texts := []string{"*Ciao* <b>", "chiama il *112*", "a\nb", strings.Repeat("x", maxCachedText+1)}
	for range 2 { // rendered, then looked up
		for _, text := range texts {
			if got, want := c.of(text), toHTML(text); got != want {
				t.Errorf("of(%.20q) = %q, want %q", text, got, want)
			}
		}
	}
	if len(c.byText) != 3 {
		t.Errorf("%d texts cached, want 3: not the one over maxCachedText", len(c.byText))
	}
	c.forget()
	if len(c.byText) != 0 || c.bytes != 0 {
		t.Errorf("after forget: %d texts, %d bytes", len(c.byText), c.bytes)
	}
	long := strings.Repeat("y", maxCachedText/2)
	for i := range 2 * maxHTMLCacheBytes / maxCachedText {
		c.of(long + string(rune('a'+i%26)) + strings.Repeat("z", i))
		if c.bytes > maxHTMLCacheBytes {
			t.Fatalf("%d bytes cached, over %d", c.bytes, maxHTMLCacheBytes)
		}
	}
	var nilCache *htmlCache
	if got := nilCache.of("*a*"); got != "<b>a</b>" {
		t.Errorf("nil cache: %q", got)
	}
}
