package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
)

// shell chats with the engine in the terminal, on the embedded store: buttons are
// numbered and a number presses one; "pos 45.46, 9.19" shares a location and "pos
// Niguarda" asks for what is near a neighbourhood.
func (c *cli) shell(ctx context.Context, args []string) error {
	fs := c.flagSet("shell", mainUsage)
	lang := fs.String("lang", "", "the terminal's language, a hint: what you write decides (it, en, es...)")
	debug := fs.Bool("debug", false, "print how each message was understood before the reply")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: shell takes no arguments", errUsage)
	}
	if _, ok := i18n.Get(*lang); *lang != "" && !ok {
		return fmt.Errorf("%w: --lang must be one of %s", errUsage, strings.Join(i18n.Codes(), ", "))
	}
	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	idx, err := c.buildIndex(ctx, cat)
	if err != nil {
		return err
	}
	defer idx.Close()
	store, _, err := c.openStores(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	staff := &terminalStaff{w: c.stdout}
	sh := &terminal{out: c.stdout, lang: *lang, hint: *lang, staff: staff,
		session: strconv.FormatInt(time.Now().UnixNano(), 36)}
	// Bookings and Tate/Colf/Badanti requests need staff to handle them: the shell,
	// with no desk, explains how to request a service instead.
	opts := bot.Options{Search: idx, Store: store, Staff: staff,
		Pushers: map[string]bot.Pusher{"shell": sh}, IdleTTL: c.cfg.IdleTTL, ReplyWithin: c.cfg.ReplyWithin}
	if *debug {
		opts.Trace = func(_ context.Context, _ string, in bot.Interpretation) {
			fmt.Fprintf(c.stdout, "[debug] %s\n", in)
		}
	}
	engine, err := bot.New(opts)
	if err != nil {
		return err
	}
	return sh.run(ctx, engine, c.stdin)
}

// terminal is one shell session: built before the engine, whose Pusher it is, and run
// with it.
type terminal struct {
	out     io.Writer
	lang    string       // the language of the shell's own words: the conversation's
	hint    string       // the language given with --lang, passed as the app's
	buttons []bot.Button // the numbered buttons of the last replies
	session string       // distinguishes this session's update ids
	update  int
	staff   *terminalStaff
}

// Push implements bot.Pusher: an operator's messages, typed in this same terminal,
// are printed like the bot's.
func (s *terminal) Push(_ context.Context, _ string, replies []bot.Reply) error {
	s.buttons = s.buttons[:0]
	for _, r := range replies {
		s.print(r)
		if r.Lang != "" {
			s.lang = r.Lang // the shell's own words follow the conversation's
		}
	}
	return nil
}

// operator plays the operator's part of a handoff: "!op text" answers the citizen,
// "!prendo" claims the handoff and "!chiudi" closes it. It reports whether the line
// was such a command.
func (s *terminal) operator(ctx context.Context, engine *bot.Engine, line string) bool {
	var a bot.StaffAction
	switch {
	case line == "!prendo":
		a.Kind = bot.StaffClaim
	case line == "!chiudi":
		a.Kind = bot.StaffClose
	case strings.HasPrefix(line, "!op "):
		a.Kind, a.Text = bot.StaffReply, strings.TrimPrefix(line, "!op ")
	default:
		return false
	}
	a.Conversation, a.Handoff = s.staff.current()
	a.Operator = "Operatore"
	if a.Handoff == "" {
		fmt.Fprintln(s.out, "[staff desk] no handoff is open")
		return true
	}
	if err := engine.FromStaff(ctx, a); err != nil {
		fmt.Fprintf(s.out, "[staff desk] %v\n", err)
	}
	return true
}

// run chats with engine, reading the citizen's lines from in, until in ends.
func (s *terminal) run(ctx context.Context, engine *bot.Engine, in io.Reader) error {
	fmt.Fprintln(s.out, engine.Texts().T(s.lang, "channel.shell_intro"))
	if err := s.send(ctx, engine, bot.Message{Text: "/start"}); err != nil {
		return err
	}
	r := bufio.NewReader(in)
	for {
		fmt.Fprint(s.out, "> ")
		line, err := readLine(r)
		line = strings.TrimSpace(line)
		if n, err := strconv.Atoi(line); err == nil && len(s.buttons) > 0 && (n < 1 || n > len(s.buttons)) {
			fmt.Fprintln(s.out, engine.Texts().T(s.lang, "channel.no_such_button", "n", line, "max", strconv.Itoa(len(s.buttons))))
		} else if s.operator(ctx, engine, line) {
			// played the operator
		} else if line != "" {
			if serr := s.send(ctx, engine, s.message(line)); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(s.out)
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the terminal: %w", err)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// message turns a typed line into a message: a button number, a location, or text.
func (s *terminal) message(line string) bot.Message {
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(s.buttons) {
		return bot.Message{Button: s.buttons[n-1].Data}
	}
	if rest, ok := strings.CutPrefix(line, "pos "); ok {
		if p, ok := parsePoint(rest); ok {
			return bot.Message{Location: &p}
		}
		return bot.Message{Text: "/vicino " + rest}
	}
	return bot.Message{Text: line}
}

// send hands a message to engine and prints the replies.
func (s *terminal) send(ctx context.Context, engine *bot.Engine, m bot.Message) error {
	s.update++
	// Update ids must not repeat across sessions, or the store drops them as seen.
	m.Channel, m.UserID, m.UpdateID = "shell", "local", s.session+"-"+strconv.Itoa(s.update)
	m.LangCode = s.hint
	replies, err := engine.Handle(ctx, m)
	if err != nil && !errors.Is(err, bot.ErrUnavailable) && !errors.Is(err, bot.ErrDuplicate) {
		return err
	}
	if len(replies) > 0 {
		s.buttons = s.buttons[:0]
	}
	for _, r := range replies {
		s.print(r)
		if r.Lang != "" {
			s.lang = r.Lang // the shell's own words follow the conversation's
		}
	}
	return nil
}

func (s *terminal) print(r bot.Reply) {
	if r.Text != "" {
		fmt.Fprintln(s.out, bot.Plain(r.Text))
	}
	for _, row := range r.Buttons {
		var cells []string
		var links []string
		for _, b := range row {
			if b.URL != "" {
				// A link sends nothing back: the terminal shows where it leads.
				links = append(links, fmt.Sprintf("  🔗 %s: %s", b.Label, b.URL))
				continue
			}
			s.buttons = append(s.buttons, b)
			cells = append(cells, fmt.Sprintf("[%d] %s", len(s.buttons), b.Label))
		}
		if len(cells) > 0 {
			fmt.Fprintln(s.out, "  "+strings.Join(cells, "   "))
		}
		for _, l := range links {
			fmt.Fprintln(s.out, l)
		}
	}

	if r.AskLocation != "" {
		fmt.Fprintf(s.out, "  %s: pos <lat>, <lon>\n", r.AskLocation) // the shell's way to share one
	}
	if l := r.Location; l != nil {
		fmt.Fprintf(s.out, "📍 %s — %s (%.5f, %.5f)\n", l.Name, l.Address, l.Point.Lat, l.Point.Lon)
	}
	if d := r.Document; d != nil {
		fmt.Fprintf(s.out, "📎 %s (%d bytes)\n", d.Name, len(d.Data))
	}
	fmt.Fprintln(s.out)
}

// parsePoint reads "45.46, 9.19".
func parsePoint(s string) (catalogue.Point, bool) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return catalogue.Point{}, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return catalogue.Point{}, false
	}
	return catalogue.Point{Lat: lat, Lon: lon}, true
}

// terminalStaff shows staff events in the terminal, where no staff desk is connected,
// and remembers the open handoff for the operator's commands.
type terminalStaff struct {
	w            io.Writer
	mu           sync.Mutex
	conversation string
	handoff      string
}

// Notify implements bot.Staff.
func (s *terminalStaff) Notify(_ context.Context, e bot.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prio := ""
	if e.Priority {
		prio = " (PRIORITY)"
	}
	switch e.Kind {
	case bot.EventHandoff, bot.EventEmergency:
		if e.Handoff != "" {
			s.conversation, s.handoff = e.Conversation, e.Handoff
		}
		fmt.Fprintf(s.w, "[staff desk] %s%s: %s — answer with !op <text>, !prendo, !chiudi\n", e.Kind, prio, e.Reason)
	case bot.EventRelay:
		fmt.Fprintf(s.w, "[staff desk] citizen%s: %s\n", prio, e.Text)
	case bot.EventHandoffEnded:
		if e.Handoff != s.handoff {
			return nil // an earlier handoff, erased with the citizen's data
		}
		s.handoff = ""
		fmt.Fprintf(s.w, "[staff desk] handoff ended: %s\n", e.Reason)
	case bot.EventRating:
		fmt.Fprintf(s.w, "[staff desk] rated %d/5\n", e.Score)
	default:
		fmt.Fprintf(s.w, "[staff desk] %s%s: %s\n", e.Kind, prio, e.Reason)
	}
	return nil
}

// current returns the open handoff.
func (s *terminalStaff) current() (conversation, handoff string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conversation, s.handoff
}
