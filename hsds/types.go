// Package hsds maps WeMi's catalogue to and from Open Referral's Human Services Data
// Specification (HSDS) 3.0: services with their organization, locations, schedules,
// cost options, languages, service areas (Milan's Municipi), contacts and phones, and
// the 13 categories as the terms of one taxonomy. It is the domain mapping only: the
// files are written by cmd/wemibot and the read-only API is in adapters/web.
//
// HSDS wants UUIDs: ours are derived (UUIDv5) from the catalogue's ids, so they are
// stable across exports, and the catalogue's own ids travel too (organization
// identifiers, locations' external identifiers, attributes), so that an import gets
// them back.
package hsds

// Version is the HSDS version the objects follow.
const Version = "3.0.1"

// The JSON objects below carry the HSDS 3.0 fields WeMi fills; an optional field
// left empty is left out.

// Organization is an HSDS organization: a provider, or the Comune's WeMi service
// whose locations are the WeMi spaces.
type Organization struct {
	ID                      string                   `json:"id"`
	Name                    string                   `json:"name"`
	Description             string                   `json:"description"`
	Email                   string                   `json:"email,omitempty"`
	Website                 string                   `json:"website,omitempty"`
	LegalStatus             string                   `json:"legal_status,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	// Services are set on the API's organization by id: its services' one-to-one
	// fields.
	Services []Service `json:"services,omitempty"`
}

// OrganizationIdentifier is an identifier of an organization in a scheme: WeMi's
// own id is kept in one.
type OrganizationIdentifier struct {
	ID               string `json:"id"`
	OrganizationID   string `json:"organization_id,omitempty"`
	IdentifierScheme string `json:"identifier_scheme,omitempty"`
	IdentifierType   string `json:"identifier_type"`
	Identifier       string `json:"identifier"`
}

// Service is an HSDS service, fully nested.
type Service struct {
	ID                     string              `json:"id"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	Name                   string              `json:"name"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	Email                  string              `json:"email,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Status                 string              `json:"status"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	WaitTime               string              `json:"wait_time,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Contacts               []Contact           `json:"contacts,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
}

// ServiceAtLocation links a service to a location where it is delivered or asked for.
type ServiceAtLocation struct {
	ID          string     `json:"id"`
	ServiceID   string     `json:"service_id,omitempty"`
	LocationID  string     `json:"location_id,omitempty"`
	Description string     `json:"description,omitempty"`
	Location    *Location  `json:"location,omitempty"`
	Schedules   []Schedule `json:"schedules,omitempty"`
	// Service is set in the API's service_at_location lists (one-to-one fields).
	Service *Service `json:"service,omitempty"`
}

// Location is an HSDS location: a provider's office or a WeMi space.
type Location struct {
	ID                     string      `json:"id"`
	LocationType           string      `json:"location_type"`
	OrganizationID         string      `json:"organization_id,omitempty"`
	Name                   string      `json:"name,omitempty"`
	Description            string      `json:"description,omitempty"`
	Latitude               *float64    `json:"latitude,omitempty"`
	Longitude              *float64    `json:"longitude,omitempty"`
	ExternalIdentifier     string      `json:"external_identifier,omitempty"`
	ExternalIdentifierType string      `json:"external_identifier_type,omitempty"`
	Languages              []Language  `json:"languages,omitempty"`
	Addresses              []Address   `json:"addresses,omitempty"`
	Phones                 []Phone     `json:"phones,omitempty"`
	Contacts               []Contact   `json:"contacts,omitempty"`
	Schedules              []Schedule  `json:"schedules,omitempty"`
	Attributes             []Attribute `json:"attributes,omitempty"`
}

// Address is a location's postal address; HSDS requires every field but address_2
// and region (the Municipio, here).
type Address struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// Schedule is a weekly opening in iCalendar (RFC 5545) terms: freq WEEKLY, byday,
// opens_at and closes_at; valid_from and valid_to bound a dated one.
type Schedule struct {
	ID                  string `json:"id"`
	ServiceID           string `json:"service_id,omitempty"`
	LocationID          string `json:"location_id,omitempty"`
	ServiceAtLocationID string `json:"service_at_location_id,omitempty"`
	ValidFrom           string `json:"valid_from,omitempty"`
	ValidTo             string `json:"valid_to,omitempty"`
	DTStart             string `json:"dtstart,omitempty"`
	Until               string `json:"until,omitempty"`
	Wkst                string `json:"wkst,omitempty"`
	Freq                string `json:"freq,omitempty"`
	Interval            *int   `json:"interval,omitempty"`
	ByDay               string `json:"byday,omitempty"`
	Description         string `json:"description,omitempty"`
	OpensAt             string `json:"opens_at,omitempty"`
	ClosesAt            string `json:"closes_at,omitempty"`
	AttendingType       string `json:"attending_type,omitempty"`
	Notes               string `json:"notes,omitempty"`
}

// CostOption is one price of a service.
type CostOption struct {
	ID                string      `json:"id"`
	ServiceID         string      `json:"service_id,omitempty"`
	Option            string      `json:"option,omitempty"`
	Currency          string      `json:"currency,omitempty"`
	Amount            *float64    `json:"amount,omitempty"`
	AmountDescription string      `json:"amount_description,omitempty"`
	Attributes        []Attribute `json:"attributes,omitempty"`
}

// Language is a language a service or a location offers (ISO 639-1 code).
type Language struct {
	ID         string `json:"id"`
	ServiceID  string `json:"service_id,omitempty"`
	LocationID string `json:"location_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Code       string `json:"code,omitempty"`
	Note       string `json:"note,omitempty"`
}

// ServiceArea is an area a service covers: one of Milan's Municipi.
type ServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// Contact is who to contact about a service or at a location.
type Contact struct {
	ID             string  `json:"id"`
	OrganizationID string  `json:"organization_id,omitempty"`
	ServiceID      string  `json:"service_id,omitempty"`
	LocationID     string  `json:"location_id,omitempty"`
	Name           string  `json:"name,omitempty"`
	Title          string  `json:"title,omitempty"`
	Email          string  `json:"email,omitempty"`
	Phones         []Phone `json:"phones,omitempty"`
}

// Phone is a telephone number.
type Phone struct {
	ID             string `json:"id"`
	LocationID     string `json:"location_id,omitempty"`
	ServiceID      string `json:"service_id,omitempty"`
	OrganizationID string `json:"organization_id,omitempty"`
	ContactID      string `json:"contact_id,omitempty"`
	Number         string `json:"number"`
	Type           string `json:"type,omitempty"`
	Description    string `json:"description,omitempty"`
}

// Attribute links a record to a taxonomy term, with a value: the category of a
// service, and the WeMi facts HSDS has no field for (target groups, group sizes,
// booking rules...).
type Attribute struct {
	ID             string        `json:"id"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// TaxonomyTerm is a term of a taxonomy.
type TaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	Language    string `json:"language,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
	TermURI     string `json:"term_uri,omitempty"`
}

// Taxonomy is a classification the terms belong to.
type Taxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}
