package bot

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// activitiesFlow lists the catalogue's dated activities (Summer School camps,
// courses, workshops, open days), shows one with its places left, and enrols
// citizens in them through a booking that staff confirm.
type activitiesFlow struct{ e *Engine }

// Button actions of the activities flow.
const (
	actActs  = "acts"  // acts:<page> of the current list; acts:all drops its filters
	actAct   = "act"   // act:<activity id>
	actEnrol = "enrol" // enrol:<step>[:<value>]: the enrolment form
)

// IntentActivities asks what activities are on: Summer School, courses, workshops.
const IntentActivities Intent = "activities"

// today is the current day in Milan.
func (af *activitiesFlow) today(t *Turn) catalogue.Date { return catalogue.DateOf(t.now.In(t.e.rome)) }

// ask answers a message understood as a question about activities; with nothing to
// show it searches the services instead ("corsi per adulti" may be a service).
func (af *activitiesFlow) ask(ctx context.Context, t *Turn, in Interpretation) {
	q, ok := t.e.activityAsk(in.Text, t.cat, af.today(t))
	if !ok {
		t.e.routes.intents[IntentSearch](ctx, t, in)
		return
	}
	if q.Kind == string(catalogue.KindCourse) && len(af.matching(t, q)) == 0 {
		t.e.routes.intents[IntentSearch](ctx, t, in)
		return
	}
	t.st.resetFlow()
	t.st.Acts = &q
	af.list(ctx, t)
}

// matching returns the activities the query asks for, soonest first.
func (af *activitiesFlow) matching(t *Turn, q activityQuery) []*catalogue.Activity {
	today := af.today(t)
	var out []*catalogue.Activity
	for _, a := range t.cat.Activities {
		if q.matches(a, today) {
			out = append(out, a)
		}
	}
	next := func(a *catalogue.Activity) catalogue.Date {
		for _, d := range a.Days {
			if !d.Before(today) {
				return d
			}
		}
		return a.Last()
	}
	sort.SliceStable(out, func(i, j int) bool { return next(out[i]).Before(next(out[j])) })
	return out
}

// list shows a page of the activities the current query asks for.
func (af *activitiesFlow) list(ctx context.Context, t *Turn) {
	q := t.st.Acts
	if q == nil {
		q = &activityQuery{}
		t.st.Acts = q
	}
	all := af.matching(t, *q)
	if len(all) == 0 {
		t.Say(Reply{Text: t.T("acts.none", "filters", af.filtersText(t, *q)), Buttons: [][]Button{
			{btn(t.T("acts.all"), actActs, "all")}, {btn(t.T("button.menu"), actMenu)}}})
		return
	}
	if q.Page < 0 || q.Page*maxListItems >= len(all) {
		q.Page = 0
	}
	page := all[q.Page*maxListItems : min((q.Page+1)*maxListItems, len(all))]
	var b strings.Builder
	b.WriteString(t.T("acts.title", "kind", t.T("acts.kind_plural."+cmpKind(q.Kind)), "n", strconv.Itoa(len(all))))
	if f := af.filtersText(t, *q); f != "" {
		b.WriteString("\n" + t.T("acts.filters", "filters", f))
	}
	var rows [][]Button
	for i, a := range page {
		b.WriteString("\n\n" + strconv.Itoa(q.Page*maxListItems+i+1) + ". " + af.line(ctx, t, a))
		rows = append(rows, []Button{btn(shorten(af.title(t, a), 60), actAct, a.ID)})
	}
	var nav []Button
	if q.Page > 0 {
		nav = append(nav, btn(t.T("button.previous"), actActs, strconv.Itoa(q.Page-1)))
	}
	if (q.Page+1)*maxListItems < len(all) {
		nav = append(nav, btn(t.T("acts.more"), actActs, strconv.Itoa(q.Page+1)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []Button{btn(t.T("button.menu"), actMenu)})
	// Turning a page rewrites the list in place; a list opened from elsewhere (a
	// space's card, "all") is a new message.
	_, paged := strconv.Atoi(strings.TrimPrefix(t.m.Button, actActs+":"))
	t.Say(Reply{Text: b.String(), Buttons: rows, Replace: strings.HasPrefix(t.m.Button, actActs+":") && paged == nil})
}

// cmpKind names the list's kind in texts: "all" when no kind was asked.
func cmpKind(kind string) string {
	if kind == "" {
		return "all"
	}
	return kind
}

// filtersText says what narrows the list: the age, the days, the place.
func (af *activitiesFlow) filtersText(t *Turn, q activityQuery) string {
	var parts []string
	if q.AgeSet {
		parts = append(parts, t.T("acts.filter_age", "age", strconv.Itoa(q.Age)))
	} else if q.Audience != "" {
		parts = append(parts, t.T("acts.filter_audience."+q.Audience))
	}
	from, errFrom := catalogue.ParseDate(q.From)
	to, errTo := catalogue.ParseDate(q.To)
	if errFrom == nil && errTo == nil {
		parts = append(parts, t.T("acts.filter_days", "from", af.date(t, from), "to", af.date(t, to)))
	}
	if s, ok := t.cat.Space(q.Space); ok {
		parts = append(parts, t.T("acts.filter_space", "space", Literal(s.Name)))
	}
	return strings.Join(parts, ", ")
}

// title is an activity's title in the citizen's language.
func (af *activitiesFlow) title(t *Turn, a *catalogue.Activity) string {
	return t.translated(a.TitleIn(t.st.Lang))
}

// date is "14/06" in the citizen's language.
func (af *activitiesFlow) date(t *Turn, d catalogue.Date) string {
	return t.date(d.In(t.e.rome))
}

// line is one activity in a list: title, days, times, ages, place, price, places.
func (af *activitiesFlow) line(ctx context.Context, t *Turn, a *catalogue.Activity) string {
	s := "*" + Literal(af.title(t, a)) + "*\n" + t.T("acts.line", "dates", af.dates(t, a), "times", af.times(t, a),
		"ages", af.ages(t, a), "place", Literal(af.place(t, a)), "price", af.price(t, a))
	if places := af.placesText(ctx, t, a); places != "" {
		s += "\n" + places
	}
	return s
}

// dates says when an activity meets: its single dates, or from the first to the
// last day.
func (af *activitiesFlow) dates(t *Turn, a *catalogue.Activity) string {
	if len(a.Days) == 1 {
		return t.dayLabel(a.Days[0].In(t.e.rome))
	}
	if len(a.Sessions) == len(a.Days) && len(a.Days) <= 4 {
		labels := make([]string, len(a.Days))
		for i, d := range a.Days {
			labels[i] = t.dayLabel(d.In(t.e.rome))
		}
		return strings.Join(labels, ", ")
	}
	return t.T("acts.dates_range", "from", af.date(t, a.First()), "to", af.date(t, a.Last()))
}

func (af *activitiesFlow) times(t *Turn, a *catalogue.Activity) string {
	return t.T("acts.times", "from", a.Opens.String(), "to", a.Closes.String())
}

func (af *activitiesFlow) ages(t *Turn, a *catalogue.Activity) string {
	lo, hi := strconv.Itoa(a.MinAge), strconv.Itoa(a.MaxAge)
	switch {
	case a.MinAge > 0 && a.MaxAge > 0:
		return t.T("acts.ages_range", "min", lo, "max", hi)
	case a.MinAge > 0:
		return t.T("acts.ages_min", "min", lo)
	case a.MaxAge > 0:
		return t.T("acts.ages_max", "max", hi)
	}
	return t.T("acts.ages_any")
}

// place is the WeMi space's name, or the provider's and the address.
func (af *activitiesFlow) place(t *Turn, a *catalogue.Activity) string {
	if a.Space != nil {
		return a.Space.Name
	}
	if a.Organization != nil {
		return a.Organization.Name + ", " + shortAddress(a.Location.Address)
	}
	return shortAddress(a.Location.Address)
}

func (af *activitiesFlow) price(t *Turn, a *catalogue.Activity) string {
	if a.Price.Free {
		return t.T("acts.price_free")
	}
	return t.T("acts.price."+string(a.Price.Per), "price", t.euros(a.Price.Cents))
}

// placesText says how many places are left, or that the activity is full. Without
// a store of places, or when it cannot be read, it says nothing rather than guess.
func (af *activitiesFlow) placesText(ctx context.Context, t *Turn, a *catalogue.Activity) string {
	left, ok := af.left(ctx, t, a)
	if !ok {
		return ""
	}
	open, total, places := 0, 0, 0
	for _, s := range af.future(t, a) {
		total++
		if left[s.ID] > 0 {
			open++
			places += left[s.ID]
		}
	}
	switch {
	case open == 0:
		return t.T("acts.full")
	case total == 1:
		return t.T("acts.places_left", "n", strconv.Itoa(places))
	}
	return t.T("acts.places_sessions", "n", strconv.Itoa(open), "total", strconv.Itoa(total))
}

// left reads the places left in each session; false without a store or when it
// failed (logged).
func (af *activitiesFlow) left(ctx context.Context, t *Turn, a *catalogue.Activity) (map[string]int, bool) {
	if t.e.opts.Places == nil {
		return nil, false
	}
	left, err := t.e.opts.Places.LeftBySession(ctx, a)
	if err != nil {
		t.e.log.ErrorContext(ctx, "read the places left failed", "activity", a.ID, "err", err)
		return nil, false
	}
	return left, true
}

// future are the sessions that have not started yet: one cannot enrol in a week
// already under way.
func (af *activitiesFlow) future(t *Turn, a *catalogue.Activity) []catalogue.Session {
	today := af.today(t)
	var out []catalogue.Session
	for _, s := range a.Sessions {
		if today.Before(s.First) {
			out = append(out, s)
		}
	}
	return out
}

// release gives back the places a cancelled or refused enrolment held.
func (af *activitiesFlow) release(ctx context.Context, cat *catalogue.Catalogue, activity, session, booking string) {
	if activity == "" || af.e.opts.Places == nil {
		return
	}
	a, ok := cat.Activity(activity)
	if !ok {
		return
	}
	if err := af.e.opts.Places.Release(ctx, a, session, booking); err != nil {
		af.e.log.ErrorContext(ctx, "release places failed", "activity", activity, "err", err)
	}
}

// onActs handles the list's buttons: a page, or every activity.
func (af *activitiesFlow) onActs(ctx context.Context, t *Turn, b button) {
	switch {
	case strings.HasPrefix(b.arg, "at:"):
		t.st.Acts = &activityQuery{Space: strings.TrimPrefix(b.arg, "at:")}
	case b.arg == "all" || t.st.Acts == nil:
		t.st.Acts = &activityQuery{}
	default:
		n, err := strconv.Atoi(b.arg)
		if err != nil || n < 0 || n > 100 {
			t.Stale()
			return
		}
		t.st.Acts.Page = n
	}
	af.list(ctx, t)
}

// register routes the activities' list, card and enrolment.
func (af *activitiesFlow) register(r *routes) {
	r.button(actActs, af.onActs)
	r.button(actAct, func(ctx context.Context, t *Turn, b button) { af.card(ctx, t, b.arg) })
	r.button(actEnrol, func(ctx context.Context, t *Turn, b button) { af.onEnrol(ctx, t, b.arg) })
	r.command(func(ctx context.Context, t *Turn, _ string) {
		t.st.Acts = &activityQuery{}
		af.list(ctx, t)
	}, "attivita", "activities", "eventi")
	r.intent(IntentActivities, af.ask)
}
