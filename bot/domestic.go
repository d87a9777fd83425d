package bot

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/i18n"
)

// domesticFlow is the domestic flow: its handlers and what it keeps in the conversation state.
type domesticFlow struct{ e *Engine }

// domDraft is a family's request or a worker's application being put together; like
// a booking, each answer fills a field and the next question is the first missing.
type domDraft struct {
	Kind string `json:"kind"` // "fam" or "work"

	// A family's request.
	Role      string    `json:"role,omitempty"`
	Pattern   string    `json:"pattern,omitempty"`
	Hours     int       `json:"hours,omitempty"`
	SelfSet   bool      `json:"self_set,omitempty"`
	SelfSuff  bool      `json:"self_suff,omitempty"`
	Start     time.Time `json:"start,omitzero"`
	Municipio int       `json:"municipio,omitempty"`
	CareFor   string    `json:"care_for,omitempty"`
	CareDone  bool      `json:"care_done,omitempty"`

	// Both.
	Langs     []string `json:"langs,omitempty"`
	LangsDone bool     `json:"langs_done,omitempty"`
	Contact   string   `json:"contact,omitempty"`

	// A worker's application.
	Consent    time.Time `json:"consent,omitzero"`
	Roles      []string  `json:"roles,omitempty"`
	RolesDone  bool      `json:"roles_done,omitempty"`
	Years      int       `json:"years"` // -1 until answered
	Experience string    `json:"experience,omitempty"`
	ExpDone    bool      `json:"exp_done,omitempty"`
	Certs      []string  `json:"certs,omitempty"`
	CertsDone  bool      `json:"certs_done,omitempty"`
	Municipi   []int     `json:"municipi,omitempty"`
	MunDone    bool      `json:"mun_done,omitempty"`
	Avail      string    `json:"avail,omitempty"`
	LiveIn     bool      `json:"live_in,omitempty"`
	LiveSet    bool      `json:"live_set,omitempty"`
}

// flowDomestic is the Tate/Colf/Badanti flow (a request or an application).
const flowDomestic = "dom"

// Limits of the free texts of a request or an application.
const (
	maxCareRunes    = 300
	maxContactRunes = 100
	maxExpRunes     = 300
	maxAvailRunes   = 200
)

// domesticLanguages are the languages offered as buttons; others can be typed.
var domesticLanguages = []string{"it", "en", "es", "fr", "ro", "uk", "ru", "ar", "zh", "tl"}

// domesticAvailable reports whether requests and applications go through the bot:
// staff handle them, so a desk and a store are needed.
func (e *Engine) domesticAvailable() bool {
	return e.opts.Staff != nil && e.opts.Domestic != nil
}

// domestic explains WeMi's Tate/Colf/Badanti service and offers its two ways in.
func (df *domesticFlow) domestic(t *Turn) {
	rows := [][]Button{}
	if t.e.domesticAvailable() {
		rows = append(rows, []Button{btn(t.T("dom.hire_button"), actDom, "fam")}, []Button{btn(t.T("dom.work_button"), actDom, "work")})
	}
	rows = append(rows,
		[]Button{btn(t.T("domestic.search_services"), actCat, string(catalogue.LavoroDomestico))},
		[]Button{btn(t.T("menu.spaces"), actSpaces), btn(t.T("menu.operator"), actOperator)},
		[]Button{btn(t.T("dom.mine"), actDom, "mine"), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: t.T("domestic.info"), Buttons: rows})
}

// startHire begins a family's request; the role and the working arrangement may be
// known from what they wrote ("cerco una badante convivente").
func (df *domesticFlow) startHire(t *Turn, role string, pattern domestic.Pattern) {
	if !t.e.domesticAvailable() {
		df.domestic(t)
		return
	}
	t.st.Flow = flowDomestic
	t.st.Dom = &domDraft{Kind: "fam", Role: role, Pattern: string(pattern), Years: -1}
	t.Text("dom.hire_intro")
	df.askDomestic(t)
}

// askDomestic asks for the draft's first missing field, or shows its summary.
func (df *domesticFlow) askDomestic(t *Turn) {
	d := t.st.Dom
	if d.Kind == "work" {
		t.e.flows.application.askApplication(t)
		return
	}
	cancel := []Button{btn(t.T("book.abandon"), actDom, "x")}
	switch {
	case d.Role == "":
		row := []Button{}
		for _, r := range domestic.Roles() {
			row = append(row, btn(t.T("role."+string(r)), actDom, "role", string(r)))
		}
		t.Say(Reply{Text: t.T("dom.ask_role"), Buttons: [][]Button{row, cancel}})
	case d.Pattern == "":
		rows := [][]Button{}
		for _, p := range domestic.Patterns() {
			if d.Role == string(domestic.Colf) && (p == domestic.PresenzaNotturna || p == domestic.AssistenzaNotturna) {
				continue // a housekeeper's work is not at night
			}
			rows = append(rows, []Button{btn(t.T("pattern."+string(p)), actDom, "pat", string(p))})
		}
		t.Say(Reply{Text: t.T("dom.ask_pattern"), Buttons: append(rows, cancel)})
	case d.Hours == 0:
		row := []Button{}
		for _, h := range hoursChoices(d.Pattern) {
			row = append(row, btn(strconv.Itoa(h), actDom, "hours", strconv.Itoa(h)))
		}
		t.Say(Reply{Text: t.T("dom.ask_hours"), Buttons: [][]Button{row, cancel}})
	case d.Role == string(domestic.Badante) && !d.SelfSet:
		t.Say(Reply{Text: t.T("dom.ask_self"), Buttons: [][]Button{
			{btn(t.T("dom.self_yes"), actDom, "self", "1"), btn(t.T("dom.self_no"), actDom, "self", "0")}, cancel}})
	case d.Start.IsZero():
		t.Say(Reply{Text: t.T("dom.ask_start"), Buttons: [][]Button{
			{btn(t.T("dom.start_asap"), actDom, "start", "7"), btn(t.T("dom.start_2w"), actDom, "start", "14"),
				btn(t.T("dom.start_month"), actDom, "start", "30")}, cancel}})
	case d.Municipio == 0:
		t.Say(Reply{Text: t.T("dom.ask_zone"), Buttons: append(zoneRows(actDom, "mun"), cancel)})
	case !d.CareDone && d.Role == string(domestic.Colf):
		d.CareDone = true // a housekeeper looks after the house, not a person
		df.askDomestic(t)
	case !d.CareDone:
		t.Say(Reply{Text: t.T("dom.ask_care", "max", strconv.Itoa(maxCareRunes)), Buttons: [][]Button{
			{btn(t.T("dom.rather_not"), actDom, "care")}, cancel}})
	case !d.LangsDone:
		df.askLanguages(t)
	case d.Contact == "":
		t.Say(Reply{Text: t.T("dom.ask_contact"), Buttons: [][]Button{cancel}})
	default:
		df.hireSummary(t)
	}
}

// hoursChoices are the weekly hours offered as buttons for a working pattern.
func hoursChoices(pattern string) []int {
	switch domestic.Pattern(pattern) {
	case domestic.Convivente:
		return []int{40, 48, 54}
	case domestic.ConvivenzaRidotta:
		return []int{20, 25, 30}
	case domestic.Weekend:
		return []int{8, 16}
	case domestic.PresenzaNotturna, domestic.AssistenzaNotturna:
		return []int{20, 30, 40}
	}
	return []int{10, 20, 25, 30, 40}
}

// zoneRows are the nine Municipi as buttons.
func zoneRows(action, step string) [][]Button {
	rows := [][]Button{{}, {}}
	for m := 1; m <= 9; m++ {
		rows[(m-1)/5] = append(rows[(m-1)/5], btn(strconv.Itoa(m), action, step, strconv.Itoa(m)))
	}
	return rows
}

// askLanguages offers languages as toggles.
func (df *domesticFlow) askLanguages(t *Turn) {
	d := t.st.Dom
	rows := [][]Button{}
	row := []Button{}
	for _, l := range domesticLanguages {
		label := t.T("lang." + l)
		if slices.Contains(d.Langs, l) {
			label = "✅ " + label
		}
		row = append(row, btn(label, actDom, "lang", l))
		if len(row) == 4 {
			rows, row = append(rows, row), []Button{}
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, []Button{btn(t.T("dom.done"), actDom, "langok")})
	key := "dom.ask_langs"
	if d.Kind == "work" {
		key = "dom.ask_langs_work"
	}
	t.Say(Reply{Text: t.T(key), Buttons: rows, Replace: t.m.Button != "" && strings.Contains(t.m.Button, ":lang:")})
}

// hireSummary shows the request with the monthly cost estimate and what help the
// family may be able to get, and asks for confirmation.
func (df *domesticFlow) hireSummary(t *Turn) {
	d := t.st.Dom
	var b strings.Builder
	b.WriteString(t.T("dom.summary", "role", t.T("role."+d.Role), "pattern", t.T("pattern."+d.Pattern),
		"hours", strconv.Itoa(d.Hours), "start", t.fullDate(d.Start), "zone", strconv.Itoa(d.Municipio),
		"care", Literal(orDash(d.CareFor)), "langs", t.languageNames(d.Langs), "contact", Literal(d.Contact)))
	b.WriteString("\n\n" + df.estimateText(t))
	if sup := df.supportsText(t, d.Role); sup != "" {
		b.WriteString("\n\n" + sup)
	}
	b.WriteString("\n\n" + t.T("dom.privacy_request", "days", strconv.Itoa(int(t.e.opts.DomesticRetention/(24*time.Hour)))))
	_, estimated := df.draftEstimate(t)
	t.Say(Reply{Text: b.String(), Buttons: df.hireButtons(t, estimated)})
}

// hireButtons are the buttons of a request's summary; withNotes offers how the
// estimate is worked out.
func (df *domesticFlow) hireButtons(t *Turn, withNotes bool) [][]Button {
	rows := [][]Button{{btn(t.T("dom.send_request"), actDom, "ok")}}
	if withNotes {
		rows = append(rows, []Button{btn(t.T("dom.notes_button"), actDom, "notes")})
	}
	return append(rows, []Button{btn(t.T("book.restart"), actDom, "redo"), btn(t.T("book.abandon"), actDom, "x")})
}

// draftEstimate is the monthly cost estimate of the family's draft, if one can be made.
func (df *domesticFlow) draftEstimate(t *Turn) (domestic.Estimate, bool) {
	d := t.st.Dom
	if t.e.pay == nil || d == nil || d.Kind != "fam" {
		return domestic.Estimate{}, false
	}
	return t.e.pay.Estimate(domestic.Role(d.Role), domestic.Pattern(d.Pattern), d.Hours, d.SelfSuff || d.Role != string(domestic.Badante))
}

// estimateText is the monthly cost estimate of the draft, labelled as such.
func (df *domesticFlow) estimateText(t *Turn) string {
	if t.e.pay == nil {
		return ""
	}
	est, ok := df.draftEstimate(t)
	if !ok {
		return t.T("dom.no_estimate")
	}
	return t.T("dom.estimate", "total", t.euros(est.TotalMonthly), "gross", t.euros(est.GrossMonthly),
		"contributions", t.euros(est.Contributions), "accruals", t.euros(est.Accruals), "level", est.Level,
		"year", strconv.Itoa(t.e.pay.Year), "source", t.e.pay.Source)
}

// estimateNotes shows how the estimate of a finished request is worked out, with the
// summary's buttons so that the family can go on; a press from an old summary,
// once the request is sent or changed, is stale.
func (df *domesticFlow) estimateNotes(t *Turn) {
	est, ok := df.draftEstimate(t)
	if !ok || !t.st.Dom.hireComplete() {
		t.Stale()
		return
	}
	lines := []string{t.T("dom.notes_title")}
	for _, n := range est.Notes {
		key := "dom.note." + n.Key // every key is checked by TestEstimateNotesHaveTexts
		kv := make([]string, 0, 2*len(n.Values))
		for _, v := range n.Values {
			kv = append(kv, v.Name, df.noteValue(t, v))
		}
		lines = append(lines, "• "+t.T(key, kv...))
	}
	t.Say(Reply{Text: strings.Join(lines, "\n"), Buttons: df.hireButtons(t, true)})
}

// hireComplete reports whether a family's draft has every answer its summary shows.
func (d *domDraft) hireComplete() bool {
	return d.Kind == "fam" && d.Role != "" && d.Pattern != "" && d.Hours > 0 &&
		(d.SelfSet || d.Role != string(domestic.Badante)) && !d.Start.IsZero() && d.Municipio > 0 &&
		d.CareDone && d.LangsDone && d.Contact != ""
}

// noteValue words a figure of an estimate's note in the citizen's language.
func (df *domesticFlow) noteValue(t *Turn, v domestic.Value) string {
	switch v.Kind {
	case domestic.KindEuros:
		return t.euros(v.Cents)
	case domestic.KindNumber:
		return df.number(t, v.Number)
	case domestic.KindDate:
		return df.longDate(t, v.Date)
	case domestic.KindCode:
		if v.Name == "level" {
			return df.levelName(t, v.Code)
		}
	}
	return v.Code
}

// levelName is a CCNL level in words: "livello BS", or the single level of night
// presence.
func (df *domesticFlow) levelName(t *Turn, level string) string {
	if level == domestic.LevelUnico {
		return t.T("dom.level_unico")
	}
	return t.T("dom.level", "level", level)
}

// number is a number with at most two decimals, in the citizen's language: 86,67 or
// 86.67.
func (df *domesticFlow) number(t *Turn, v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	return strings.Replace(s, ".", i18n.Of(t.st.Lang).Decimal, 1)
}

// longDate is a date in words: "1° gennaio 2026", "1 January 2026".
func (df *domesticFlow) longDate(t *Turn, d time.Time) string {
	day := strconv.Itoa(d.Day())
	if d.Day() == 1 {
		day = t.T("date.first_day")
	}
	return t.T("date.long", "day", day, "month", t.T("month."+strconv.Itoa(int(d.Month()))), "year", strconv.Itoa(d.Year()))
}

// supportsText lists the help a family may be able to get, never promised, in the
// citizen's language.
func (df *domesticFlow) supportsText(t *Turn, role string) string {
	var lines []string
	for _, s := range t.e.supports {
		if len(s.Roles) > 0 && !slices.Contains(s.Roles, domestic.Role(role)) {
			continue
		}
		txt := s.In(t.st.Lang)
		lines = append(lines, "• *"+Literal(txt.Name)+"*: "+Literal(txt.What)+" "+t.T("dom.support_who", "conditions", Literal(txt.Conditions)))
	}
	if len(lines) == 0 {
		return ""
	}
	return t.T("dom.supports") + "\n" + strings.Join(lines, "\n")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// submitRequest sends the family's request to staff.
func (df *domesticFlow) submitRequest(ctx context.Context, t *Turn) {
	d := t.st.Dom
	est := -1
	if e, ok := df.draftEstimate(t); ok {
		est = e.TotalMonthly
	}
	r := domestic.Request{ID: domestic.NewID(), Conversation: t.m.Conversation(), Lang: t.st.Lang, FirstName: t.m.FirstName,
		Role: domestic.Role(d.Role), Pattern: domestic.Pattern(d.Pattern), HoursPerWeek: d.Hours, Start: d.Start,
		Municipio: d.Municipio, CareFor: d.CareFor, SelfSufficient: d.SelfSuff, Languages: d.Langs, Contact: d.Contact,
		EstimateCents: est, Status: domestic.RequestSent, Created: t.now, Updated: t.now}
	if err := t.e.opts.Domestic.CreateRequest(ctx, r); err != nil {
		df.domesticSaveFailed(ctx, t, err)
		return
	}
	t.st.Dom, t.st.Flow = nil, ""
	ev := t.Event(EventDomesticRequest, "", false)
	ev.Recent, ev.Query, ev.Booking = nil, "", r.ID
	t.Raise(ev)
	t.Say(Reply{Text: t.T("dom.sent"), Buttons: [][]Button{
		{btn(t.T("dom.contract_services"), actCat, string(catalogue.LavoroDomestico))},
		{btn(t.T("dom.mine"), actDom, "mine"), btn(t.T("button.menu"), actMenu)}}})
}

// domesticSaveFailed answers a request or an application the store refused: a rule
// broken or too many kept say so (trying again would not help); anything else is a
// technical problem worth a retry.
func (df *domesticFlow) domesticSaveFailed(ctx context.Context, t *Turn, err error) {
	switch {
	case errors.Is(err, domestic.ErrTooMany):
		t.st.Dom, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("dom.too_many"), Buttons: [][]Button{{btn(t.T("dom.mine"), actDom, "mine")}}})
	case errors.Is(err, domestic.ErrInvalid):
		t.e.log.WarnContext(ctx, "a domestic-work form broke a rule of the store", "err", err)
		t.Say(Reply{Text: t.T("dom.invalid"), Buttons: [][]Button{{btn(t.T("book.restart"), actDom, "redo"), btn(t.T("book.abandon"), actDom, "x")}}})
	default:
		t.e.log.ErrorContext(ctx, "save a domestic-work form failed", "err", err)
		t.Say(Reply{Text: t.T("book.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actDom, "ok")}}})
	}
}

// register routes Tate, Colf e Badanti: the service, families' requests, and the
// citizen's own requests and applications.
func (df *domesticFlow) register(r *routes) {
	r.button(actDomestic, show(df.domestic))
	r.button(actDom, func(ctx context.Context, t *Turn, b button) { df.onDomesticButton(ctx, t, b.arg) })
	r.command(showCommand(df.domestic), "tatecolfbadanti", "domestic")
	r.answer(flowDomestic, df.domesticText)
	r.intent(IntentMyRequests, func(ctx context.Context, t *Turn, _ Interpretation) {
		t.st.resetFlow()
		df.myDomestic(ctx, t)
	})
	r.intent(IntentHire, func(_ context.Context, t *Turn, in Interpretation) {
		t.Text("domestic.hire_info")
		df.startHire(t, in.Role, domestic.Pattern(in.Pattern))
	})
}
