package catalogue

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong in a catalogue file.
type Problem struct {
	File   string // path inside the catalogue folder
	Line   int    // 0 when unknown
	Record string // e.g. `service "arcobaleno-babysitting"`; empty for file-level problems
	Field  string // e.g. "cost.individual"; empty for record-level problems
	Msg    string
	// Warning marks a problem that does not stop the catalogue from being used (a
	// missing translation, an overlong summary).
	Warning bool
}

// String formats the problem as "file:line: record, field: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Record != "" {
		b.WriteString(p.Record)
		if p.Field != "" {
			b.WriteString(", field ")
			b.WriteString(p.Field)
		}
		b.WriteString(": ")
	} else if p.Field != "" {
		b.WriteString("field ")
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError lists every problem found in a catalogue. A catalogue with problems
// is refused whole.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Problems)
	if n == 1 {
		b.WriteString("the catalogue has 1 problem:")
	} else {
		fmt.Fprintf(&b, "the catalogue has %d problems:", n)
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects problems while a catalogue is loaded.
type problems struct {
	list []Problem
}

func (ps *problems) add(p Problem) { ps.list = append(ps.list, p) }

func (ps *problems) warn(p Problem) {
	p.Warning = true
	ps.list = append(ps.list, p)
}

// err returns the problems that are not warnings, as a *ValidationError, or nil.
func (ps *problems) err() error {
	errs := ps.sorted(false)
	if len(errs) == 0 {
		return nil
	}
	return &ValidationError{Problems: errs}
}

// warnings returns the warnings, in file and line order.
func (ps *problems) warnings() []Problem { return ps.sorted(true) }

func (ps *problems) sorted(warnings bool) []Problem {
	var out []Problem
	for _, p := range ps.list {
		if p.Warning == warnings {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return out
}
