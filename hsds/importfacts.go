package hsds

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// audiences reads the target groups: WeMi's attributes, or else the ages and the
// eligibility text of a foreign service.
func (im *importer) audiences(label string, s Service) []string {
	var out []string
	for _, v := range im.values(s.Attributes, attrAudience) {
		if catalogue.Audience(v).Valid() {
			out = append(out, v)
		} else {
			im.rep.add(label, "attributes."+attrAudience, "unknown target group %q: left out", v)
		}
	}
	if len(out) > 0 {
		return out
	}
	seen := map[string]bool{}
	add := func(a catalogue.Audience) {
		if !seen[string(a)] {
			seen[string(a)] = true
			out = append(out, string(a))
		}
	}
	if s.MaximumAge != nil && *s.MaximumAge < 12 {
		add(catalogue.AudienceChildren)
	} else if s.MaximumAge != nil && *s.MaximumAge < 18 {
		add(catalogue.AudienceTeenagers)
	}
	if s.MinimumAge != nil && *s.MinimumAge >= 65 {
		add(catalogue.AudienceElderly)
	}
	text := catalogue.Fold(s.EligibilityDescription)
	for code, name := range im.t.Audiences {
		if text != "" && (strings.Contains(text, catalogue.Fold(name)) || strings.Contains(text, code)) {
			add(catalogue.Audience(code))
		}
	}
	if len(out) == 0 {
		add(catalogue.AudienceAdults)
		im.rep.add(label, "eligibility_description", "no target group: imported as adulti")
	}
	return out
}

// delivery reads one-to-one or in a group; a foreign service is one-to-one.
func (im *importer) delivery(label string, attrs []Attribute) DeliveryRecord {
	var d DeliveryRecord
	modes := im.values(attrs, attrDelivery)
	for _, m := range modes {
		switch m {
		case catalogue.DeliveryIndividual:
			d.Individual = true
		case catalogue.DeliveryShared:
			d.Shared = &SharedRecord{MinPeople: im.intValue(label, attrs, attrGroupMin),
				MaxPeople: im.intValue(label, attrs, attrGroupMax)}
		}
	}
	if !d.Individual && d.Shared == nil {
		d.Individual = true
		if len(modes) > 0 {
			im.rep.add(label, "attributes."+attrDelivery, "unknown delivery %q: one-to-one", strings.Join(modes, ", "))
		}
	}
	return d
}

// unitWords are the words of a foreign amount_description that name a unit.
func unitWords() map[string]string {
	return map[string]string{"ora": "ora", "ore": "ora", "hour": "ora", "hours": "ora", "hourly": "ora",
		"seduta": "seduta", "sedute": "seduta", "session": "seduta", "sessions": "seduta",
		"pasto": "pasto", "pasti": "pasto", "meal": "pasto", "meals": "pasto",
		"intervento": "intervento", "visit": "intervento", "visita": "intervento",
		"giorno": "giorno", "day": "giorno", "daily": "giorno", "mese": "mese", "month": "mese", "monthly": "mese",
		"corso": "corso", "course": "corso", "pacchetto": "pacchetto", "package": "pacchetto"}
}

var wordRE = regexp.MustCompile(`\p{L}+`)

// cost reads the prices. A dataset of ours says which option is which; a foreign
// one's first euro price is the one-to-one price. No price at all is free.
func (im *importer) cost(label string, s Service, d DeliveryRecord) CostRecord {
	c := CostRecord{Note: strings.TrimSpace(s.FeesDescription), Unit: valueOr(im, s.Attributes, attrUnit)}
	var individual, shared *float64
	for i, o := range s.CostOptions {
		field := "cost_options[" + strconv.Itoa(i) + "]"
		switch {
		case o.Amount == nil:
			im.rep.add(label, field, "no amount: left out")
		case o.Currency != "" && !strings.EqualFold(o.Currency, "EUR"):
			im.rep.add(label, field, "currency %q is not euro: left out", o.Currency)
		case *o.Amount <= 0:
		case *o.Amount > maxEuro:
			im.rep.add(label, field, "%v € is not a price per unit of a personal service: left out", *o.Amount)
		case o.Option == im.t.Cost.Shared && shared == nil:
			shared = o.Amount
		case individual == nil:
			individual = o.Amount
			if c.Unit == "" {
				c.Unit = im.unitOf(o.AmountDescription)
			}
		default:
			im.rep.add(label, field, "a further price the catalogue has no place for: left out")
		}
	}
	if individual == nil && shared == nil {
		c.Free, c.Unit = true, ""
		if !saysFree(s.CostOptions) {
			im.rep.add(label, "cost_options", "no price in euro: imported as free, to check")
		}
		return c
	}
	if c.Unit == "" {
		c.Unit = "intervento"
		im.rep.add(label, "cost_options", "no unit of the price: per intervento")
	}
	if d.Individual {
		c.Individual = individual
	}
	if d.Shared != nil {
		c.Shared = shared
	}
	if d.Individual && individual == nil {
		c.Individual = shared
	}
	if max := im.intValue(label, s.Attributes, attrISEEMax); max > 0 {
		c.ISEE = &ISEERecord{MaxISEE: max, ReductionPercent: im.intValue(label, s.Attributes, attrISEEPercent)}
	}
	c.Voucher = valueOr(im, s.Attributes, attrVoucher) == yes
	return c
}

// saysFree reports whether a cost option says the service is free (0 €).
func saysFree(opts []CostOption) bool {
	for _, o := range opts {
		if o.Amount != nil && *o.Amount == 0 {
			return true
		}
	}
	return false
}

// maxEuro is the highest price per unit the catalogue takes.
const maxEuro = 10000

func valueOr(im *importer, attrs []Attribute, code string) string {
	v, _ := im.value(attrs, code)
	return v
}

// unitOf finds a unit among the words of an amount's description.
func (im *importer) unitOf(desc string) string {
	units := unitWords()
	for _, w := range wordRE.FindAllString(strings.ToLower(desc), -1) {
		if u, ok := units[w]; ok {
			return u
		}
	}
	return ""
}

var daysRE = regexp.MustCompile(`(?i)(\d{1,3})\s*(giorni|giorno|days?|settimane|settimana|weeks?)`)

// defaultWaitDays is the wait given to a foreign service that states none, as a
// number to check rather than a promise.
const defaultWaitDays = 30

// waitDays reads the longest wait: WeMi's attribute, or a number of days or weeks in
// the wait_time text.
func (im *importer) waitDays(label string, s Service) int {
	if v, ok := im.value(s.Attributes, attrWaitDays); ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 365 {
			return n
		}
	}
	if m := daysRE.FindStringSubmatch(s.WaitTime); m != nil {
		n, _ := strconv.Atoi(m[1])
		if strings.HasPrefix(strings.ToLower(m[2]), "settiman") || strings.HasPrefix(strings.ToLower(m[2]), "week") {
			n *= 7
		}
		if n <= 365 {
			return n
		}
	}
	im.rep.add(label, "wait_time", "%q is not a number of days: %d days, to check", s.WaitTime, defaultWaitDays)
	return defaultWaitDays
}

// booking reads the booking rules from WeMi's attributes; nil when there are none.
func (im *importer) booking(label string, attrs []Attribute) *BookingRecord {
	b := &BookingRecord{Venue: valueOr(im, attrs, attrVenue), OpenOnHolidays: valueOr(im, attrs, attrHolidays) == yes}
	ptr := func(code string) *int {
		if n := im.intValue(label, attrs, code); n != 0 {
			return &n
		}
		return nil
	}
	b.MinQuantity, b.MaxQuantity = ptr(attrQuantityMin), ptr(attrQuantityMax)
	b.LeadHours, b.HorizonDays = ptr(attrLeadHours), ptr(attrHorizonDays)
	if full, partial, pct := ptr(attrRefundFull), ptr(attrRefundPartial), ptr(attrRefundPercent); full != nil || partial != nil || pct != nil {
		b.Refund = &RefundRecord{FullHoursBefore: full, PartialHoursBefore: partial, PartialPercent: pct}
	}
	b.Closures = im.closures(label, attrs)
	if b.Venue == "" && !b.OpenOnHolidays && b.MinQuantity == nil && b.MaxQuantity == nil && b.LeadHours == nil &&
		b.HorizonDays == nil && b.Refund == nil && len(b.Closures) == 0 {
		return nil
	}
	return b
}

// closures reads the closures a record's attributes carry.
func (im *importer) closures(label string, attrs []Attribute) []ClosureRecord {
	var out []ClosureRecord
	for _, v := range im.values(attrs, attrClosure) {
		var c closureValue
		if err := json.Unmarshal([]byte(v), &c); err != nil || c.From == "" {
			im.rep.add(label, "attributes."+attrClosure, "%q is not a closure: left out", v)
			continue
		}
		out = append(out, ClosureRecord(c))
	}
	return out
}
