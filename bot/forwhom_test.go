package bot

import (
	"testing"

	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// Who a booking is for, typed in several languages: the citizen, or someone named.
func TestForWhomInEveryLanguage(t *testing.T) {
	e, err := New(Options{Search: searchtest.Bundled(t), Store: keepNothing{}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"per me": bookings.ForSelf, "per mia nonna": bookings.ForRelative, "for myself": bookings.ForSelf,
		"para mí": bookings.ForSelf, "para mi hija": bookings.ForRelative, "pour moi": bookings.ForSelf,
		"для меня": bookings.ForSelf, "для себе": bookings.ForSelf, "我自己": bookings.ForSelf,
	} {
		if got, ok := e.forWhom(text); !ok || got != want {
			t.Errorf("%q: %q (%v), want %q", text, got, ok, want)
		}
	}
}
