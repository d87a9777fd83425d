package hsds_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// Booking rules travel as WeMi attributes and come back as the `booking:` block.
func TestBookingRulesTravelAsAttributes(t *testing.T) {
	cat := bundled(t)
	s := cat.Services[0]
	saved := s.Rules
	t.Cleanup(func() { s.Rules = saved })
	day := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 0, 0, 0, 0, time.UTC) }
	s.Rules = catalogue.BookingRules{MinQuantity: 2, MaxQuantity: 6, LeadTime: 48 * time.Hour, Horizon: 60 * 24 * time.Hour,
		Venue: catalogue.AtHome, OpenOnHolidays: true,
		Closures: []catalogue.Closure{{From: day(8, 9), To: day(8, 20), Reason: "Ferie estive", ReasonEN: "Summer break"}},
		Refund:   catalogue.RefundPolicy{FullBefore: 48 * time.Hour, PartialBefore: 24 * time.Hour, PartialPercent: 50}}

	d, err := hsds.Export(cat)
	if err != nil {
		t.Fatal(err)
	}
	var in hsds.Input
	for _, sv := range d.Services {
		b, _ := json.Marshal(sv)
		var back hsds.Service
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		in.Services = append(in.Services, back)
	}
	in.Organizations = d.Organizations
	f, _, err := hsds.Import(&in, cat)
	if err != nil {
		t.Fatal(err)
	}
	var got *hsds.BookingRecord
	for _, r := range f.Services {
		if r.ID == s.ID {
			got = r.Booking
		}
	}
	n := func(v int) *int { return &v }
	want := &hsds.BookingRecord{MinQuantity: n(2), MaxQuantity: n(6), LeadHours: n(48), HorizonDays: n(60),
		Venue: "domicilio", OpenOnHolidays: true,
		Closures: []hsds.ClosureRecord{{From: "2027-08-09", To: "2027-08-20", Reason: "Ferie estive", ReasonEN: "Summer break"}},
		Refund:   &hsds.RefundRecord{FullHoursBefore: n(48), PartialHoursBefore: n(24), PartialPercent: n(50)}}
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		t.Errorf("booking rules after the round trip: %s", gb)
	}
}

// Saving never writes over a folder that holds something, and leaves nothing
// behind when the result is not a valid catalogue.
func TestSaveIsAllOrNothing(t *testing.T) {
	base, err := catalogue.BundledFS()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	os.MkdirAll(full, 0o755)
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644)
	if _, err := (&hsds.Folder{}).Save(full, base); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("saving over a folder with files: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(b) != "mine" {
		t.Error("the folder's file was touched")
	}

	bad := &hsds.Folder{Services: []hsds.ServiceRecord{{ID: "x", Organization: "nobody", Category: "educativo"}}}
	out := filepath.Join(dir, "out")
	if _, err := bad.Save(out, base); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("saving an invalid catalogue: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
