package hsds

import (
	"strings"
)

// ActivityRecord is one activity of activities.yaml.
type ActivityRecord struct {
	ID            string          `yaml:"id"`
	Kind          string          `yaml:"kind"`
	Title         string          `yaml:"title"`
	Description   string          `yaml:"description"`
	TitleEN       string          `yaml:"title_en"`
	DescriptionEN string          `yaml:"description_en"`
	Organization  string          `yaml:"organization,omitempty"`
	Space         string          `yaml:"space,omitempty"`
	Place         *LocationRecord `yaml:"place,omitempty"`
	Dates         struct {
		Single []string `yaml:"single,flow"`
	} `yaml:"dates"`
	Sessions string `yaml:"sessions"`
	Times    struct {
		From string `yaml:"from"`
		To   string `yaml:"to"`
	} `yaml:"times,flow"`
	Ages struct {
		Min *int `yaml:"min,omitempty"`
		Max *int `yaml:"max,omitempty"`
	} `yaml:"ages,flow"`
	Price struct {
		Free bool     `yaml:"free,omitempty"`
		Euro *float64 `yaml:"euro,omitempty"`
		Per  string   `yaml:"per,omitempty"`
	} `yaml:"price,flow"`
	Capacity int `yaml:"capacity"`
	Enrol    struct {
		Chat    bool   `yaml:"chat,omitempty"`
		AtSpace bool   `yaml:"at_space,omitempty"`
		URL     string `yaml:"url,omitempty"`
	} `yaml:"enrol,flow"`
}

// isActivity reports whether a service is one of our dated activities.
func (im *importer) isActivity(attrs []Attribute) bool {
	v, _ := im.value(attrs, attrRecord)
	return v == recordActivity
}

// activity maps one of our activities back. A foreign dataset's services are
// services: only ours carry the days, sessions and places an activity needs.
func (im *importer) activity(s Service, spaces map[string]string) (ActivityRecord, bool) {
	label := serviceLabel(s)
	carried, _ := im.value(s.Attributes, attrWemiID)
	a := ActivityRecord{ID: im.ourID(carried, s.Name, "attivita"), Kind: valueOr(im, s.Attributes, attrActivityKind),
		Title: s.Name, Description: s.Description, TitleEN: s.AlternateName,
		DescriptionEN: valueOr(im, s.Attributes, attrSummaryEN), Sessions: valueOr(im, s.Attributes, attrSessions),
		Capacity: im.intValue(label, s.Attributes, attrCapacity)}
	org, known := im.orgByHSDS[s.OrganizationID]
	if known && org == "" && !im.wemiOrgs[s.OrganizationID] {
		im.rep.skip(label, "organization_id", "its provider could not be imported")
		return a, false
	}
	a.Organization = org
	if days := valueOr(im, s.Attributes, attrDays); days != "" {
		a.Dates.Single = strings.Split(days, ",")
	} else {
		im.rep.skip(label, "attributes."+attrDays, "an activity without its days")
		return a, false
	}
	if len(s.Schedules) > 0 {
		a.Times.From, _ = clockOf(s.Schedules[0].OpensAt)
		a.Times.To, _ = clockOf(s.Schedules[0].ClosesAt)
	}
	if s.MinimumAge != nil {
		n := int(*s.MinimumAge)
		a.Ages.Min = &n
	}
	if s.MaximumAge != nil {
		n := int(*s.MaximumAge)
		a.Ages.Max = &n
	}
	a.Price.Free = true
	for _, o := range s.CostOptions {
		if o.Amount != nil && *o.Amount > 0 {
			a.Price.Free, a.Price.Euro = false, o.Amount
			a.Price.Per = valueOr(im, o.Attributes, attrPricePer)
		}
	}
	a.Enrol.Chat = valueOr(im, s.Attributes, attrEnrolChat) == yes
	a.Enrol.AtSpace = valueOr(im, s.Attributes, attrEnrolSpace) == yes
	a.Enrol.URL = s.URL
	im.activityPlace(label, s, spaces, &a)
	return a, true
}

// activityPlace reads where the activity happens: a WeMi space, its provider's
// office (no place), or a place of its own.
func (im *importer) activityPlace(label string, s Service, spaces map[string]string, a *ActivityRecord) {
	if len(s.ServiceAtLocations) == 0 || s.ServiceAtLocations[0].Location == nil {
		return
	}
	loc := s.ServiceAtLocations[0].Location
	if id, ok := spaces[loc.ID]; ok {
		a.Space = id
		return
	}
	if loc.ExternalIdentifierType == "wemi-organization" && loc.ExternalIdentifier == a.Organization {
		return
	}
	if place, ok := im.place(label, []Location{*loc}); ok {
		a.Place = &place
	}
}
