package bot

// This file holds a card's details: what the card's buttons open, and what the lead
// flow answers when a citizen asks about the service in focus ("quanto costa?",
// "dove?", "chi lo fa?"). Every section is told from the catalogue's data and stays
// under maxReplyRunes.

import (
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// The sections of a service's details.
const (
	detailCost      = "cost"      // prices, free or not, ISEE reduction, vouchers
	detailWhen      = "when"      // time slots and the longest wait
	detailWhere     = "where"     // the Municipi served and the provider's office
	detailHow       = "how"       // how to request it
	detailContacts  = "contacts"  // the provider's phone, e-mail, website
	detailLanguages = "languages" // the languages it is offered in
	detailProvider  = "provider"  // who provides it
	detailAbout     = "about"     // what the service is, in full
)

// maxReplyRunes is about how long a reply may be: what a phone shows in one or two
// screens. Free text from the catalogue is cut to fit it.
const maxReplyRunes = 900

// Bounds, in runes, of the catalogue's free text inside a detail.
const (
	maxAboutRunes      = 700
	maxActivationRunes = 400
	maxCostNoteRunes   = 250
	maxOrgAboutRunes   = 400
)

// sectionCode is a section's one-letter form in button data: "det:<code>:<service
// id>" must fit a 48-character id and Telegram's signature into 64 bytes.
func sectionCode(section string) string {
	switch section {
	case detailCost:
		return "c"
	case detailWhen:
		return "t"
	case detailWhere:
		return "w"
	case detailHow:
		return "r"
	case detailContacts:
		return "k"
	case detailLanguages:
		return "l"
	case detailProvider:
		return "p"
	case detailAbout:
		return "a"
	}
	return ""
}

// sectionOfCode reads a section's code back.
func sectionOfCode(code string) (string, bool) {
	for _, s := range []string{detailCost, detailWhen, detailWhere, detailHow, detailContacts, detailLanguages, detailProvider, detailAbout} {
		if sectionCode(s) == code {
			return s, true
		}
	}
	return "", false
}

// validDetailArg reports whether a detail button's argument is "<code>:<service id>".
func validDetailArg(arg string) bool {
	code, id, _ := strings.Cut(arg, ":")
	_, ok := sectionOfCode(code)
	return ok && id != ""
}

// detail says one section of a service's details, with buttons for the card's other
// sections and back to the card. An unknown section shows the card.
func (cf *cardFlow) detail(t *Turn, s *catalogue.Service, section string) {
	var text string
	switch section {
	case detailCost:
		text = cf.costDetail(t, s)
	case detailWhen:
		text = cf.whenDetail(t, s)
	case detailWhere:
		text = cf.whereDetail(t, s)
	case detailHow:
		text = cf.howDetail(t, s)
	case detailContacts:
		text = cf.contactsDetail(t, s)
	case detailLanguages:
		text = cf.languagesDetail(t, s)
	case detailProvider:
		text = cf.providerDetail(t, s)
	case detailAbout:
		text = cf.aboutDetail(t, s)
	default:
		cf.card(t, s.ID)
		return
	}
	t.st.Misses, t.st.Focus = 0, s.ID
	var rows [][]Button
	if section == detailHow {
		rows = append(rows, append(cf.actionRow(t, s), btn(t.T("menu.spaces"), actSpaces)))
	}
	rows = append(rows, cf.detailRows(t, s, section)...)
	rows = append(rows, []Button{btn(t.T("button.back_card"), actService, s.ID), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: text, Buttons: rows})
}

// detailRows are the buttons of the card's sections, two a row, but the one shown.
func (cf *cardFlow) detailRows(t *Turn, s *catalogue.Service, except string) [][]Button {
	var rows [][]Button
	var row []Button
	for _, sec := range []string{detailCost, detailWhen, detailWhere, detailHow, detailContacts, detailAbout} {
		if sec == except {
			continue
		}
		row = append(row, btn(cf.sectionLabel(t, sec), actDetail, sectionCode(sec), s.ID))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// sectionLabel is the label of a section's button.
func (cf *cardFlow) sectionLabel(t *Turn, section string) string {
	switch section {
	case detailCost:
		return t.T("detail.button.cost")
	case detailWhen:
		return t.T("detail.button.when")
	case detailWhere:
		return t.T("detail.button.where")
	case detailHow:
		return t.T("detail.button.how")
	case detailContacts:
		return t.T("detail.button.contacts")
	case detailLanguages:
		return t.T("detail.button.languages")
	case detailProvider:
		return t.T("detail.button.provider")
	}
	return t.T("detail.button.about")
}

// costDetail: the prices alone and in a group, the unit, what the price includes,
// the ISEE reduction and the vouchers.
func (cf *cardFlow) costDetail(t *Turn, s *catalogue.Service) string {
	c := s.Cost
	lines := []string{t.T("detail.cost.title", "service", t.titleText(s))}
	if c.Free {
		return strings.Join(append(lines, t.T("detail.cost.free"), t.T("detail.cost.delivery", "how", cf.delivery(t, s.Delivery))), "\n")
	}
	unit := t.T("unit." + string(c.Unit))
	if c.Individual > 0 {
		lines = append(lines, t.T("detail.cost.individual", "price", t.euros(c.Individual), "unit", unit))
	}
	if sh := s.Delivery.Shared; c.Shared > 0 && sh != nil {
		lines = append(lines, t.T("detail.cost.shared", "price", t.euros(c.Shared), "unit", unit,
			"min", strconv.Itoa(sh.MinPeople), "max", strconv.Itoa(sh.MaxPeople)))
	}
	if c.Note != "" {
		lines = append(lines, t.T("detail.cost.note", "note", Literal(shorten(c.Note, maxCostNoteRunes))))
	}
	if r := c.ISEE; r != nil {
		lines = append(lines, t.T("card.isee", "percent", strconv.Itoa(r.ReductionPercent), "isee", t.euros(r.MaxISEE*100)), t.T("card.isee_help"))
	} else {
		lines = append(lines, t.T("detail.cost.no_isee"))
	}
	if c.Voucher {
		lines = append(lines, t.T("card.voucher"))
	}
	return strings.Join(lines, "\n")
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

// whenDetail: the days and hours, whether now is one of them, and the longest wait.
func (cf *cardFlow) whenDetail(t *Turn, s *catalogue.Service) string {
	lines := []string{t.T("detail.when.title", "service", t.titleText(s))}
	now, open := t.now.In(t.e.rome), false
	for _, sc := range s.Schedules {
		lines = append(lines, t.T("detail.when.slot", "days", t.days(sc.Days), "from", sc.OpensAt.String(), "to", sc.ClosesAt.String()))
		open = open || sc.Covers(now)
	}
	if open {
		lines = append(lines, t.T("detail.when.now_open"))
	} else {
		lines = append(lines, t.T("detail.when.now_closed"))
	}
	return strings.Join(append(lines, cf.wait(t, s)), "\n")
}

// whereDetail: the Municipi served (and whether the citizen's is one of them) and the
// provider's office.
func (cf *cardFlow) whereDetail(t *Turn, s *catalogue.Service) string {
	lines := []string{t.T("detail.where.title", "service", t.titleText(s)), t.T("detail.where.zones", "zones", t.zonesLine(s))}
	if m := t.st.Filters.Municipio; m != 0 {
		if s.Serves(m) {
			lines = append(lines, t.T("detail.where.yours", "n", strconv.Itoa(m)))
		} else {
			lines = append(lines, t.T("detail.where.not_yours", "n", strconv.Itoa(m)))
		}
	}
	if o := s.Organization; o != nil && o.Location.Address != "" {
		lines = append(lines, t.T("detail.where.office", "provider", Literal(providerShort(o.Name)),
			"address", Literal(o.Location.Address), "n", strconv.Itoa(o.Location.Municipio)))
	}
	return strings.Join(lines, "\n")
}

// howDetail: how to start the service, and who helps.
func (cf *cardFlow) howDetail(t *Turn, s *catalogue.Service) string {
	lines := []string{t.T("detail.how.title", "service", t.titleText(s)),
		t.T("detail.how.steps", "how", Literal(shorten(s.Activation, maxActivationRunes))), ""}
	if o := s.Organization; o != nil && (o.Phone != "" || o.Email != "") {
		lines = append(lines, t.T("detail.how.contact", "provider", Literal(providerShort(o.Name)), "contacts", Literal(joinNonEmpty(" · ", phoneOf(o), emailOf(o)))))
	}
	if t.e.flows.booking.bookable(t) {
		lines = append(lines, t.T("detail.how.book"))
	}
	return strings.Join(append(lines, t.T("detail.how.help")), "\n")
}

// contactsDetail: the provider's phone, e-mail, website and address.
func (cf *cardFlow) contactsDetail(t *Turn, s *catalogue.Service) string {
	o := s.Organization
	if o == nil {
		return t.T("detail.contacts.none")
	}
	lines := []string{t.T("detail.contacts.title", "provider", Literal(o.Name))}
	for _, l := range []string{phoneOf(o), emailOf(o), websiteOf(o)} {
		if l != "" {
			lines = append(lines, Literal(l))
		}
	}
	if len(lines) == 1 {
		lines = append(lines, t.T("detail.contacts.none"))
	}
	if o.Location.Address != "" {
		lines = append(lines, "🏠 "+Literal(o.Location.Address))
	}
	return strings.Join(lines, "\n")
}

// languagesDetail: the languages the service is offered in.
func (cf *cardFlow) languagesDetail(t *Turn, s *catalogue.Service) string {
	title := t.T("detail.languages.title", "service", t.titleText(s))
	if len(s.Languages) == 0 {
		return title + "\n" + t.T("detail.languages.none")
	}
	return title + "\n" + t.T("detail.languages.list", "languages", t.languageNames(s.Languages))
}

// providerDetail: who provides the service, what the provider is, and its office.
func (cf *cardFlow) providerDetail(t *Turn, s *catalogue.Service) string {
	o := s.Organization
	if o == nil {
		return t.T("detail.contacts.none")
	}
	lines := []string{t.T("detail.provider.title", "service", t.titleText(s)),
		t.T("detail.provider.who", "provider", Literal(o.Name), "kind", t.T("kind."+string(o.Kind)))}
	if o.Description != "" {
		lines = append(lines, t.T("detail.provider.about", "about", Literal(shorten(o.Description, maxOrgAboutRunes))))
	}
	if o.Location.Address != "" {
		lines = append(lines, "🏠 "+Literal(o.Location.Address))
	}
	return strings.Join(lines, "\n")
}

// aboutDetail: what the service is, in full (in the other languages, the summary:
// the full description is in Italian), and the languages it is offered in.
func (cf *cardFlow) aboutDetail(t *Turn, s *catalogue.Service) string {
	text := "ℹ️ *" + t.titleText(s) + "*\n"
	if summary, got := s.SummaryIn(t.st.Lang); t.st.Lang != defaultLang && got != defaultLang {
		text += Literal(t.translated(shorten(summary, maxAboutRunes), got)) + "\n" + t.T("card.italian_only")
	} else {
		text += Literal(shorten(s.Description, maxAboutRunes))
	}
	if len(s.Languages) > 0 {
		text += "\n" + t.T("detail.about.languages", "languages", t.languageNames(s.Languages))
	}
	return text
}

func phoneOf(o *catalogue.Organization) string   { return prefixed("📞 ", o.Phone) }
func emailOf(o *catalogue.Organization) string   { return prefixed("✉ ", o.Email) }
func websiteOf(o *catalogue.Organization) string { return prefixed("🌐 ", o.Website) }

// prefixed is value after its icon, or nothing when there is no value.
func prefixed(icon, value string) string {
	if value == "" {
		return ""
	}
	return icon + value
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
