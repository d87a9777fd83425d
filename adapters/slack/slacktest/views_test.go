package slacktest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
)

func reasonModal(title string) slackapi.ModalViewRequest {
	plain := func(s string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
	}
	input := slackapi.NewPlainTextInputBlockElement(nil, "reason")
	return slackapi.ModalViewRequest{Type: slackapi.VTModal, Title: plain(title), Submit: plain("Rifiuta"),
		CallbackID: "wemi.booking.refuse", PrivateMetadata: `{"b":"bk"}`,
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{
			slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, "*Babysitter*, sab 07/03", false, false), nil, nil),
			slackapi.NewInputBlock("wemi.booking.reason", plain("Motivo"), nil, input),
		}}}
}

// views.open records the modal and answers with its id; a submission of it, built by
// the fake, reads back with slack-go as Slack's own would.
func TestViewsOpenAndSubmission(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	resp, err := api.OpenViewContext(ctx, "1.1.wemitrigger", reasonModal("Rifiuta la prenotazione"))
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	views, err := srv.WaitViews(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := views[0]
	if resp.View.ID != v.ID || !strings.HasPrefix(v.ID, "V") || v.TriggerID != "1.1.wemitrigger" ||
		v.CallbackID != "wemi.booking.refuse" || v.PrivateMetadata != `{"b":"bk"}` || v.Title != "Rifiuta la prenotazione" {
		t.Errorf("view %+v, answered id %q", v, resp.View.ID)
	}
	if got := v.BlockIDs(); !slices.Contains(got, "wemi.booking.reason") {
		t.Errorf("block ids %v", got)
	}
	if !strings.Contains(v.VisibleText(), "*Babysitter*, sab 07/03") {
		t.Errorf("visible text %q", v.VisibleText())
	}

	payload := srv.ViewSubmission("U0GIULIA", v, map[string]map[string]any{
		"wemi.booking.reason": {"reason": map[string]any{"type": "plain_text_input", "value": "Nessun operatore"}},
	})
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Type != slackapi.InteractionTypeViewSubmission || cb.User.ID != "U0GIULIA" || cb.View.ID != v.ID ||
		cb.View.CallbackID != "wemi.booking.refuse" || cb.View.PrivateMetadata != `{"b":"bk"}` || cb.TriggerID == "" ||
		cb.View.State == nil || cb.View.State.Values["wemi.booking.reason"]["reason"].Value != "Nessun operatore" {
		t.Errorf("submission reads back as %+v", cb)
	}
}

// views.open refuses what Slack refuses: a title over 24 characters.
func TestViewsOpenKeepsSlackLimits(t *testing.T) {
	srv, api := newClient(t)
	ctx := testContext(t)
	_, err := api.OpenViewContext(ctx, "1.1.wemitrigger", reasonModal("Rifiuta questa prenotazione adesso"))
	if !isSlackError(err, "invalid_arguments") {
		t.Errorf("a long title: err = %v, want invalid_arguments", err)
	}
	if n := len(srv.Views()); n != 0 {
		t.Errorf("%d views recorded, want none", n)
	}
}
