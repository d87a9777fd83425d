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
