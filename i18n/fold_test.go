package i18n

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldOracle is Fold written the plain way, as it was before Fold learnt to leave
// folded text uncopied: the new one must agree with it on every text.
func foldOracle(s string) string {
	var b strings.Builder
	space := true
	sep := func() {
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	runes := []rune(norm.NFD.String(s))
	for i, r := range runes {
		if isApostrophe(r) && i > 0 && i+1 < len(runes) && unicode.Is(unicode.Cyrillic, runes[i-1]) && unicode.Is(unicode.Cyrillic, runes[i+1]) {
			continue
		}
		f, class := FoldRune(r)
		switch class {
		case Letter:
			b.WriteRune(f)
			space = false
		case Alone:
			sep()
			b.WriteRune(f)
			space = false
			sep()
		case Space:
			sep()
		}
	}
	return strings.TrimSpace(b.String())
}

// foldPieces are the kinds of text Fold meets: ASCII words and punctuation, accents
// precomposed and combining, Cyrillic with apostrophes, Arabic letter variants and
// digits, Chinese, odd spaces and broken UTF-8.
var foldPieces = []string{"a", "B", "z", "1", " ", "  ", ",", ".", "?", "'", "’", "ʼ", "-", "\t", "\n",
	"à", "È", "ü", "ç", "e\u0301", "\u0301", "ß", "İ", "пам", "ять", "Й", "й", "ґ", "ة", "ى", "ٱ", "ـ", "٣", "۷",
	"مرحبا", "你", "好", "十一月", "\u00a0", "\u3000", "\xff", "\xe2\x80", "ﬁ", "Ⅻ", "😀", "ș", "Ț", "ñ", "ø", "Ǻ", "ǅ", "ı", "Ő", "ǖ"}

// randomText joins a few random pieces.
func randomText(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(foldPieces[r.IntN(len(foldPieces))])
	}
	return b.String()
}

// Fold agrees with the plain way on many generated texts, and on their folds.
func TestFoldMatchesOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		s := randomText(r)
		want := foldOracle(s)
		if got := Fold(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
		if got, again := Fold(want), foldOracle(want); got != again {
			t.Fatalf("Fold(%q) = %q, want %q", want, got, again)
		}
	}
}

// Folded text is folded again without a copy; other text with a copy, and a
// decomposed one when it has accents.
func TestFoldAllocations(t *testing.T) {
	for _, c := range []struct {
		text string
		max  float64
	}{{"vorrei un corso di italiano", 0}, {"мне нужна сиделка", 0}, {"我 需 要 保 姆", 0}, {"", 0},
		{"Vorrei un corso di italiano!", 1}, {"Mia mamma non riesce più a cucinare", 1}, {"Мне нужна сиделка, пожалуйста й", 3}} {
		if got := testing.AllocsPerRun(100, func() { Fold(c.text) }); got > c.max {
			t.Errorf("Fold(%q): %v allocations, want at most %v", c.text, got, c.max)
		}
	}
}

// FuzzFold compares Fold with the plain way on any text.
func FuzzFold(f *testing.F) {
	for _, p := range foldPieces {
		f.Add(p + " x" + p)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), foldOracle(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}
