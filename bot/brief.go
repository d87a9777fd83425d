package bot

// This file holds the short forms that keep lists and cards to one line per item: a
// provider's name without its legal form, a price in a few characters, a cost in one
// line, where a service reaches in one line.

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/comune-milano/wemibot/catalogue"
)

// Bounds of one line of a list, in runes: a phone shows about 35–45 characters a line,
// so an item that needs two lines is still read as one.
const (
	maxListTitleRunes    = 50
	maxListProviderRunes = 28
)

// maxListItems is how many items a list shows in one message: more is scrolled past on
// a phone, and an older citizen loses the count.
const maxListItems = 5

// listLineBytes is room for one line of a list, in bytes, as most lines take: a
// list's text is grown once to hold its lines, not doubled as they come.
const listLineBytes = 100

// providerShort is a provider's name without the legal form it carries ("Arcobaleno
// Società Cooperativa Sociale Onlus" → "Arcobaleno", "Associazione Nonni Attivi ODV" →
// "Nonni Attivi"): in a list the name says who, the card says the rest.
func providerShort(name string) string {
	if short, ok := shortNames.Load(name); ok {
		return short.(string)
	}
	short := withoutLegalForm(name)
	if shortNamesKept.Add(1) <= maxShortNames {
		shortNames.Store(name, short)
	}
	return short
}

// shortNames remembers providerShort's answers: lists and cards show the same few
// providers on every turn. At most maxShortNames are kept (the catalogue has about
// fifty providers; reloads may bring new names).
var (
	shortNames     sync.Map
	shortNamesKept atomic.Int64
)

const maxShortNames = 4096

// withoutLegalForm works out providerShort.
func withoutLegalForm(name string) string {
	words := strings.Fields(name)
	end := len(words)
	word := func(i int) string { return strings.ToLower(strings.Trim(words[i], ".,;()")) }
	for headless := true; end > 0; end-- {
		w := word(end - 1)
		// "… di tipo B": the type of a social cooperative.
		if end >= 3 && (w == "a" || w == "b") && word(end-2) == "tipo" && word(end-3) == "di" {
			end -= 2
			continue
		}
		// Before "Cooperativa" only "Società" still belongs to the legal form:
		// "Naviglio Sociale Società Cooperativa Sociale" keeps its own "Sociale".
		if !legalFormWord(w) || !headless && w != "società" && w != "societa" && w != "soc" {
			break
		}
		// "Sociale" is part of the form only after "Cooperativa" or "Impresa".
		if w == "sociale" && (end < 2 || !slices.Contains([]string{"cooperativa", "coop", "impresa"}, word(end-2))) {
			break
		}
		headless = headless && w != "cooperativa" && w != "coop"
	}
	start := 0
	for start < end-1 && legalFormWord(word(start)) {
		start++
	}
	if start >= end {
		return name
	}
	return strings.Join(words[start:end], " ")
}

// legalFormWord reports whether a lower-case word belongs to an Italian legal form of a
// third-sector body or company (cooperativa sociale, ODV, APS, Onlus, ETS, srl...).
func legalFormWord(w string) bool {
	switch strings.ReplaceAll(w, ".", "") {
	case "società", "societa", "soc", "cooperativa", "coop", "sociale", "onlus", "odv", "aps", "ets",
		"impresa", "srl", "scs", "scrl", "arl", "spa", "associazione", "asd":
		return true
	}
	return false
}

// costMark is a service's cost in a few characters, for a list: "gratuito", "14 €/ora",
// "da 9,50 €/ora" when a group pays less than one person alone.
func (t *Turn) costMark(s *catalogue.Service) string {
	c := s.Cost
	if c.Free {
		return t.T("cost.free")
	}
	unit := t.unitShort(c.Unit)
	low, high := c.Individual, c.Shared
	if low == 0 || high > 0 && high < low {
		low, high = high, low
	}
	if high > 0 && high != low {
		return t.T("cost.mark_from", "price", t.euros(low), "unit", unit)
	}
	return t.T("cost.mark", "price", t.euros(low), "unit", unit)
}

// unitShort is a cost unit written after a price ("/ora").
func (t *Turn) unitShort(u catalogue.CostUnit) string {
	key := "unit_short." + string(u)
	if !t.e.texts.Has(key) {
		return " " + t.T("unit."+string(u))
	}
	return t.T(key)
}

// costLine is a service's cost in one line, for the card: the price alone and in a
// group, and whether an ISEE reduction or the City's vouchers lower it.
func (t *Turn) costLine(s *catalogue.Service) string {
	c := s.Cost
	if c.Free {
		return t.T("cost.free")
	}
	unit := t.T("unit." + string(c.Unit))
	var out string
	switch {
	case c.Individual > 0 && c.Shared > 0:
		out = t.T("cost.brief_both", "individual", t.euros(c.Individual), "shared", t.euros(c.Shared), "unit", unit)
	case c.Individual > 0:
		out = t.T("cost.per_unit", "price", t.euros(c.Individual), "unit", unit)
	default:
		out = t.T("cost.brief_shared", "price", t.euros(c.Shared), "unit", unit)
	}
	if c.ISEE != nil {
		out += " · " + t.T("cost.isee_short", "percent", strconv.Itoa(c.ISEE.ReductionPercent))
	}
	if c.Voucher {
		out += " · " + t.T("cost.voucher_short")
	}
	return out
}

// zonesLine says in a few words where a service reaches: "Municipi 1, 2, 3",
// "Municipio 4", "tutta Milano".
func (t *Turn) zonesLine(s *catalogue.Service) string {
	switch len(s.Municipi) {
	case 9:
		return t.T("zones.all")
	case 1:
		return t.T("where.zone", "n", strconv.Itoa(s.Municipi[0]))
	}
	return t.T("where.zones", "zones", t.municipi(s.Municipi))
}

// shortAddress is an address without its postcode and city ("corso San Gottardo 41,
// 20136 Milano" → "corso San Gottardo 41"): every WeMi address is in Milan.
func shortAddress(a string) string {
	street, _, _ := strings.Cut(a, ",")
	return strings.TrimSpace(street)
}

// writeListItem writes one line of a list of services: the title, the provider's short
// name and the cost.
func (t *Turn) writeListItem(b *strings.Builder, s *catalogue.Service) {
	b.WriteString("*")
	b.WriteString(Literal(shorten(t.serviceTitle(s), maxListTitleRunes)))
	b.WriteString("*")
	if o := s.Organization; o != nil {
		b.WriteString(" · ")
		b.WriteString(Literal(shorten(providerShort(o.Name), maxListProviderRunes)))
	}
	b.WriteString(" · ")
	b.WriteString(t.costMark(s))
}
