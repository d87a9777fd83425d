package bot

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// nearFlow is the near flow: its handlers and what it keeps in the conversation state.
type nearFlow struct{ e *Engine }

// askNear asks where the citizen is, with a button that shares the location where the
// channel has one.
func (nf *nearFlow) askNear(t *Turn) {
	t.st.Flow = flowNear
	t.Say(Reply{Text: t.T("near.ask"), AskLocation: t.T("near.share_location"), Buttons: nf.askRows(t)})
}

// askRows are the buttons beside the location question: the WeMi spaces, and the
// menu to leave it. In Telegram they sit on the reply keyboard, where a press sends
// the label as text.
func (nf *nearFlow) askRows(t *Turn) [][]Button {
	return [][]Button{{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}
}

var coordsRE = regexp.MustCompile(`^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$`)

// parseCoordinates reads "45.4642, 9.19" (or with decimal commas: "45,46; 9,19").
func parseCoordinates(s string) (catalogue.Point, bool) {
	m := coordsRE.FindStringSubmatch(s)
	if m == nil {
		return catalogue.Point{}, false
	}
	lat, err1 := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", "."), 64)
	lon, err2 := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", "."), 64)
	p := catalogue.Point{Lat: lat, Lon: lon}
	if err1 != nil || err2 != nil || !validPoint(p) {
		return catalogue.Point{}, false
	}
	return p, true
}

// validPoint reports whether a shared location is a real point on Earth.
func validPoint(p catalogue.Point) bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// nearText resolves a typed place: coordinates, a street or a postcode of Milan
// ("via Padova 12", "c.so Buenos Aires", "CAP 20127"), or a neighbourhood.
func (nf *nearFlow) nearText(ctx context.Context, t *Turn, text string) {
	// A button of the reply keyboard sends its label as text.
	if data, ok := t.e.typedButton(text, t.st); ok {
		t.onButton(ctx, data)
		return
	}
	if catalogue.Fold(text) == catalogue.Fold(t.T("near.share_location")) {
		nf.askNear(t) // a client without location buttons sent the label
		return
	}
	if p, ok := parseCoordinates(text); ok {
		nf.nearPoint(ctx, t, p, "")
		return
	}
	if a, _, ok := t.cat.Milan.FindAddress(text); ok {
		nf.nearAddress(ctx, t, a)
		return
	}
	if n, ok := t.cat.Milan.FindNeighbourhood(text); ok {
		nf.nearPlace(ctx, t, n.Point, n.Name, n.Municipio)
		return
	}
	t.st.Flow = flowNear
	t.Say(Reply{Text: t.T("near.unknown_place", "place", Literal(truncateRunes(text, 60))),
		AskLocation: t.T("near.share_location"), Buttons: nf.askRows(t)})
}

// nearAddress lists what is near a street or a postcode; one the gazetteer does not
// know gets a polite answer and the location button.
func (nf *nearFlow) nearAddress(ctx context.Context, t *Turn, a catalogue.Address) {
	switch {
	case a.Known():
		nf.nearPlace(ctx, t, a.Point(), a.FullName(), a.Municipio())
	case a.Outside:
		t.st.resetFlow()
		t.Say(Reply{Text: t.T("near.postcode_outside", "postcode", Literal(truncateRunes(a.Said, 30))), Buttons: [][]Button{
			{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
	default:
		t.st.Flow = flowNear
		t.Say(Reply{Text: t.T("near.unknown_street", "street", Literal(truncateRunes(a.Said, 60))),
			AskLocation: t.T("near.share_location"), Buttons: nf.askRows(t)})
	}
}

// milanRadius bounds "near": farther than this from the centre is not in Milan.
const milanRadiusMeters = 25000

// nearPoint lists the services and WeMi spaces nearest to a point; with a current
// search, its services.
func (nf *nearFlow) nearPoint(ctx context.Context, t *Turn, p catalogue.Point, place string) {
	nf.nearPlace(ctx, t, p, place, t.cat.Milan.MunicipioAt(p))
}

// nearPlace lists the WeMi spaces nearest to a point and the services that reach the
// Municipio it falls in (most come to the citizen's home), nearest first; with a
// current search, its services.
func (nf *nearFlow) nearPlace(ctx context.Context, t *Turn, p catalogue.Point, place string, municipio int) {
	t.st.resetFlow()
	if distanceMeters(p, catalogue.Point{Lat: 45.4642, Lon: 9.1900}) > milanRadiusMeters {
		t.Say(Reply{Text: t.T("near.outside_milan"), Buttons: [][]Button{
			{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	where := Literal(place)
	if where == "" {
		where = t.T("near.your_position")
	}
	res, municipio, err := nf.servicesNear(ctx, t, p, municipio)
	if err != nil {
		t.e.log.ErrorContext(ctx, "near search failed", "err", err)
		t.Say(Reply{Text: t.T("error.search"), Buttons: t.MainMenu()})
		return
	}
	var b strings.Builder
	b.Grow((maxListItems + 3) * listLineBytes) // the lines, the title and two headings
	b.WriteString(t.T("near.title", "place", where))
	rows := make([][]Button, 0, maxListItems+1) // the services and spaces, the way on
	hits := res.Hits[:min(len(res.Hits), maxNearServices)]
	switch {
	case len(hits) > 0 && municipio != 0:
		b.WriteString("\n\n" + t.T("near.services_zone", "n", strconv.Itoa(municipio)))
	case len(hits) > 0:
		b.WriteString("\n\n" + t.T("near.services"))
	}
	if len(hits) > 0 {
		for _, h := range hits {
			b.WriteString("\n• *")
			b.WriteString(Literal(shorten(t.serviceTitle(h.Service), maxListTitleRunes)))
			b.WriteString("* — ")
			b.WriteString(nf.distance(t, h.DistanceMeters))
			rows = append(rows, []Button{btn(shorten(t.serviceTitle(h.Service), 60), actService, h.Service.ID)})
		}
	}
	// One list of at most maxListItems: the services first, the spaces fill the rest.
	spaces := nf.nearestSpaces(t, p, min(maxNearSpaces, maxListItems-len(hits)))
	if len(spaces) > 0 {
		b.WriteString("\n\n" + t.T("near.spaces"))
		for _, sd := range spaces {
			b.WriteString("\n")
			b.WriteString(nf.listLine(t, sd.space, "• *"+Literal(sd.space.Name)+"* — "+nf.distance(t, sd.meters)+" — ", ""))
			rows = append(rows, []Button{btn(sd.space.Name, actSpace, sd.space.ID)})
		}
	}
	rows = append(rows, []Button{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: b.String(), Buttons: rows})
	if len(spaces) > 0 {
		s := spaces[0].space
		t.Say(Reply{Location: &Place{Point: s.Location.Point, Name: s.Name, Address: s.Location.Address}})
	}
}

// servicesNear searches the services of the current need (or all) that reach the
// Municipio, nearest first; when none does, the nearest in the city, and the
// Municipio it returns is then 0.
func (nf *nearFlow) servicesNear(ctx context.Context, t *Turn, p catalogue.Point, municipio int) (*catalogue.SearchResult, int, error) {
	req := catalogue.SearchRequest{Query: t.st.Query, Lang: t.st.Lang, Near: &p, Limit: maxNearServices,
		Category: catalogue.CategoryID(t.st.Category), Municipio: municipio}
	res, err := t.e.opts.Search.Search(ctx, req)
	if err != nil || len(res.Hits) > 0 || municipio == 0 {
		return res, municipio, err
	}
	req.Municipio = 0
	res, err = t.e.opts.Search.Search(ctx, req)
	return res, 0, err
}

// What a list of what is near shows: the nearest services (most come to the citizen's
// home, so the distance is the provider's) and the nearest WeMi spaces, where help is
// given in person.
const (
	maxNearServices = 2
	maxNearSpaces   = 3
)

type spaceDistance struct {
	space  *catalogue.Space
	meters float64
}

func (nf *nearFlow) nearestSpaces(t *Turn, p catalogue.Point, n int) []spaceDistance {
	out := make([]spaceDistance, 0, len(t.cat.Spaces))
	for _, s := range t.cat.Spaces {
		out = append(out, spaceDistance{space: s, meters: distanceMeters(p, s.Location.Point)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].meters < out[j].meters })
	return out[:min(n, len(out))]
}

// distanceMeters is the great-circle distance between two points.
func distanceMeters(a, b catalogue.Point) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(h)))
}

func (nf *nearFlow) distance(t *Turn, m float64) string {
	if m < 1000 {
		return t.T("distance.m", "m", strconv.Itoa(int(math.Round(m/10)*10)))
	}
	km := strings.Replace(strconv.FormatFloat(m/1000, 'f', 1, 64), ".", i18n.Of(t.st.Lang).Decimal, 1)
	return t.T("distance.km", "km", km)
}

// spaces lists the WeMi spaces, a page of maxListItems at a time, with whether each is
// open now.
func (nf *nearFlow) spaces(t *Turn, page int) {
	all := t.cat.Spaces
	if page < 0 || page*maxListItems >= len(all) {
		page = 0
	}
	var b strings.Builder
	b.WriteString(t.T("spaces.title"))
	var rows [][]Button
	for _, s := range all[page*maxListItems : min((page+1)*maxListItems, len(all))] {
		b.WriteString("\n" + nf.listLine(t, s, "• *"+Literal(s.Name)+"* — ", Literal(shortAddress(s.Location.Address))+" — "))
		rows = append(rows, []Button{btn(s.Name, actSpace, s.ID)})
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, btn(t.T("button.previous"), actSpaces, strconv.Itoa(page-1)))
	}
	if (page+1)*maxListItems < len(all) {
		nav = append(nav, btn(t.T("spaces.more"), actSpaces, strconv.Itoa(page+1)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []Button{btn(t.T("menu.near"), actNear), btn(t.T("button.menu"), actMenu)})
	// Turning a page rewrites the list in place.
	t.Say(Reply{Text: b.String(), Buttons: rows, Replace: strings.HasPrefix(t.m.Button, actSpaces+":")})
}

// firstSpaces lists the first page of the WeMi spaces.
func (nf *nearFlow) firstSpaces(t *Turn) { nf.spaces(t, 0) }

// space shows one WeMi space: address, hours, activities, contacts, and the map.
func (nf *nearFlow) space(t *Turn, id string) {
	s, ok := t.cat.Space(id)
	if !ok {
		t.Stale()
		return
	}
	acts, _ := s.ActivitiesIn(t.st.Lang)
	var b strings.Builder
	b.WriteString("*" + Literal(s.Name) + "*\n" + Literal(s.Location.Address) + " (Municipio " + strconv.Itoa(s.Location.Municipio) + ")")
	b.WriteString("\n" + nf.openNow(t, s))
	b.WriteString("\n\n" + t.T("space.hours", "hours", t.schedules(s.Schedules)))
	if c := nf.closings(t, s); c != "" {
		b.WriteString("\n" + c)
	}
	b.WriteString("\n\n" + t.T("space.activities"))
	for _, a := range acts {
		b.WriteString("\n• " + Literal(a))
	}
	whatsOn, whatsOnButtons := t.e.flows.activities.whatsOn(t, s.ID)
	b.WriteString(whatsOn)
	b.WriteString("\n\n" + t.T("space.contacts", "phone", Literal(s.Phone), "email", Literal(s.Email)))
	t.Say(Reply{Text: b.String(), Buttons: append(whatsOnButtons,
		[]Button{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)})})
	t.Say(Reply{Location: &Place{Point: s.Location.Point, Name: s.Name, Address: s.Location.Address}})
}

// register routes what is near and the WeMi spaces.
func (nf *nearFlow) register(r *routes) {
	r.button(actNear, show(nf.askNear))
	r.button(actSpaces, func(_ context.Context, t *Turn, b button) { nf.spaces(t, b.num) })
	r.button(actSpace, func(_ context.Context, t *Turn, b button) { nf.space(t, b.arg) })
	r.command(showCommand(nf.firstSpaces), "spazi", "spaces")
	r.command(func(ctx context.Context, t *Turn, arg string) {
		if arg != "" {
			nf.nearText(ctx, t, arg)
			return
		}
		nf.askNear(t)
	}, "vicino", "near", "nearby")
	r.answer(flowNear, nf.nearText)
	r.intent(IntentNear, func(ctx context.Context, t *Turn, in Interpretation) {
		if in.Arg != "" {
			nf.nearText(ctx, t, in.Arg) // "abito in viale Monza", "CAP 20127"
			return
		}
		nf.askNear(t)
	})
	r.intent(IntentSpaces, thenShow(nf.firstSpaces))
}
