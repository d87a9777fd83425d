package bot

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

func (t *turnCtx) askNear() {
	t.st.Flow = flowNear
	t.say(Reply{Text: t.T("near.ask"), Buttons: [][]Button{
		{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
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

// nearText resolves a typed place: coordinates or a neighbourhood.
func (t *turnCtx) nearText(ctx context.Context, text string) {
	if p, ok := parseCoordinates(text); ok {
		t.nearPoint(ctx, p, "")
		return
	}
	if n, ok := t.cat.Milan.FindNeighbourhood(text); ok {
		t.nearPoint(ctx, n.Point, n.Name)
		return
	}
	t.st.Flow = flowNear
	t.say(Reply{Text: t.T("near.unknown_place", "place", truncateRunes(text, 60)), Buttons: [][]Button{
		{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
}

// milanRadius bounds "near": farther than this from the centre is not in Milan.
const milanRadiusMeters = 25000

// nearPoint lists the services and WeMi spaces nearest to a point; with a current
// search, its services.
func (t *turnCtx) nearPoint(ctx context.Context, p catalogue.Point, place string) {
	t.st.resetFlow()
	if distanceMeters(p, catalogue.Point{Lat: 45.4642, Lon: 9.1900}) > milanRadiusMeters {
		t.say(Reply{Text: t.T("near.outside_milan"), Buttons: [][]Button{
			{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	where := place
	if where == "" {
		where = t.T("near.your_position")
	}
	req := catalogue.SearchRequest{Query: t.st.Query, Lang: t.st.Lang, Near: &p, Limit: 5,
		Category: catalogue.CategoryID(t.st.Category)}
	res, err := t.e.opts.Search.Search(ctx, req)
	if err != nil {
		t.e.log.ErrorContext(ctx, "near search failed", "err", err)
		t.say(Reply{Text: t.T("error.search"), Buttons: t.mainMenu()})
		return
	}
	var b strings.Builder
	b.WriteString(t.T("near.title", "place", where))
	var rows [][]Button
	if len(res.Hits) > 0 {
		b.WriteString("\n\n" + t.T("near.services"))
		for _, h := range res.Hits {
			b.WriteString("\n• *" + t.serviceTitle(h.Service) + "* — " + t.distance(h.DistanceMeters))
			rows = append(rows, []Button{btn(truncateRunes(t.serviceTitle(h.Service), 60), actService, h.Service.ID)})
		}
	}
	spaces := t.nearestSpaces(p, 3)
	if len(spaces) > 0 {
		b.WriteString("\n\n" + t.T("near.spaces"))
		for _, sd := range spaces {
			b.WriteString("\n• *" + sd.space.Name + "* — " + sd.space.Location.Address + " — " + t.distance(sd.meters) + " — " + t.openNow(sd.space))
			rows = append(rows, []Button{btn(sd.space.Name, actSpace, sd.space.ID)})
		}
	}
	rows = append(rows, []Button{btn(t.T("button.menu"), actMenu)})
	t.say(Reply{Text: b.String(), Buttons: rows})
	if len(spaces) > 0 {
		s := spaces[0].space
		t.say(Reply{Location: &Place{Point: s.Location.Point, Name: s.Name, Address: s.Location.Address}})
	}
}

type spaceDistance struct {
	space  *catalogue.Space
	meters float64
}

func (t *turnCtx) nearestSpaces(p catalogue.Point, n int) []spaceDistance {
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

func (t *turnCtx) distance(m float64) string {
	if m < 1000 {
		return t.T("distance.m", "m", strconv.Itoa(int(math.Round(m/10)*10)))
	}
	km := strconv.FormatFloat(m/1000, 'f', 1, 64)
	if t.st.Lang != "en" {
		km = strings.Replace(km, ".", ",", 1)
	}
	return t.T("distance.km", "km", km)
}

// openNow says whether a space is open, and when closed, when it opens next.
func (t *turnCtx) openNow(s *catalogue.Space) string {
	if s.OpenAt(t.now, t.e.rome) {
		return t.T("space.open_now")
	}
	if when, ok := nextOpening(s, t.now.In(t.e.rome)); ok {
		day := t.T("day." + strconv.Itoa(int(when.Weekday())))
		if when.YearDay() == t.now.In(t.e.rome).YearDay() {
			day = t.T("space.today")
		}
		return t.T("space.closed_opens", "day", day, "time", catalogue.Clock(when.Hour()*60+when.Minute()).String())
	}
	return t.T("space.closed_now")
}

// nextOpening finds when a space next opens within a week of now (Europe/Rome).
func nextOpening(s *catalogue.Space, now time.Time) (time.Time, bool) {
	var best time.Time
	for d := 0; d <= 7; d++ {
		day := now.AddDate(0, 0, d)
		for _, sc := range s.Schedules {
			for _, wd := range sc.Days {
				if wd != day.Weekday() {
					continue
				}
				open := time.Date(day.Year(), day.Month(), day.Day(), int(sc.OpensAt)/60, int(sc.OpensAt)%60, 0, 0, now.Location())
				if open.After(now) && (best.IsZero() || open.Before(best)) {
					best = open
				}
			}
		}
		if !best.IsZero() {
			return best, true
		}
	}
	return time.Time{}, false
}

// spaces lists the WeMi spaces with whether each is open now.
func (t *turnCtx) spaces() {
	var b strings.Builder
	b.WriteString(t.T("spaces.title"))
	var rows [][]Button
	for _, s := range t.cat.Spaces {
		b.WriteString("\n• *" + s.Name + "* — " + s.Location.Address + " — " + t.openNow(s))
		rows = append(rows, []Button{btn(s.Name, actSpace, s.ID)})
	}
	rows = append(rows, []Button{btn(t.T("menu.near"), actNear), btn(t.T("button.menu"), actMenu)})
	t.say(Reply{Text: b.String(), Buttons: rows})
}

// space shows one WeMi space: address, hours, activities, contacts, and the map.
func (t *turnCtx) space(id string) {
	s, ok := t.cat.Space(id)
	if !ok {
		t.stale()
		return
	}
	acts := s.Activities
	if t.st.Lang == "en" && len(s.ActivitiesEN) == len(s.Activities) {
		acts = s.ActivitiesEN
	}
	var b strings.Builder
	b.WriteString("*" + s.Name + "*\n" + s.Location.Address + " (Municipio " + strconv.Itoa(s.Location.Municipio) + ")")
	b.WriteString("\n" + t.openNow(s))
	b.WriteString("\n\n" + t.T("space.hours", "hours", t.schedules(s.Schedules)))
	b.WriteString("\n\n" + t.T("space.activities"))
	for _, a := range acts {
		b.WriteString("\n• " + a)
	}
	b.WriteString("\n\n" + t.T("space.contacts", "phone", s.Phone, "email", s.Email))
	t.say(Reply{Text: b.String(), Buttons: [][]Button{
		{btn(t.T("menu.spaces"), actSpaces), btn(t.T("button.menu"), actMenu)}}})
	t.say(Reply{Location: &Place{Point: s.Location.Point, Name: s.Name, Address: s.Location.Address}})
}
