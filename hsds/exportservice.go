package hsds

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// service maps one service with its provider (org, already mapped).
func (x *exporter) service(s *catalogue.Service, org *Organization) Service {
	id := ID("service", s.ID)
	out := Service{ID: id, Name: s.Name, AlternateName: s.NameEN, Description: s.Description, Status: "active",
		ApplicationProcess: s.Activation, FeesDescription: s.Cost.Note,
		WaitTime:               fmt.Sprintf(x.t.WaitTime, s.MaxWaitDays),
		EligibilityDescription: fmt.Sprintf(x.t.Eligibility, x.audienceNames(s.Audiences))}
	if org != nil {
		out.OrganizationID = org.ID
		out.Organization = org
		out.Email = org.Email
		out.Phones, out.Contacts = x.serviceContacts(s, org)
		out.ServiceAtLocations = []ServiceAtLocation{x.atProvider(s, org)}
	}
	out.Schedules = x.schedules("service/"+s.ID, s.Schedules, func(sc *Schedule) { sc.ServiceID = id })
	for _, m := range s.Municipi {
		out.ServiceAreas = append(out.ServiceAreas, x.municipioArea(s.ID, id, m))
	}
	out.Languages = x.languages("service/"+s.ID, s.Languages, "", func(l *Language) { l.ServiceID = id })
	out.CostOptions = x.costOptions(s, id)
	a := x.attributesOf("service", id)
	if c, ok := x.cat.Category(s.Category); ok {
		a.addTerm(x.categoryTerm(c))
	}
	a.add(attrWemiID, s.ID)
	a.add(attrSummaryEN, s.SummaryEN)
	for _, au := range s.Audiences {
		a.add(attrAudience, string(au))
	}
	if s.Delivery.Individual {
		a.add(attrDelivery, catalogue.DeliveryIndividual)
	}
	if sh := s.Delivery.Shared; sh != nil {
		a.add(attrDelivery, catalogue.DeliveryShared)
		a.addInt(attrGroupMin, sh.MinPeople)
		a.addInt(attrGroupMax, sh.MaxPeople)
	}
	a.add(attrUnit, string(s.Cost.Unit))
	if is := s.Cost.ISEE; is != nil {
		a.addInt(attrISEEMax, is.MaxISEE)
		a.addInt(attrISEEPercent, is.ReductionPercent)
	}
	if s.Cost.Voucher {
		a.add(attrVoucher, yes)
	}
	a.add(attrWaitDays, strconv.Itoa(s.MaxWaitDays))
	x.rules(a, s.Rules)
	out.Attributes = a.list
	return out
}

// serviceContacts are the provider's phone and e-mail, which is how a service is
// reached.
func (x *exporter) serviceContacts(s *catalogue.Service, org *Organization) ([]Phone, []Contact) {
	id := ID("service", s.ID)
	var phones []Phone
	for _, p := range org.Phones {
		phones = append(phones, Phone{ID: ID("phone", "service/"+s.ID), ServiceID: id, Number: p.Number})
	}
	if org.Email == "" && len(phones) == 0 {
		return phones, nil
	}
	cid := ID("contact", "service/"+s.ID)
	c := Contact{ID: cid, ServiceID: id, Name: org.Name, Email: org.Email}
	for _, p := range phones {
		c.Phones = append(c.Phones, Phone{ID: ID("phone", "contact/"+s.ID), ContactID: cid, Number: p.Number})
	}
	return phones, []Contact{c}
}

// atProvider is the service at its provider's office, where it is asked for (and,
// unless it happens at home or online, delivered).
func (x *exporter) atProvider(s *catalogue.Service, org *Organization) ServiceAtLocation {
	venue := s.Rules.Venue
	if venue == "" {
		venue = catalogue.AtProvider
	}
	sal := ServiceAtLocation{ID: ID("service_at_location", s.ID), ServiceID: ID("service", s.ID),
		Description: x.t.Venue[string(venue)]}
	if len(org.Locations) > 0 {
		loc := org.Locations[0]
		sal.LocationID, sal.Location = loc.ID, &loc
	}
	return sal
}

func (x *exporter) municipioArea(key, serviceID string, n int) ServiceArea {
	name := "Municipio " + strconv.Itoa(n)
	desc := fmt.Sprintf(x.t.MunicipioArea, name)
	if m, ok := x.cat.Milan.Municipio(n); ok {
		name = m.Name
		names := make([]string, len(m.Neighbourhoods))
		for i, nb := range m.Neighbourhoods {
			names[i] = nb.Name
		}
		desc = fmt.Sprintf(x.t.MunicipioArea, name) + ": " + strings.Join(names, ", ")
	}
	return ServiceArea{ID: ID("service_area", key+"/"+strconv.Itoa(n)), ServiceID: serviceID, Name: name,
		Description: desc, ExtentType: "other"}
}

func (x *exporter) audienceNames(as []catalogue.Audience) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = x.t.Audiences[string(a)]
		if names[i] == "" {
			names[i] = string(a)
		}
	}
	return strings.Join(names, ", ")
}

// costOptions are the prices: one-to-one and in a group, in euro per unit; a free
// service has one option of 0 €.
func (x *exporter) costOptions(s *catalogue.Service, serviceID string) []CostOption {
	key := "service/" + s.ID
	if s.Cost.Free {
		zero := 0.0
		return []CostOption{{ID: ID("cost_option", key+"/free"), ServiceID: serviceID, Option: x.t.Cost.Free,
			Currency: "EUR", Amount: &zero, AmountDescription: x.t.Cost.FreeDescription}}
	}
	unit := x.t.Units[string(s.Cost.Unit)]
	if unit == "" {
		unit = string(s.Cost.Unit)
	}
	var out []CostOption
	if s.Cost.Individual > 0 {
		v := float64(s.Cost.Individual) / 100
		out = append(out, CostOption{ID: ID("cost_option", key+"/individual"), ServiceID: serviceID,
			Option: x.t.Cost.Individual, Currency: "EUR", Amount: &v, AmountDescription: fmt.Sprintf(x.t.Cost.PerUnit, unit)})
	}
	if s.Cost.Shared > 0 {
		v := float64(s.Cost.Shared) / 100
		out = append(out, CostOption{ID: ID("cost_option", key+"/shared"), ServiceID: serviceID,
			Option: x.t.Cost.Shared, Currency: "EUR", Amount: &v, AmountDescription: fmt.Sprintf(x.t.Cost.PerUnitPerson, unit)})
	}
	return out
}

// closureValue is how a closure travels in an attribute's value.
type closureValue struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason,omitempty"`
	ReasonEN string `json:"reason_en,omitempty"`
}

// rules adds the booking rules as attributes: HSDS has no field for them.
func (x *exporter) rules(a *attributes, r catalogue.BookingRules) {
	a.addInt(attrQuantityMin, r.MinQuantity)
	a.addInt(attrQuantityMax, r.MaxQuantity)
	a.addInt(attrLeadHours, int(r.LeadTime/time.Hour))
	a.addInt(attrHorizonDays, int(r.Horizon/(24*time.Hour)))
	a.add(attrVenue, string(r.Venue))
	if r.OpenOnHolidays {
		a.add(attrHolidays, yes)
	}
	x.closures(a, r.Closures)
	a.addInt(attrRefundFull, int(r.Refund.FullBefore/time.Hour))
	a.addInt(attrRefundPartial, int(r.Refund.PartialBefore/time.Hour))
	a.addInt(attrRefundPercent, r.Refund.PartialPercent)
}

// closures adds closures as attributes, a JSON object each: a service's (and, once
// spaces have them, a space's).
func (x *exporter) closures(a *attributes, cs []catalogue.Closure) {
	for _, c := range cs {
		v, _ := json.Marshal(closureValue{From: x.date(c.From), To: x.date(c.To), Reason: c.Reason, ReasonEN: c.ReasonEN})
		a.add(attrClosure, string(v))
	}
}

// wemiOrganization is the Comune's WeMi service, whose locations are the spaces.
func (x *exporter) wemiOrganization() Organization {
	id := ID("organization", WemiOrganizationKey)
	o := Organization{ID: id, Name: x.t.WemiOrganization.Name, Description: strings.TrimSpace(x.t.WemiOrganization.Description),
		Website: x.t.WemiOrganization.Website, LegalStatus: x.t.WemiOrganization.LegalStatus}
	a := x.attributesOf("organization", id)
	a.add(attrRecord, recordSpaces)
	o.Attributes = a.list
	for _, sp := range x.cat.Spaces {
		o.Locations = append(o.Locations, x.space(sp, id))
	}
	return o
}

// space maps a WeMi space to a location with its opening hours, phone, e-mail,
// mediation languages, activities and exceptional closures.
func (x *exporter) space(sp *catalogue.Space, orgID string) Location {
	key := "space/" + sp.ID
	loc := x.location(key, sp.Name, sp.Location)
	loc.OrganizationID = orgID
	loc.ExternalIdentifier, loc.ExternalIdentifierType = sp.ID, "wemi-space"
	loc.Description = fmt.Sprintf(x.t.SpaceLocationDescription, strings.Join(sp.Activities, "; "))
	if sp.Phone != "" {
		loc.Phones = []Phone{{ID: ID("phone", key), LocationID: loc.ID, Number: sp.Phone}}
	}
	if sp.Email != "" {
		loc.Contacts = []Contact{{ID: ID("contact", key), LocationID: loc.ID, Name: sp.Name, Email: sp.Email}}
	}
	loc.Schedules = x.schedules(key, sp.Schedules, func(sc *Schedule) { sc.LocationID = loc.ID })
	loc.Languages = x.languages(key, sp.Mediation, x.t.MediationNote, func(l *Language) { l.LocationID = loc.ID })
	a := x.attributesOf("location", loc.ID)
	a.add(attrWemiID, sp.ID)
	for _, act := range sp.Activities {
		a.add(attrActivity, act)
	}
	for _, act := range sp.ActivitiesEN {
		a.add(attrActivityEN, act)
	}
	x.closures(a, sp.Closures)
	loc.Attributes = a.list
	return loc
}

// spacesService is "Spazi WeMi": the service the spaces offer, at each of them.
func (x *exporter) spacesService(wemi Organization) Service {
	id := ID("service", WemiOrganizationKey+"/spaces")
	s := Service{ID: id, OrganizationID: wemi.ID, Name: x.t.WemiSpacesService.Name,
		Description: strings.TrimSpace(x.t.WemiSpacesService.Description), Status: "active",
		ApplicationProcess: x.t.WemiSpacesService.ApplicationProcess, Organization: &wemi}
	zero := 0.0
	s.CostOptions = []CostOption{{ID: ID("cost_option", "spaces/free"), ServiceID: id, Option: x.t.Cost.Free,
		Currency: "EUR", Amount: &zero, AmountDescription: x.t.Cost.FreeDescription}}
	for _, loc := range wemi.Locations {
		s.ServiceAtLocations = append(s.ServiceAtLocations, ServiceAtLocation{
			ID: ID("service_at_location", "spaces/"+loc.ExternalIdentifier), ServiceID: id, LocationID: loc.ID,
			Location: &loc})
	}
	a := x.attributesOf("service", id)
	a.add(attrRecord, recordSpaces)
	s.Attributes = a.list
	return s
}
