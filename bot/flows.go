package bot

// flows are the engine's conversation flows. Each flow is a type in its own file(s)
// that owns its handlers, the part of the state it drafts in, and its texts (keys
// prefixed with its name); routes.go says which messages reach which handler.
type flows struct {
	menu        *menuFlow
	search      *searchFlow
	card        *cardFlow
	near        *nearFlow
	booking     *bookingFlow
	domestic    *domesticFlow
	application *applicationFlow
	handoff     *handoffFlow
	privacy     *privacyFlow
	emergency   *emergencyFlow
	language    *languageFlow
	activities  *activitiesFlow
}

// all lists the flows in the order they register their routes: adding a flow is
// one line here (and one field above, for the flows that call it).
func (f flows) all() []registrar {
	return []registrar{f.menu, f.search, f.card, f.near, f.booking, f.domestic, f.application,
		f.handoff, f.privacy, f.emergency, f.language, f.activities}
}

// newFlows builds every flow of e.
func newFlows(e *Engine) flows {
	return flows{
		menu: &menuFlow{e}, search: &searchFlow{e}, card: &cardFlow{e}, near: &nearFlow{e},
		booking: &bookingFlow{e}, domestic: &domesticFlow{e}, application: &applicationFlow{e},
		handoff: &handoffFlow{e}, privacy: &privacyFlow{e}, emergency: &emergencyFlow{e},
		language: &languageFlow{}, activities: &activitiesFlow{e},
	}
}
