package bot

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

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

// languageNames names ISO 639-1 codes in the citizen's language ("italiano,
// inglese"); a code without a translation shows as itself.
func (t *Turn) languageNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		key := "lang." + c
		if t.e.texts.Has(key) {
			names[i] = t.T(key)
		} else {
			names[i] = strings.ToUpper(c)
		}
	}
	return strings.Join(names, ", ")
}

func (t *Turn) serviceTitle(s *catalogue.Service) string {
	if t.st.Lang == "en" && s.NameEN != "" {
		return s.NameEN
	}
	return s.Name
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

// costShort is the cost in a few words, for a results list.
func (t *Turn) costShort(s *catalogue.Service) string {
	c := s.Cost
	switch {
	case c.Free:
		return t.T("cost.free")
	case c.Individual > 0:
		return t.T("cost.per_unit", "price", t.euros(c.Individual), "unit", t.T("unit."+string(c.Unit)))
	default:
		return t.T("cost.per_unit", "price", t.euros(c.Shared), "unit", t.T("unit."+string(c.Unit)))
	}
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

// euros formats cents as money in the citizen's language: 14,50 € or €14.50.
func (t *Turn) euros(cents int) string {
	whole, frac := cents/100, cents%100
	w := strconv.Itoa(whole)
	if whole >= 1000 {
		sep := "."
		if t.st.Lang == "en" {
			sep = ","
		}
		w = strconv.Itoa(whole/1000) + sep + fmt.Sprintf("%03d", whole%1000)
	}
	if t.st.Lang == "en" {
		if frac == 0 {
			return "€" + w
		}
		return fmt.Sprintf("€%s.%02d", w, frac)
	}
	if frac == 0 {
		return w + " €"
	}
	return fmt.Sprintf("%s,%02d €", w, frac)
}

func (t *Turn) municipi(ms []int) string {
	if len(ms) == 9 {
		return t.T("zones.all")
	}
	s := append([]int(nil), ms...)
	sort.Ints(s)
	parts := make([]string, len(s))
	for i, m := range s {
		parts[i] = strconv.Itoa(m)
	}
	return strings.Join(parts, ", ")
}

// schedules formats time slots as "lun–ven 08:00–19:30; sab 09:00–12:00".
func (t *Turn) schedules(ss []catalogue.Schedule) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		parts = append(parts, t.days(s.Days)+" "+s.OpensAt.String()+"–"+s.ClosesAt.String())
	}
	return strings.Join(parts, "; ")
}

// days names weekdays, collapsing runs: lun–ven, sab.
func (t *Turn) days(ds []time.Weekday) string {
	// Order Monday first.
	idx := func(d time.Weekday) int { return (int(d) + 6) % 7 }
	s := append([]time.Weekday(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return idx(s[i]) < idx(s[j]) })
	name := func(d time.Weekday) string { return t.T("day." + strconv.Itoa(int(d))) }
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j+1 < len(s) && idx(s[j+1]) == idx(s[j])+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, name(s[i])+"–"+name(s[j]))
		case j == i:
			parts = append(parts, name(s[i]))
		default:
			parts = append(parts, name(s[i]), name(s[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
