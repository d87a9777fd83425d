package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/domestic"
)

// onDomesticButton handles the flow's buttons ("dom:<step>[:<value>]"): those
// about requests and applications made, then those of the form being filled.
func (df *domesticFlow) onDomesticButton(ctx context.Context, t *Turn, arg string) {
	step, value, _ := strings.Cut(arg, ":")
	if !df.recordButton(ctx, t, step, value) {
		df.draftButton(ctx, t, step, value)
	}
}

// recordButton handles the buttons that start a request or an application, or act
// on one made; it reports whether step was one of them.
func (df *domesticFlow) recordButton(ctx context.Context, t *Turn, step, value string) bool {
	switch step {
	case "fam":
		df.startHire(t, "", "")
	case "work":
		t.e.flows.application.startApplication(t)
	case "mine":
		df.myDomestic(ctx, t)
	case "withdraw", "erasey":
		df.domesticWithdraw(ctx, t, value, step == "erasey")
	case "erase":
		// Erasure cannot be undone: asked once more.
		if !domestic.ValidID(value) {
			t.Stale()
			break
		}
		t.Say(Reply{Text: t.T("dom.erase_ask"), Buttons: [][]Button{
			{btn(t.T("dom.erase_yes"), actDom, "erasey", value), btn(t.T("book.cancel_no"), actDom, "mine")}}})
	case "consent":
		t.e.flows.application.consent(t, value == "yes")
	default:
		return false
	}
	return true
}

// draftButton handles the buttons of the request or application being filled.
func (df *domesticFlow) draftButton(ctx context.Context, t *Turn, step, value string) {
	d := t.st.Dom
	if d == nil {
		t.Stale()
		return
	}
	t.st.Flow = flowDomestic
	n, _ := strconv.Atoi(value)
	switch step {
	case "x":
		t.st.Dom, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("dom.abandoned"), Buttons: t.MainMenu()})
		return
	case "redo":
		t.st.Dom = &domDraft{Kind: d.Kind, Years: -1, Consent: d.Consent}
	case "notes":
		df.estimateNotes(t)
		return
	case "ok":
		if d.Kind == "work" {
			t.e.flows.application.submitApplication(ctx, t)
		} else {
			df.submitRequest(ctx, t)
		}
		return
	case "role":
		if slices.Contains(domestic.Roles(), domestic.Role(value)) {
			d.Role = value
		}
	case "pat":
		if slices.Contains(domestic.Patterns(), domestic.Pattern(value)) {
			d.Pattern, d.Hours = value, 0
		}
	case "hours":
		if lo, hi := df.hoursRange(t, d.Pattern); n >= lo && n <= hi {
			d.Hours = n
		}
	case "self":
		d.SelfSuff, d.SelfSet = value == "1", true
	case "start":
		if n >= 1 && n <= 60 {
			d.Start = t.today().AddDate(0, 0, n)
		}
	case "mun":
		if n >= 1 && n <= 9 {
			if d.Kind == "work" {
				d.Municipi = toggle(d.Municipi, n)
				t.e.flows.application.askApplication(t)
				return
			}
			d.Municipio = n
		}
	case "care":
		d.CareDone = true
	case "lang":
		if slices.Contains(domesticLanguages, value) {
			d.Langs = toggle(d.Langs, value)
		}
		df.askLanguages(t)
		return
	case "langok":
		d.LangsDone = len(d.Langs) > 0
		if !d.LangsDone {
			t.Text("dom.langs_none")
		}
	default:
		if d.Kind == "work" && t.e.flows.application.applicationButton(t, step, value, n) {
			return
		}
		t.Stale()
		return
	}
	df.askDomestic(t)
}
