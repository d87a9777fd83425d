package bot_test

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/comune-milano/wemibot/i18n"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The dev set's format: bot/testdata/conversations/*.yaml, one file per theme, and
// bot/testdata/conversations/heldout/*.yaml, the same format, kept out of tuning.
//
//	conversations:
//	  - name: babysitting-price          # unique across the whole set
//	    lang: it                         # it | en: the citizen's app language
//	    note: why this conversation      # optional, for readers
//	    setup:                           # optional
//	      staff_desk: false              # default true: a staff desk is connected
//	      office_hours: false            # default true (Monday 10:00); false: Sunday 22:30
//	      at: "2026-11-25 19:30"         # optional, Europe/Rome; overrides office_hours
//	    turns:
//	      - say: cerco una babysitter    # exactly one of say, press, press_nth, share
//	        must: [babysitting]          # every one appears in the replies
//	      - say: e quanto si paga?
//	        must_any: [["€", gratuit]]   # in each group, at least one appears
//	        must_not: [busta paga]       # none appears
//	        max_chars: 900               # no reply's text is longer (in characters)
//	        alert: true                  # true: a priority staff event is raised in this
//	                                     # turn; false: none is
//
// press presses the most recent button whose label contains the text; press_nth the
// n-th button as the shell numbers them (1-based, across the last turn's replies);
// share sends a location, "45.4642, 9.19". Texts are compared after folding case,
// accents, apostrophes, *bold* marks and runs of spaces; they are matched against the
// replies' texts and their buttons' labels. Every turn must check something.

// devFile is one file of conversations.
type devFile struct {
	Conversations []devConversation `yaml:"conversations"`
}

// devConversation is one scripted conversation of a citizen with the bot.
type devConversation struct {
	Name  string    `yaml:"name"`
	Lang  string    `yaml:"lang"`
	Note  string    `yaml:"note"`
	Setup devSetup  `yaml:"setup"`
	Turns []devTurn `yaml:"turns"`

	file string // the file's base name, for the report
}

// devSetup is how the engine is wired and when the conversation takes place.
type devSetup struct {
	StaffDesk   *bool  `yaml:"staff_desk"`
	OfficeHours *bool  `yaml:"office_hours"`
	At          string `yaml:"at"`
}

// devTurn is one thing the citizen does and what the bot's answer must show.
type devTurn struct {
	Say      string     `yaml:"say"`
	Press    string     `yaml:"press"`
	PressNth int        `yaml:"press_nth"`
	Share    string     `yaml:"share"`
	Must     []string   `yaml:"must"`
	MustAny  [][]string `yaml:"must_any"`
	MustNot  []string   `yaml:"must_not"`
	MaxChars int        `yaml:"max_chars"`
	Alert    *bool      `yaml:"alert"`
	Note     string     `yaml:"note"`
}

// setupKey tells setups apart: conversations with equal keys can share an engine.
type setupKey struct {
	desk, open bool
	at         string
}

func (s devSetup) key() setupKey {
	return setupKey{desk: s.staffDesk(), open: s.OfficeHours == nil || *s.OfficeHours, at: s.At}
}

// staffDesk says whether the conversation has a staff desk connected.
func (s devSetup) staffDesk() bool { return s.StaffDesk == nil || *s.StaffDesk }

// clock returns when the conversation takes place.
func (s devSetup) clock(rome *time.Location) (time.Time, error) {
	switch {
	case s.At != "":
		return time.ParseInLocation("2006-01-02 15:04", s.At, rome)
	case s.OfficeHours != nil && !*s.OfficeHours:
		return time.Date(2026, 11, 22, 22, 30, 0, 0, rome), nil // a Sunday night
	default:
		return time.Date(2026, 11, 23, 10, 0, 0, 0, rome), nil // a Monday morning
	}
}

// action names what the citizen does in the turn, for reports.
func (t devTurn) action() string {
	switch {
	case t.Say != "":
		return "say «" + t.Say + "»"
	case t.Press != "":
		return "press «" + t.Press + "»"
	case t.PressNth > 0:
		return "press button " + strconv.Itoa(t.PressNth)
	default:
		return "share " + t.Share
	}
}

// parseDevFile reads one file of conversations, refusing unknown keys and anything
// the runner could not play or check.
func parseDevFile(name string, data []byte) ([]devConversation, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f devFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(f.Conversations) == 0 {
		return nil, fmt.Errorf("%s: no conversations", name)
	}
	var errs []error
	for i := range f.Conversations {
		c := &f.Conversations[i]
		c.file = name
		if err := c.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: conversation %d (%q): %w", name, i+1, c.Name, err))
		}
	}
	return f.Conversations, errors.Join(errs...)
}

func (c devConversation) validate() error {
	var errs []error
	if strings.TrimSpace(c.Name) == "" {
		errs = append(errs, errors.New("no name"))
	}
	if _, ok := i18n.Get(c.Lang); !ok {
		errs = append(errs, fmt.Errorf("lang %q: want one of %v", c.Lang, i18n.Codes()))
	}
	if _, err := c.Setup.clock(time.UTC); err != nil {
		errs = append(errs, fmt.Errorf("setup.at: %w", err))
	}
	if len(c.Turns) == 0 {
		errs = append(errs, errors.New("no turns"))
	}
	for i, t := range c.Turns {
		if err := t.validate(); err != nil {
			errs = append(errs, fmt.Errorf("turn %d: %w", i+1, err))
		}
		if t.Alert != nil && !c.Setup.staffDesk() {
			errs = append(errs, fmt.Errorf("turn %d: alert needs a staff desk", i+1))
		}
	}
	return errors.Join(errs...)
}

func (t devTurn) validate() error {
	actions := 0
	for _, set := range []bool{t.Say != "", t.Press != "", t.PressNth != 0, t.Share != ""} {
		if set {
			actions++
		}
	}
	if actions != 1 {
		return fmt.Errorf("%d actions: want exactly one of say, press, press_nth, share", actions)
	}
	if t.PressNth < 0 || t.MaxChars < 0 {
		return errors.New("press_nth and max_chars must be positive")
	}
	if t.Share != "" {
		if _, err := parsePoint(t.Share); err != nil {
			return err
		}
	}
	if len(t.Must)+len(t.MustAny)+len(t.MustNot) == 0 && t.MaxChars == 0 && t.Alert == nil {
		return errors.New("nothing to check: add must, must_any, must_not, max_chars or alert")
	}
	texts := slices.Concat(t.Must, t.MustNot)
	for _, g := range t.MustAny {
		if len(g) == 0 {
			return errors.New("an empty must_any group")
		}
		texts = append(texts, g...)
	}
	for _, s := range texts {
		if fold(s) == "" {
			return errors.New("an empty expected text")
		}
	}
	return nil
}

// loadDevSet reads every *.yaml file directly in dir.
func loadDevSet(dir string) ([]devConversation, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no conversation files in %s", dir)
	}
	var all []devConversation
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		convs, err := parseDevFile(filepath.Base(p), data)
		errs = append(errs, err)
		all = append(all, convs...)
	}
	return all, errors.Join(errs...)
}

// checkUniqueNames refuses two conversations with the same name anywhere in the sets.
func checkUniqueNames(sets ...[]devConversation) error {
	seen := map[string]string{}
	var errs []error
	for _, set := range sets {
		for _, c := range set {
			if prev, ok := seen[c.Name]; ok {
				errs = append(errs, fmt.Errorf("conversation %q in %s and %s", c.Name, prev, c.file))
			}
			seen[c.Name] = c.file
		}
	}
	return errors.Join(errs...)
}
