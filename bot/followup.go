package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// This file holds how the search flow answers follow-ups: questions about the
// service in focus or the list, refinements of the current need (with no dead ends),
// and talk about the conversation (confusion, back, repeat, more).

// registerFollowUps routes the follow-ups' intents and the button that drops a filter.
func (sf *searchFlow) registerFollowUps(r *routes) {
	r.intent(IntentQuestion, func(_ context.Context, t *Turn, in Interpretation) {
		if m := in.Refine.Municipio; m != 0 {
			t.st.Filters.Municipio, t.st.Filters.Place = m, in.Refine.Place
		}
		sf.question(t, in.Topic, in.Button)
	})
	r.intent(IntentRefine, func(ctx context.Context, t *Turn, in Interpretation) { sf.refine(ctx, t, in.Refine) })
	r.intent(IntentConfused, showIntent(sf.confused))
	r.intent(IntentBack, showIntent(sf.back))
	r.intent(IntentRepeat, showIntent(sf.repeat))
	r.intent(IntentMore, showIntent(sf.more))
	r.intent(IntentBook, func(ctx context.Context, t *Turn, in Interpretation) { sf.book(ctx, t, in) })
	r.button(actDrop, func(ctx context.Context, t *Turn, b button) { sf.drop(ctx, t, b.arg) })
}

// question answers a question about the service in focus, or about each service of
// the page shown.
func (sf *searchFlow) question(t *Turn, topic, item string) {
	if _, id, ok := strings.Cut(item, ":"); ok && strings.HasPrefix(item, actService+":") {
		if s, ok := t.cat.Service(id); ok {
			t.st.Focus = s.ID
			sf.about(t, s, topic)
			return
		}
	}
	if s, ok := t.cat.Service(t.st.Focus); ok {
		sf.about(t, s, topic)
		return
	}
	ids := sf.pageIDs(t)
	if len(ids) == 0 {
		t.Say(Reply{Text: t.T("followup.nothing_shown"), Buttons: t.MainMenu()})
		return
	}
	if len(ids) == 1 {
		if s, ok := t.cat.Service(ids[0]); ok {
			t.st.Focus = s.ID
			sf.about(t, s, topic)
			return
		}
	}
	var b strings.Builder
	b.WriteString(t.T("followup.list." + topic))
	var rows [][]Button
	for _, id := range ids {
		s, ok := t.cat.Service(id)
		if !ok {
			continue
		}
		b.WriteString("\n• " + t.T("followup.item", "title", Literal(shorten(t.serviceTitle(s), 60)), "value", sf.topicValue(t, s, topic)))
		rows = append(rows, []Button{btn(shorten(t.serviceTitle(s), 60), actService, s.ID)})
	}
	rows = append(rows, []Button{t.gbtn(t.T("button.back_results"), actBack), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: b.String(), Buttons: rows})
}

// topicValue is one service's answer to a question, in a few words.
func (sf *searchFlow) topicValue(t *Turn, s *catalogue.Service, topic string) string {
	switch topic {
	case topicCost, topicFree, topicDetails:
		return t.costMark(s)
	case topicReduction:
		switch r := s.Cost.ISEE; {
		case r != nil:
			return t.T("followup.isee", "percent", strconv.Itoa(r.ReductionPercent), "isee", t.euros(r.MaxISEE*100))
		case s.Cost.Voucher:
			return t.T("followup.voucher_only")
		}
		return t.T("followup.no_reduction")
	case topicWhere:
		return t.municipi(s.Municipi)
	case topicWhen:
		return shorten(t.schedules(s.Schedules), 80) + "; " + t.Plural("followup.wait", s.MaxWaitDays, "days", strconv.Itoa(s.MaxWaitDays))
	case topicProvider:
		if o := s.Organization; o != nil {
			return Literal(o.Name)
		}
	case topicLanguages:
		return t.languageNames(s.Languages)
	case topicContacts:
		if o := s.Organization; o != nil {
			return Literal(strings.TrimSpace(o.Phone + " " + o.Email))
		}
	case topicHow:
		return Literal(shorten(s.Activation, 90))
	}
	return "—"
}

// about answers a question about one service from the catalogue's data: the card's
// section it asks for, after a plain yes or no when it asked whether it is free.
func (sf *searchFlow) about(t *Turn, s *catalogue.Service, topic string) {
	section := topic
	if topic == topicReduction {
		section = detailCost // it says the ISEE reduction and the vouchers
	}
	if topic == topicDetails {
		// Asked for: the one answer that may be long.
		cf := t.e.flows.card
		text := strings.Join([]string{cf.aboutDetail(t, s), cf.costDetail(t, s), cf.whenDetail(t, s),
			cf.whereDetail(t, s), cf.howDetail(t, s), cf.contactsDetail(t, s)}, "\n\n")
		t.st.Focus = s.ID
		t.Say(Reply{Text: text, Buttons: [][]Button{cf.actionRow(t, s),
			{btn(t.T("button.back_card"), actService, s.ID), btn(t.T("button.menu"), actMenu)}}})
		return
	}
	if topic == topicFree {
		section = detailCost
		if s.Cost.Free {
			t.Text("followup.is_free")
		} else {
			t.Text("followup.not_free", "cost", t.costMark(s))
		}
	}
	t.e.flows.card.detail(t, s, section)
}

// pageIDs returns the services of the page shown.
func (sf *searchFlow) pageIDs(t *Turn) []string { return pageOf(t.st, t.e.opts.PageSize) }

// pageOf returns the services of the page of st's results shown.
func pageOf(st *state, size int) []string {
	from := st.Page * size
	if from >= len(st.Results) {
		return nil
	}
	return st.Results[from:min(from+size, len(st.Results))]
}

// refine narrows or reorders the current need. A refinement that finds nothing says
// so and offers the nearest things that exist, and one tap to drop what it added.
func (sf *searchFlow) refine(ctx context.Context, t *Turn, r Refinement) {
	before, prev := t.st.Filters, slices.Clone(t.st.Results)
	f := &t.st.Filters
	if r.DropAll {
		*f = searchFilters{Cheapest: f.Cheapest}
	}
	if r.DropZone {
		f.Municipio, f.Place = 0, ""
	}
	// The cheapest, when only free ones were asked for, are among the paid ones.
	if r.DropFree || (r.Cheaper && f.Free && !r.Free) {
		f.Free = false
	}
	if r.Times != "" && !strings.Contains(catalogue.Fold(t.st.Query), r.Times) {
		t.st.Query += " " + r.Times // "anche la sera": the need, in the evening
	}
	f.Free = f.Free || r.Free
	f.Cheapest = f.Cheapest || r.Cheaper
	f.OpenNow = f.OpenNow || r.OpenNow
	if r.Municipio != 0 {
		f.Municipio, f.Place = r.Municipio, r.Place
	}
	if r.Audience != "" {
		f.Audience = r.Audience
	}
	switch {
	case r.Shared:
		f.Delivery = catalogue.DeliveryShared
	case r.Individual:
		f.Delivery = catalogue.DeliveryIndividual
	}
	found, _ := sf.run(ctx, t)
	switch {
	case found < 0:
	case found > 0:
		sf.noteExcluded(t, before, prev)
		sf.showPage(t, 0)
	default:
		sf.noDeadEnd(ctx, t, before, prev)
	}
}

// noteExcluded says when the best service before a refinement is not among its
// results — "Cat sitting" does not reach that Municipio — with one tap to drop the
// filters the refinement added.
func (sf *searchFlow) noteExcluded(t *Turn, before searchFilters, prev []string) {
	added := addedFilters(before, t.st.Filters)
	if len(prev) == 0 || len(added) == 0 || slices.Contains(t.st.Results, prev[0]) {
		return
	}
	s, ok := t.cat.Service(prev[0])
	if !ok {
		return
	}
	t.Say(Reply{Text: t.T("followup.excluded", "title", t.titleText(s), "filters", sf.describeFilters(t)),
		Buttons: [][]Button{{t.gbtn(t.T("followup.drop"), actDrop, strings.Join(added, "."))}}})
}

// noDeadEnd answers a refinement that found nothing: what exists with the new
// filters for the same people, and the need without them, cheapest first.
func (sf *searchFlow) noDeadEnd(ctx context.Context, t *Turn, before searchFilters, prev []string) {
	added := addedFilters(before, t.st.Filters)
	var rows [][]Button
	var b strings.Builder
	b.WriteString(t.T("followup.none_refined", "filters", sf.describeFilters(t)))
	if alt := sf.sameFiltersFor(ctx, t, prev); len(alt) > 0 {
		b.WriteString("\n\n" + t.T("followup.alt_filters"))
		rows = append(rows, sf.serviceRows(t, alt, &b)...)
	}
	if len(prev) > 0 {
		cheapest := slices.Clone(prev)
		sortByPrice(t.cat, cheapest)
		b.WriteString("\n\n" + t.T("followup.alt_need"))
		rows = append(rows, sf.serviceRows(t, cheapest[:min(3, len(cheapest))], &b)...)
	}
	// What is on the screen now is what follow-ups ("il primo", "quanto costa?") are
	// about.
	t.st.Results = shownServices(rows)
	t.st.Total = len(t.st.Results)
	rows = append(rows, []Button{t.gbtn(t.T("followup.drop"), actDrop, strings.Join(added, "."))},
		[]Button{btn(t.T("menu.operator"), actOperator), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: b.String(), Buttons: rows})
}

// sameFiltersFor searches the current filters, without the need's words, for the
// people the need's best service was for: no free babysitting, but free services
// for children.
func (sf *searchFlow) sameFiltersFor(ctx context.Context, t *Turn, prev []string) []string {
	f := t.st.Filters
	req := catalogue.SearchRequest{Lang: t.st.Lang, FreeOnly: f.Free, Municipio: f.Municipio,
		Audience: catalogue.Audience(f.Audience), Delivery: f.Delivery, Limit: 3}
	if len(prev) > 0 && req.Audience == "" {
		if s, ok := t.cat.Service(prev[0]); ok && len(s.Audiences) > 0 {
			req.Audience = s.Audiences[0]
		}
	}
	res, err := t.e.opts.Search.Search(ctx, req)
	if err != nil {
		t.e.log.WarnContext(ctx, "search for alternatives failed", "err", err)
		return nil
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Service.ID)
	}
	return ids
}

// serviceRows lists services one per line in b, and returns a button per service
// that opens its card.
func (sf *searchFlow) serviceRows(t *Turn, ids []string, b *strings.Builder) [][]Button {
	var rows [][]Button
	for _, id := range ids {
		if s, ok := t.cat.Service(id); ok {
			b.WriteString("\n• " + t.T("followup.item", "title", Literal(shorten(t.serviceTitle(s), 60)), "value", t.costMark(s)))
			rows = append(rows, []Button{btn(shorten(t.serviceTitle(s), 60), actService, s.ID)})
		}
	}
	return rows
}

// Names of filters, for the button that drops the ones a refinement added.
const (
	filterFree     = "free"
	filterZone     = "zone"
	filterFor      = "for"
	filterDelivery = "del"
	filterCheapest = "cheap"
	filterOpenNow  = "open"
)

// addedFilters names the filters after has that before had not.
func addedFilters(before, after searchFilters) []string {
	var out []string
	for _, c := range []struct {
		name  string
		added bool
	}{
		{filterFree, after.Free && !before.Free},
		{filterZone, after.Municipio != before.Municipio},
		{filterFor, after.Audience != before.Audience},
		{filterDelivery, after.Delivery != before.Delivery},
		{filterCheapest, after.Cheapest && !before.Cheapest},
		{filterOpenNow, after.OpenNow && !before.OpenNow},
	} {
		if c.added {
			out = append(out, c.name)
		}
	}
	return out
}

// drop removes the named filters ("free.zone") and searches again.
func (sf *searchFlow) drop(ctx context.Context, t *Turn, names string) {
	f := &t.st.Filters
	for _, n := range strings.Split(names, ".") {
		switch n {
		case filterFree:
			f.Free = false
		case filterZone:
			f.Municipio, f.Place = 0, ""
		case filterFor:
			f.Audience = ""
		case filterDelivery:
			f.Delivery = ""
		case filterCheapest:
			f.Cheapest = false
		case filterOpenNow:
			f.OpenNow = false
		}
	}
	sf.rerun(ctx, t)
}

// sortByPrice orders services free first, then by their lowest price.
func sortByPrice(cat *catalogue.Catalogue, ids []string) {
	price := func(id string) int {
		s, ok := cat.Service(id)
		switch {
		case !ok:
			return 1 << 30
		case s.Cost.Free:
			return 0
		}
		p := s.Cost.Individual
		if s.Cost.Shared > 0 && (p == 0 || s.Cost.Shared < p) {
			p = s.Cost.Shared
		}
		return p
	}
	slices.SortStableFunc(ids, func(a, b string) int { return price(a) - price(b) })
}

// confused answers a citizen who did not understand: what the bot can do, in plain
// words, and a person if they prefer.
func (sf *searchFlow) confused(t *Turn) {
	rows := [][]Button{{btn(t.T("menu.operator"), actOperator)}}
	if len(t.st.Results) > 0 {
		rows = append([][]Button{{t.gbtn(t.T("button.back_results"), actBack)}}, rows...)
	}
	rows = append(rows, []Button{btn(t.T("menu.categories"), actCats), btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: t.T("followup.confused"), Buttons: rows})
}

// back shows the list the card came from, or the page before, or the menu.
func (sf *searchFlow) back(t *Turn) {
	switch {
	case len(t.st.Results) > 0 && t.st.Focus != "":
		sf.showPage(t, min(t.st.Page, (len(t.st.Results)-1)/t.e.opts.PageSize))
	case len(t.st.Results) > 0 && t.st.Page > 0:
		sf.showPage(t, t.st.Page-1)
	default:
		t.e.flows.menu.menu(t)
	}
}

// repeat shows again the card or the page last shown.
func (sf *searchFlow) repeat(t *Turn) {
	switch {
	case t.st.Focus != "":
		t.e.flows.card.card(t, t.st.Focus)
	case len(t.st.Results) > 0:
		sf.showPage(t, min(t.st.Page, (len(t.st.Results)-1)/t.e.opts.PageSize))
	default:
		t.e.flows.menu.welcome(t)
	}
}

// more shows the next page of results, or says there are no more.
func (sf *searchFlow) more(t *Turn) {
	ps := t.e.opts.PageSize
	switch {
	case len(t.st.Results) == 0:
		t.e.flows.menu.askSearch(t)
	case (t.st.Page+1)*ps < len(t.st.Results):
		sf.showPage(t, t.st.Page+1)
	default:
		t.Say(Reply{Text: t.T("followup.no_more"), Buttons: sf.refineRows(t)})
	}
}

// arrange applies the filters the index does not know to the results: only what is
// open now, the cheapest first.
func (sf *searchFlow) arrange(t *Turn) {
	f := t.st.Filters
	if f.OpenNow {
		t.st.Results = slices.DeleteFunc(t.st.Results, func(id string) bool {
			s, ok := t.cat.Service(id)
			return !ok || !openAt(s.Schedules, t.now.In(t.e.rome))
		})
		t.st.Total = len(t.st.Results)
	}
	if f.Cheapest {
		sortByPrice(t.cat, t.st.Results)
	}
}

// openAt reports whether one of the schedules includes the moment.
func openAt(ss []catalogue.Schedule, at time.Time) bool {
	minute := catalogue.Clock(at.Hour()*60 + at.Minute())
	for _, s := range ss {
		if slices.Contains(s.Days, at.Weekday()) && s.OpensAt <= minute && minute < s.ClosesAt {
			return true
		}
	}
	return false
}

// shownServices returns the services that rows of buttons open, once each.
func shownServices(rows [][]Button) []string {
	var ids []string
	for _, row := range rows {
		for _, b := range row {
			if id, ok := strings.CutPrefix(b.Data, actService+":"); ok && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// book starts booking the service the bot's last message offered to book, or the
// one in focus; without either it is a need to search.
func (sf *searchFlow) book(ctx context.Context, t *Turn, in Interpretation) {
	for _, o := range t.st.Offered {
		if strings.HasPrefix(o.Data, actBook+":new:") {
			t.onButton(ctx, o.Data)
			return
		}
	}
	switch s, ok := t.cat.Service(t.st.Focus); {
	case ok:
		t.e.flows.card.request(t, s.ID) // how to request it, when it cannot be booked here
	case len(sf.pageIDs(t)) > 0:
		sf.question(t, topicHow, "") // "come si prenota?" of a list: how to request each
	default:
		t.e.routes.intents[IntentSearch](ctx, t, in)
	}
}
