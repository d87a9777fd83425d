package domestic

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ApplicationStatus is where a worker's application is in its lifecycle. The values
// are Italian because staff read them on the desk and they are stored.
type ApplicationStatus string

// The statuses of an application.
const (
	ApplicationSent      ApplicationStatus = "inviata"        // sent by the worker
	ApplicationReviewing ApplicationStatus = "in_valutazione" // staff are assessing it
	ApplicationAccepted  ApplicationStatus = "accettata"      // closed: accepted
	ApplicationRejected  ApplicationStatus = "non_accettata"  // closed: not accepted
	ApplicationWithdrawn ApplicationStatus = "ritirata"       // withdrawn by the worker
)

// Valid reports whether s is one of the known statuses.
func (s ApplicationStatus) Valid() bool {
	switch s {
	case ApplicationSent, ApplicationReviewing, ApplicationAccepted, ApplicationRejected, ApplicationWithdrawn:
		return true
	}
	return false
}

// Final reports whether the application is closed: accepted, not accepted or
// withdrawn.
func (s ApplicationStatus) Final() bool {
	return s == ApplicationAccepted || s == ApplicationRejected || s == ApplicationWithdrawn
}

// CanTransition reports whether an application may go from one status to another:
// inviata to in_valutazione; in_valutazione to accettata or non_accettata; inviata or
// in_valutazione to ritirata.
func (s ApplicationStatus) CanTransition(to ApplicationStatus) bool {
	switch s {
	case ApplicationSent:
		return to == ApplicationReviewing || to == ApplicationWithdrawn
	case ApplicationReviewing:
		return to == ApplicationAccepted || to == ApplicationRejected || to == ApplicationWithdrawn
	}
	return false
}

// Application is a person's application to work as a tata, colf or badante through
// WeMi. It is valid only once the privacy notice has been accepted (Consent).
type Application struct {
	ID           string `json:"id"`           // NewID
	Conversation string `json:"conversation"` // the engine's "channel:user"
	Lang         string `json:"lang"`
	FirstName    string `json:"first_name,omitempty"`
	Roles        []Role `json:"roles"` // one to three distinct roles
	Years        int    `json:"years"` // years of experience, 0 to MaxYears
	// Experience is the kind of families and people the worker has worked for, at
	// most MaxExperience runes, may be empty.
	Experience string   `json:"experience,omitempty"`
	Languages  []string `json:"languages,omitempty"` // ISO 639 codes, lowercase
	// Certificates are distinct values of Certificates().
	Certificates []string `json:"certificates,omitempty"`
	// Municipi are the Municipi (1-9) where the worker can work; empty: anywhere in
	// the city.
	Municipi []int `json:"municipi,omitempty"`
	// Availability is when the worker can work, in their words: at most
	// MaxAvailability runes, may be empty.
	Availability string `json:"availability,omitempty"`
	LiveIn       bool   `json:"live_in"` // available to live with the family
	// Consent is when the privacy notice was accepted; zero makes the application
	// invalid (ErrNoConsent).
	Consent time.Time `json:"consent"`
	// Contact is a phone number or an e-mail address (ValidContact).
	Contact string            `json:"contact"`
	Status  ApplicationStatus `json:"status"`
	// Note is staff's note to the worker on the last change (empty: none).
	Note    string    `json:"note,omitempty"`
	Card    string    `json:"card,omitempty"` // the staff card's reference, set by the desk
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Closed is when the application reached a final status; zero while it is open.
	Closed time.Time `json:"closed,omitzero"`
}

// Transition changes the application's status following its lifecycle
// (ApplicationStatus.CanTransition), else it returns ErrTransition, wrapped, and
// leaves the application as it was. Note becomes note, cut to MaxNote runes (an empty
// note clears the previous one); Updated becomes at, and so does Closed when the new
// status is final.
func (a *Application) Transition(to ApplicationStatus, note string, at time.Time) error {
	if !a.Status.CanTransition(to) {
		return fmt.Errorf("application %s from %q to %q: %w", a.ID, a.Status, truncate(string(to), 30), ErrTransition)
	}
	a.Status, a.Note, a.Updated = to, truncate(strings.TrimSpace(note), MaxNote), at
	if to.Final() {
		a.Closed = at
	}
	return nil
}

// Validate reports what is wrong with an application before it is stored: ErrInvalid,
// wrapped with the field; an application without Consent is also ErrNoConsent.
func (a Application) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("application %s: %s: %w", truncate(a.ID, 20), fmt.Sprintf(format, args...), ErrInvalid)
	}
	if a.Consent.IsZero() {
		return fmt.Errorf("application %s: %w: %w", truncate(a.ID, 20), ErrInvalid, ErrNoConsent)
	}
	if err := checkCommon(a.ID, a.Conversation, a.Lang, a.FirstName, a.Contact, a.Note, a.Card, a.Languages); err != "" {
		return bad("%s", err)
	}
	switch {
	case len(a.Roles) == 0 || len(a.Roles) > len(Roles()):
		return bad("%d roles, want 1 to %d", len(a.Roles), len(Roles()))
	case a.Years < 0 || a.Years > MaxYears:
		return bad("years of experience %d not between 0 and %d", a.Years, MaxYears)
	case utf8.RuneCountInString(a.Experience) > MaxExperience:
		return bad("experience longer than %d characters", MaxExperience)
	case utf8.RuneCountInString(a.Availability) > MaxAvailability:
		return bad("availability longer than %d characters", MaxAvailability)
	case len(a.Certificates) > len(Certificates()):
		return bad("more certificates than there are kinds")
	case len(a.Municipi) > 9:
		return bad("more than 9 municipi")
	case !a.Status.Valid():
		return bad("unknown status %q", truncate(string(a.Status), 30))
	case a.Created.IsZero():
		return bad("no creation time")
	case a.Status.Final() && a.Closed.IsZero():
		return bad("closed status %q without a closing time", a.Status)
	case !a.Status.Final() && !a.Closed.IsZero():
		return bad("open status %q with a closing time", a.Status)
	}
	for i, r := range a.Roles {
		if !r.Valid() || slices.Contains(a.Roles[:i], r) {
			return bad("role %q unknown or repeated", truncate(string(r), 20))
		}
	}
	for i, c := range a.Certificates {
		if !slices.Contains(Certificates(), c) || slices.Contains(a.Certificates[:i], c) {
			return bad("certificate %q unknown or repeated", truncate(c, 20))
		}
	}
	for i, m := range a.Municipi {
		if m < 1 || m > 9 || slices.Contains(a.Municipi[:i], m) {
			return bad("municipio %d not between 1 and 9, or repeated", m)
		}
	}
	return nil
}
