package langid_test

import (
	"os"
	"testing"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/langid"
)

func newDetector(t *testing.T) *langid.Detector {
	t.Helper()
	texts, err := bot.LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	return bot.NewDetector(texts)
}

func TestMargins(t *testing.T) {
	if os.Getenv("LANGID_TRACE") == "" {
		return
	}
	d := newDetector(t)
	for _, s := range []string{"ok", "ciao", "hi", "grazie", "thanks", "no", "si", "sì", "cerco una badante", "I need a babysitter",
		"badante", "psicologo", "ISEE", "how much", "quanto costa", "hello", "ok grazie", "yes please", "va bene", "Milano", "via Padova 12",
		"hola", "gracias", "bonjour", "merci", "necesito ayuda", "je cherche une nounou", "bună ziua", "caut o bonă", "mulțumesc"} {
		r := d.Detect(s)
		t.Logf("%-28q %s %v %.2f", s, r.Lang, r.Confident, r.Margin)
	}
}
