// Package domestic is the domain of WeMi's "Tate, Colf e Badanti" section: families
// looking for a babysitter (tata), a housekeeper (colf) or a caregiver (badante), and
// people applying to work as one. It holds the roles and working patterns of the
// collective agreement for domestic work (CCNL lavoro domestico), the agreement's
// minimum pay and the INPS contributions for one year with the monthly cost estimate
// built on them (Pay, Estimate), the public measures a family may be able to get
// (Support), a family's request and a worker's application with their lifecycles, and
// the Store that keeps them for as long as the retention rules allow.
//
// Every figure is bundled data with its year and sources (data/ccnl.yaml,
// data/supports.yaml); the estimate is an estimate, and a support is described, never
// promised. The package imports no platform SDK.
package domestic

import (
	"errors"

	"github.com/comune-milano/wemibot/records"
)

// Role is the kind of worker a family looks for, or a worker applies as.
type Role string

// The roles. The values are Italian because they are stored and shown to staff.
const (
	Tata    Role = "tata"    // babysitter
	Colf    Role = "colf"    // housekeeper
	Badante Role = "badante" // caregiver for an elderly, ill or disabled person
)

// Roles returns every role, in the order the bot offers them.
func Roles() []Role { return []Role{Tata, Colf, Badante} }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r == Tata || r == Colf || r == Badante }

// Pattern is a working pattern (regime di lavoro) of the CCNL.
type Pattern string

// The working patterns. Their weekly hours ranges are data (Pay.Patterns).
const (
	// Convivente lives with the family, full time: at most 10 hours a day and 54 a week.
	Convivente Pattern = "convivente"
	// ConvivenzaRidotta lives with the family for at most 30 hours a week (levels B,
	// BS and C only).
	ConvivenzaRidotta Pattern = "convivenza_ridotta"
	// NonConvivente works by the hour and lives elsewhere: at most 8 hours a day and
	// 40 a week.
	NonConvivente Pattern = "non_convivente"
	// PresenzaNotturna is a presence at night only (21–8), with no care tasks.
	PresenzaNotturna Pattern = "presenza_notturna"
	// AssistenzaNotturna is discontinuous care at night (20–8).
	AssistenzaNotturna Pattern = "assistenza_notturna"
	// Weekend is hourly work on Saturday and Sunday only.
	Weekend Pattern = "weekend"
)

// Patterns returns every working pattern, in the order the bot offers them.
func Patterns() []Pattern {
	return []Pattern{Convivente, ConvivenzaRidotta, NonConvivente, PresenzaNotturna, AssistenzaNotturna, Weekend}
}

// Valid reports whether p is one of Patterns.
func (p Pattern) Valid() bool {
	switch p {
	case Convivente, ConvivenzaRidotta, NonConvivente, PresenzaNotturna, AssistenzaNotturna, Weekend:
		return true
	}
	return false
}

// night reports whether the pattern is one of the two night-only ones.
func (p Pattern) night() bool { return p == PresenzaNotturna || p == AssistenzaNotturna }

// Certificates returns the certificates a worker may declare: ASA (ausiliario socio
// assistenziale), OSS (operatore socio sanitario), first aid, HACCP (food hygiene), a
// babysitting course, and anything else.
func Certificates() []string {
	return []string{"asa", "oss", "primo_soccorso", "haccp", "babysitter", "altro"}
}

// Errors of the domain; they arrive wrapped, so test them with errors.Is.
var (
	// ErrTransition is a status change the lifecycle does not allow.
	ErrTransition = errors.New("domestic: status change not allowed")
	// ErrInvalid is a request or application whose fields break the rules Validate
	// checks.
	ErrInvalid = errors.New("domestic: invalid record")
	// ErrNoConsent is an application without an accepted privacy notice; the error
	// is also an ErrInvalid.
	ErrNoConsent = errors.New("domestic: the privacy notice was not accepted")
	// ErrNotFound is a request or application that does not exist, or has expired.
	ErrNotFound = errors.New("domestic: not found")
	// ErrExists is a Create with an id another conversation's record has.
	ErrExists = errors.New("domestic: id already taken")
	// ErrTooMany is a Create for a conversation that already keeps
	// MaxPerConversation records of that kind.
	ErrTooMany = errors.New("domestic: too many requests or applications")
)

// NewID returns a fresh random id for a request or an application: records.NewID,
// the shape of a booking's, 12 lowercase hexadecimal characters.
func NewID() string { return records.NewID() }

// ValidID reports whether id has the shape NewID gives. Use it on ids that come back
// in button payloads before looking them up.
func ValidID(id string) bool { return records.ValidID(id) }
