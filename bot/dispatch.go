package bot

import (
	"context"
	"strconv"
)

// Flows: what the bot waits for.
const (
	flowSearch = "search"
	flowNear   = "near"
	flowForget = "forget"
	flowZone   = "zone" // a Municipio number or a neighbourhood, for the results
	flowRate   = "rate" // a rating from 1 to 5, just asked
)

// dispatch routes a message that signals no danger, outside a handoff: a button, a
// location, or text in the light of what the bot was waiting for.
func (t *Turn) dispatch(ctx context.Context) {
	m := t.m
	switch {
	case m.Button != "":
		t.flow = "button"
		if b, ok := parseButton(m.Button); ok {
			t.flow = "button:" + b.action
		}
		t.onButton(ctx, m.Button)
	case m.Unsupported != "":
		t.flow = "unsupported"
		t.st.remember("user", "("+m.Unsupported+")", t.now)
		t.Say(Reply{Text: t.T("error.unsupported"), Buttons: t.MainMenu()})
	case m.Location != nil:
		t.flow = "location"
		t.st.remember("user", "(posizione)", t.now)
		if !validPoint(*m.Location) {
			t.e.flows.near.askNear(t)
			return
		}
		t.e.flows.near.nearPoint(ctx, t, *m.Location, "")
	default:
		t.flow = "text"
		t.onText(ctx, m.Text)
	}
}

// onText interprets a text, then acts on what it means.
func (t *Turn) onText(ctx context.Context, raw string) {
	in := t.e.interpret(raw, t.st)
	if tr := t.e.opts.Trace; tr != nil {
		tr(ctx, t.m.Conversation(), in)
	}
	switch in.Intent {
	case IntentTooLong:
		t.st.remember("user", truncateRunes(cleanText(raw), 200)+"…", t.now)
		t.Say(Reply{Text: t.T("error.too_long", "max", strconv.Itoa(t.e.opts.MaxMessageRunes)), Buttons: t.MenuRow()})
		return
	case IntentEmpty:
		t.Say(Reply{Text: t.T("error.empty"), Buttons: t.MainMenu()})
		return
	}
	if t.st.inForm() {
		// A form's answers (a care need, a contact) stay in the form: they are not
		// kept among the recent turns that go to staff with a later handoff.
		t.st.remember("user", t.T("turn.form_answer"), t.now)
	} else {
		t.st.remember("user", in.Text, t.now)
	}
	t.act(ctx, in)
}

// act runs the handler of an interpretation.
func (t *Turn) act(ctx context.Context, in Interpretation) {
	switch in.Intent {
	case IntentCommand:
		t.flow = "command"
		t.onCommand(ctx, command{name: in.Command, arg: in.Arg})
	case IntentAnswer:
		if h := t.e.routes.answers[in.Flow]; h != nil {
			h(ctx, t, in.Text)
			return
		}
		t.e.routes.intents[IntentSearch](ctx, t, in)
	default:
		t.e.routes.intents[in.Intent](ctx, t, in)
	}
}

// onCommand runs a command's handler; every command leaves what the bot was
// waiting for.
func (t *Turn) onCommand(ctx context.Context, c command) {
	t.st.resetFlow()
	h := t.e.routes.commands[c.name]
	if h == nil {
		t.Say(Reply{Text: t.T("error.unknown_command", "command", "/"+c.name), Buttons: t.MainMenu()})
		return
	}
	h(ctx, t, c.arg)
}

// onButton runs a button's handler, once the button is known to be valid and, for
// a list's buttons, current.
func (t *Turn) onButton(ctx context.Context, data string) {
	b, ok := parseButton(data)
	if !ok {
		t.Stale()
		return
	}
	t.st.remember("user", "["+b.action+"]", t.now)
	if resultBound(b.action) && b.gen != t.st.Gen {
		// A button of an older list: acting on the current one would replace the
		// wrong message.
		t.Say(Reply{Text: t.T("error.old_list"), Buttons: t.MainMenu()})
		return
	}
	if b.action != actForgetYes && b.action != actForgetNo {
		t.st.resetFlow()
	}
	if h := t.e.routes.buttons[b.action]; h != nil {
		h(ctx, t, b)
	}
}
