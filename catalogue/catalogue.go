// Package catalogue holds WeMi's domain: the providers (enti), the services they offer
// in the 13 fixed categories, the WeMi spaces, Milan's Municipi and their
// neighbourhoods, and the thesaurus of citizens' words. It loads and validates the
// catalogue files; it imports no platform SDK.
//
// Names follow Open Referral HSDS 3.0 where they fit: organization, service, location,
// schedule, cost option.
package catalogue

import (
	"fmt"
	"time"

	"github.com/comune-milano/wemibot/i18n"
)

// Catalogue is a complete, validated catalogue. It is never modified after loading,
// so it can be shared between goroutines.
type Catalogue struct {
	Categories    []Category
	Organizations []*Organization
	Services      []*Service
	Spaces        []*Space
	// Activities are the dated activities (Summer School camps, courses, workshops,
	// open days), in file order; empty when the folder has no activities.yaml.
	Activities []*Activity
	Thesaurus  []Need
	Milan      *Milan
	// Languages are the languages the catalogue was loaded for (the registry's, the
	// default first): the search builds an analysis per language from them.
	Languages []i18n.Language
	// Warnings are problems that do not stop the catalogue from being used, such as
	// a service without a translation (it is shown in English). Validation lists them.
	Warnings []Problem

	orgByID      map[string]*Organization
	serviceByID  map[string]*Service
	spaceByID    map[string]*Space
	categoryIdx  map[CategoryID]int
	activityByID map[string]*Activity
}

// Organization returns the provider with the given id.
func (c *Catalogue) Organization(id string) (*Organization, bool) {
	o, ok := c.orgByID[id]
	return o, ok
}

// Service returns the service with the given id.
func (c *Catalogue) Service(id string) (*Service, bool) {
	s, ok := c.serviceByID[id]
	return s, ok
}

// Space returns the WeMi space with the given id.
func (c *Catalogue) Space(id string) (*Space, bool) {
	s, ok := c.spaceByID[id]
	return s, ok
}

// Category returns the category with the given id.
func (c *Catalogue) Category(id CategoryID) (Category, bool) {
	i, ok := c.categoryIdx[id]
	if !ok {
		return Category{}, false
	}
	return c.Categories[i], true
}

// ServicesIn returns the services of one category, in catalogue order.
func (c *Catalogue) ServicesIn(id CategoryID) []*Service {
	var out []*Service
	for _, s := range c.Services {
		if s.Category == id {
			out = append(out, s)
		}
	}
	return out
}

// Category is one of the 13 service categories. The id is stable; names and keywords
// come from the catalogue files.
type Category struct {
	ID            CategoryID
	Name          string
	NameEN        string
	Description   string
	DescriptionEN string
	// Keywords and KeywordsEN are words citizens associate with the category; the search
	// index gives every service of the category these words.
	Keywords   []string
	KeywordsEN []string
	// Texts holds the translations into the other languages, by language code; see
	// NameIn and the other accessors for the fallback to English and Italian.
	Texts map[string]CategoryText
}

// OrganizationKind is the legal form of a provider.
type OrganizationKind string

// The kinds of provider accredited with WeMi.
const (
	KindCooperative OrganizationKind = "cooperativa"
	KindAssociation OrganizationKind = "associazione"
)

// Organization is a provider (ente) accredited with WeMi.
type Organization struct {
	ID          string
	Name        string
	Kind        OrganizationKind
	Description string
	Email       string
	Phone       string
	Website     string
	Location    Location
}

// Location is a place in Milan.
type Location struct {
	Address   string
	Municipio int
	Point     Point
}

// Point is a geographic coordinate (WGS84).
type Point struct {
	Lat float64
	Lon float64
}

// Audience is a target group of a service.
type Audience string

// The target groups a service can address.
const (
	AudienceChildren   Audience = "bambini"
	AudienceTeenagers  Audience = "ragazzi"
	AudienceAdults     Audience = "adulti"
	AudienceElderly    Audience = "anziani"
	AudienceFamilies   Audience = "famiglie"
	AudienceDisability Audience = "disabilita"
	AudienceForeigners Audience = "stranieri"
)

// Audiences returns every valid target group.
func Audiences() []Audience {
	return []Audience{AudienceChildren, AudienceTeenagers, AudienceAdults,
		AudienceElderly, AudienceFamilies, AudienceDisability, AudienceForeigners}
}

// Valid reports whether a is a known target group.
func (a Audience) Valid() bool {
	for _, x := range Audiences() {
		if x == a {
			return true
		}
	}
	return false
}

// Service is one service offered by a provider.
type Service struct {
	ID           string
	Organization *Organization
	Category     CategoryID
	Name         string
	Description  string
	NameEN       string
	SummaryEN    string
	Audiences    []Audience
	Delivery     Delivery
	Cost         Cost
	Municipi     []int
	Languages    []string
	Schedules    []Schedule
	Activation   string
	MaxWaitDays  int
	// Rules say how the service can be booked; the zero value has no constraint
	// beyond the schedules.
	Rules BookingRules
	// Texts holds the name and summary in the languages other than Italian and
	// English, by language code; NameIn and SummaryIn fall back to English and Italian.
	Texts map[string]ServiceText
}

// Serves reports whether the service covers the given Municipio.
func (s *Service) Serves(municipio int) bool {
	for _, m := range s.Municipi {
		if m == municipio {
			return true
		}
	}
	return false
}

// For reports whether the service addresses the given target group.
func (s *Service) For(a Audience) bool {
	for _, x := range s.Audiences {
		if x == a {
			return true
		}
	}
	return false
}

// Delivery says how a service is delivered: one-to-one, in a group, or both.
type Delivery struct {
	Individual bool
	// Shared is nil when the service is not offered in a group.
	Shared *SharedDelivery
}

// SharedDelivery bounds the size of a group.
type SharedDelivery struct {
	MinPeople int
	MaxPeople int
}

// Cost is what a service costs the citizen.
type Cost struct {
	Free bool
	Unit CostUnit
	// Individual and Shared are prices in euro cents per unit; zero when not offered.
	Individual int
	Shared     int
	ISEE       *ISEEReduction
	Voucher    bool
	Note       string
}

// CostUnit is what a price is charged per.
type CostUnit string

// ISEEReduction is a discount for citizens whose ISEE is at or below a threshold.
type ISEEReduction struct {
	MaxISEE          int // euro
	ReductionPercent int
}

// Schedule is a weekly opening: the listed days, from OpensAt to ClosesAt.
type Schedule struct {
	Days     []time.Weekday
	OpensAt  Clock
	ClosesAt Clock
}

// Covers reports whether t (already in Europe/Rome) falls inside the schedule.
func (s Schedule) Covers(t time.Time) bool {
	now := Clock(t.Hour()*60 + t.Minute())
	for _, d := range s.Days {
		if d == t.Weekday() && now >= s.OpensAt && now < s.ClosesAt {
			return true
		}
	}
	return false
}

// Clock is a time of day in minutes after midnight.
type Clock int

// String formats the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Space is a WeMi space: a physical help desk.
type Space struct {
	ID           string
	Name         string
	Location     Location
	Phone        string
	Email        string
	Schedules    []Schedule
	Activities   []string
	ActivitiesEN []string
	// Texts holds the activities in the languages other than Italian and English, by
	// language code; ActivitiesIn falls back to English and Italian.
	Texts map[string]SpaceText
	// Mediation are the languages in which the space offers linguistic mediation
	// (ISO 639-1 codes): a mediator helps a citizen who speaks neither Italian nor
	// English talk with the operators.
	Mediation []string
}

// OpenAt reports whether the space is open at t, in Europe/Rome.
func (s *Space) OpenAt(t time.Time, rome *time.Location) bool {
	t = t.In(rome)
	for _, sc := range s.Schedules {
		if sc.Covers(t) {
			return true
		}
	}
	return false
}

// Need is a thesaurus entry: how citizens say one need, and what it means in
// catalogue words.
type Need struct {
	Lang     string     // a language of the registry: the language of the triggers
	Category CategoryID // empty when the need points to no single category
	Triggers []string
	Expand   string
}
