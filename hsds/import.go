package hsds

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// Report says what an import could not map: records left out (a service without a
// category, an organization without a place in Milan) and fields dropped or filled
// in (an unknown taxonomy term, a wait time that is not a number of days).
type Report struct {
	Notes []Note
}

// Note is one thing an import could not map.
type Note struct {
	// Record names the record: its kind, HSDS id and name.
	Record string
	// Field is the HSDS field, when the note is about one.
	Field string
	Msg   string
	// Skipped is true when the whole record was left out.
	Skipped bool
}

// String writes the note on one line.
func (n Note) String() string {
	var b strings.Builder
	b.WriteString(n.Record)
	if n.Field != "" {
		b.WriteString(", " + n.Field)
	}
	b.WriteString(": " + n.Msg)
	if n.Skipped {
		b.WriteString(" (not imported)")
	}
	return b.String()
}

// Skipped counts the records left out.
func (r *Report) Skipped() int {
	n := 0
	for _, x := range r.Notes {
		if x.Skipped {
			n++
		}
	}
	return n
}

func (r *Report) add(record, field, format string, args ...any) {
	r.Notes = append(r.Notes, Note{Record: record, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (r *Report) skip(record, field, format string, args ...any) {
	r.Notes = append(r.Notes, Note{Record: record, Field: field, Msg: fmt.Sprintf(format, args...), Skipped: true})
}

// Import maps an HSDS dataset to a catalogue folder. cat is the bot's own catalogue
// (the bundled one): its categories and Milan's geography decide what a foreign
// taxonomy term or service area means. Records that cannot be mapped are left out,
// and the report says what and why.
func Import(in *Input, cat *catalogue.Catalogue) (*Folder, *Report, error) {
	t, err := loadTexts()
	if err != nil {
		return nil, nil, err
	}
	im := &importer{t: t, cat: cat, rep: &Report{}, orgByHSDS: map[string]string{}, ids: map[string]bool{},
		codes: map[string]string{}, spaceIDs: map[string]string{}, orgLocations: map[string]bool{},
		wemiOrgs: map[string]bool{}}
	for _, code := range attributeCodes() {
		im.codes[attributeTermID(code)] = code
	}
	f := &Folder{}
	orgs := append([]Organization(nil), in.Organizations...)
	for _, s := range in.Services {
		if s.Organization != nil {
			orgs = append(orgs, *s.Organization)
		}
	}
	for i, o := range orgs {
		if _, done := im.orgByHSDS[o.ID]; done {
			continue
		}
		if im.isWemi(o.Attributes) {
			im.orgByHSDS[o.ID] = ""
			im.wemiOrgs[o.ID] = true
			f.Spaces = append(f.Spaces, im.spaces(o)...)
			continue
		}
		if rec, ok := im.organization(o); ok {
			f.Organizations = append(f.Organizations, rec)
		}
		if i < len(in.OrganizationFields) {
			im.unmapped(im.orgLabel(o), in.OrganizationFields[i], organizationFields())
		}
	}
	for i, s := range in.Services {
		if im.isWemi(s.Attributes) {
			continue // the spaces' own service: the spaces came with their organization
		}
		if im.isActivity(s.Attributes) {
			if rec, ok := im.activity(s, im.spaceIDs); ok {
				f.Activities = append(f.Activities, rec)
			}
			continue
		}
		if rec, ok := im.service(s); ok {
			f.Services = append(f.Services, rec)
		}
		if i < len(in.ServiceFields) {
			im.unmapped(serviceLabel(s), in.ServiceFields[i], serviceFields())
		}
	}
	return f, im.rep, nil
}

// importer maps one dataset.
type importer struct {
	t         *texts
	cat       *catalogue.Catalogue
	rep       *Report
	orgByHSDS map[string]string // HSDS id -> our id ("" for WeMi's own, or one left out)
	ids       map[string]bool   // kind/id of our ids given so far
	codes     map[string]string // attribute term id -> WeMi code
	spaceIDs  map[string]string // HSDS location id -> our space id
	// orgLocations are the locations of the providers imported: a service at one of
	// them is asked for at its provider's office, as the catalogue has it.
	orgLocations map[string]bool
	wemiOrgs     map[string]bool // WeMi's own organization, whose locations are the spaces
}

func (im *importer) isWemi(list []Attribute) bool {
	v, _ := im.value(list, attrRecord)
	return v == recordSpaces
}

// values returns the values of the WeMi attributes with a code, in order.
func (im *importer) values(list []Attribute, code string) []string {
	var out []string
	for _, a := range list {
		id := a.TaxonomyTermID
		if id == "" && a.TaxonomyTerm != nil {
			id = a.TaxonomyTerm.ID
		}
		if im.codes[id] == code {
			out = append(out, a.Value)
		}
	}
	return out
}

func (im *importer) value(list []Attribute, code string) (string, bool) {
	v := im.values(list, code)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// intValue reads a whole-number attribute; a bad one is reported and read as 0.
func (im *importer) intValue(label string, list []Attribute, code string) int {
	v, ok := im.value(list, code)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		im.rep.add(label, "attributes."+code, "%q is not a whole number: left out", v)
		return 0
	}
	return n
}

// ourID returns the catalogue id a record carries (an attribute, an identifier) or
// one made from its name, unique among the ids given so far to records of its kind;
// fallback, the id of a record whose name makes none, names the kind too.
func (im *importer) ourID(carried, name, fallback string) string {
	id := carried
	if !validID(id) {
		id = Slug(name)
	}
	if id == "" {
		id = fallback
	}
	base, n := id, 2
	for im.ids[fallback+"/"+id] {
		suffix := "-" + strconv.Itoa(n)
		id = strings.TrimRight(base[:min(len(base), maxIDLength-len(suffix))], "-") + suffix
		n++
	}
	im.ids[fallback+"/"+id] = true
	return id
}

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func validID(s string) bool { return len(s) <= maxIDLength && idRE.MatchString(s) }

func serviceLabel(s Service) string { return fmt.Sprintf("service %s (%q)", s.ID, s.Name) }

func (im *importer) orgLabel(o Organization) string {
	return fmt.Sprintf("organization %s (%q)", o.ID, o.Name)
}

// unmapped reports the fields a record had that the catalogue has no place for.
func (im *importer) unmapped(label string, present []string, mapped map[string]bool) {
	var left []string
	for _, f := range present {
		if !mapped[f] {
			left = append(left, f)
		}
	}
	if len(left) > 0 {
		im.rep.add(label, "", "fields the catalogue has no place for, left out: %s", strings.Join(left, ", "))
	}
}

// serviceFields are the service fields the import reads (or knows it derives).
func serviceFields() map[string]bool {
	return setOf("id", "organization_id", "name", "alternate_name", "description", "email", "status", "application_process",
		"fees_description", "wait_time", "eligibility_description", "minimum_age", "maximum_age", "phones", "schedules",
		"service_areas", "service_at_locations", "languages", "organization", "cost_options", "contacts", "attributes",
		"metadata", "last_modified")
}

func organizationFields() map[string]bool {
	return setOf("id", "name", "description", "email", "website", "legal_status", "phones", "contacts", "locations",
		"organization_identifiers", "attributes", "metadata", "services")
}

func setOf(ss ...string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}
