package bot

import (
	"context"
	"time"
)

// Staff receives the events operators must see: handoff requests and emergencies.
type Staff interface {
	Notify(ctx context.Context, e Event) error
}

// EventKind says what an Event is about.
type EventKind string

// The events the engine raises.
const (
	EventHandoff   EventKind = "handoff"
	EventEmergency EventKind = "emergency"
)

// Event is something staff must act on.
type Event struct {
	Kind         EventKind
	Priority     bool // answer before anything else
	Conversation string
	Channel      string
	Lang         string
	FirstName    string
	Reason       string // why: "asked", "no_results", the kind of danger; for EventHandoffEnded "citizen" or "forgotten"
	Handoff      string // the open handoff's id, for every event raised while one is open
	Text         string // EventRelay: the citizen's message
	Score        int    // EventRating: 1-5
	Booking      string // the booking an event is about
	// Offset, for EventReminderFailed, is how long before the service the reminder
	// was due; zero for the follow-up after it.
	Offset time.Duration
	// Card is the desk's reference of the card an event is about, when the engine
	// knows it (a booking erased with the citizen's data: the card must forget them).
	Card string
	// AnswerFrom, for a handoff asked outside office hours, is when the citizen was
	// told someone would answer; zero during office hours.
	AnswerFrom time.Time
	// Moved, for EventBookingMoved, is the start the citizen moved the booking to
	// (or asked for, when it was confirmed).
	Moved  time.Time
	Query  string // what the citizen last searched for
	Recent []Line // the last turns of the conversation
	At     time.Time
}

// Line is one line of a conversation shown to staff.
type Line struct {
	From string // "user", "bot" or "operator"
	Text string
	At   time.Time
}
