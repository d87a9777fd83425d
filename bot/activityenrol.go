package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/activities"
	"github.com/comune-milano/wemibot/bookings"
	"github.com/comune-milano/wemibot/catalogue"
)

// enrolDraft is an enrolment being put together: the session, how many places, for
// whom. It becomes a booking (bookings.Booking with Activity set) that staff confirm
// on the desk like any other.
type enrolDraft struct {
	// ID is given when the enrolment is first sent: the places are held under it, so
	// sending again after a failure holds them once.
	ID       string `json:"id,omitempty"`
	Activity string `json:"activity"`
	Session  string `json:"session,omitempty"`
	Places   int    `json:"places,omitempty"`
	ForWhom  string `json:"for,omitempty"`
}

// card shows one activity: what, where, when, for whom, the price, how to enrol, and
// the places left in each session still to come.
func (af *activitiesFlow) card(ctx context.Context, t *Turn, id string) {
	a, ok := t.cat.Activity(id)
	if !ok {
		t.Say(Reply{Text: t.T("acts.gone"), Buttons: [][]Button{{btn(t.T("acts.all"), actActs, "all"), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	desc, got := a.DescriptionIn(t.st.Lang)
	var b strings.Builder
	b.WriteString(t.T("acts.card", "title", Literal(af.title(t, a)), "kind", t.T("acts.kind."+string(a.Kind)),
		"description", Literal(t.translated(desc, got)), "dates", af.dates(t, a), "times", af.times(t, a),
		"ages", af.ages(t, a), "place", Literal(af.placeLong(a)), "price", af.price(t, a)))
	if a.Organization != nil {
		b.WriteString("\n" + t.T("acts.by", "provider", Literal(a.Organization.Name)))
	}
	left, known := af.left(ctx, t, a)
	future := af.future(t, a)
	switch {
	case len(future) == 0:
		b.WriteString("\n\n" + t.T("acts.is_past"))
	case known && len(future) > 1:
		b.WriteString("\n\n" + t.T("acts.sessions_title"))
		for i, s := range future {
			if i == maxShownSessions {
				b.WriteString("\n…")
				break
			}
			b.WriteString("\n• " + af.sessionText(t, s) + ": " + af.leftText(t, left[s.ID]))
		}
	case known:
		b.WriteString("\n\n" + af.leftText(t, left[future[0].ID]))
	}
	b.WriteString("\n\n" + af.howToEnrol(t, a))
	var rows [][]Button
	if len(future) > 0 && a.Enrol.Chat && af.enrolable(t) && (!known || anyLeft(left, future)) {
		rows = append(rows, []Button{btn(t.T("acts.enrol"), actEnrol, "go", a.ID)})
	}
	if a.Enrol.URL != "" {
		rows = append(rows, []Button{{Label: t.T("acts.enrol_online"), URL: a.Enrol.URL}})
	}
	if a.Space != nil {
		rows = append(rows, []Button{btn(a.Space.Name, actSpace, a.Space.ID)})
	}
	rows = append(rows, []Button{btn(t.T("acts.back"), actActs, strconv.Itoa(actsPage(t))), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: b.String(), Buttons: rows})
}

// maxShownSessions bounds the sessions a card lists (a summer of weeks).
const maxShownSessions = 8

func actsPage(t *Turn) int {
	if t.st.Acts == nil {
		return 0
	}
	return t.st.Acts.Page
}

func anyLeft(left map[string]int, sessions []catalogue.Session) bool {
	for _, s := range sessions {
		if left[s.ID] > 0 {
			return true
		}
	}
	return false
}

// placeLong is the space or the provider, with the address.
func (af *activitiesFlow) placeLong(a *catalogue.Activity) string {
	if a.Space != nil {
		return a.Space.Name + ", " + a.Location.Address
	}
	if a.Organization != nil {
		return a.Organization.Name + ", " + a.Location.Address
	}
	return a.Location.Address
}

// sessionText is a session's days: "lun 14/06 – ven 18/06", or one day.
func (af *activitiesFlow) sessionText(t *Turn, s catalogue.Session) string {
	if s.First == s.Last {
		return t.dayLabel(s.First.In(t.e.rome))
	}
	return t.T("acts.dates_range", "from", t.dayLabel(s.First.In(t.e.rome)), "to", t.dayLabel(s.Last.In(t.e.rome)))
}

func (af *activitiesFlow) leftText(t *Turn, n int) string {
	if n <= 0 {
		return t.T("acts.full")
	}
	return t.T("acts.places_left", "n", strconv.Itoa(n))
}

// howToEnrol says how one enrols: here in the chat, at the space, online.
func (af *activitiesFlow) howToEnrol(t *Turn, a *catalogue.Activity) string {
	var ways []string
	if a.Enrol.Chat && af.enrolable(t) {
		ways = append(ways, t.T("acts.how_chat"))
	}
	if a.Enrol.AtSpace && a.Space != nil {
		ways = append(ways, t.T("acts.how_space", "space", Literal(a.Space.Name), "phone", Literal(a.Space.Phone)))
	}
	if a.Enrol.URL != "" {
		ways = append(ways, t.T("acts.how_url"))
	}
	if len(ways) == 0 && a.Organization != nil {
		ways = append(ways, t.T("acts.how_provider", "provider", Literal(a.Organization.Name), "phone", Literal(a.Organization.Phone)))
	}
	return strings.Join(ways, "\n")
}

// enrolable reports whether enrolments can be taken in the chat: staff confirm them,
// bookings keep them and the places are counted.
func (af *activitiesFlow) enrolable(t *Turn) bool {
	return t.e.opts.Staff != nil && t.e.opts.Bookings != nil && t.e.opts.Places != nil
}

// onEnrol handles the enrolment form's buttons ("enrol:<step>[:<value>]").
func (af *activitiesFlow) onEnrol(ctx context.Context, t *Turn, arg string) {
	step, value, _ := strings.Cut(arg, ":")
	if step == "go" {
		af.startEnrol(ctx, t, value)
		return
	}
	d := t.st.Enrol
	if d == nil {
		t.Stale()
		return
	}
	a, ok := t.cat.Activity(d.Activity)
	if !ok {
		t.st.Enrol, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("acts.gone"), Buttons: t.MainMenu()})
		return
	}
	n, _ := strconv.Atoi(value)
	switch step {
	case "s":
		if s, ok := a.SessionByID(value); !ok || !af.today(t).Before(s.First) {
			t.Stale()
			return
		}
		d.Session, d.Places = value, 0
	case "n":
		if n < 1 || n > activities.MaxPlaces {
			t.Stale()
			return
		}
		d.Places = n
	case "w":
		if value != bookings.ForSelf && value != bookings.ForRelative {
			t.Stale()
			return
		}
		d.ForWhom = value
	case "x":
		t.st.Enrol, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("enrol.abandoned"), Buttons: [][]Button{{btn(t.T("acts.back_card"), actAct, a.ID), btn(t.T("button.menu"), actMenu)}}})
		return
	case "ok":
		af.submitEnrol(ctx, t, a)
		return
	default:
		t.Stale()
		return
	}
	af.askEnrol(ctx, t, a)
}

// startEnrol begins an enrolment from an activity's card.
func (af *activitiesFlow) startEnrol(ctx context.Context, t *Turn, id string) {
	a, ok := t.cat.Activity(id)
	switch {
	case !ok:
		t.Say(Reply{Text: t.T("acts.gone"), Buttons: t.MainMenu()})
		return
	case !a.Enrol.Chat || !af.enrolable(t):
		t.Say(Reply{Text: af.howToEnrol(t, a), Buttons: [][]Button{{btn(t.T("acts.back_card"), actAct, a.ID), btn(t.T("button.menu"), actMenu)}}})
		return
	case len(af.future(t, a)) == 0:
		t.Say(Reply{Text: t.T("acts.is_past"), Buttons: [][]Button{{btn(t.T("acts.all"), actActs, "all"), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	t.st.Flow = flowEnrol
	t.st.Enrol = &enrolDraft{Activity: a.ID}
	t.Text("enrol.start", "title", Literal(af.title(t, a)))
	af.askEnrol(ctx, t, a)
}

// flowEnrol is the enrolment form.
const flowEnrol = "enrol"

// askEnrol asks for the first thing missing: the session, the places, for whom;
// then shows the summary.
func (af *activitiesFlow) askEnrol(ctx context.Context, t *Turn, a *catalogue.Activity) {
	d := t.st.Enrol
	t.st.Flow = flowEnrol
	left, ok := af.left(ctx, t, a)
	if !ok {
		t.Say(Reply{Text: t.T("enrol.places_unknown"), Buttons: [][]Button{{btn(t.T("button.retry"), actEnrol, "go", a.ID)}, {btn(t.T("button.menu"), actMenu)}}})
		return
	}
	future := af.future(t, a)
	if d.Session == "" && len(future) == 1 {
		d.Session = future[0].ID
	}
	cancel := []Button{btn(t.T("enrol.abandon"), actEnrol, "x")}
	switch {
	case d.Session == "":
		var rows [][]Button
		for i, s := range future {
			if i == maxShownSessions {
				break
			}
			if left[s.ID] > 0 {
				rows = append(rows, []Button{btn(af.sessionText(t, s)+" ("+strconv.Itoa(left[s.ID])+")", actEnrol, "s", s.ID)})
			}
		}
		if len(rows) == 0 {
			t.st.Enrol, t.st.Flow = nil, ""
			t.Say(Reply{Text: t.T("acts.is_full"), Buttons: [][]Button{{btn(t.T("acts.all"), actActs, "all"), btn(t.T("button.menu"), actMenu)}}})
			return
		}
		t.Say(Reply{Text: t.T("enrol.ask_session"), Buttons: append(rows, cancel)})
	case left[d.Session] <= 0:
		d.Session = ""
		t.Text("enrol.session_full")
		if len(future) > 1 {
			af.askEnrol(ctx, t, a)
			return
		}
		t.st.Enrol, t.st.Flow = nil, ""
		t.Say(Reply{Text: t.T("acts.is_full"), Buttons: [][]Button{{btn(t.T("acts.all"), actActs, "all"), btn(t.T("button.menu"), actMenu)}}})
	case d.Places == 0 || d.Places > left[d.Session]:
		d.Places = 0
		var row []Button
		for n := 1; n <= min(left[d.Session], 4, activities.MaxPlaces); n++ {
			row = append(row, btn(strconv.Itoa(n), actEnrol, "n", strconv.Itoa(n)))
		}
		t.Say(Reply{Text: t.T("enrol.ask_places", "n", strconv.Itoa(left[d.Session])), Buttons: [][]Button{row, cancel}})
	case d.ForWhom == "":
		t.Say(Reply{Text: t.T("enrol.ask_for"), Buttons: [][]Button{
			{btn(t.T("book.for_self"), actEnrol, "w", bookings.ForSelf), btn(t.T("enrol.for_relative"), actEnrol, "w", bookings.ForRelative)}, cancel}})
	default:
		af.enrolSummary(t, a)
	}
}

// enrolSummary shows the enrolment and asks to send it.
func (af *activitiesFlow) enrolSummary(t *Turn, a *catalogue.Activity) {
	d := t.st.Enrol
	s, _ := a.SessionByID(d.Session)
	who := t.T("book.for_self")
	if d.ForWhom == bookings.ForRelative {
		who = t.T("enrol.for_relative")
	}
	t.Say(Reply{Text: t.T("enrol.summary", "title", Literal(af.title(t, a)), "session", af.sessionText(t, s),
		"times", af.times(t, a), "place", Literal(af.placeLong(a)), "places", strconv.Itoa(d.Places), "who", who,
		"price", af.total(t, a, s, d.Places)),
		Buttons: [][]Button{{btn(t.T("enrol.confirm"), actEnrol, "ok")}, {btn(t.T("enrol.abandon"), actEnrol, "x")}}})
}

// estimate is what places in a session cost, in cents: per week or course, or per
// meeting times the session's days.
func estimate(a *catalogue.Activity, s catalogue.Session, places int) int {
	if a.Price.Free {
		return 0
	}
	per := a.Price.Cents
	if a.Price.Per == catalogue.PerMeeting {
		per *= len(s.Days)
	}
	return per * places
}

func (af *activitiesFlow) total(t *Turn, a *catalogue.Activity, s catalogue.Session, places int) string {
	if cents := estimate(a, s, places); cents > 0 {
		return t.T("enrol.total", "price", t.euros(cents))
	}
	return t.T("acts.price_free")
}

// submitEnrol holds the places and files the booking staff confirm. The places are
// taken first, so two citizens never get the last one; a booking that cannot be
// saved gives them back.
func (af *activitiesFlow) submitEnrol(ctx context.Context, t *Turn, a *catalogue.Activity) {
	d := t.st.Enrol
	s, ok := a.SessionByID(d.Session)
	if !ok || d.Places < 1 || d.ForWhom == "" || !af.enrolable(t) {
		af.askEnrol(ctx, t, a)
		return
	}
	if d.ID == "" {
		d.ID = bookings.NewID()
	}
	left, err := t.e.opts.Places.Take(ctx, a, s.ID, d.ID, d.Places)
	switch {
	case errors.Is(err, activities.ErrFull):
		t.Text("enrol.full", "n", strconv.Itoa(left))
		d.Places = 0
		af.askEnrol(ctx, t, a)
		return
	case err != nil:
		t.e.log.ErrorContext(ctx, "hold places failed", "activity", a.ID, "err", err)
		t.Say(Reply{Text: t.T("enrol.failed"), Buttons: [][]Button{{btn(t.T("button.retry"), actEnrol, "ok")}, {btn(t.T("enrol.abandon"), actEnrol, "x")}}})
		return
	}
	b := bookings.Booking{ID: d.ID, Conversation: t.m.Conversation(), Lang: t.st.Lang, FirstName: t.m.FirstName,
		Service: a.ID, Activity: a.ID, Session: s.ID, Start: s.First.Time(a.Opens, t.e.rome), Quantity: d.Places,
		ForWhom: d.ForWhom, Municipio: a.Location.Municipio, EstimateCents: estimate(a, s, d.Places), Status: bookings.Requested,
		History: []bookings.Change{{Status: bookings.Requested, At: t.now, By: "citizen"}}, Created: t.now, Updated: t.now}
	if err := t.e.opts.Bookings.Create(ctx, b); err != nil {
		t.e.log.ErrorContext(ctx, "save an enrolment failed", "activity", a.ID, "err", err)
		af.release(ctx, t.cat, a.ID, s.ID, d.ID)
		key := "enrol.failed"
		if errors.Is(err, bookings.ErrTooMany) {
			key = "book.too_many"
		}
		t.Say(Reply{Text: t.T(key), Buttons: [][]Button{{btn(t.T("button.retry"), actEnrol, "ok")}, {btn(t.T("menu.bookings"), actBookings)}}})
		return
	}
	t.st.Enrol, t.st.Flow = nil, ""
	ev := t.Event(EventBookingRequested, "", false)
	ev.Recent, ev.Booking = nil, b.ID
	t.Raise(ev)
	t.Say(Reply{Text: t.T("enrol.sent", "title", Literal(af.title(t, a)), "session", af.sessionText(t, s), "places", strconv.Itoa(d.Places)),
		Buttons: [][]Button{{btn(t.T("menu.bookings"), actBookings), btn(t.T("button.menu"), actMenu)}}})
}

// whatsOn lists, on a WeMi space's card, what is on there next.
func (af *activitiesFlow) whatsOn(t *Turn, spaceID string) (string, [][]Button) {
	today := af.today(t)
	var lines []string
	for _, a := range t.cat.ActivitiesAt(spaceID) {
		if !a.Last().Before(today) && len(lines) < 3 {
			lines = append(lines, "• "+Literal(af.title(t, a))+" — "+af.dates(t, a))
		}
	}
	if len(lines) == 0 {
		return "", nil
	}
	return "\n\n" + t.T("acts.whats_on") + "\n" + strings.Join(lines, "\n"), [][]Button{{btn(t.T("acts.whats_on_all"), actActs, "at", spaceID)}}
}
