package reminders_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/reminders"
)

// TestUnreadable checks the dead letter of a stored reminder that does not decode:
// what did decode is kept, the rest filled in so that it can be listed and sorted.
func TestUnreadable(t *testing.T) {
	found := time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	due := found.Add(-time.Hour)
	tests := []struct {
		name, data  string
		booking     string
		due         time.Time
		wantAttempt int
	}{
		{"not JSON", `{"id":`, "", found, 0},
		{"a field of the wrong type", `{"id":"x","booking":"b1","due":"` + due.Format(time.RFC3339) + `","attempts":"many"}`, "b1", due, 0},
		{"attempts kept", `{"booking":"b2","attempts":2,"kind":7}`, "b2", found, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var partial reminders.Reminder
			err := json.Unmarshal([]byte(tt.data), &partial)
			if err == nil {
				t.Fatal("the data decodes")
			}
			got := reminders.Unreadable(partial, "b1:before-2h", err, found)
			if got.ID != "b1:before-2h" || got.Booking != tt.booking || !got.Due.Equal(tt.due) || got.Attempts != tt.wantAttempt {
				t.Errorf("Unreadable = %+v; want id b1:before-2h, booking %q, due %v, %d attempts", got, tt.booking, tt.due, tt.wantAttempt)
			}
			if want := reminders.UnreadableError + ": " + err.Error(); got.LastError != want {
				t.Errorf("LastError %q, want %q", got.LastError, want)
			}
		})
	}
}
