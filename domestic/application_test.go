package domestic_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/domestic"
)

var applicationStatuses = []domestic.ApplicationStatus{domestic.ApplicationSent, domestic.ApplicationReviewing,
	domestic.ApplicationAccepted, domestic.ApplicationRejected, domestic.ApplicationWithdrawn}

func TestApplicationTransition(t *testing.T) {
	allowed := map[[2]domestic.ApplicationStatus]bool{
		{domestic.ApplicationSent, domestic.ApplicationReviewing}:      true,
		{domestic.ApplicationSent, domestic.ApplicationWithdrawn}:      true,
		{domestic.ApplicationReviewing, domestic.ApplicationAccepted}:  true,
		{domestic.ApplicationReviewing, domestic.ApplicationRejected}:  true,
		{domestic.ApplicationReviewing, domestic.ApplicationWithdrawn}: true,
	}
	at := t0.Add(2 * time.Hour)
	for _, from := range applicationStatuses {
		for _, to := range append(applicationStatuses, "boh") {
			a := application(id(1), "web:7", t0)
			a.Status = from
			if from.Final() {
				a.Closed = t0
			}
			before := a
			err := a.Transition(to, "Colloquio fissato per giovedì", at)
			if !allowed[[2]domestic.ApplicationStatus{from, to}] {
				if !errors.Is(err, domestic.ErrTransition) {
					t.Errorf("%s -> %s: %v, want ErrTransition", from, to, err)
				}
				if a.Status != before.Status || a.Note != before.Note || !a.Closed.Equal(before.Closed) {
					t.Errorf("%s -> %s: a refused change changed the application", from, to)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s -> %s: %v", from, to, err)
				continue
			}
			if a.Status != to || a.Note != "Colloquio fissato per giovedì" || !a.Updated.Equal(at) ||
				to.Final() != a.Closed.Equal(at) || !to.Final() && !a.Closed.IsZero() {
				t.Errorf("%s -> %s: %+v", from, to, a)
			}
			if err := a.Validate(); err != nil {
				t.Errorf("%s -> %s: the result does not validate: %v", from, to, err)
			}
		}
	}
}

func TestApplicationValidate(t *testing.T) {
	if err := application(id(1), "web:7", t0).Validate(); err != nil {
		t.Fatalf("the valid application: %v", err)
	}
	noConsent := application(id(1), "web:7", t0)
	noConsent.Consent = time.Time{}
	err := noConsent.Validate()
	if !errors.Is(err, domestic.ErrNoConsent) || !errors.Is(err, domestic.ErrInvalid) {
		t.Errorf("no consent: %v, want ErrNoConsent and ErrInvalid", err)
	}
	tests := []struct {
		name   string
		change func(*domestic.Application)
	}{
		{"a bad id", func(a *domestic.Application) { a.ID = "x" }},
		{"no conversation", func(a *domestic.Application) { a.Conversation = "" }},
		{"no roles", func(a *domestic.Application) { a.Roles = nil }},
		{"an unknown role", func(a *domestic.Application) { a.Roles = []domestic.Role{"autista"} }},
		{"a repeated role", func(a *domestic.Application) { a.Roles = []domestic.Role{domestic.Tata, domestic.Tata} }},
		{"four roles", func(a *domestic.Application) {
			a.Roles = []domestic.Role{domestic.Tata, domestic.Colf, domestic.Badante, domestic.Tata}
		}},
		{"negative years", func(a *domestic.Application) { a.Years = -1 }},
		{"too many years", func(a *domestic.Application) { a.Years = 61 }},
		{"a long experience", func(a *domestic.Application) { a.Experience = strings.Repeat("e", 301) }},
		{"a long availability", func(a *domestic.Application) { a.Availability = strings.Repeat("d", 201) }},
		{"an unknown certificate", func(a *domestic.Application) { a.Certificates = []string{"patente"} }},
		{"a repeated certificate", func(a *domestic.Application) { a.Certificates = []string{"oss", "oss"} }},
		{"municipio 0", func(a *domestic.Application) { a.Municipi = []int{0} }},
		{"a repeated municipio", func(a *domestic.Application) { a.Municipi = []int{2, 2} }},
		{"a bad language", func(a *domestic.Application) { a.Languages = []string{"IT"} }},
		{"a bad contact", func(a *domestic.Application) { a.Contact = "ana" }},
		{"an unknown status", func(a *domestic.Application) { a.Status = "assunta" }},
		{"no creation time", func(a *domestic.Application) { a.Created = time.Time{} }},
		{"closed without a time", func(a *domestic.Application) { a.Status = domestic.ApplicationAccepted }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := application(id(1), "web:7", t0)
			tt.change(&a)
			err := a.Validate()
			if !errors.Is(err, domestic.ErrInvalid) || errors.Is(err, domestic.ErrNoConsent) {
				t.Errorf("Validate = %v, want ErrInvalid only", err)
			}
		})
	}
	ok := application(id(1), "web:7", t0)
	ok.Municipi, ok.Certificates, ok.Experience, ok.Availability, ok.Years = nil, nil, "", "", 0
	if err := ok.Validate(); err != nil {
		t.Errorf("the optional fields left empty: %v", err)
	}
}
