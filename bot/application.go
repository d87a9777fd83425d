package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/domestic"
)

// applicationFlow is the application flow: its handlers and what it keeps in the conversation state.
type applicationFlow struct{ e *Engine }

// The events of Tate/Colf/Badanti for staff; Event.Booking names the request or
// application.
const (
	EventDomesticRequest EventKind = "domestic_request"
	EventApplication     EventKind = "application"
	// EventDomesticWithdrawn: the citizen withdrew a request (Reason "request") or an
	// application (Reason "application"); Text "erased" when its data went too.
	EventDomesticWithdrawn EventKind = "domestic_withdrawn"
)

// startApplication begins a worker's application with the privacy notice: nothing is
// kept before the citizen consents.
func (af *applicationFlow) startApplication(t *Turn) {
	if !t.e.domesticAvailable() {
		t.e.flows.domestic.domestic(t)
		return
	}
	t.st.Flow = flowDomestic
	t.st.Dom = &domDraft{Kind: "work", Years: -1}
	days := strconv.Itoa(int(t.e.opts.DomesticRetention / (24 * time.Hour)))
	t.Say(Reply{Text: t.T("dom.work_privacy", "days", days), Buttons: [][]Button{
		{btn(t.T("dom.consent_yes"), actDom, "consent", "yes"), btn(t.T("dom.consent_no"), actDom, "consent", "no")}}})
}

// consent records the citizen's answer to the privacy notice: no means nothing is
// stored and the draft is dropped.
func (af *applicationFlow) consent(t *Turn, yes bool) {
	d := t.st.Dom
	if d == nil || d.Kind != "work" {
		t.Stale()
		return
	}
	if !yes {
		t.st.Dom, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("dom.consent_refused"), Buttons: t.MainMenu()})
		return
	}
	d.Consent = t.now
	if t.st.Consents == nil {
		t.st.Consents = map[string]time.Time{}
	}
	t.st.Consents["application"] = t.now
	t.st.Flow = flowDomestic
	af.askApplication(t)
}

// askApplication asks for the first missing field of an application.
func (af *applicationFlow) askApplication(t *Turn) {
	d := t.st.Dom
	cancel := []Button{btn(t.T("book.abandon"), actDom, "x")}
	done := btn(t.T("dom.done"), actDom, "next")
	switch {
	case d.Consent.IsZero():
		af.startApplication(t)
	case !d.RolesDone:
		row := []Button{}
		for _, r := range domestic.Roles() {
			row = append(row, btn(checked(slices.Contains(d.Roles, string(r)))+t.T("role."+string(r)), actDom, "roles", string(r)))
		}
		t.Say(Reply{Text: t.T("dom.ask_roles"), Buttons: [][]Button{row, {done}, cancel}})
	case d.Years < 0:
		row := []Button{btn(t.T("dom.years_0"), actDom, "years", "0")}
		for _, y := range []int{1, 3, 6, 10} {
			row = append(row, btn(t.T("years."+strconv.Itoa(y)), actDom, "years", strconv.Itoa(y)))
		}
		t.Say(Reply{Text: t.T("dom.ask_years"), Buttons: [][]Button{row, cancel}})
	case !d.ExpDone:
		t.Say(Reply{Text: t.T("dom.ask_experience", "max", strconv.Itoa(maxExpRunes)), Buttons: [][]Button{
			{btn(t.T("dom.skip"), actDom, "next")}, cancel}})
	case !d.LangsDone:
		t.e.flows.domestic.askLanguages(t)
	case !d.CertsDone:
		rows := [][]Button{}
		row := []Button{}
		for _, c := range domestic.Certificates() {
			row = append(row, btn(checked(slices.Contains(d.Certs, c))+t.T("cert."+c), actDom, "cert", c))
			if len(row) == 3 {
				rows, row = append(rows, row), []Button{}
			}
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		t.Say(Reply{Text: t.T("dom.ask_certs"), Buttons: append(rows, []Button{done}, cancel)})
	case !d.MunDone:
		rows := zoneRows(actDom, "mun")
		for _, row := range rows {
			for i := range row {
				n, _ := strconv.Atoi(row[i].Label)
				row[i].Label = checked(slices.Contains(d.Municipi, n)) + row[i].Label
			}
		}
		rows = append(rows, []Button{btn(t.T("dom.all_city"), actDom, "allcity")}, []Button{done}, cancel)
		t.Say(Reply{Text: t.T("dom.ask_zones"), Buttons: rows})
	case d.Avail == "":
		t.Say(Reply{Text: t.T("dom.ask_avail", "max", strconv.Itoa(maxAvailRunes)), Buttons: [][]Button{
			{btn(t.T("dom.avail_full"), actDom, "avail", "full"), btn(t.T("dom.avail_morning"), actDom, "avail", "morning"),
				btn(t.T("dom.avail_afternoon"), actDom, "avail", "afternoon")},
			{btn(t.T("dom.avail_night"), actDom, "avail", "night"), btn(t.T("dom.avail_weekend"), actDom, "avail", "weekend")}, cancel}})
	case !d.LiveSet:
		t.Say(Reply{Text: t.T("dom.ask_livein"), Buttons: [][]Button{
			{btn(t.T("dom.livein_yes"), actDom, "live", "1"), btn(t.T("dom.livein_no"), actDom, "live", "0")}, cancel}})
	case d.Contact == "":
		t.Say(Reply{Text: t.T("dom.ask_contact_work"), Buttons: [][]Button{cancel}})
	default:
		af.applicationSummary(t)
	}
}

// availKeys name the availability buttons' texts.
var availKeys = map[string]string{"full": "dom.avail_full", "morning": "dom.avail_morning",
	"afternoon": "dom.avail_afternoon", "night": "dom.avail_night", "weekend": "dom.avail_weekend"}

func checked(on bool) string {
	if on {
		return "✅ "
	}
	return ""
}

// applicationButton handles the application's own buttons; false for none of them.
func (af *applicationFlow) applicationButton(t *Turn, step, value string, n int) bool {
	d := t.st.Dom
	switch step {
	case "roles":
		if slices.Contains(domestic.Roles(), domestic.Role(value)) {
			d.Roles = toggle(d.Roles, value)
		}
	case "years":
		if n >= 0 && n <= 60 {
			d.Years = n
		}
	case "cert":
		if slices.Contains(domestic.Certificates(), value) {
			d.Certs = toggle(d.Certs, value)
		}
	case "allcity":
		d.Municipi = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	case "avail":
		if key, ok := availKeys[value]; ok {
			d.Avail = t.T(key)
		}
	case "live":
		d.LiveIn, d.LiveSet = value == "1", true
	case "next":
		switch {
		case !d.RolesDone:
			d.RolesDone = len(d.Roles) > 0
			if !d.RolesDone {
				t.Text("dom.roles_none")
			}
		case d.Years < 0:
		case !d.ExpDone:
			d.ExpDone = true
		case !d.LangsDone:
		case !d.CertsDone:
			d.CertsDone = true
		case !d.MunDone:
			d.MunDone = len(d.Municipi) > 0
			if !d.MunDone {
				t.Text("dom.zones_none")
			}
		}
	default:
		return false
	}
	af.askApplication(t)
	return true
}

// applicationText takes what a worker typed as the answer to the question asked.
func (af *applicationFlow) applicationText(t *Turn, text string) {
	d := t.st.Dom
	switch {
	case d.Consent.IsZero():
		t.Text("dom.consent_buttons")
	case !d.RolesDone:
		if r := t.e.domesticRole(text, t.st.Lang); r != "" && !slices.Contains(d.Roles, r) {
			d.Roles = append(d.Roles, r)
		} else {
			t.Text("book.use_buttons")
		}
	case d.Years < 0:
		n, ok := firstNumber(text) // "ho 3 anni di esperienza"
		if !ok || n < 0 || n > 60 {
			t.Text("dom.years_invalid")
		} else {
			d.Years = n
		}
	case !d.ExpDone:
		if utf8.RuneCountInString(text) > maxExpRunes {
			t.Text("book.note_too_long", "max", strconv.Itoa(maxExpRunes))
			return
		}
		d.Experience, d.ExpDone = text, true
		if t.e.says(intentSkip, text) {
			d.Experience = ""
		}
	case d.MunDone && d.Avail == "":
		if utf8.RuneCountInString(text) > maxAvailRunes {
			t.Text("book.note_too_long", "max", strconv.Itoa(maxAvailRunes))
			return
		}
		d.Avail = text
	case d.MunDone && d.LiveSet && d.Contact == "":
		c, ok := validContact(text)
		if !ok {
			t.Text("dom.contact_invalid")
			return
		}
		d.Contact = c
	case !d.LangsDone:
		t.e.flows.domestic.typedLanguages(t, text)
		return
	case !d.MunDone && d.CertsDone && d.LangsDone:
		if m, ok := t.municipioOf(text); ok && !slices.Contains(d.Municipi, m) {
			d.Municipi = append(d.Municipi, m)
		}
	default:
		t.Text("book.use_buttons")
	}
	af.askApplication(t)
}

// applicationSummary shows the application and asks for confirmation.
func (af *applicationFlow) applicationSummary(t *Turn) {
	d := t.st.Dom
	roles := make([]string, len(d.Roles))
	for i, r := range d.Roles {
		roles[i] = t.T("role." + r)
	}
	certs := make([]string, len(d.Certs))
	for i, c := range d.Certs {
		certs[i] = t.T("cert." + c)
	}
	live := t.T("dom.livein_no")
	if d.LiveIn {
		live = t.T("dom.livein_yes")
	}
	t.Say(Reply{Text: t.T("dom.work_summary", "roles", strings.Join(roles, ", "), "years", af.yearsText(t, d.Years),
		"experience", Literal(orDash(d.Experience)), "langs", t.languageNames(d.Langs), "certs", orDash(strings.Join(certs, ", ")),
		"zones", t.municipi(d.Municipi), "avail", Literal(d.Avail), "livein", live, "contact", Literal(d.Contact)),
		Buttons: [][]Button{{btn(t.T("dom.send_application"), actDom, "ok")},
			{btn(t.T("book.restart"), actDom, "redo"), btn(t.T("book.abandon"), actDom, "x")}}})
}

// yearsText is the experience as the citizen chose it: the button's range ("3–5")
// for its lower bound, else the number typed.
func (af *applicationFlow) yearsText(t *Turn, years int) string {
	switch years {
	case 0:
		return t.T("dom.years_0")
	case 1, 3, 6, 10:
		return t.T("years." + strconv.Itoa(years))
	}
	return strconv.Itoa(years)
}

// submitApplication stores the application (consent given) and sends it to staff.
func (af *applicationFlow) submitApplication(ctx context.Context, t *Turn) {
	d := t.st.Dom
	roles := make([]domestic.Role, len(d.Roles))
	for i, r := range d.Roles {
		roles[i] = domestic.Role(r)
	}
	a := domestic.Application{ID: domestic.NewID(), Conversation: t.m.Conversation(), Lang: t.st.Lang, FirstName: t.m.FirstName,
		Roles: roles, Years: d.Years, Experience: d.Experience, Languages: d.Langs, Certificates: d.Certs,
		Municipi: d.Municipi, Availability: d.Avail, LiveIn: d.LiveIn, Consent: d.Consent, Contact: d.Contact,
		Status: domestic.ApplicationSent, Created: t.now, Updated: t.now}
	if err := t.e.opts.Domestic.CreateApplication(ctx, a); err != nil {
		t.e.flows.domestic.domesticSaveFailed(ctx, t, err)
		return
	}
	t.st.Dom, t.st.Flow = nil, ""
	ev := t.Event(EventApplication, "", false)
	ev.Recent, ev.Query, ev.Booking = nil, "", a.ID
	t.Raise(ev)
	t.Say(Reply{Text: t.T("dom.work_sent"), Buttons: [][]Button{{btn(t.T("dom.mine"), actDom, "mine"), btn(t.T("button.menu"), actMenu)}}})
}

// myDomestic lists the citizen's requests and applications with their state, to
// withdraw or erase them.
func (df *domesticFlow) myDomestic(ctx context.Context, t *Turn) {
	if t.e.opts.Domestic == nil {
		t.Say(Reply{Text: t.T("dom.none"), Buttons: t.MainMenu()})
		return
	}
	reqs, apps, err := t.e.opts.Domestic.ByConversation(ctx, t.m.Conversation())
	if err != nil {
		t.e.log.ErrorContext(ctx, "list domestic-work requests failed", "err", err)
		t.Say(Reply{Text: t.T("book.list_failed"), Buttons: t.MainMenu()})
		return
	}
	if len(reqs)+len(apps) == 0 {
		t.Say(Reply{Text: t.T("dom.none"), Buttons: [][]Button{{btn(t.T("dom.hire_button"), actDom, "fam")},
			{btn(t.T("dom.work_button"), actDom, "work")}, {btn(t.T("button.menu"), actMenu)}}})
		return
	}
	var b strings.Builder
	b.WriteString(t.T("dom.mine_title"))
	var rows [][]Button
	n := 0
	add := func(line, id string, open bool) {
		n++
		fmt.Fprintf(&b, "\n\n%d. %s", n, line)
		row := []Button{}
		if open {
			row = append(row, btn(t.T("dom.withdraw_n", "n", strconv.Itoa(n)), actDom, "withdraw", id))
		}
		rows = append(rows, append(row, btn(t.T("dom.erase_n", "n", strconv.Itoa(n)), actDom, "erase", id)))
	}
	for _, r := range reqs {
		add(t.T("dom.request_line", "role", t.T("role."+string(r.Role)), "date", t.date(r.Created),
			"status", t.T("rstatus."+string(r.Status)))+noteLine(t, r.Note), r.ID, r.Closed.IsZero())
	}
	for _, a := range apps {
		add(t.T("dom.application_line", "date", t.date(a.Created),
			"status", t.T("astatus."+string(a.Status)))+noteLine(t, a.Note), a.ID, a.Closed.IsZero())
	}
	t.Say(Reply{Text: b.String(), Buttons: append(rows, []Button{btn(t.T("button.menu"), actMenu)})})
}

func noteLine(t *Turn, note string) string {
	if note == "" {
		return ""
	}
	return "\n" + t.T("dom.staff_note", "note", note)
}

// domesticWithdraw withdraws a request or an application, or erases it altogether.
func (df *domesticFlow) domesticWithdraw(ctx context.Context, t *Turn, id string, erase bool) {
	store := t.e.opts.Domestic
	if store == nil || !domestic.ValidID(id) {
		t.Stale()
		return
	}
	conv := t.m.Conversation()
	kind, card := "request", ""
	withdraw := func() error {
		r, err := store.UpdateRequest(ctx, id, func(r *domestic.Request) error {
			if r.Conversation != conv {
				return domestic.ErrNotFound
			}
			if !r.Closed.IsZero() {
				return nil // closed already: nothing to withdraw
			}
			return r.Transition(domestic.RequestWithdrawn, "", t.now)
		})
		card = r.Card
		if errors.Is(err, domestic.ErrNotFound) {
			kind = "application"
			var a domestic.Application
			a, err = store.UpdateApplication(ctx, id, func(a *domestic.Application) error {
				if a.Conversation != conv {
					return domestic.ErrNotFound
				}
				if !a.Closed.IsZero() {
					return nil
				}
				return a.Transition(domestic.ApplicationWithdrawn, "", t.now)
			})
			card = a.Card
		}
		return err
	}
	err := withdraw()
	if err == nil && erase {
		err = store.Delete(ctx, conv, id)
	}
	switch {
	case errors.Is(err, domestic.ErrNotFound):
		t.Stale()
		return
	case err != nil:
		t.e.log.ErrorContext(ctx, "withdraw a domestic-work request failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: t.MainMenu()})
		return
	}
	ev := t.Event(EventDomesticWithdrawn, kind, false)
	ev.Recent, ev.Query, ev.Booking, ev.FirstName, ev.Card = nil, "", id, "", card
	if erase {
		ev.Text = "erased" // the staff card must forget the citizen too
	}
	t.Raise(ev)
	key := "dom.withdrawn"
	if erase {
		key = "dom.erased"
	}
	t.Say(Reply{Text: t.T(key), Buttons: [][]Button{{btn(t.T("dom.mine"), actDom, "mine"), btn(t.T("button.menu"), actMenu)}}})
}

// domesticRole finds a role in what the citizen wrote ("" for none).
func (e *Engine) domesticRole(text, lang string) string {
	text = withoutFalseFriends(text, lang)
	for _, r := range domestic.Roles() {
		if e.mentions("role_"+string(r), text) {
			return string(r)
		}
	}
	return ""
}

// wantsToWork reports a citizen asking to work as a tata, colf or badante.
func (e *Engine) wantsToWork(text, lang string) bool {
	return e.domesticRole(text, lang) != "" && e.mentions(intentWorkAs, text)
}

// wantsToHire reports a family looking for a tata, colf or badante to hire, as
// opposed to booking an hourly service ("babysitter per stasera" is a service; "tata
// fissa" or "cerco una badante" is hiring).
func (e *Engine) wantsToHire(text, lang string) bool {
	role := e.domesticRole(text, lang)
	switch {
	case role == "" || e.mentions(intentDomesticAdmin, text):
		// "il contratto della colf", "un corso per badante": the catalogue's services.
		return false
	case role == string(domestic.Tata):
		return e.mentions(intentFixedCare, text)
	}
	return e.mentions(intentHire, text) || e.mentions(intentFixedCare, text)
}

// DomesticAction is staff changing the state of a request or an application.
type DomesticAction struct {
	ID       string
	Request  bool   // a family's request (else a worker's application)
	Status   string // a domestic.RequestStatus or domestic.ApplicationStatus
	Note     string // for the citizen, optional
	Operator string
}

// DomesticFromStaff applies staff's change to a request or an application and tells
// the citizen. It returns domestic.ErrTransition (wrapped) for a change the state
// does not allow, and ErrNotDelivered when the citizen could not be told.
func (e *Engine) DomesticFromStaff(ctx context.Context, a DomesticAction) (conversation string, err error) {
	if e.opts.Domestic == nil {
		return "", errors.New("bot: no domestic-work store")
	}
	now := e.now()
	note := truncateRunes(cleanText(a.Note), 300)
	var lang, key string
	if a.Request {
		r, err := e.opts.Domestic.UpdateRequest(ctx, a.ID, func(r *domestic.Request) error {
			return r.Transition(domestic.RequestStatus(a.Status), note, now)
		})
		if err != nil {
			return "", err
		}
		conversation, lang, key = r.Conversation, r.Lang, "rstatus_msg."+a.Status
	} else {
		ap, err := e.opts.Domestic.UpdateApplication(ctx, a.ID, func(ap *domestic.Application) error {
			return ap.Transition(domestic.ApplicationStatus(a.Status), note, now)
		})
		if err != nil {
			return "", err
		}
		conversation, lang, key = ap.Conversation, ap.Lang, "astatus_msg."+a.Status
	}
	t := e.citizenTurn(conversation, lang, now)
	text := t.T(key, "days", strconv.Itoa(int(e.opts.DomesticRetention/(24*time.Hour))))
	if note != "" {
		text += "\n" + t.T("dom.staff_note", "note", note)
	}
	rows := [][]Button{{btn(t.T("dom.mine"), actDom, "mine"), btn(t.T("button.menu"), actMenu)}}
	if a.Request && a.Status == string(domestic.RequestMatched) {
		// Now the family needs a contract, payslips, INPS: the catalogue's services.
		rows = append([][]Button{{btn(t.T("dom.contract_services"), actCat, string(catalogue.LavoroDomestico))}}, rows...)
	}
	t.Say(Reply{Text: text, Buttons: rows})
	channel, user, _ := splitConversation(conversation)
	return conversation, e.push(ctx, channel, user, withLang(t.replies, t.st.Lang))
}

// register routes a worker's wish to apply; the application's buttons and answers
// come through the domestic flow's (actDom, flowDomestic).
func (af *applicationFlow) register(r *routes) {
	r.intent(IntentApply, showIntent(af.startApplication))
}
