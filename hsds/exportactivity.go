package hsds

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// activity maps a dated activity (a Summer School camp, a course, a workshop, an
// open day) to a service with one schedule per session (what citizens enrol in:
// a week, a date, the whole course), bounded by valid_from and valid_to; its place
// is a WeMi space, its provider's office or a place of its own. org is its
// provider, or WeMi's own organization for a space's own activity.
func (x *exporter) activity(a *catalogue.Activity, org *Organization) Service {
	key := "activity/" + a.ID
	id := ID("service", key)
	s := Service{ID: id, OrganizationID: org.ID, Organization: org, Name: a.Title, AlternateName: a.TitleEN,
		Description: a.Description, Status: "active", ApplicationProcess: x.enrolment(a.Enrol)}
	if a.Enrol.URL != "" {
		s.URL = a.Enrol.URL
	}
	if a.MinAge > 0 {
		v := float64(a.MinAge)
		s.MinimumAge = &v
	}
	if a.MaxAge > 0 {
		v := float64(a.MaxAge)
		s.MaximumAge = &v
	}
	days := weekdays()
	for i, se := range a.Sessions {
		var byday []string
		seen := map[string]bool{}
		for _, d := range se.Days {
			if c := days[d.Weekday()]; !seen[c] {
				seen[c] = true
				byday = append(byday, c)
			}
		}
		interval := 1
		s.Schedules = append(s.Schedules, Schedule{ID: ID("schedule", key+"/"+strconv.Itoa(i)), ServiceID: id,
			Freq: "WEEKLY", Interval: &interval, Wkst: "MO", ByDay: strings.Join(byday, ","),
			ValidFrom: se.First.String(), ValidTo: se.Last.String(), DTStart: se.First.String(), Until: se.Last.String(),
			OpensAt: a.Opens.String(), ClosesAt: a.Closes.String(),
			Description: fmt.Sprintf(x.t.ActivityDays, joinDates(se.Days)) + " " + x.t.ScheduleDescription})
	}
	s.ServiceAtLocations = []ServiceAtLocation{x.activityPlace(a, id, org)}
	s.CostOptions = x.activityCost(a, id)
	at := x.attributesOf("service", id)
	at.add(attrRecord, recordActivity)
	at.add(attrWemiID, a.ID)
	at.add(attrActivityKind, string(a.Kind))
	at.addInt(attrCapacity, a.Capacity)
	at.add(attrSessions, sessionsMode(a))
	at.add(attrDays, strings.ReplaceAll(joinDates(a.Days), " ", ""))
	if a.Enrol.Chat {
		at.add(attrEnrolChat, yes)
	}
	if a.Enrol.AtSpace {
		at.add(attrEnrolSpace, yes)
	}
	at.add(attrSummaryEN, a.DescriptionEN)
	s.Attributes = at.list
	return s
}

func joinDates(ds []catalogue.Date) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return strings.Join(out, ", ")
}

// sessionsMode says how the days make sessions, as activities.yaml writes it.
func sessionsMode(a *catalogue.Activity) string {
	switch {
	case len(a.Sessions) == 1:
		return "intero"
	case len(a.Sessions) == len(a.Days):
		return "giorno"
	default:
		return "settimana"
	}
}

func (x *exporter) enrolment(e catalogue.Enrolment) string {
	var parts []string
	if e.Chat {
		parts = append(parts, x.t.Enrol.Chat)
	}
	if e.AtSpace {
		parts = append(parts, x.t.Enrol.Space)
	}
	if e.URL != "" {
		parts = append(parts, fmt.Sprintf(x.t.Enrol.URL, e.URL))
	}
	return strings.Join(parts, " ")
}

// activityPlace is where the activity happens: the WeMi space's location, the
// provider's office, or a place of its own.
func (x *exporter) activityPlace(a *catalogue.Activity, serviceID string, org *Organization) ServiceAtLocation {
	sal := ServiceAtLocation{ID: ID("service_at_location", "activity/"+a.ID), ServiceID: serviceID}
	var loc Location
	switch {
	case a.Space != nil:
		loc = x.space(a.Space, ID("organization", WemiOrganizationKey))
	case a.Organization != nil && a.Location == a.Organization.Location && len(org.Locations) > 0:
		loc = org.Locations[0]
	default:
		loc = x.location("activity/"+a.ID, fmt.Sprintf(x.t.ActivityPlace, a.Title), a.Location)
		loc.OrganizationID = org.ID
	}
	sal.LocationID, sal.Location = loc.ID, &loc
	return sal
}

func (x *exporter) activityCost(a *catalogue.Activity, serviceID string) []CostOption {
	key := "activity/" + a.ID
	if a.Price.Free {
		zero := 0.0
		return []CostOption{{ID: ID("cost_option", key+"/free"), ServiceID: serviceID, Option: x.t.Cost.Free,
			Currency: "EUR", Amount: &zero, AmountDescription: x.t.Cost.FreeDescription}}
	}
	v := float64(a.Price.Cents) / 100
	unit := x.t.Units[string(a.Price.Per)]
	if unit == "" {
		unit = string(a.Price.Per)
	}
	co := CostOption{ID: ID("cost_option", key+"/price"), ServiceID: serviceID, Option: x.t.Cost.Individual,
		Currency: "EUR", Amount: &v, AmountDescription: fmt.Sprintf(x.t.Cost.PerUnitPerson, unit)}
	at := x.attributesOf("cost_option", co.ID)
	at.add(attrPricePer, string(a.Price.Per))
	co.Attributes = at.list
	return []CostOption{co}
}
