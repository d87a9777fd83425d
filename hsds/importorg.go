package hsds

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/comune-milano/wemibot/catalogue"
)

// organization maps a provider. It needs a place in Milan (an address with
// coordinates): without one it is left out, with its services.
func (im *importer) organization(o Organization) (OrganizationRecord, bool) {
	label := im.orgLabel(o)
	var carried string
	for _, oi := range o.OrganizationIdentifiers {
		if oi.IdentifierType == attrWemiID {
			carried = oi.Identifier
		}
	}
	loc, ok := im.place(label, o.Locations)
	if !ok {
		im.orgByHSDS[o.ID] = ""
		im.rep.skip(label, "locations", "no location with coordinates in Milan: a provider needs one (its services are left out too)")
		return OrganizationRecord{}, false
	}
	id := im.ourID(carried, o.Name, "ente")
	im.orgByHSDS[o.ID] = id
	for _, l := range o.Locations {
		im.orgLocations[l.ID] = true
	}
	rec := OrganizationRecord{ID: id, Name: strings.TrimSpace(o.Name), Description: strings.TrimSpace(o.Description),
		Email: o.Email, Website: o.Website, Location: loc}
	if rec.Name == "" {
		rec.Name = id
		im.rep.add(label, "name", "no name: the id is used")
	}
	switch kind := strings.ToLower(o.LegalStatus); {
	case strings.Contains(kind, "cooperativ"):
		rec.Kind = string(catalogue.KindCooperative)
	case strings.Contains(kind, "associazion"), strings.Contains(kind, "association"):
		rec.Kind = string(catalogue.KindAssociation)
	default:
		rec.Kind = string(catalogue.KindAssociation)
		im.rep.add(label, "legal_status", "%q is neither a cooperativa nor an associazione: imported as associazione", o.LegalStatus)
	}
	if len(o.Phones) > 0 {
		rec.Phone = o.Phones[0].Number
	} else {
		for _, c := range o.Contacts {
			if len(c.Phones) > 0 {
				rec.Phone = c.Phones[0].Number
				break
			}
		}
	}
	if rec.Email == "" {
		for _, c := range o.Contacts {
			if c.Email != "" {
				rec.Email = c.Email
				break
			}
		}
	}
	if rec.Email != "" && !strings.Contains(rec.Email, "@") {
		im.rep.add(label, "email", "%q is not an e-mail address: left out", rec.Email)
		rec.Email = ""
	}
	return rec, true
}

// Milan's bounding box, as the catalogue checks it.
const (
	minLat, maxLat = 45.35, 45.58
	minLon, maxLon = 9.02, 9.32
)

func inMilan(lat, lon float64) bool {
	return lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon
}

// place is the first location with coordinates in Milan, with its address and
// Municipio: the address's region ("Municipio 3"), or else the Municipio of the
// nearest neighbourhood.
func (im *importer) place(label string, locs []Location) (LocationRecord, bool) {
	for _, l := range locs {
		if l.Latitude == nil || l.Longitude == nil || !inMilan(*l.Latitude, *l.Longitude) {
			continue
		}
		rec := LocationRecord{Latitude: *l.Latitude, Longitude: *l.Longitude}
		if len(l.Addresses) > 0 {
			rec.Address = joinAddress(l.Addresses[0])
			rec.Municipio = municipioOf(l.Addresses[0].Region)
		}
		if rec.Address == "" {
			rec.Address = l.Name
			if rec.Address == "" {
				rec.Address = "Milano"
			}
			im.rep.add(label, "addresses", "no address: %q is used", rec.Address)
		}
		if rec.Municipio == 0 {
			rec.Municipio = im.nearestMunicipio(rec.Latitude, rec.Longitude)
			im.rep.add(label, "addresses.region", "no Municipio: Municipio %d, from the coordinates", rec.Municipio)
		}
		return rec, true
	}
	return LocationRecord{}, false
}

var municipioRE = regexp.MustCompile(`(?i)^\s*municipio\s+([1-9])\s*$`)

// municipioOf reads "Municipio 3"; 0 when it is not one.
func municipioOf(s string) int {
	m := municipioRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// nearestMunicipio is the Municipio of the neighbourhood nearest a point.
func (im *importer) nearestMunicipio(lat, lon float64) int {
	best, bestD := 1, math.Inf(1)
	for _, m := range im.cat.Milan.Municipi {
		for _, n := range m.Neighbourhoods {
			dlat, dlon := n.Point.Lat-lat, (n.Point.Lon-lon)*math.Cos(lat*math.Pi/180)
			if d := dlat*dlat + dlon*dlon; d < bestD {
				best, bestD = m.Number, d
			}
		}
	}
	return best
}

// spaces maps the locations of WeMi's own organization back to WeMi spaces.
func (im *importer) spaces(o Organization) []SpaceRecord {
	var out []SpaceRecord
	for _, l := range o.Locations {
		label := fmt.Sprintf("location %s (%q)", l.ID, l.Name)
		place, ok := im.place(label, []Location{l})
		if !ok {
			im.rep.skip(label, "latitude", "a WeMi space needs coordinates in Milan")
			continue
		}
		carried, _ := im.value(l.Attributes, attrWemiID)
		if carried == "" && l.ExternalIdentifierType == "wemi-space" {
			carried = l.ExternalIdentifier
		}
		sp := SpaceRecord{ID: im.ourID(carried, l.Name, "spazio-wemi"), Name: l.Name, Address: place.Address,
			Municipio: place.Municipio, Latitude: place.Latitude, Longitude: place.Longitude,
			Activities: im.values(l.Attributes, attrActivity), ActivitiesEN: im.values(l.Attributes, attrActivityEN)}
		if len(l.Phones) > 0 {
			sp.Phone = l.Phones[0].Number
		}
		for _, c := range l.Contacts {
			if c.Email != "" {
				sp.Email = c.Email
				break
			}
		}
		for _, lang := range l.Languages {
			if code := languageCode(lang); code != "" {
				sp.Mediation = append(sp.Mediation, code)
			}
		}
		sp.Closures = im.closures(label, l.Attributes)
		sp.Schedules = im.schedules(label, l.Schedules)
		if len(sp.Schedules) == 0 {
			im.rep.skip(label, "schedules", "a WeMi space needs weekly opening hours")
			continue
		}
		im.spaceIDs[l.ID] = sp.ID
		out = append(out, sp)
	}
	return out
}

// languageCode is a language's ISO 639-1 code, lower-cased; "" when it has none.
func languageCode(l Language) string {
	code := strings.ToLower(strings.TrimSpace(l.Code))
	if len(code) == 2 && code[0] >= 'a' && code[0] <= 'z' && code[1] >= 'a' && code[1] <= 'z' {
		return code
	}
	return ""
}
