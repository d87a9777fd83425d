package hsds

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
)

// maxSummaryRunes is the longest English summary the catalogue takes without a
// warning.
const maxSummaryRunes = 300

// service maps one service; one without a provider, a category, a Milan area or
// weekly hours is left out.
func (im *importer) service(s Service) (ServiceRecord, bool) {
	label := serviceLabel(s)
	orgID := s.OrganizationID
	if orgID == "" && s.Organization != nil {
		orgID = s.Organization.ID
	}
	if st := strings.ToLower(strings.TrimSpace(s.Status)); st != "" && st != "active" {
		im.rep.skip(label, "status", "the service is %q, not active", s.Status)
		return ServiceRecord{}, false
	}
	org, known := im.orgByHSDS[orgID]
	if !known || org == "" {
		im.rep.skip(label, "organization_id", "no provider that could be imported")
		return ServiceRecord{}, false
	}
	for _, sal := range s.ServiceAtLocations {
		if sal.LocationID != "" && !im.orgLocations[sal.LocationID] {
			im.rep.add(label, "service_at_locations", "the place %q is not kept: a service is asked for at its provider's office", placeName(sal))
		}
	}
	category, ok := im.category(label, s.Attributes)
	if !ok {
		return ServiceRecord{}, false
	}
	municipi := im.municipi(label, s)
	if len(municipi) == 0 {
		im.rep.skip(label, "service_areas", "no area in Milan (a Municipio, a neighbourhood or the city)")
		return ServiceRecord{}, false
	}
	schedules := im.schedules(label, s.Schedules)
	for _, sal := range s.ServiceAtLocations {
		schedules = append(schedules, im.schedules(label, sal.Schedules)...)
	}
	if len(schedules) == 0 {
		im.rep.skip(label, "schedules", "no weekly hours (freq WEEKLY with byday, opens_at and closes_at)")
		return ServiceRecord{}, false
	}
	carried, _ := im.value(s.Attributes, attrWemiID)
	rec := ServiceRecord{ID: im.ourID(carried, s.Name, "servizio"), Organization: org, Category: category,
		Name: strings.TrimSpace(s.Name), Description: strings.TrimSpace(s.Description), NameEN: strings.TrimSpace(s.AlternateName),
		Municipi: municipi, Schedules: schedules, Activation: strings.TrimSpace(s.ApplicationProcess)}
	im.texts(label, s, &rec)
	rec.Audiences = im.audiences(label, s)
	rec.Delivery = im.delivery(label, s.Attributes)
	rec.Cost = im.cost(label, s, rec.Delivery)
	for _, l := range s.Languages {
		if code := languageCode(l); code != "" {
			rec.Languages = append(rec.Languages, code)
		} else {
			im.rep.add(label, "languages", "%q has no two-letter code: left out", l.Name)
		}
	}
	rec.MaxWaitDays = im.waitDays(label, s)
	rec.Booking = im.booking(label, s.Attributes)
	return rec, true
}

func placeName(sal ServiceAtLocation) string {
	if sal.Location != nil && sal.Location.Name != "" {
		return sal.Location.Name
	}
	return sal.LocationID
}

// texts fills in what the catalogue requires and a foreign dataset may lack.
func (im *importer) texts(label string, s Service, rec *ServiceRecord) {
	if rec.Description == "" {
		rec.Description = rec.Name
		im.rep.add(label, "description", "no description: the name is used")
	}
	if rec.NameEN == "" {
		rec.NameEN = rec.Name
		im.rep.add(label, "alternate_name", "no English name: the name is used")
	}
	if v, ok := im.value(s.Attributes, attrSummaryEN); ok {
		rec.SummaryEN = strings.TrimSpace(v)
	} else {
		rec.SummaryEN = firstSentences(rec.Description, maxSummaryRunes)
		im.rep.add(label, "description", "no English summary: the start of the description is used")
	}
	if rec.Activation == "" {
		rec.Activation = im.t.DefaultActivation
		im.rep.add(label, "application_process", "no way to ask for the service: the provider's contacts are named")
	}
}

// firstSentences cuts a text after the last full sentence within n runes.
func firstSentences(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := catalogue.TruncateRunes(s, n)
	if i := strings.LastIndex(cut, ". "); i > 0 {
		return cut[:i+1]
	}
	return cut
}

// category is the service's category: a term of the WeMi categories, or a foreign
// term whose code or name is a category's id, name or keyword.
func (im *importer) category(label string, attrs []Attribute) (string, bool) {
	var foreign []string
	for _, a := range attrs {
		id := a.TaxonomyTermID
		for _, c := range catalogue.CategoryIDs() {
			if id == CategoryTermID(string(c)) {
				return string(c), true
			}
		}
		if a.TaxonomyTerm == nil || im.codes[id] != "" {
			continue
		}
		if c, ok := im.categoryNamed(a.TaxonomyTerm.Code, a.TaxonomyTerm.Name); ok {
			im.rep.add(label, "attributes", "taxonomy term %q read as the category %s", a.TaxonomyTerm.Name, c)
			return c, true
		}
		foreign = append(foreign, a.TaxonomyTerm.Name)
	}
	if len(foreign) > 0 {
		im.rep.skip(label, "attributes", "no WeMi category among the taxonomy terms %s", quoteAll(foreign))
	} else {
		im.rep.skip(label, "attributes", "no taxonomy term: a WeMi category is needed")
	}
	return "", false
}

// categoryNamed finds the category a foreign term names, by the categories' ids,
// names and keywords in Italian and English, compared folded.
func (im *importer) categoryNamed(code, name string) (string, bool) {
	want := map[string]bool{catalogue.Fold(code): true, catalogue.Fold(name): true}
	delete(want, "")
	for _, c := range im.cat.Categories {
		words := append([]string{string(c.ID), c.Name, c.NameEN}, c.Keywords...)
		for _, w := range append(words, c.KeywordsEN...) {
			if want[catalogue.Fold(w)] {
				return string(c.ID), true
			}
		}
	}
	return "", false
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

var wholeCityRE = regexp.MustCompile(`(?i)^\s*(comune di\s+)?(milano|milan|città di milano|city of milan)\s*$`)

// municipi reads the service areas: "Municipio 3", a neighbourhood, or the whole city.
func (im *importer) municipi(label string, s Service) []int {
	seen := map[int]bool{}
	var out []int
	add := func(n int) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, a := range s.ServiceAreas {
		switch n := municipioOf(a.Name); {
		case n > 0:
			add(n)
		case wholeCityRE.MatchString(a.Name):
			for m := 1; m <= 9; m++ {
				add(m)
			}
		default:
			if nb, ok := im.cat.Milan.Neighbourhood(a.Name); ok {
				add(nb.Municipio)
				continue
			}
			im.rep.add(label, "service_areas", "%q is not an area of Milan: left out", a.Name)
		}
	}
	return out
}

// dayCodes maps RFC 5545's day codes to the catalogue's Italian abbreviations.
func dayCodes() map[string]string {
	return map[string]string{"MO": "lun", "TU": "mar", "WE": "mer", "TH": "gio", "FR": "ven", "SA": "sab", "SU": "dom"}
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?(Z|[+-][0-9]{2}:?[0-9]{2})?$`)

// schedules reads weekly hours; what is not weekly (monthly, dated, with an interval)
// is reported and left out.
func (im *importer) schedules(label string, in []Schedule) []ScheduleRecord {
	var out []ScheduleRecord
	codes := dayCodes()
	for i, s := range in {
		field := "schedules[" + strconv.Itoa(i) + "]"
		if !strings.EqualFold(s.Freq, "WEEKLY") || (s.Interval != nil && *s.Interval > 1) {
			im.rep.add(label, field, "only weekly hours are read (freq %q): left out", s.Freq)
			continue
		}
		opens, okO := clockOf(s.OpensAt)
		closes, okC := clockOf(s.ClosesAt)
		if !okO || !okC || opens >= closes {
			im.rep.add(label, field, "opens_at %q and closes_at %q are not a time span of one day: left out", s.OpensAt, s.ClosesAt)
			continue
		}
		var days []string
		for _, d := range strings.Split(s.ByDay, ",") {
			if day, ok := codes[strings.ToUpper(strings.TrimSpace(d))]; ok {
				days = append(days, day)
			}
		}
		if len(days) == 0 {
			im.rep.add(label, field, "byday %q names no weekday: left out", s.ByDay)
			continue
		}
		out = append(out, ScheduleRecord{Days: days, OpensAt: opens, ClosesAt: closes})
	}
	return out
}

// clockOf reads HH:MM with optional seconds and zone; the zone is dropped, as the
// catalogue's hours are Milan's.
func clockOf(s string) (string, bool) {
	m := clockRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	return m[1] + ":" + m[2], true
}
