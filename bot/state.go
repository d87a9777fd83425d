package bot

import (
	"encoding/json"
	"time"
)

// stateVersion is bumped when the state's meaning changes incompatibly; state of
// another version is discarded (the citizen starts again from the menu).
const stateVersion = 1

// maxResults bounds the results kept in state for paging: six pages.
const maxResults = 30

// maxRecent bounds the recent turns kept for an operator's handoff, and
// maxTurnRunes each of them.
const (
	maxRecent    = 10
	maxTurnRunes = 500
)

// state is everything the bot keeps about one conversation, saved after each message.
type state struct {
	V       int    `json:"v"`
	Lang    string `json:"lang"`
	LangSet bool   `json:"lang_set,omitempty"` // chosen explicitly, not guessed
	// Spoke says the citizen has written something: until then the language is the
	// app's hint, and their first words decide it.
	Spoke bool `json:"spoke,omitempty"`
	// LangKept are the languages the citizen chose not to go on in when asked.
	LangKept []string `json:"lang_kept,omitempty"`
	// LangOffer is the open question whether to go on in another language.
	LangOffer *langOffer `json:"lang_offer,omitempty"`

	// Flow and Step say what the bot is waiting for: "" (anything), "search" (a need
	// described in words), "near" (a location or a neighbourhood), "forget" (a
	// confirmation of erasure).
	Flow string `json:"flow,omitempty"`
	// LocationAsked says a reply asked for the location with a button that a channel
	// may still show: the next reply says the question is over (Reply.LocationDone).
	LocationAsked bool `json:"location_asked,omitempty"`
	// ForgetAsk is the id of the open question whether to erase the citizen's data:
	// its buttons carry it, so that the buttons of an answered question act no more.
	ForgetAsk string `json:"forget_ask,omitempty"`

	// The current search and its results, for paging and refining.
	Query    string        `json:"query,omitempty"` // what is searched
	Said     string        `json:"said,omitempty"`  // what the citizen wrote
	Filters  searchFilters `json:"filters,omitempty"`
	Results  []string      `json:"results,omitempty"` // service ids, best first
	Gen      int           `json:"gen,omitempty"`     // generation of the result set, for its buttons
	Total    int           `json:"total,omitempty"`
	Page     int           `json:"page,omitempty"`
	Category string        `json:"category,omitempty"` // the category being browsed
	// Offered are the buttons of the bot's last message, which the citizen may
	// answer by typing.
	Offered []offer `json:"offered,omitempty"`
	// Focus is the service whose card was shown last, which questions are about.
	Focus string `json:"focus,omitempty"`
	// Misses counts consecutive searches that found nothing the citizen wanted.
	Misses int `json:"misses,omitempty"`

	// Handoff is the conversation's open handoff to an operator: while it is open the
	// citizen's messages go to the operators and the bot stays quiet.
	Handoff *handoffState `json:"handoff,omitempty"`
	// Dom is the Tate/Colf/Badanti request or application being put together (Flow "dom").
	Dom *domDraft `json:"dom,omitempty"`
	// Draft is the booking being put together (Flow "book").
	Draft *bookingDraft `json:"draft,omitempty"`
	// Acts is the list of activities shown last, for paging; Enrol the enrolment
	// being put together (Flow "enrol").
	Acts  *activityQuery `json:"acts,omitempty"`
	Enrol *enrolDraft    `json:"enrol,omitempty"`
	// Voucher is a voucher payment being asked for (Flow "voucher"): the code,
	// until the holder's tax code is typed. It goes as soon as it is used, or the
	// flow is left.
	Voucher *voucherDraft `json:"voucher,omitempty"`
	// Handoffs are the ids of the conversation's latest handoffs, open or closed
	// (at most maxHandoffs), so that erasing the citizen's data reaches their
	// threads in the operators' desk too.
	Handoffs []string `json:"handoffs,omitempty"`
	// RateHandoff is the closed handoff the citizen is asked to rate.
	RateHandoff string `json:"rate_handoff,omitempty"`
	// Recent holds the last turns, for the operator who takes a handoff.
	Recent []turn `json:"recent,omitempty"`
	// SlowedAt is when the citizen was last asked to slow down.
	SlowedAt time.Time `json:"slowed_at,omitempty"`
	// Consents records what the citizen agreed to, and when.
	Consents map[string]time.Time `json:"consents,omitempty"`

	// GreetedOnly says the conversation has had nothing but the bare greeting: it is
	// kept Options.GreetingTTL, not IdleTTL.
	GreetedOnly bool `json:"greeted_only,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// handoffState is an open handoff.
type handoffState struct {
	ID       string    `json:"id"`
	Reason   string    `json:"reason"`
	Priority bool      `json:"priority,omitempty"`
	Opened   time.Time `json:"opened"`
	Operator string    `json:"operator,omitempty"` // first name of the operator who took it
}

// searchFilters refine a search.
type searchFilters struct {
	Free      bool   `json:"free,omitempty"`
	Municipio int    `json:"municipio,omitempty"`
	Audience  string `json:"audience,omitempty"`
	// Place is the neighbourhood a municipio came from, to tell the citizen.
	Place string `json:"place,omitempty"`
	// Delivery keeps only individual or shared services (catalogue.Delivery*).
	Delivery string `json:"delivery,omitempty"`
	// Cheapest orders the results by price, free first.
	Cheapest bool `json:"cheapest,omitempty"`
	// OpenNow keeps only services whose hours include now.
	OpenNow bool `json:"open_now,omitempty"`
}

// turn is one line of the conversation.
type turn struct {
	From string    `json:"from"` // "user", "bot" or "operator"
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// decodeState decodes a saved state: in the compact encoding (statecodec.go), or in
// JSON as it was saved before it. ok is false for a state of another version, or
// damaged: the conversation then starts again. The state may share b's bytes
// (decodeCompact): b must never change afterwards.
func decodeState(b []byte) (state, bool) {
	if isCompactState(b) {
		return decodeCompact(b)
	}
	return decodeStateJSON(b)
}

// decodeStateJSON decodes a state saved in JSON, which conversations saved before
// the compact encoding still hold, until their next message saves them again.
func decodeStateJSON(b []byte) (state, bool) {
	var st state
	if len(b) == 0 || json.Unmarshal(b, &st) != nil || st.V != stateVersion {
		return state{}, false
	}
	return st, true
}

// encode returns the state to save: in the compact encoding, or in JSON when
// asJSON (Options.JSONState).
func (st *state) encode(asJSON bool) ([]byte, error) {
	st.V = stateVersion
	if asJSON {
		return json.Marshal(st)
	}
	return st.encodeCompact()
}

// appendEncoding appends the state to save to b, as encode would return it.
func (st *state) appendEncoding(b []byte, asJSON bool) ([]byte, error) {
	st.V = stateVersion
	if !asJSON {
		return st.appendCompact(b)
	}
	data, err := json.Marshal(st)
	return append(b, data...), err
}

// maxHandoffs bounds the handoff ids a conversation keeps.
const maxHandoffs = 20

// rememberHandoff records a handoff's id, keeping only the last maxHandoffs.
func (st *state) rememberHandoff(id string) {
	st.Handoffs = append(st.Handoffs, id)
	if n := len(st.Handoffs); n > maxHandoffs {
		st.Handoffs = append([]string(nil), st.Handoffs[n-maxHandoffs:]...)
	}
}

// remember appends a turn, keeping only the last maxRecent.
func (st *state) remember(from, text string, at time.Time) {
	if n := len(st.Recent); n >= maxRecent {
		// Moved down in place: a turn would otherwise copy the transcript each time.
		st.Recent = append(st.Recent[:0], st.Recent[n-maxRecent+1:]...)
	}
	st.Recent = append(st.Recent, turn{From: from, Text: truncateRunes(text, maxTurnRunes), At: at})
}

// resetFlow leaves whatever the bot was waiting for.
func (st *state) resetFlow() { st.Flow, st.Voucher = "", nil }
