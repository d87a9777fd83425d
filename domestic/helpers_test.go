package domestic_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/clocktest"
	"github.com/comune-milano/wemibot/domestic"
)

// loadPay returns the bundled pay data.
func loadPay(t testing.TB) *domestic.Pay {
	t.Helper()
	pay, err := domestic.LoadPay()
	if err != nil {
		t.Fatal(err)
	}
	return pay
}

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// openStore returns a Store on a bbolt file in a temporary folder, its records and
// the clock they share for expiries and retention.
func openStore(t *testing.T, openTTL, retention time.Duration) (*domestic.Store, *bolt.Store, *clocktest.Clock) {
	t.Helper()
	c := clocktest.New(t0)
	records, err := bolt.Open(filepath.Join(t.TempDir(), "domestic.db"), bolt.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { records.Close() })
	return domestic.NewStore(records, openTTL, retention, domestic.WithClock(c.Now)), records, c
}

// id returns the n-th test id.
func id(n int) string { return fmt.Sprintf("%012x", n) }

// request returns a valid request, sent at created.
func request(id, conversation string, created time.Time) domestic.Request {
	return domestic.Request{
		ID: id, Conversation: conversation, Lang: "it", FirstName: "Giulia",
		Role: domestic.Badante, Pattern: domestic.Convivente, HoursPerWeek: 54,
		Start: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Municipio: 8,
		CareFor:   "Mia madre, 87 anni, Alzheimer iniziale; cammina con il deambulatore",
		Languages: []string{"it", "es"}, Contact: "+39 333 123 4567", EstimateCents: 164879,
		Status: domestic.RequestSent, Created: created, Updated: created,
	}
}

// application returns a valid application, sent at created.
func application(id, conversation string, created time.Time) domestic.Application {
	return domestic.Application{
		ID: id, Conversation: conversation, Lang: "it", FirstName: "Ana",
		Roles: []domestic.Role{domestic.Badante, domestic.Colf}, Years: 6,
		Experience: "Anziani non autosufficienti, famiglie con bambini piccoli",
		Languages:  []string{"it", "ro"}, Certificates: []string{"asa", "primo_soccorso"},
		Municipi: []int{3, 4}, Availability: "Da lunedì a venerdì, anche di notte", LiveIn: true,
		Consent: created.Add(-time.Minute), Contact: "ana.popescu@example.org",
		Status: domestic.ApplicationSent, Created: created, Updated: created,
	}
}

func requestIDs(list []domestic.Request) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

func applicationIDs(list []domestic.Application) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.ID)
	}
	return out
}
