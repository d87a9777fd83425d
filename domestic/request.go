package domestic

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/records"
)

// RequestStatus is where a family's request is in its lifecycle. The values are
// Italian because staff read them on the desk and they are stored.
type RequestStatus string

// The statuses of a request.
const (
	RequestSent       RequestStatus = "inviata"                  // sent by the family
	RequestInProgress RequestStatus = "in_lavorazione"           // staff are looking for a worker
	RequestMatched    RequestStatus = "chiusa_abbinamento"       // closed: a worker was found
	RequestUnmatched  RequestStatus = "chiusa_senza_abbinamento" // closed: no worker found
	RequestWithdrawn  RequestStatus = "ritirata"                 // withdrawn by the family
)

// Valid reports whether s is one of the known statuses.
func (s RequestStatus) Valid() bool {
	switch s {
	case RequestSent, RequestInProgress, RequestMatched, RequestUnmatched, RequestWithdrawn:
		return true
	}
	return false
}

// Final reports whether the request is closed: matched, unmatched or withdrawn.
func (s RequestStatus) Final() bool {
	return s == RequestMatched || s == RequestUnmatched || s == RequestWithdrawn
}

// CanTransition reports whether a request may go from one status to another: inviata
// to in_lavorazione; in_lavorazione to chiusa_abbinamento or chiusa_senza_abbinamento;
// inviata or in_lavorazione to ritirata.
func (s RequestStatus) CanTransition(to RequestStatus) bool {
	switch s {
	case RequestSent:
		return to == RequestInProgress || to == RequestWithdrawn
	case RequestInProgress:
		return to == RequestMatched || to == RequestUnmatched || to == RequestWithdrawn
	}
	return false
}

// Bounds on the fields of requests and applications, checked by Validate.
const (
	// MaxCareFor is the longest description of who needs care, in runes.
	MaxCareFor = 300
	// MaxExperience is the longest description of a worker's experience, in runes.
	MaxExperience = 300
	// MaxAvailability is the longest description of a worker's availability, in runes.
	MaxAvailability = 200
	// MaxContact is the longest contact (a phone number or an e-mail), in runes.
	MaxContact = 100
	// MaxNote is the longest note staff leave on a change, in runes; Transition cuts
	// longer ones.
	MaxNote = 300
	// MaxHoursPerWeek is the most weekly hours any pattern allows (a live-in's 54);
	// each pattern's own range is in Pay.Patterns and checked by Pay.Estimate.
	MaxHoursPerWeek = 54
	// MaxLanguages bounds the languages a request or application lists.
	MaxLanguages = 10
	// MaxYears bounds a worker's years of experience.
	MaxYears = 60
	maxName  = 64            // first name, language: runes
	maxCard  = 200           // the desk's card reference: runes
	maxConv  = records.MaxID // the conversation names its index record: bytes
)

// Request is a family's request for a tata, a colf or a badante. It names the family
// by first name only, and holds only what the family chose to tell.
type Request struct {
	ID           string  `json:"id"`           // NewID
	Conversation string  `json:"conversation"` // the engine's "channel:user"
	Lang         string  `json:"lang"`
	FirstName    string  `json:"first_name,omitempty"`
	Role         Role    `json:"role"`
	Pattern      Pattern `json:"pattern"`
	HoursPerWeek int     `json:"hours_per_week"` // 1 to MaxHoursPerWeek
	// Start is the day the family would like the work to start (its date matters,
	// not its time of day).
	Start     time.Time `json:"start"`
	Municipio int       `json:"municipio"` // Milan's Municipio, 1-9
	// CareFor is who needs care, as the family chose to describe it (age, autonomy,
	// conditions): at most MaxCareFor runes, may be empty.
	CareFor        string   `json:"care_for,omitempty"`
	SelfSufficient bool     `json:"self_sufficient"`
	Languages      []string `json:"languages,omitempty"` // ISO 639 codes, lowercase
	// Contact is how to reach the family: a phone number or an e-mail address,
	// checked loosely (ValidContact).
	Contact string `json:"contact"`
	// EstimateCents is the monthly cost estimated when the request was sent; -1 when
	// there was none.
	EstimateCents int           `json:"estimate_cents"`
	Status        RequestStatus `json:"status"`
	// Note is staff's note to the family on the last change (empty: none).
	Note    string    `json:"note,omitempty"`
	Card    string    `json:"card,omitempty"` // the staff card's reference, set by the desk
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Closed is when the request reached a final status; zero while it is open.
	Closed time.Time `json:"closed,omitzero"`
}

// Transition changes the request's status following its lifecycle
// (RequestStatus.CanTransition), else it returns ErrTransition, wrapped, and leaves
// the request as it was. Note becomes note, cut to MaxNote runes (an empty note
// clears the previous one); Updated becomes at, and so does Closed when the new status
// is final.
func (r *Request) Transition(to RequestStatus, note string, at time.Time) error {
	if !r.Status.CanTransition(to) {
		return fmt.Errorf("request %s from %q to %q: %w", r.ID, r.Status, truncate(string(to), 30), ErrTransition)
	}
	r.Status, r.Note, r.Updated = to, truncate(strings.TrimSpace(note), MaxNote), at
	if to.Final() {
		r.Closed = at
	}
	return nil
}

// Validate reports what is wrong with a request before it is stored: ErrInvalid,
// wrapped with the field. The hours are checked against MaxHoursPerWeek only; whether
// they fit the pattern is Pay.Estimate's business.
func (r Request) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("request %s: %s: %w", truncate(r.ID, 20), fmt.Sprintf(format, args...), ErrInvalid)
	}
	if err := checkCommon(r.ID, r.Conversation, r.Lang, r.FirstName, r.Contact, r.Note, r.Card, r.Languages); err != "" {
		return bad("%s", err)
	}
	switch {
	case !r.Role.Valid():
		return bad("unknown role %q", truncate(string(r.Role), 20))
	case !r.Pattern.Valid():
		return bad("unknown pattern %q", truncate(string(r.Pattern), 30))
	case r.HoursPerWeek < 1 || r.HoursPerWeek > MaxHoursPerWeek:
		return bad("hours per week %d not between 1 and %d", r.HoursPerWeek, MaxHoursPerWeek)
	case r.Start.IsZero():
		return bad("no start day")
	case r.Municipio < 1 || r.Municipio > 9:
		return bad("municipio %d not between 1 and 9", r.Municipio)
	case utf8.RuneCountInString(r.CareFor) > MaxCareFor:
		return bad("care description longer than %d characters", MaxCareFor)
	case r.EstimateCents < -1:
		return bad("estimate %d below -1", r.EstimateCents)
	case !r.Status.Valid():
		return bad("unknown status %q", truncate(string(r.Status), 30))
	case r.Created.IsZero():
		return bad("no creation time")
	case r.Status.Final() && r.Closed.IsZero():
		return bad("closed status %q without a closing time", r.Status)
	case !r.Status.Final() && !r.Closed.IsZero():
		return bad("open status %q with a closing time", r.Status)
	}
	return nil
}

// checkCommon checks the fields requests and applications share, returning what is
// wrong ("" when nothing is).
func checkCommon(id, conversation, lang, firstName, contact, note, card string, languages []string) string {
	switch {
	case !ValidID(id):
		return "the id is not 12 hex characters"
	case conversation == "" || len(conversation) > maxConv:
		return fmt.Sprintf("conversation empty or longer than %d bytes", maxConv)
	case utf8.RuneCountInString(lang) > maxName || utf8.RuneCountInString(firstName) > maxName:
		return "language or first name too long"
	case !ValidContact(contact):
		return "the contact is neither a phone number nor an e-mail address"
	case utf8.RuneCountInString(note) > MaxNote:
		return fmt.Sprintf("note longer than %d characters", MaxNote)
	case utf8.RuneCountInString(card) > maxCard:
		return "card reference too long"
	case len(languages) > MaxLanguages:
		return fmt.Sprintf("more than %d languages", MaxLanguages)
	}
	for _, l := range languages {
		if !validLanguage(l) {
			return fmt.Sprintf("%q is not a language code", truncate(l, 10))
		}
	}
	return ""
}

// validLanguage reports whether code looks like an ISO 639 code: 2 or 3 lowercase
// letters.
func validLanguage(code string) bool {
	if len(code) < 2 || len(code) > 3 {
		return false
	}
	for _, c := range []byte(code) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// ValidContact reports whether s can be a way to reach someone: an e-mail address
// (something@domain.tld, no spaces) or a phone number (6 to 15 digits, with an
// optional leading + and spaces, dots, dashes, slashes or brackets between them). At
// most MaxContact runes. The check is loose on purpose: staff call or write back.
func ValidContact(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxContact {
		return false
	}
	if local, domain, ok := strings.Cut(s, "@"); ok {
		dot := strings.LastIndexByte(domain, '.')
		return local != "" && !strings.ContainsAny(s, " \t\n<>,;\"") && !strings.Contains(domain, "@") &&
			dot > 0 && dot < len(domain)-2
	}
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0, strings.ContainsRune(" .-/()", c):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
