package bot

import "context"

// A buttonHandler acts on a pressed button.
type buttonHandler func(ctx context.Context, t *Turn, b button)

// A commandHandler acts on a command ("/vicino Niguarda") and its argument.
type commandHandler func(ctx context.Context, t *Turn, arg string)

// An answerHandler takes free text while its flow waits for it (a form's answer, a
// neighbourhood, a confirmation).
type answerHandler func(ctx context.Context, t *Turn, text string)

// An intentHandler acts on what a text was understood to mean.
type intentHandler func(ctx context.Context, t *Turn, in Interpretation)

// routes say which handler acts on each button action, command, waiting flow and
// intent. Each flow registers its own (its register method); the engine routes every
// message through them (dispatch.go).
type routes struct {
	buttons  map[string]buttonHandler  // by button action
	commands map[string]commandHandler // by command name, every alias
	answers  map[string]answerHandler  // by state.Flow
	intents  map[Intent]intentHandler
}

// button registers what a button action does.
func (r *routes) button(action string, h buttonHandler) { r.buttons[action] = h }

// command registers a command under each of its names.
func (r *routes) command(h commandHandler, names ...string) {
	for _, n := range names {
		r.commands[n] = h
	}
}

// answer registers who takes free text while flow waits for it.
func (r *routes) answer(flow string, h answerHandler) { r.answers[flow] = h }

// intent registers what an intent does.
func (r *routes) intent(in Intent, h intentHandler) { r.intents[in] = h }

// registrar is a flow that routes messages to itself.
type registrar interface{ register(r *routes) }

// newRoutes collects every flow's routes.
func newRoutes(f flows) routes {
	r := routes{buttons: map[string]buttonHandler{}, commands: map[string]commandHandler{},
		answers: map[string]answerHandler{}, intents: map[Intent]intentHandler{}}
	for _, fl := range f.all() {
		fl.register(&r)
	}
	return r
}

// Handlers that only show something, whatever the button's or command's argument.
func show(f func(t *Turn)) buttonHandler {
	return func(_ context.Context, t *Turn, _ button) { f(t) }
}

func showCommand(f func(t *Turn)) commandHandler {
	return func(_ context.Context, t *Turn, _ string) { f(t) }
}

func showIntent(f func(t *Turn)) intentHandler {
	return func(_ context.Context, t *Turn, _ Interpretation) { f(t) }
}

// press acts on a typed answer as on the button it names.
func press(ctx context.Context, t *Turn, in Interpretation) { t.onButton(ctx, in.Button) }

// thenShow resets the flow the bot was waiting in, then shows f.
func thenShow(f func(t *Turn)) intentHandler {
	return func(_ context.Context, t *Turn, _ Interpretation) {
		t.st.resetFlow()
		f(t)
	}
}
