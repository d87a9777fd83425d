package slack

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/domestic"
)

// The cards of Tate, Colf e Badanti show operators what they need to find a worker
// for a family, or to assess a worker: what was asked or offered, where and when, and
// how to reach the citizen. They never show the conversation's id or when the privacy
// notice was accepted.

// requestRecord is a family's request as the desk needs it.
func (d *Desk) requestRecord(r domestic.Request) domesticRecord {
	rec := domesticRecord{status: string(r.Status), card: r.Card, changed: cmpTime(r.Closed, r.Updated),
		view: d.requestCard(r)}
	rec.summary = d.text("domestic.summary", "role", Escape(d.roleName(r.Role)), "municipio", strconv.Itoa(r.Municipio),
		"name", Escape(cmp.Or(r.FirstName, d.text("handoff.citizen"))))
	rec.view.Status, rec.view.Actions = d.domesticState(requestFlow(), rec)
	return rec
}

// applicationRecord is a worker's application as the desk needs it.
func (d *Desk) applicationRecord(a domestic.Application) domesticRecord {
	rec := domesticRecord{status: string(a.Status), card: a.Card, changed: cmpTime(a.Closed, a.Updated),
		view: d.applicationCard(a)}
	rec.summary = d.text("application.summary", "roles", Escape(d.roleNames(a.Roles)),
		"name", Escape(cmp.Or(a.FirstName, d.text("handoff.citizen"))))
	rec.view.Status, rec.view.Actions = d.domesticState(applicationFlow(), rec)
	return rec
}

// requestCard is the card of a family's request: the worker they look for, the
// terms, where, what they chose to say about the person to care for, and how to
// reach them.
func (d *Desk) requestCard(r domestic.Request) Card {
	role := d.roleName(r.Role)
	if r.Role == domestic.Badante {
		// The level of the agreement, and so the pay, depends on it.
		care := d.text("domestic.not_self_sufficient")
		if r.SelfSufficient {
			care = d.text("domestic.self_sufficient")
		}
		role = d.text("domestic.badante_for", "role", role, "care", care)
	}
	c := Card{Kind: requestKind, Ref: r.ID, Title: d.text("domestic.title"),
		Fallback: d.text("domestic.fallback", "role", Escape(d.roleName(r.Role)), "municipio", strconv.Itoa(r.Municipio)),
		Fields: []CardField{
			{Label: d.text("domestic.field_role"), Value: role},
			{Label: d.text("domestic.field_pattern"), Value: d.texts.textOr("pattern."+string(r.Pattern), string(r.Pattern))},
			{Label: d.text("domestic.field_hours"), Value: strconv.Itoa(r.HoursPerWeek)},
			{Label: d.text("domestic.field_start"), Value: r.Start.In(d.loc).Format("02/01/2006")},
			{Label: d.text("domestic.field_municipio"), Value: strconv.Itoa(r.Municipio)},
			{Label: d.text("domestic.field_langs"), Value: d.languageNames(r.Languages)},
			{Label: d.text("domestic.field_contact"), Value: r.Contact},
		},
		Context: []string{d.text("domestic.how"), d.text("domestic.ref", "id", Escape(r.ID))},
	}
	if r.EstimateCents >= 0 {
		c.Fields = append(c.Fields, CardField{Label: d.text("domestic.field_estimate"),
			Value: d.text("domestic.estimate", "amount", d.price(r.EstimateCents))})
	}
	c.Fields = append(c.Fields,
		CardField{Label: d.text("domestic.field_name"), Value: cmp.Or(r.FirstName, d.text("handoff.citizen"))},
		CardField{Label: d.text("domestic.field_channel"), Value: d.channelLang(r.Conversation, r.Lang)})
	if r.CareFor != "" {
		c.Body = d.text("domestic.care", "care", r.CareFor) // the card escapes its body
	}
	return c
}

// applicationCard is the card of a worker's application: the roles, experience,
// languages and certificates, where and when they can work, and how to reach them.
func (d *Desk) applicationCard(a domestic.Application) Card {
	years := d.text("application.years", "n", strconv.Itoa(a.Years))
	switch a.Years {
	case 0:
		years = d.text("application.years_none")
	case 1:
		years = d.text("application.years_one")
	}
	certs := make([]string, len(a.Certificates))
	for i, c := range a.Certificates {
		certs[i] = d.texts.textOr("cert."+c, c)
	}
	zones := d.text("application.all_city")
	if len(a.Municipi) > 0 && len(a.Municipi) < 9 {
		list := make([]string, len(a.Municipi))
		for i, m := range a.Municipi {
			list[i] = strconv.Itoa(m)
		}
		zones = strings.Join(list, ", ")
	}
	live := d.text("application.livein_no")
	if a.LiveIn {
		live = d.text("application.livein_yes")
	}
	c := Card{Kind: applicationKind, Ref: a.ID, Title: d.text("application.title"),
		Fallback: d.text("application.fallback", "roles", Escape(d.roleNames(a.Roles))),
		Fields: []CardField{
			{Label: d.text("application.field_roles"), Value: d.roleNames(a.Roles)},
			{Label: d.text("application.field_years"), Value: years},
			{Label: d.text("application.field_langs"), Value: d.languageNames(a.Languages)},
			{Label: d.text("application.field_certs"), Value: strings.Join(certs, ", ")},
			{Label: d.text("application.field_zones"), Value: zones},
			{Label: d.text("application.field_avail"), Value: a.Availability},
			{Label: d.text("application.field_livein"), Value: live},
			{Label: d.text("domestic.field_contact"), Value: a.Contact},
			{Label: d.text("domestic.field_name"), Value: cmp.Or(a.FirstName, d.text("handoff.citizen"))},
			{Label: d.text("domestic.field_channel"), Value: d.channelLang(a.Conversation, a.Lang)},
		},
		Context: []string{d.text("application.how"), d.text("application.ref", "id", Escape(a.ID))},
	}
	if a.Experience != "" {
		c.Body = d.text("application.experience", "experience", a.Experience) // the card escapes its body
	}
	return c
}

// roleName is a role as operators read it: "Badante".
func (d *Desk) roleName(r domestic.Role) string { return d.texts.textOr("role."+string(r), string(r)) }

// roleNames are roles as operators read them: "Tata, Colf".
func (d *Desk) roleNames(roles []domestic.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = d.roleName(r)
	}
	return strings.Join(names, ", ")
}

// languageNames are ISO 639 codes as operators read them: "italiano, rumeno".
func (d *Desk) languageNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = d.texts.textOr("lang."+c, c)
	}
	return strings.Join(names, ", ")
}

// channelLang is where and in which language a citizen talks to the bot: "Telegram,
// in italiano". Only the channel of the conversation is shown, never its id.
func (d *Desk) channelLang(conversation, lang string) string {
	channel, _, _ := strings.Cut(conversation, ":")
	return d.text("domestic.channel_lang", "channel", d.texts.textOr("channel."+channel, channel),
		"lang", d.texts.textOr("lang."+lang, lang))
}
