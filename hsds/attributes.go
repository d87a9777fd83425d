package hsds

import (
	"strconv"
)

// The codes of the terms of the "Attributi WeMi" taxonomy: the WeMi facts that HSDS
// has no field for travel as attributes whose value is the fact. Their names are in
// texts.it.yaml.
const (
	attrWemiID         = "wemi-id"
	attrRecord         = "wemi-record"
	attrSummaryEN      = "riassunto-en"
	attrAudience       = "destinatari"
	attrDelivery       = "erogazione"
	attrGroupMin       = "gruppo-min"
	attrGroupMax       = "gruppo-max"
	attrUnit           = "unita-costo"
	attrISEEMax        = "isee-soglia"
	attrISEEPercent    = "isee-riduzione"
	attrVoucher        = "voucher"
	attrWaitDays       = "attesa-giorni"
	attrQuantityMin    = "quantita-min"
	attrQuantityMax    = "quantita-max"
	attrLeadHours      = "preavviso-ore"
	attrHorizonDays    = "orizzonte-giorni"
	attrVenue          = "luogo"
	attrHolidays       = "festivi"
	attrClosure        = "chiusura"
	attrRefundFull     = "rimborso-totale-ore"
	attrRefundPartial  = "rimborso-parziale-ore"
	attrRefundPercent  = "rimborso-parziale-percento"
	attrActivity       = "attivita"
	attrActivityEN     = "attivita-en"
	attrActivityKind   = "tipo-attivita"
	attrCapacity       = "posti"
	attrSessions       = "sessioni"
	attrDays           = "giorni"
	attrEnrolChat      = "iscrizione-chat"
	attrEnrolSpace     = "iscrizione-spazio"
	attrPricePer       = "prezzo-per"
	recordSpaces       = "spazi"
	recordActivity     = "attivita"
	yes                = "sì"
	categoriesTaxonomy = "categorie"
	attributesTaxonomy = "attributi"
)

func attributeCodes() []string {
	return []string{attrWemiID, attrRecord, attrSummaryEN, attrAudience, attrDelivery, attrGroupMin, attrGroupMax,
		attrUnit, attrISEEMax, attrISEEPercent, attrVoucher, attrWaitDays, attrQuantityMin, attrQuantityMax,
		attrLeadHours, attrHorizonDays, attrVenue, attrHolidays, attrClosure, attrRefundFull, attrRefundPartial,
		attrRefundPercent, attrActivity, attrActivityEN, attrActivityKind, attrCapacity, attrSessions, attrDays,
		attrEnrolChat, attrEnrolSpace, attrPricePer}
}

// CategoryTermID is the HSDS id of a category's taxonomy term.
func CategoryTermID(category string) string {
	return ID("taxonomy_term", categoriesTaxonomy+"/"+category)
}

// CategoriesTaxonomyID is the HSDS id of the taxonomy of the 13 categories.
func CategoriesTaxonomyID() string { return ID("taxonomy", categoriesTaxonomy) }

func attributeTermID(code string) string { return ID("taxonomy_term", attributesTaxonomy+"/"+code) }

// attributes builds the attributes of one record (entity is its table, linkID its
// HSDS id) in order, numbering each so that its id is stable.
type attributes struct {
	x      *exporter
	entity string
	linkID string
	list   []Attribute
}

func (x *exporter) attributesOf(entity, linkID string) *attributes {
	return &attributes{x: x, entity: entity, linkID: linkID}
}

// add adds a WeMi attribute; an empty value adds nothing.
func (a *attributes) add(code, value string) {
	if value == "" {
		return
	}
	term := a.x.attributeTerm(code)
	a.list = append(a.list, Attribute{
		ID:     ID("attribute", a.linkID+"/"+strconv.Itoa(len(a.list))),
		LinkID: a.linkID, LinkType: a.entity, LinkEntity: a.entity,
		TaxonomyTermID: term.ID, TaxonomyTerm: &term, Value: value})
}

// addInt adds a number, leaving zero out (the catalogue's "no constraint").
func (a *attributes) addInt(code string, v int) {
	if v != 0 {
		a.add(code, strconv.Itoa(v))
	}
}

// addTerm links the record to a term with no value (a service's category).
func (a *attributes) addTerm(term TaxonomyTerm) {
	a.list = append(a.list, Attribute{
		ID:     ID("attribute", a.linkID+"/"+strconv.Itoa(len(a.list))),
		LinkID: a.linkID, LinkType: a.entity, LinkEntity: a.entity,
		TaxonomyTermID: term.ID, TaxonomyTerm: &term})
}
