package records_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/records"
)

func TestValidateRecord(t *testing.T) {
	tests := []struct {
		name     string
		kind, id string
		ok       bool
	}{
		{"plain", "booking", "0123456789ab", true},
		{"longest", strings.Repeat("k", records.MaxKind), strings.Repeat("i", records.MaxID), true},
		{"empty kind", "", "x", false},
		{"long kind", strings.Repeat("k", records.MaxKind+1), "x", false},
		{"empty id", "booking", "", false},
		{"long id", "booking", strings.Repeat("i", records.MaxID+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := records.ValidateRecord(tc.kind, tc.id); (err == nil) != tc.ok {
				t.Errorf("ValidateRecord = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestValidateDoc(t *testing.T) {
	tests := []struct {
		name string
		size int
		ok   bool
	}{
		{"empty", 0, true},
		{"largest", records.MaxDoc, true},
		{"too large", records.MaxDoc + 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := records.ValidateDoc(make([]byte, tc.size)); (err == nil) != tc.ok {
				t.Errorf("ValidateDoc(%d bytes) = %v, want ok %v", tc.size, err, tc.ok)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := records.NewID()
		if !records.ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q (valid %v, seen before %v)", id, records.ValidID(id), seen[id])
		}
		seen[id] = true
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"0123456789ab", true},
		{"ffffffffffff", true},
		{"", false},
		{"0123456789a", false},
		{"0123456789abc", false},
		{"0123456789AB", false},
		{"0123456789ag", false},
		{"../../etc/pw", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := records.ValidID(tc.id); got != tc.ok {
				t.Errorf("ValidID(%q) = %v, want %v", tc.id, got, tc.ok)
			}
		})
	}
}
