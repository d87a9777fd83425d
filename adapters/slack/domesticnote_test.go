package slack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/domestic"
)

func noteValue(text string) map[string]map[string]any {
	return map[string]map[string]any{"wemi.domestic.note": {"note": map[string]any{"type": "plain_text_input", "value": text}}}
}

// "Chiusa senza abbinamento" asks for a note to the family in a modal; the note may
// be left empty. The family reads the note as written, the card shows it escaped.
func TestDomesticCloseWithoutMatch(t *testing.T) {
	tests := []struct {
		name, note, card string
	}{
		{"with a note", "Nessuna badante <libera> & disponibile in zona", "Nota inviata: Nessuna badante &lt;libera&gt; &amp; disponibile in zona"},
		{"without a note", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, withDomestic)
			ctx := testContext(t)
			card, r := e.hire(ctx, "")
			if strings.Contains(card.VisibleText(), "Sulla persona da accudire") {
				t.Errorf("a request without a word on the person shows one:\n%s", card.VisibleText())
			}
			e.pressOn(ctx, giulia.ID, card, "domestic", "progress", r.ID)
			e.waitCard(ctx, card.TS, "🔎 In lavorazione da Giulia")
			e.inbox.wait(ctx, t, 1)
			updates := len(e.srv.Updates())

			e.pressOn(ctx, marco.ID, card, "domestic", "unmatched", r.ID)
			views, err := e.srv.WaitViews(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			v := views[0]
			var meta map[string]string
			if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || !strings.Contains(v.PrivateMetadata, r.ID) ||
				!strings.Contains(v.PrivateMetadata, operators+"/"+card.TS) {
				t.Errorf("private_metadata %q (%v)", v.PrivateMetadata, err)
			}
			if v.CallbackID != "wemi.domestic.unmatched" || !slices.Contains(v.BlockIDs(), "wemi.domestic.note") ||
				!strings.Contains(string(v.Raw), `"optional":true`) || !strings.Contains(string(v.Raw), `"max_length":300`) ||
				!strings.Contains(v.VisibleText(), "Badante") || !strings.Contains(v.VisibleText(), "Municipio 3") {
				t.Errorf("modal %s", v.Raw)
			}
			if n := len(e.srv.Updates()); n != updates {
				t.Errorf("%d card updates before the modal was submitted", n-updates)
			}

			if payload := e.submit(ctx, marco.ID, v, noteValue(tt.note)); payload != nil {
				t.Errorf("the acknowledgement carries %s, want none", payload)
			}
			got := e.inbox.wait(ctx, t, 2)
			if !strings.Contains(got[1].Text, "chiusa senza un abbinamento") {
				t.Errorf("the family was told %q", got[1].Text)
			}
			if tt.card != "" && !strings.Contains(got[1].Text, strings.TrimSpace(tt.note)) {
				t.Errorf("the family did not get the note: %q", got[1].Text)
			}
			upd := e.waitCard(ctx, card.TS, "🚫 Chiusa senza abbinamento da Marco alle 10:00")
			if len(upd.ActionIDs()) != 0 {
				t.Errorf("buttons once closed %v", upd.ActionIDs())
			}
			if tt.card != "" {
				checkShows(t, upd, tt.card)
			} else if strings.Contains(upd.VisibleText(), "Nota inviata") {
				t.Errorf("the card shows an empty note:\n%s", upd.VisibleText())
			}
			if r, err := e.domestic.GetRequest(ctx, r.ID); err != nil || r.Status != domestic.RequestUnmatched ||
				r.Note != strings.TrimSpace(tt.note) {
				t.Errorf("request %+v (%v)", r, err)
			}
		})
	}
}
