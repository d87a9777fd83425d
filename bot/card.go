package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// cardFlow is the card flow: its handlers and what it keeps in the conversation state.
type cardFlow struct{ e *Engine }

// card shows everything a citizen needs to know about one service.
func (cf *cardFlow) card(t *Turn, id string) {
	s, ok := t.cat.Service(id)
	if !ok {
		t.Stale()
		return
	}
	t.st.Misses = 0
	t.st.Focus = s.ID // questions are about it now
	var b strings.Builder
	line := func(key string, kv ...string) { b.WriteString("\n" + t.T(key, kv...)) }
	b.WriteString("*" + t.serviceTitle(s) + "*")
	if o := s.Organization; o != nil {
		line("card.provider", "provider", o.Name, "kind", t.T("kind."+string(o.Kind)))
	}
	b.WriteString("\n")
	if t.st.Lang == "en" {
		b.WriteString("\n" + s.SummaryEN + "\n" + t.T("card.italian_only"))
	} else {
		b.WriteString("\n" + s.Description)
	}
	b.WriteString("\n")
	line("card.for", "who", cf.audiences(t, s.Audiences))
	line("card.delivery", "how", cf.delivery(t, s.Delivery))
	line("card.cost", "cost", cf.costLong(t, s))
	if r := s.Cost.ISEE; r != nil {
		line("card.isee", "percent", strconv.Itoa(r.ReductionPercent), "isee", t.euros(r.MaxISEE*100))
		line("card.isee_help")
	}
	if s.Cost.Voucher {
		line("card.voucher")
	}
	line("card.zones", "zones", t.municipi(s.Municipi))
	if o := s.Organization; o != nil && o.Location.Address != "" {
		line("card.address", "address", o.Location.Address)
	}
	if len(s.Languages) > 0 {
		line("card.languages", "languages", t.languageNames(s.Languages))
	}
	line("card.when", "when", t.schedules(s.Schedules))
	line("card.activation", "how", s.Activation)
	line(plural("card.wait", s.MaxWaitDays), "days", strconv.Itoa(s.MaxWaitDays))
	if o := s.Organization; o != nil {
		line("card.contacts", "phone", o.Phone, "email", o.Email, "website", o.Website)
	}
	rows := [][]Button{
		cf.requestRow(t, s),
	}
	last := []Button{btn(t.T("button.menu"), actMenu)}
	if len(t.st.Results) > 0 {
		last = append([]Button{t.gbtn(t.T("button.back_results"), actBack)}, last...)
	}
	t.Say(Reply{Text: b.String(), Buttons: append(rows, last)})
}

// requestRow offers to book the service when bookings go through the bot, else to
// learn how to request it.
func (cf *cardFlow) requestRow(t *Turn, s *catalogue.Service) []Button {
	if t.e.flows.booking.bookable(t) {
		return []Button{btn(t.T("card.book"), actBook, "new", s.ID), btn(t.T("card.request"), actRequest, s.ID)}
	}
	return []Button{btn(t.T("card.request"), actRequest, s.ID), btn(t.T("menu.operator"), actOperator)}
}

// request explains how to request a service (bookings come with their own flow).
func (cf *cardFlow) request(t *Turn, id string) {
	s, ok := t.cat.Service(id)
	if !ok || s.Organization == nil {
		t.Stale()
		return
	}
	t.Say(Reply{Text: t.T("request.how", "service", t.serviceTitle(s), "how", s.Activation,
		"provider", s.Organization.Name, "phone", s.Organization.Phone, "email", s.Organization.Email),
		Buttons: [][]Button{
			{btn(t.T("menu.operator"), actOperator), btn(t.T("menu.spaces"), actSpaces)},
			{btn(t.T("button.back_card"), actService, s.ID), btn(t.T("button.menu"), actMenu)}}})
}

func (cf *cardFlow) audiences(t *Turn, as []catalogue.Audience) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = t.T("audience." + string(a))
	}
	return strings.Join(names, ", ")
}

func (cf *cardFlow) delivery(t *Turn, d catalogue.Delivery) string {
	var parts []string
	if d.Individual {
		parts = append(parts, t.T("delivery.individual"))
	}
	if d.Shared != nil {
		parts = append(parts, t.T("delivery.shared", "min", strconv.Itoa(d.Shared.MinPeople), "max", strconv.Itoa(d.Shared.MaxPeople)))
	}
	return strings.Join(parts, "; ")
}

// costLong is the full cost: individual and shared prices.
func (cf *cardFlow) costLong(t *Turn, s *catalogue.Service) string {
	c := s.Cost
	if c.Free {
		return t.T("cost.free")
	}
	unit := t.T("unit." + string(c.Unit))
	var parts []string
	if c.Individual > 0 {
		parts = append(parts, t.T("cost.individual", "price", t.euros(c.Individual), "unit", unit))
	}
	if c.Shared > 0 {
		parts = append(parts, t.T("cost.shared", "price", t.euros(c.Shared), "unit", unit))
	}
	out := strings.Join(parts, "; ")
	if c.Note != "" && t.st.Lang == defaultLang {
		out += " (" + c.Note + ")"
	}
	return out
}

// register routes the card's buttons.
func (cf *cardFlow) register(r *routes) {
	r.button(actService, func(_ context.Context, t *Turn, b button) { cf.card(t, b.arg) })
	r.button(actRequest, func(_ context.Context, t *Turn, b button) { cf.request(t, b.arg) })
}
