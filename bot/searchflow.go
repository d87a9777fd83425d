package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
)

// searchFlow is the search flow: its handlers and what it keeps in the conversation state.
type searchFlow struct{ e *Engine }

// minRelativeScore is the share of the best hit's score a hit needs to be shown.
const minRelativeScore = 0.4

// gbtn builds a button bound to the current result set.
func (t *Turn) gbtn(label, action string, arg ...string) Button {
	b := btn(label, action, arg...)
	b.Data += genSuffix + strconv.Itoa(t.st.Gen)
	return b
}

// shorten cuts text to at most n runes at a word boundary, marking the cut.
func shorten(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := truncateRunes(text, n-1)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// missesForHandoff is how many searches in a row may find nothing the citizen wanted
// before the bot calls an operator.
const missesForHandoff = 2

// search runs a new search from a citizen's words. A neighbourhood named in the text
// ("babysitter a Niguarda") narrows it to that Municipio, and "gratis" to free
// services.
func (sf *searchFlow) search(ctx context.Context, t *Turn, text string) {
	need, where := t.e.situationAndNeed(withoutMarkup(text))
	t.st.Query, t.st.Said, t.st.Focus = need, text, ""
	if t.st.Query == "" {
		t.st.Query = text
	}
	t.st.Category = ""
	t.st.Filters = searchFilters{Municipio: where.Municipio, Place: where.Place}
	if n, rest, ok := t.e.lexicon.municipio(catalogue.Fold(t.st.Query)); ok && strings.TrimSpace(rest) != "" {
		// "sto al municipio 4 e cerco compagnia": the number narrows the search.
		t.st.Query, t.st.Filters.Municipio, t.st.Filters.Place = strip(rest, t.e.lexicon.places), n, ""
	}
	if t.e.mentions(intentFree, t.st.Query) {
		if rest := t.e.without(intentFree, t.st.Query); strings.TrimSpace(rest) != "" {
			t.st.Query, t.st.Filters.Free = rest, true
		}
	}
	if d, rest, ok := t.e.lexicon.deliveryIn(catalogue.Fold(t.st.Query)); ok {
		// "in condivisione", "one-to-one": the portal's filter, not words of the need.
		t.st.Query, t.st.Filters.Delivery = rest, d
	}
	if a, rest, ok := t.cat.Milan.FindAddress(t.st.Query); ok && a.Known() && len(t.e.lexicon.content(rest)) > 0 {
		// "psicologo in via Padova": the street says where, in which Municipio.
		t.st.Query = strip(rest, t.e.lexicon.places)
		t.st.Filters.Municipio, t.st.Filters.Place = a.Municipio(), a.Name()
	} else if rest, n, ok := t.cat.Milan.StripNeighbourhood(t.st.Query); ok && strings.TrimSpace(rest) != "" {
		// The place narrows the search; its name is not part of the need.
		t.st.Query = rest
		t.st.Filters.Municipio, t.st.Filters.Place = n.Municipio, n.Name
	}
	t.st.Filters.Audience = where.Audience
	found, words := sf.run(ctx, t)
	if found == 0 && words > 0 && where.Audience != "" {
		// Who the citizen is was only a hint: the need comes first.
		t.st.Filters.Audience = ""
		found, words = sf.run(ctx, t)
	}
	if found == 0 && words > 0 && t.st.Filters.Municipio != 0 {
		// Nothing in that Municipio: look in the whole city, and say so.
		place := t.st.Filters.Place
		t.st.Filters.Municipio, t.st.Filters.Place = 0, ""
		if found, _ = sf.run(ctx, t); found > 0 {
			t.Text("search.widened", "place", Literal(place))
		}
	}
	switch {
	case found < 0:
	case words == 0:
		// Emoji, punctuation, "aiuto": nothing to search, and no failure to count.
		t.Say(Reply{Text: t.T("search.not_understood"), Buttons: t.MainMenu()})
	case found == 0:
		sf.noResults(t)
	default:
		sf.showPage(t, 0)
		if t.e.mentions(intentDomestic, text) {
			t.Say(Reply{Text: t.T("domestic.hint"), Buttons: [][]Button{{btn(t.T("menu.domestic"), actDomestic)}}})
		}
	}
}

// rerun repeats the current search or category listing with the current filters.
func (sf *searchFlow) rerun(ctx context.Context, t *Turn) {
	if t.st.Query == "" && t.st.Category == "" {
		t.Stale()
		return
	}
	found, _ := sf.run(ctx, t)
	switch {
	case found < 0:
	case found == 0:
		t.Say(Reply{Text: t.T("search.none_with_filters"), Buttons: sf.refineRows(t), Replace: sf.pagingButton(t)})
	default:
		sf.showPage(t, 0)
	}
}

// run searches with the state's query, category and filters, keeping the result ids
// for paging. It returns how many services were found, or -1 after a failure (the
// citizen has been told), and how many searchable words the query had.
func (sf *searchFlow) run(ctx context.Context, t *Turn) (int, int) {
	req := catalogue.SearchRequest{Query: t.st.Query, Lang: t.st.Lang, Category: catalogue.CategoryID(t.st.Category),
		FreeOnly: t.st.Filters.Free, Municipio: t.st.Filters.Municipio,
		Audience: catalogue.Audience(t.st.Filters.Audience), Delivery: t.st.Filters.Delivery, Limit: maxResults}
	began := time.Now()
	res, err := t.e.opts.Search.Search(ctx, req)
	if o := t.e.opts.Observer; o != nil && err == nil {
		o.Searched(time.Since(began), res.Total == 0)
	}
	if err == nil {
		t.Count(desk.Fact{Kind: desk.FactSearch, At: t.now})
		if res.Total == 0 && t.st.Query != "" {
			t.Count(desk.Fact{Kind: desk.FactEmptySearch, At: t.now, Text: t.st.Query})
		}
	}
	if err != nil {
		t.e.log.ErrorContext(ctx, "search failed", "err", err)
		t.Say(Reply{Text: t.T("error.search"), Buttons: t.MainMenu()})
		return -1, 0
	}
	t.st.Results = slices.Grow(t.st.Results[:0], len(res.Hits))
	t.st.Gen++ // a new result set: the buttons of older lists no longer act
	t.st.Total = res.Total
	best := 0.0
	if len(res.Hits) > 0 {
		best = max(res.Hits[0].Score, res.Best)
	}
	for _, h := range res.Hits {
		// Below a fraction of the best score the words could reach (without filters),
		// a hit matched only a side word ("a domicilio"): a citizen is better served
		// by fewer, relevant results than by a list padded with unrelated ones.
		if t.st.Query != "" && h.Score < minRelativeScore*best {
			t.st.Total = len(t.st.Results)
			break
		}
		t.st.Results = append(t.st.Results, h.Service.ID)
	}
	sf.arrange(t)
	t.st.Page = 0
	if t.st.Query == "" {
		return t.st.Total, 1
	}
	return t.st.Total, res.Words
}

func (sf *searchFlow) noResults(t *Turn) {
	t.st.Results, t.st.Total = nil, 0
	t.st.Misses++
	if t.st.Misses >= missesForHandoff {
		t.e.flows.handoff.handoff(t, "no_results")
		return
	}
	t.Say(Reply{Text: t.T("search.none"), Buttons: [][]Button{
		{btn(t.T("menu.categories"), actCats), btn(t.T("menu.operator"), actOperator)},
		{btn(t.T("button.menu"), actMenu)}}})
}

// noneOfThese is the citizen saying the results are not what they need.
func (sf *searchFlow) noneOfThese(t *Turn) {
	t.st.Misses++
	if t.st.Misses >= missesForHandoff {
		t.e.flows.handoff.handoff(t, "no_results")
		return
	}
	t.Say(Reply{Text: t.T("search.rephrase"), Buttons: [][]Button{
		{btn(t.T("menu.categories"), actCats), btn(t.T("menu.operator"), actOperator)}}})
}

// page shows page n of the current results.
func (sf *searchFlow) page(t *Turn, n int) {
	if len(t.st.Results) == 0 || n < 0 || n > maxResults || n*t.e.opts.PageSize >= len(t.st.Results) {
		t.Stale()
		return
	}
	sf.showPage(t, n)
}

func (sf *searchFlow) showPage(t *Turn, n int) {
	ps := t.e.opts.PageSize
	t.st.Page, t.st.Focus = n, ""
	ids := t.st.Results[n*ps : min((n+1)*ps, len(t.st.Results))]
	var b strings.Builder
	b.Grow((len(ids) + 2) * listLineBytes) // the lines, the title and the filters
	switch {
	case t.st.Query != "":
		b.WriteString(t.Plural("search.found", t.st.Total, "total", strconv.Itoa(t.st.Total), "query", Literal(shorten(t.st.Said, 80))))
	default:
		b.WriteString(t.Plural("category.found", t.st.Total, "total", strconv.Itoa(t.st.Total), "category", Literal(sf.categoryName(t, catalogue.CategoryID(t.st.Category)))))
	}
	if f := sf.describeFilters(t); f != "" {
		b.WriteString("\n" + f)
	}
	rows := make([][]Button, 0, len(ids)+1+refineRowCount) // the items, the pages, the refinements
	for i, id := range ids {
		s, ok := t.cat.Service(id)
		if !ok {
			continue // the catalogue was reloaded without it
		}
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(n*ps + i + 1))
		b.WriteString(". ")
		t.writeListItem(&b, s)
		rows = append(rows, []Button{btn(shorten(t.serviceTitle(s), 60), actService, s.ID)})
	}
	var nav []Button
	if n > 0 {
		nav = append(nav, t.gbtn(t.T("button.previous"), actPage, strconv.Itoa(n-1)))
	}
	if (n+1)*ps < len(t.st.Results) {
		nav = append(nav, t.gbtn(t.T("button.more"), actPage, strconv.Itoa(n+1)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, sf.refineRows(t)...)
	// Paging and refining rewrite the results in place; a new search is a new message.
	t.Say(Reply{Text: b.String(), Buttons: rows, Replace: t.m.Button != "" && sf.pagingButton(t)})
}

// pagingButton reports whether the message being handled is a press on a results
// page's own buttons.
func (sf *searchFlow) pagingButton(t *Turn) bool {
	b, ok := parseButton(t.m.Button)
	if !ok {
		return false
	}
	switch b.action {
	case actPage, actFree, actZone, actFor, actDelivery, actCat:
		return b.action != actCat || strings.Contains(b.arg, ":")
	}
	return false
}

// refineRowCount is how many rows refineRows returns.
const refineRowCount = 3

// refineRows are the buttons that narrow the results, and the way out.
func (sf *searchFlow) refineRows(t *Turn) [][]Button {
	on := func(key string, active bool) string {
		if active {
			return t.T(key) + " ✓"
		}
		return t.T(key)
	}
	rows := make([][]Button, 0, refineRowCount)
	rows = append(rows, []Button{t.gbtn(on("refine.free", t.st.Filters.Free), actFree),
		t.gbtn(on("refine.zone", t.st.Filters.Municipio != 0), actZoneAsk)},
		[]Button{t.gbtn(on("refine.for", t.st.Filters.Audience != ""), actForAsk),
			t.gbtn(on("refine.delivery", t.st.Filters.Delivery != ""), actDeliveryAsk)})
	menu := btn(t.T("button.menu"), actMenu)
	if t.st.Query != "" {
		return append(rows, []Button{t.gbtn(t.T("search.none_of_these"), actNone), menu})
	}
	return append(rows, []Button{menu})
}

func (sf *searchFlow) describeFilters(t *Turn) string {
	var parts []string
	if t.st.Filters.Free {
		parts = append(parts, t.T("filter.free"))
	}
	if m := t.st.Filters.Municipio; m != 0 {
		if p := t.st.Filters.Place; p != "" {
			parts = append(parts, t.T("filter.zone_place", "n", strconv.Itoa(m), "place", Literal(p)))
		} else {
			parts = append(parts, t.T("filter.zone", "n", strconv.Itoa(m)))
		}
	}
	if a := t.st.Filters.Audience; a != "" {
		parts = append(parts, t.T("filter.for", "who", t.T("audience."+a)))
	}
	switch t.st.Filters.Delivery {
	case catalogue.DeliveryShared:
		parts = append(parts, t.T("filter.shared"))
	case catalogue.DeliveryIndividual:
		parts = append(parts, t.T("filter.individual"))
	}
	if t.st.Filters.OpenNow {
		parts = append(parts, t.T("filter.open_now"))
	}
	if t.st.Filters.Cheapest {
		parts = append(parts, t.T("filter.cheapest"))
	}
	if len(parts) == 0 {
		return ""
	}
	return t.T("filter.active", "filters", strings.Join(parts, ", "))
}

func (sf *searchFlow) askZone(t *Turn) {
	rows := [][]Button{}
	row := []Button{}
	for m := 1; m <= 9; m++ {
		row = append(row, t.gbtn(strconv.Itoa(m), actZone, strconv.Itoa(m)))
		if len(row) == 5 {
			rows, row = append(rows, row), []Button{}
		}
	}
	rows = append(rows, append(row, t.gbtn(t.T("refine.any_zone"), actZone, "0")))
	t.st.Flow = flowZone
	t.Say(Reply{Text: t.T("refine.zone_ask"), Buttons: rows})
}

// zoneText reads a Municipio typed after the zone question: a number, a street or a
// postcode, or a neighbourhood. Anything else is a new search.
func (sf *searchFlow) zoneText(ctx context.Context, t *Turn, text string) {
	t.st.resetFlow()
	if n, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && n >= 0 && n <= 9 {
		sf.setZone(ctx, t, n)
		return
	}
	if a, _, ok := t.cat.Milan.FindAddress(text); ok && a.Known() {
		t.st.Filters.Municipio, t.st.Filters.Place = a.Municipio(), a.Name() // "viale Monza", "20127"
		sf.rerun(ctx, t)
		return
	}
	if nb, ok := t.cat.Milan.FindNeighbourhood(text); ok {
		t.st.Filters.Municipio, t.st.Filters.Place = nb.Municipio, nb.Name
		sf.rerun(ctx, t)
		return
	}
	sf.search(ctx, t, text)
}

func (sf *searchFlow) setZone(ctx context.Context, t *Turn, m int) {
	if m > 9 {
		t.Stale()
		return
	}
	t.st.Filters.Municipio, t.st.Filters.Place = m, ""
	sf.rerun(ctx, t)
}

func (sf *searchFlow) askAudience(t *Turn) {
	var rows [][]Button
	var row []Button
	for _, a := range catalogue.Audiences() {
		row = append(row, t.gbtn(t.T("audience."+string(a)), actFor, string(a)))
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	rows = append(rows, append(row, t.gbtn(t.T("refine.anyone"), actFor, "any")))
	t.Say(Reply{Text: t.T("refine.for_ask"), Buttons: rows})
}

func (sf *searchFlow) setAudience(ctx context.Context, t *Turn, a string) {
	switch {
	case a == "any":
		t.st.Filters.Audience = ""
	case catalogue.Audience(a).Valid():
		t.st.Filters.Audience = a
	default:
		t.Stale()
		return
	}
	sf.rerun(ctx, t)
}

// askDelivery asks how the service should be given: one-to-one, or in a group with
// other people ("in condivisione", as the portal's filter says; it usually costs
// less).
func (sf *searchFlow) askDelivery(t *Turn) {
	t.Say(Reply{Text: t.T("refine.delivery_ask"), Buttons: [][]Button{
		{t.gbtn(t.T("refine.individual"), actDelivery, catalogue.DeliveryIndividual),
			t.gbtn(t.T("refine.shared"), actDelivery, catalogue.DeliveryShared)},
		{t.gbtn(t.T("refine.any_delivery"), actDelivery, "any")}}})
}

func (sf *searchFlow) setDelivery(ctx context.Context, t *Turn, d string) {
	switch d {
	case "any":
		t.st.Filters.Delivery = ""
	case catalogue.DeliveryIndividual, catalogue.DeliveryShared:
		t.st.Filters.Delivery = d
	default:
		t.Stale()
		return
	}
	sf.rerun(ctx, t)
}

// categories lists the 13 categories with how many services each has.
func (sf *searchFlow) categories(t *Turn) {
	var rows [][]Button
	for _, c := range t.cat.Categories {
		n := len(t.cat.ServicesIn(c.ID))
		rows = append(rows, []Button{btn(sf.categoryName(t, c.ID)+" ("+strconv.Itoa(n)+")", actCat, string(c.ID))})
	}
	rows = append(rows, []Button{btn(t.T("button.menu"), actMenu)})
	t.Say(Reply{Text: t.T("categories.title"), Buttons: rows})
}

// category lists a category's services ("id" or "id:page").
func (sf *searchFlow) category(ctx context.Context, t *Turn, arg string) {
	id, pageArg, _ := strings.Cut(arg, ":")
	if !catalogue.CategoryID(id).Valid() {
		t.Stale()
		return
	}
	t.st.Query, t.st.Category, t.st.Filters = "", id, searchFilters{}
	if found, _ := sf.run(ctx, t); found <= 0 {
		t.Say(Reply{Text: t.T("category.empty"), Buttons: t.MainMenu()})
		return
	}
	page, err := strconv.Atoi(pageArg)
	if err != nil || page < 0 || page > maxResults || page*t.e.opts.PageSize >= len(t.st.Results) {
		page = 0
	}
	sf.showPage(t, page)
}

func (sf *searchFlow) categoryName(t *Turn, id catalogue.CategoryID) string {
	c, ok := t.cat.Category(id)
	if !ok {
		return string(id)
	}
	return t.translated(c.NameIn(t.st.Lang))
}

// register routes the search's buttons (refining and paging the current results),
// commands and intents.
func (sf *searchFlow) register(r *routes) {
	r.button(actCats, show(sf.categories))
	r.button(actCat, func(ctx context.Context, t *Turn, b button) { sf.category(ctx, t, b.arg) })
	r.button(actPage, func(_ context.Context, t *Turn, b button) { sf.page(t, b.num) })
	r.button(actBack, func(_ context.Context, t *Turn, _ button) { sf.page(t, t.st.Page) })
	r.button(actFree, func(ctx context.Context, t *Turn, _ button) {
		t.st.Filters.Free = !t.st.Filters.Free
		sf.rerun(ctx, t)
	})
	r.button(actZoneAsk, show(sf.askZone))
	r.button(actZone, func(ctx context.Context, t *Turn, b button) { sf.setZone(ctx, t, b.num) })
	r.button(actForAsk, show(sf.askAudience))
	r.button(actFor, func(ctx context.Context, t *Turn, b button) { sf.setAudience(ctx, t, b.arg) })
	r.button(actDeliveryAsk, show(sf.askDelivery))
	r.button(actDelivery, func(ctx context.Context, t *Turn, b button) { sf.setDelivery(ctx, t, b.arg) })
	r.button(actNone, show(sf.noneOfThese))
	r.command(showCommand(sf.categories), "categorie", "categories")
	r.command(func(ctx context.Context, t *Turn, arg string) {
		if arg == "" {
			t.e.flows.menu.askSearch(t)
			return
		}
		sf.search(ctx, t, arg)
	}, "cerca", "search")
	r.answer(flowZone, sf.zoneText)
	sf.registerFollowUps(r)
	r.intent(IntentCategories, thenShow(sf.categories))
	r.intent(IntentSearch, func(ctx context.Context, t *Turn, in Interpretation) {
		t.st.resetFlow()
		t.flow = "search"
		sf.search(ctx, t, in.Text)
	})
}
