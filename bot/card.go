package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// cardFlow is the card flow: a service's card and its detail sections
// (carddetail.go).
type cardFlow struct{ e *Engine }

// maxCardLines bounds a card's summary: what a phone shows without scrolling, read at
// a glance; the rest is one button away.
const maxCardLines = 6

// card shows a service: a summary of at most six lines (what it is, who provides it,
// for whom, the cost, where, the wait) with buttons for the details.
func (cf *cardFlow) card(t *Turn, id string) {
	s, ok := t.cat.Service(id)
	if !ok {
		t.Stale()
		return
	}
	t.st.Misses = 0
	t.st.Focus = s.ID // questions are about it now
	t.Say(Reply{Text: cf.summary(t, s), Buttons: cf.cardRows(t, s)})
}

// summary is the card's text: one line each for the title, the provider, for whom,
// the cost, where and the wait.
func (cf *cardFlow) summary(t *Turn, s *catalogue.Service) string {
	lines := []string{"*" + t.titleText(s) + "*"}
	if o := s.Organization; o != nil {
		lines = append(lines, t.T("card.provider", "provider", Literal(providerShort(o.Name)), "kind", t.T("kind."+string(o.Kind))))
	}
	lines = append(lines,
		t.T("card.for", "who", cf.audiences(t, s.Audiences)),
		t.T("card.cost", "cost", t.costLine(s)),
		t.T("card.where", "where", t.zonesLine(s)),
		cf.wait(t, s))
	return strings.Join(lines, "\n")
}

// wait says the longest wait before the service starts.
func (cf *cardFlow) wait(t *Turn, s *catalogue.Service) string {
	if s.MaxWaitDays == 0 {
		return t.T("card.wait_none")
	}
	return t.Plural("card.wait", s.MaxWaitDays, "days", strconv.Itoa(s.MaxWaitDays))
}

// cardRows are the card's buttons: the details, what the citizen can do next, and the
// way back.
func (cf *cardFlow) cardRows(t *Turn, s *catalogue.Service) [][]Button {
	rows := cf.detailRows(t, s, "")
	rows = append(rows, cf.actionRow(t, s))
	last := []Button{btn(t.T("button.menu"), actMenu)}
	if len(t.st.Results) > 0 {
		last = append([]Button{t.gbtn(t.T("button.back_results"), actBack)}, last...)
	}
	return append(rows, last)
}

// actionRow offers to book the service when bookings go through the bot, and a
// person to talk to.
func (cf *cardFlow) actionRow(t *Turn, s *catalogue.Service) []Button {
	if t.e.flows.booking.bookable(t) {
		return []Button{btn(t.T("card.book"), actBook, "new", s.ID), btn(t.T("menu.operator"), actOperator)}
	}
	return []Button{btn(t.T("menu.operator"), actOperator)}
}

// request explains how to request a service (bookings come with their own flow).
func (cf *cardFlow) request(t *Turn, id string) {
	s, ok := t.cat.Service(id)
	if !ok || s.Organization == nil {
		t.Stale()
		return
	}
	cf.detail(t, s, detailHow)
}

func (cf *cardFlow) audiences(t *Turn, as []catalogue.Audience) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = t.T("audience." + string(a))
	}
	return strings.Join(names, ", ")
}

// register routes the card's buttons.
func (cf *cardFlow) register(r *routes) {
	r.button(actService, func(_ context.Context, t *Turn, b button) { cf.card(t, b.arg) })
	r.button(actRequest, func(_ context.Context, t *Turn, b button) { cf.request(t, b.arg) })
	r.button(actDetail, func(_ context.Context, t *Turn, b button) {
		code, id, _ := strings.Cut(b.arg, ":")
		s, ok := t.cat.Service(id)
		section, known := sectionOfCode(code)
		if !ok || !known {
			t.Stale()
			return
		}
		cf.detail(t, s, section)
	})
}
