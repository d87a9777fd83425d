package catalogue

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	idRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)
	langRE  = regexp.MustCompile(`^[a-z]{2}$`)
)

// Milan's bounding box, generous: coordinates outside it are typos (swapped latitude
// and longitude, a missing digit).
const (
	minLat, maxLat = 45.35, 45.58
	minLon, maxLon = 9.02, 9.32
)

// validUnit reports whether a price can be charged per unit u.
func validUnit(u string) bool {
	switch u {
	case "ora", "seduta", "pasto", "intervento", "giorno", "mese", "corso", "pacchetto":
		return true
	}
	return false
}

// parseWeekday reads an Italian day abbreviation.
func parseWeekday(s string) (time.Weekday, bool) {
	for i, d := range [...]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"} {
		if s == d {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// maxIDLength bounds ids so that a chat button can carry one with its signature
// (Telegram allows 64 bytes of button data).
const maxIDLength = 48

// checker reports problems of one record.
type checker struct {
	ps    *problems
	file  string
	label string
	line  func(field string) int
}

func checkerFor[T any](ps *problems, r record[T], kind string) checker {
	return checker{ps: ps, file: r.file, label: recordLabel(kind, r.node, r.index), line: r.line}
}

func (c checker) bad(field, format string, args ...any) {
	c.ps.add(Problem{File: c.file, Line: c.line(field), Record: c.label, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c checker) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		c.bad(field, "is required")
	}
}

func (c checker) id(value string, seen map[string]bool) {
	switch {
	case value == "":
		c.bad("id", "is required")
	case !idRE.MatchString(value):
		c.bad("id", "%q must be lowercase letters, digits and dashes", value)
	case len(value) > maxIDLength:
		c.bad("id", "%q is longer than %d characters", value, maxIDLength)
	case seen[value]:
		c.bad("id", "duplicate id %q", value)
	}
	seen[value] = true
}

func (c checker) municipio(field string, m int) {
	if m < 1 || m > 9 {
		c.bad(field, "municipio %d is outside 1-9", m)
	}
}

func (c checker) point(latField, lonField string, lat, lon *float64) Point {
	if lat == nil {
		c.bad(latField, "is required")
	}
	if lon == nil {
		c.bad(lonField, "is required")
	}
	if lat == nil || lon == nil {
		return Point{}
	}
	if !finite(*lat) || !finite(*lon) {
		c.bad(latField, "coordinates must be numbers")
		return Point{}
	}
	if *lat < minLat || *lat > maxLat {
		c.bad(latField, "%v is not in Milan (expected %v-%v)", *lat, minLat, maxLat)
	}
	if *lon < minLon || *lon > maxLon {
		c.bad(lonField, "%v is not in Milan (expected %v-%v)", *lon, minLon, maxLon)
	}
	return Point{Lat: *lat, Lon: *lon}
}

func (c checker) schedules(field string, recs []scheduleRecord) []Schedule {
	if len(recs) == 0 {
		c.bad(field, "at least one time slot is required")
	}
	var out []Schedule
	for i, r := range recs {
		f := fmt.Sprintf("%s[%d]", field, i)
		s := Schedule{}
		if len(r.Days) == 0 {
			c.bad(f+".days", "at least one day is required")
		}
		for _, d := range r.Days {
			wd, ok := parseWeekday(strings.ToLower(strings.TrimSpace(d)))
			if !ok {
				c.bad(f+".days", "unknown day %q (use lun mar mer gio ven sab dom)", d)
				continue
			}
			s.Days = append(s.Days, wd)
		}
		opens, okOpen := parseClock(r.OpensAt)
		closes, okClose := parseClock(r.ClosesAt)
		if !okOpen {
			c.bad(f+".opens_at", "%q is not a time of day HH:MM", r.OpensAt)
		}
		if !okClose {
			c.bad(f+".closes_at", "%q is not a time of day HH:MM", r.ClosesAt)
		}
		if okOpen && okClose && opens >= closes {
			c.bad(f, "opens at %s but closes at %s", r.OpensAt, r.ClosesAt)
		}
		s.OpensAt, s.ClosesAt = opens, closes
		out = append(out, s)
	}
	return out
}

func parseClock(s string) (Clock, bool) {
	m := clockRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return Clock(h*60 + min), true
}

// price converts euro to cents, reporting a missing, zero or negative price.
func (c checker) price(field string, v *float64) int {
	switch {
	case v == nil:
		c.bad(field, "a price is required for a paid service (or set cost.free: true)")
		return 0
	case !finite(*v):
		c.bad(field, "price must be a number")
		return 0
	case *v < 0:
		c.bad(field, "negative price %v", *v)
		return 0
	case *v == 0:
		c.bad(field, "price 0: set cost.free: true for a free service")
		return 0
	case *v > 10000:
		c.bad(field, "price %v euro looks wrong (over 10,000)", *v)
	}
	return int(math.Round(*v * 100))
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// build validates every record and assembles the catalogue. It returns nil when any
// problem was reported, here or while decoding.
func (l *loader) build() *Catalogue {
	c := &Catalogue{
		orgByID:      map[string]*Organization{},
		serviceByID:  map[string]*Service{},
		spaceByID:    map[string]*Space{},
		categoryIdx:  map[CategoryID]int{},
		activityByID: map[string]*Activity{},
	}
	l.buildCategories(c)
	l.buildOrganizations(c)
	l.buildServices(c)
	l.buildSpaces(c)
	l.buildActivities(c)
	l.buildThesaurus(c)
	l.buildTranslations(c)
	return c
}

func (l *loader) buildCategories(c *Catalogue) {
	byID := map[CategoryID]Category{}
	for _, r := range l.categories {
		ck := checkerFor(l.ps, r, "category")
		id := CategoryID(r.val.ID)
		switch {
		case !id.Valid():
			ck.bad("id", "unknown category %q (the 13 ids are fixed: %s)", r.val.ID, joinCategoryIDs())
			continue
		case byID[id].ID != "":
			ck.bad("id", "duplicate category %q", r.val.ID)
			continue
		}
		ck.required("name", r.val.Name)
		ck.required("name_en", r.val.NameEN)
		byID[id] = Category{ID: id, Name: r.val.Name, NameEN: r.val.NameEN,
			Description: r.val.Description, DescriptionEN: r.val.DescriptionEN,
			Keywords: r.val.Keywords, KeywordsEN: r.val.KeywordsEN}
	}
	for _, id := range CategoryIDs() {
		cat, ok := byID[id]
		if !ok {
			if len(l.categories) > 0 {
				l.ps.add(Problem{File: fileCategories, Msg: fmt.Sprintf("category %q is missing", id)})
			}
			continue
		}
		c.categoryIdx[id] = len(c.Categories)
		c.Categories = append(c.Categories, cat)
	}
}

func joinCategoryIDs() string {
	ids := CategoryIDs()
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}

func (l *loader) buildOrganizations(c *Catalogue) {
	seen := map[string]bool{}
	for _, r := range l.orgs {
		ck := checkerFor(l.ps, r, "organization")
		v := r.val
		ck.id(v.ID, seen)
		ck.required("name", v.Name)
		kind := OrganizationKind(v.Kind)
		if kind != KindCooperative && kind != KindAssociation {
			ck.bad("kind", "%q must be cooperativa or associazione", v.Kind)
		}
		if v.Email != "" && !strings.Contains(v.Email, "@") {
			ck.bad("email", "%q is not an e-mail address", v.Email)
		}
		ck.required("location.address", v.Location.Address)
		ck.municipio("location.municipio", v.Location.Municipio)
		p := ck.point("location.latitude", "location.longitude", v.Location.Latitude, v.Location.Longitude)
		o := &Organization{ID: v.ID, Name: v.Name, Kind: kind, Description: strings.TrimSpace(v.Description),
			Email: v.Email, Phone: v.Phone, Website: v.Website,
			Location: Location{Address: v.Location.Address, Municipio: v.Location.Municipio, Point: p}}
		if _, dup := c.orgByID[v.ID]; !dup && v.ID != "" {
			c.orgByID[v.ID] = o
			c.Organizations = append(c.Organizations, o)
		}
	}
}

func (l *loader) buildServices(c *Catalogue) {
	seen := map[string]bool{}
	for _, r := range l.services {
		ck := checkerFor(l.ps, r, "service")
		v := r.val
		ck.id(v.ID, seen)
		s := &Service{ID: v.ID, Category: CategoryID(v.Category), Name: v.Name,
			Description: strings.TrimSpace(v.Description), NameEN: v.NameEN, SummaryEN: strings.TrimSpace(v.SummaryEN),
			Languages: v.Languages, Activation: strings.TrimSpace(v.Activation)}
		org, ok := c.orgByID[v.Organization]
		switch {
		case v.Organization == "":
			ck.bad("organization", "is required")
		case !ok:
			ck.bad("organization", "unknown provider %q (not in %s)", v.Organization, fileOrganizations)
		}
		s.Organization = org
		if !s.Category.Valid() {
			ck.bad("category", "unknown category %q (expected one of %s)", v.Category, joinCategoryIDs())
		}
		ck.required("name", v.Name)
		ck.required("description", v.Description)
		ck.required("name_en", v.NameEN)
		ck.required("summary_en", v.SummaryEN)
		ck.required("activation", v.Activation)
		ck.summaryLength("summary_en", s.SummaryEN)
		if len(v.Audiences) == 0 {
			ck.bad("audiences", "at least one target group is required")
		}
		for _, a := range v.Audiences {
			if !Audience(a).Valid() {
				ck.bad("audiences", "unknown target group %q (expected bambini, ragazzi, adulti, anziani, famiglie, disabilita or stranieri)", a)
				continue
			}
			s.Audiences = append(s.Audiences, Audience(a))
		}
		s.Delivery = ck.delivery(v.Delivery)
		s.Cost = ck.cost(v.Cost, s.Delivery)
		s.Municipi = ck.municipi(v.Municipi)
		for _, lang := range v.Languages {
			if !langRE.MatchString(lang) {
				ck.bad("languages", "%q is not a two-letter language code", lang)
			}
		}
		s.Schedules = ck.schedules("schedules", v.Schedules)
		s.Rules = ck.bookingRules(v.Booking, s)
		switch {
		case v.MaxWaitDays == nil:
			ck.bad("max_wait_days", "is required")
		case *v.MaxWaitDays < 0 || *v.MaxWaitDays > 365:
			ck.bad("max_wait_days", "%d is not between 0 and 365", *v.MaxWaitDays)
		default:
			s.MaxWaitDays = *v.MaxWaitDays
		}
		if _, dup := c.serviceByID[v.ID]; !dup && v.ID != "" {
			c.serviceByID[v.ID] = s
			c.Services = append(c.Services, s)
		}
	}
}

func (c checker) delivery(v deliveryRecord) Delivery {
	d := Delivery{Individual: v.Individual}
	if v.Shared != nil {
		sh := *v.Shared
		if sh.MinPeople < 2 {
			c.bad("delivery.shared.min_people", "a group needs at least 2 people, not %d", sh.MinPeople)
		}
		if sh.MaxPeople < sh.MinPeople {
			c.bad("delivery.shared.max_people", "%d is below min_people %d", sh.MaxPeople, sh.MinPeople)
		}
		d.Shared = &SharedDelivery{MinPeople: sh.MinPeople, MaxPeople: sh.MaxPeople}
	}
	if !d.Individual && d.Shared == nil {
		c.bad("delivery", "offer it individually (individual: true), in a group (shared), or both")
	}
	return d
}

func (c checker) cost(v costRecord, d Delivery) Cost {
	out := Cost{Free: v.Free, Unit: CostUnit(v.Unit), Voucher: v.Voucher, Note: strings.TrimSpace(v.Note)}
	if v.Free {
		if v.Individual != nil || v.Shared != nil {
			c.bad("cost", "a free service has no prices")
		}
		if v.Unit != "" {
			c.bad("cost.unit", "a free service has no unit")
		}
		if v.ISEE != nil {
			c.bad("cost.isee", "a free service has no ISEE reduction")
		}
		return out
	}
	if !validUnit(v.Unit) {
		c.bad("cost.unit", "unknown unit %q (expected ora, seduta, pasto, intervento, giorno, mese, corso or pacchetto)", v.Unit)
	}
	if d.Individual {
		out.Individual = c.price("cost.individual", v.Individual)
	} else if v.Individual != nil {
		c.bad("cost.individual", "a price for individual delivery, which the service does not offer (delivery.individual)")
	}
	if d.Shared != nil {
		out.Shared = c.price("cost.shared", v.Shared)
	} else if v.Shared != nil {
		c.bad("cost.shared", "a price for group delivery, which the service does not offer (delivery.shared)")
	}
	if v.ISEE != nil {
		if v.ISEE.MaxISEE <= 0 {
			c.bad("cost.isee.max_isee", "must be a positive amount in euro")
		}
		if v.ISEE.ReductionPercent <= 0 || v.ISEE.ReductionPercent > 100 {
			c.bad("cost.isee.reduction_percent", "%d is not between 1 and 100", v.ISEE.ReductionPercent)
		}
		out.ISEE = &ISEEReduction{MaxISEE: v.ISEE.MaxISEE, ReductionPercent: v.ISEE.ReductionPercent}
	}
	return out
}

func (c checker) municipi(ms []int) []int {
	if len(ms) == 0 {
		c.bad("municipi", "at least one municipio is required")
	}
	seen := map[int]bool{}
	var out []int
	for _, m := range ms {
		c.municipio("municipi", m)
		if seen[m] {
			c.bad("municipi", "municipio %d is listed twice", m)
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}

func (l *loader) buildSpaces(c *Catalogue) {
	seen := map[string]bool{}
	for _, r := range l.spaces {
		ck := checkerFor(l.ps, r, "space")
		v := r.val
		ck.id(v.ID, seen)
		ck.required("name", v.Name)
		ck.required("address", v.Address)
		ck.municipio("municipio", v.Municipio)
		p := ck.point("latitude", "longitude", v.Latitude, v.Longitude)
		if len(v.ActivitiesEN) > 0 && len(v.ActivitiesEN) != len(v.Activities) {
			ck.bad("activities_en", "has %d entries but activities has %d", len(v.ActivitiesEN), len(v.Activities))
		}
		s := &Space{ID: v.ID, Name: v.Name, Phone: v.Phone, Email: v.Email,
			Location:  Location{Address: v.Address, Municipio: v.Municipio, Point: p},
			Schedules: ck.schedules("schedules", v.Schedules), Activities: v.Activities, ActivitiesEN: v.ActivitiesEN,
			Mediation: v.Mediation}
		for _, lang := range v.Mediation {
			if !langRE.MatchString(lang) {
				ck.bad("mediation", "%q is not a two-letter language code", lang)
			}
		}
		if _, dup := c.spaceByID[v.ID]; !dup && v.ID != "" {
			c.spaceByID[v.ID] = s
			c.Spaces = append(c.Spaces, s)
		}
	}
}

func (l *loader) buildThesaurus(c *Catalogue) {
	for _, r := range l.needs {
		ck := checkerFor(l.ps, r, "need")
		v := r.val
		if !l.knows(v.Lang) {
			ck.bad("lang", "%q is not a language of the registry (%s)", v.Lang, languageCodes(l.langs))
		}
		if v.Category != "" && !CategoryID(v.Category).Valid() {
			ck.bad("category", "unknown category %q", v.Category)
		}
		if len(v.Triggers) == 0 {
			ck.bad("triggers", "at least one trigger is required")
		}
		for _, t := range v.Triggers {
			if strings.TrimSpace(t) == "" {
				ck.bad("triggers", "empty trigger")
			}
		}
		if v.Category == "" && strings.TrimSpace(v.Expand) == "" {
			ck.bad("expand", "a need without a category must say what it expands to")
		}
		c.Thesaurus = append(c.Thesaurus, Need{Lang: v.Lang, Category: CategoryID(v.Category),
			Triggers: v.Triggers, Expand: v.Expand})
	}
}

// knows reports whether code is one of the catalogue's languages.
func (l *loader) knows(code string) bool {
	for _, lang := range l.langs {
		if lang.Code == code {
			return true
		}
	}
	return false
}
