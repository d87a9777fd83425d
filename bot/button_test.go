package bot

import (
	"testing"
)

func FuzzParseButton(f *testing.F) {
	for _, s := range []string{"svc:abc", "page:3", "cat:educativo:2", "zone:0", "menu", "", ":", "page:-1", "lang:en", "det:c:abc", "spaces:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := parseButton(s)
		if !ok {
			return
		}
		if len(s) > maxButtonData || b.action == "" {
			t.Fatalf("parseButton(%q) accepted %+v", s, b)
		}
		if (b.action == actPage || b.action == actZone) && (b.num < 0 || b.num > 1000) {
			t.Fatalf("parseButton(%q) number %d", s, b.num)
		}
	})
}
