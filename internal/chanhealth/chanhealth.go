// Package chanhealth names where a channel adapter stands with its platform
// (Telegram, Slack), so that every adapter reports its health in the same words
// and readiness reads them once.
package chanhealth

// State is where a channel stands with its platform.
type State string

// The states every channel goes through.
const (
	// StateStarting: the platform has not answered yet.
	StateStarting State = "starting"
	// StateUp: the platform answers.
	StateUp State = "up"
	// StateDegraded: the platform does not answer, or refuses the channel's calls;
	// the adapter keeps trying.
	StateDegraded State = "degraded"
)

// Health is a channel's state and, when it is not up, a short reason that names the
// part that fails and how: never a token, never a person's words.
type Health struct {
	State  State
	Reason string
}
