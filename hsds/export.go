package hsds

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/comune-milano/wemibot/catalogue"
)

// Dataset is a catalogue in HSDS: the fully nested services (services.json), the
// organizations (organizations.json), and the taxonomies with their terms.
type Dataset struct {
	Services      []Service
	Organizations []Organization
	Taxonomies    []Taxonomy
	Terms         []TaxonomyTerm
}

// WemiOrganizationKey is the catalogue-side key of the Comune's WeMi service, the
// organization whose locations are the WeMi spaces (no provider has this id: it is
// not a valid catalogue id).
const WemiOrganizationKey = "_wemi"

// Export maps a catalogue to HSDS. Every record gets a UUIDv5 derived from its id;
// the WeMi spaces are the locations of the Comune's WeMi organization and of one
// service, "Spazi WeMi".
func Export(cat *catalogue.Catalogue) (*Dataset, error) {
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	x := &exporter{t: t, cat: cat}
	d := &Dataset{Taxonomies: x.taxonomies()}
	for _, c := range cat.Categories {
		d.Terms = append(d.Terms, x.categoryTerm(c))
	}
	for _, code := range attributeCodes() {
		d.Terms = append(d.Terms, x.attributeTerm(code))
	}
	orgs := map[string]*Organization{}
	for _, o := range cat.Organizations {
		org := x.organization(o)
		orgs[o.ID] = &org
		d.Organizations = append(d.Organizations, org)
	}
	wemi := x.wemiOrganization()
	d.Organizations = append(d.Organizations, wemi)
	for _, s := range cat.Services {
		d.Services = append(d.Services, x.service(s, orgs[s.Organization.ID]))
	}
	if len(cat.Spaces) > 0 {
		d.Services = append(d.Services, x.spacesService(wemi))
	}
	for _, a := range cat.Activities {
		org := &wemi
		if a.Organization != nil {
			org = orgs[a.Organization.ID]
		}
		d.Services = append(d.Services, x.activity(a, org))
	}
	return d, nil
}

// exporter maps one catalogue.
type exporter struct {
	t   *texts
	cat *catalogue.Catalogue
}

func (x *exporter) taxonomies() []Taxonomy {
	return []Taxonomy{
		{ID: CategoriesTaxonomyID(), Name: x.t.CategoriesTaxonomy.Name, Description: x.t.CategoriesTaxonomy.Description, Version: "1"},
		{ID: ID("taxonomy", attributesTaxonomy), Name: x.t.AttributesTaxonomy.Name, Description: x.t.AttributesTaxonomy.Description, Version: "1"},
	}
}

func (x *exporter) categoryTerm(c catalogue.Category) TaxonomyTerm {
	return TaxonomyTerm{ID: CategoryTermID(string(c.ID)), Code: string(c.ID), Name: c.Name, Description: c.Description,
		Taxonomy: x.t.CategoriesTaxonomy.Name, TaxonomyID: CategoriesTaxonomyID(), Language: "it"}
}

func (x *exporter) attributeTerm(code string) TaxonomyTerm {
	at := x.t.AttributeTerms[code]
	return TaxonomyTerm{ID: attributeTermID(code), Code: code, Name: at.Name, Description: at.Description,
		Taxonomy: x.t.AttributesTaxonomy.Name, TaxonomyID: ID("taxonomy", attributesTaxonomy), Language: "it"}
}

func (x *exporter) organization(o *catalogue.Organization) Organization {
	id := ID("organization", o.ID)
	org := Organization{ID: id, Name: o.Name, Description: o.Description, Email: o.Email, Website: o.Website,
		LegalStatus: string(o.Kind),
		OrganizationIdentifiers: []OrganizationIdentifier{{ID: ID("organization_identifier", o.ID), OrganizationID: id,
			IdentifierScheme: "WeMi", IdentifierType: attrWemiID, Identifier: o.ID}}}
	if o.Phone != "" {
		org.Phones = []Phone{{ID: ID("phone", "organization/"+o.ID), OrganizationID: id, Number: o.Phone}}
	}
	loc := x.location("organization/"+o.ID, fmt.Sprintf(x.t.ProviderOffice, o.Name), o.Location)
	loc.OrganizationID = id
	loc.ExternalIdentifier, loc.ExternalIdentifierType = o.ID, "wemi-organization"
	org.Locations = []Location{loc}
	return org
}

// location maps a place; key names it among the locations.
func (x *exporter) location(key, name string, l catalogue.Location) Location {
	id := ID("location", key)
	lat, lon := l.Point.Lat, l.Point.Lon
	loc := Location{ID: id, LocationType: "physical", Name: name, Latitude: &lat, Longitude: &lon}
	a := splitAddress(l.Address)
	a.ID, a.LocationID = ID("address", key), id
	if m, ok := x.cat.Milan.Municipio(l.Municipio); ok {
		a.Region = m.Name
	} else if l.Municipio != 0 {
		a.Region = "Municipio " + strconv.Itoa(l.Municipio)
	}
	loc.Addresses = []Address{a}
	return loc
}

// addressRE reads Milan's addresses as the catalogue writes them: "via Lanzone 18,
// 20123 Milano".
var addressRE = regexp.MustCompile(`^(.+?),\s*(\d{5})\s+(\S.*)$`)

// splitAddress splits an address into HSDS's fields; one it cannot read stays whole
// in address_1, so that joinAddress gives it back unchanged.
func splitAddress(s string) Address {
	a := Address{Address1: s, City: "Milano", StateProvince: "MI", Country: "IT", AddressType: "physical"}
	if m := addressRE.FindStringSubmatch(s); m != nil {
		a.Address1, a.PostalCode, a.City = m[1], m[2], m[3]
	}
	return a
}

// joinAddress is the inverse of splitAddress.
func joinAddress(a Address) string {
	if a.PostalCode == "" {
		return strings.TrimSpace(strings.Join(nonEmpty(a.Address1, a.Address2), ", "))
	}
	return strings.Join(nonEmpty(a.Address1, a.Address2), ", ") + ", " + a.PostalCode + " " + a.City
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// weekdays are RFC 5545's day codes, Sunday first as time.Weekday counts.
func weekdays() [7]string { return [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"} }

// schedules maps weekly openings; owner sets the ids the schedule links to.
func (x *exporter) schedules(key string, in []catalogue.Schedule, owner func(*Schedule)) []Schedule {
	out := make([]Schedule, 0, len(in))
	days := weekdays()
	for i, s := range in {
		codes := make([]string, len(s.Days))
		for j, d := range s.Days {
			codes[j] = days[d]
		}
		interval := 1
		sc := Schedule{ID: ID("schedule", key+"/"+strconv.Itoa(i)), Freq: "WEEKLY", Interval: &interval, Wkst: "MO",
			ByDay: strings.Join(codes, ","), OpensAt: s.OpensAt.String(), ClosesAt: s.ClosesAt.String(),
			Description: x.t.ScheduleDescription}
		owner(&sc)
		out = append(out, sc)
	}
	return out
}

// languages maps ISO 639-1 codes, named in Italian.
func (x *exporter) languages(key string, codes []string, note string, owner func(*Language)) []Language {
	namer := display.Tags(language.Italian)
	out := make([]Language, 0, len(codes))
	for i, code := range codes {
		l := Language{ID: ID("language", key+"/"+strconv.Itoa(i)), Code: code, Note: note}
		if tag, err := language.Parse(code); err == nil {
			l.Name = namer.Name(tag)
		}
		owner(&l)
		out = append(out, l)
	}
	return out
}

// date writes a calendar date as HSDS does (YYYY-MM-DD). Closures' dates are
// midnight UTC of the day they name.
func (x *exporter) date(t time.Time) string { return t.Format(time.DateOnly) }
