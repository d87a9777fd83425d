package domestic_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/domestic"
)

var requestStatuses = []domestic.RequestStatus{domestic.RequestSent, domestic.RequestInProgress,
	domestic.RequestMatched, domestic.RequestUnmatched, domestic.RequestWithdrawn}

func TestRequestTransition(t *testing.T) {
	allowed := map[[2]domestic.RequestStatus]bool{
		{domestic.RequestSent, domestic.RequestInProgress}:      true,
		{domestic.RequestSent, domestic.RequestWithdrawn}:       true,
		{domestic.RequestInProgress, domestic.RequestMatched}:   true,
		{domestic.RequestInProgress, domestic.RequestUnmatched}: true,
		{domestic.RequestInProgress, domestic.RequestWithdrawn}: true,
	}
	at := t0.Add(time.Hour)
	for _, from := range requestStatuses {
		for _, to := range append(requestStatuses, "boh") {
			r := request(id(1), "telegram:42", t0)
			r.Status, r.Note = from, "nota precedente"
			if from.Final() {
				r.Closed = t0
			}
			before := r
			err := r.Transition(to, "  Abbiamo trovato una badante per voi.  ", at)
			if !allowed[[2]domestic.RequestStatus{from, to}] {
				if !errors.Is(err, domestic.ErrTransition) {
					t.Errorf("%s -> %s: %v, want ErrTransition", from, to, err)
				}
				if r.Status != before.Status || r.Note != before.Note || !r.Updated.Equal(before.Updated) || !r.Closed.Equal(before.Closed) {
					t.Errorf("%s -> %s: a refused change changed the request: %+v", from, to, r)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s -> %s: %v", from, to, err)
				continue
			}
			if r.Status != to || r.Note != "Abbiamo trovato una badante per voi." || !r.Updated.Equal(at) {
				t.Errorf("%s -> %s: %+v", from, to, r)
			}
			if to.Final() != r.Closed.Equal(at) || !to.Final() && !r.Closed.IsZero() {
				t.Errorf("%s -> %s: closed %v", from, to, r.Closed)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("%s -> %s: the result does not validate: %v", from, to, err)
			}
		}
	}
	r := request(id(2), "telegram:42", t0)
	if err := r.Transition(domestic.RequestWithdrawn, strings.Repeat("é", 400), at); err != nil || len([]rune(r.Note)) != domestic.MaxNote {
		t.Errorf("a long note: %v, %d runes", err, len([]rune(r.Note)))
	}
	if err := r.Transition(domestic.RequestWithdrawn, "", at); !errors.Is(err, domestic.ErrTransition) {
		t.Errorf("withdrawing twice: %v", err)
	}
}

func TestRequestValidate(t *testing.T) {
	if err := request(id(1), "telegram:42", t0).Validate(); err != nil {
		t.Fatalf("the valid request: %v", err)
	}
	tests := []struct {
		name   string
		change func(*domestic.Request)
	}{
		{"no id", func(r *domestic.Request) { r.ID = "" }},
		{"a bad id", func(r *domestic.Request) { r.ID = "../../etc/pa" }},
		{"no conversation", func(r *domestic.Request) { r.Conversation = "" }},
		{"a long conversation", func(r *domestic.Request) { r.Conversation = strings.Repeat("x", 129) }},
		{"a long first name", func(r *domestic.Request) { r.FirstName = strings.Repeat("a", 65) }},
		{"an unknown role", func(r *domestic.Request) { r.Role = "giardiniere" }},
		{"an unknown pattern", func(r *domestic.Request) { r.Pattern = "part_time" }},
		{"no hours", func(r *domestic.Request) { r.HoursPerWeek = 0 }},
		{"too many hours", func(r *domestic.Request) { r.HoursPerWeek = 55 }},
		{"no start", func(r *domestic.Request) { r.Start = time.Time{} }},
		{"municipio 0", func(r *domestic.Request) { r.Municipio = 0 }},
		{"municipio 10", func(r *domestic.Request) { r.Municipio = 10 }},
		{"a long care description", func(r *domestic.Request) { r.CareFor = strings.Repeat("à", 301) }},
		{"a bad language", func(r *domestic.Request) { r.Languages = []string{"it", "Italiano"} }},
		{"too many languages", func(r *domestic.Request) { r.Languages = strings.Fields("it en fr de es pt ro ru uk ar zh") }},
		{"no contact", func(r *domestic.Request) { r.Contact = "" }},
		{"a contact that is neither", func(r *domestic.Request) { r.Contact = "chiamatemi la sera" }},
		{"an estimate below -1", func(r *domestic.Request) { r.EstimateCents = -2 }},
		{"an unknown status", func(r *domestic.Request) { r.Status = "chiusa" }},
		{"a long note", func(r *domestic.Request) { r.Note = strings.Repeat("n", 301) }},
		{"no creation time", func(r *domestic.Request) { r.Created = time.Time{} }},
		{"closed without a time", func(r *domestic.Request) { r.Status = domestic.RequestMatched }},
		{"open with a closing time", func(r *domestic.Request) { r.Closed = t0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(id(1), "telegram:42", t0)
			tt.change(&r)
			if err := r.Validate(); !errors.Is(err, domestic.ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
	ok := request(id(1), "telegram:42", t0)
	ok.CareFor, ok.Languages, ok.EstimateCents, ok.FirstName = "", nil, -1, ""
	if err := ok.Validate(); err != nil {
		t.Errorf("the optional fields left empty: %v", err)
	}
}

func TestValidContact(t *testing.T) {
	tests := []struct {
		contact string
		ok      bool
	}{
		{"+39 333 123 4567", true},
		{"02 8845 1234", true},
		{"(02) 884.512.34", true},
		{"333-1234567", true},
		{"0039/3331234567", true},
		{"giulia.rossi@example.it", true},
		{"  giulia@posta.comune.milano.it ", true},
		{"", false},
		{"   ", false},
		{"12345", false},                           // too short for a phone number
		{"+39 333 123 4567 890 12345", false},      // too many digits
		{"3+33123456", false},                      // a plus inside
		{"333 123 4567 ore pasti", false},          // words
		{"giulia@", false},                         // no domain
		{"@example.it", false},                     // no local part
		{"giulia@example", false},                  // no top-level domain
		{"giulia@example.i", false},                // a one-letter top-level domain
		{"giulia rossi@example.it", false},         // a space
		{"a@b@example.it", false},                  // two at signs
		{"<script>@example.it", false},             // markup
		{strings.Repeat("a", 96) + "@x.it", false}, // over MaxContact
	}
	for _, tt := range tests {
		if got := domestic.ValidContact(tt.contact); got != tt.ok {
			t.Errorf("ValidContact(%q) = %v, want %v", tt.contact, got, tt.ok)
		}
	}
}

func FuzzValidContact(f *testing.F) {
	for _, s := range []string{"+39 333 123 4567", "giulia@example.it", "", "a@b.c", "(02) 88"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if domestic.ValidContact(s) {
			if n := len([]rune(strings.TrimSpace(s))); n == 0 || n > domestic.MaxContact {
				t.Errorf("ValidContact accepted %d runes", n)
			}
			if strings.ContainsAny(s, "<>\"") {
				t.Errorf("ValidContact accepted markup: %q", s)
			}
		}
	})
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := domestic.NewID()
		if !domestic.ValidID(id) || seen[id] {
			t.Fatalf("NewID = %q (valid %v, seen %v)", id, domestic.ValidID(id), seen[id])
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "0123456789ab0", "0123456789AB", "0123456789ag", "../../../../"} {
		if domestic.ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestRolesPatternsCertificates(t *testing.T) {
	if got := len(domestic.Roles()); got != 3 {
		t.Errorf("%d roles", got)
	}
	for _, r := range domestic.Roles() {
		if !r.Valid() {
			t.Errorf("role %q not valid", r)
		}
	}
	if domestic.Role("giardiniere").Valid() {
		t.Error("an unknown role is valid")
	}
	want := "convivente convivenza_ridotta non_convivente presenza_notturna assistenza_notturna weekend"
	var got []string
	for _, p := range domestic.Patterns() {
		if !p.Valid() {
			t.Errorf("pattern %q not valid", p)
		}
		got = append(got, string(p))
	}
	if strings.Join(got, " ") != want {
		t.Errorf("Patterns() = %v", got)
	}
	if c := strings.Join(domestic.Certificates(), " "); c != "asa oss primo_soccorso haccp babysitter altro" {
		t.Errorf("Certificates() = %s", c)
	}
}
