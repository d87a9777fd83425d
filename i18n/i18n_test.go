package i18n

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func TestRegistry(t *testing.T) {
	if Default() != "it" {
		t.Errorf("default language %q, want it", Default())
	}
	for _, l := range All() {
		if l.PluralForm(100) == "" || l.Money(100) == "" {
			t.Errorf("%s: no plural form or price", l.Code)
		}
	}
	if got := FromHint("en-GB"); got != "en" {
		t.Errorf("FromHint(en-GB) = %q", got)
	}
	if got := FromHint("xx"); got != "" {
		t.Errorf("FromHint(xx) = %q", got)
	}
}

func TestPluralForms(t *testing.T) {
	for _, c := range []struct {
		code string
		want []string
	}{{"it", []string{One}}, {"en", []string{One}}, {"ru", []string{One, Few, Many}},
		{"ar", []string{Zero, One, Two, Few, Many}}, {"zh", nil}} {
		l := Language{Code: c.code}
		l.tag = mustTag(c.code)
		if got := l.PluralForms(); !slices.Equal(got, c.want) {
			t.Errorf("%s: forms %v, want %v", c.code, got, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	it, en := Of("it"), Of("en")
	for _, c := range []struct {
		l     Language
		cents int
		want  string
	}{{it, 1450, "14,50 €"}, {it, 120000, "1.200 €"}, {en, 1450, "€14.50"}, {en, 120000, "€1,200"},
		{Language{MoneyFormat: "{n} €", Decimal: ",", Group: "\u00a0"}, 120000, "1200 €"},
		{Language{MoneyFormat: "{n} €", Decimal: ",", Group: "\u00a0"}, 1234500, "12\u00a0345 €"}} {
		if got := c.l.Money(c.cents); got != c.want {
			t.Errorf("Money(%d) = %q, want %q", c.cents, got, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Ca' Granda!":       "ca granda",
		"Perché è così?":    "perche e cosi",
		"我想找保姆":             "我 想 找 保 姆",
		"保姆 多少钱？":           "保 姆 多 少 钱",
		"مدرسة أطفال ٣":     "مدرسه اطفال 3",
		"Ґанок Їжак йод ёж": "ганок іжак иод еж",
		"пам'ять памʼять":   "память память",
		"l'anno":            "l anno",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustTag(code string) language.Tag { return language.Make(code) }

// fillDate writes what a strings.Replacer of the placeholders would.
func TestFillDateAsReplacer(t *testing.T) {
	formats := []string{"{d}/{m}", "{d}.{m}", "{m}/{d}", "{m}月{d}日", "{d}/{m}/{y}", "{y}年{m}月{d}日", "{d}.{m}.{y}", "{y}-{m}-{d}", "{", "{d", "x{y}x{q}"}
	for _, f := range formats {
		for _, dmy := range [][3]int{{1, 2, 2026}, {28, 11, 2026}, {9, 12, 999}, {31, 1, 10000}} {
			want := strings.NewReplacer("{d}", fmt.Sprintf("%02d", dmy[0]), "{m}", fmt.Sprintf("%02d", dmy[1]),
				"{y}", strconv.Itoa(dmy[2])).Replace(f)
			if got := fillDate(f, dmy[0], dmy[1], dmy[2]); got != want {
				t.Errorf("fillDate(%q, %v) = %q, want %q", f, dmy, got, want)
			}
		}
	}
}
