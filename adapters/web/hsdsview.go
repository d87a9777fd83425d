package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// hsdsView is one catalogue as the HSDS API serves it: the dataset, its lookups,
// and the version its ETags are made from.
type hsdsView struct {
	cat *catalogue.Catalogue
	// version changes with the catalogue's content: a hash of the dataset.
	version  string
	data     *hsds.Dataset
	services map[string]int // HSDS id -> index in data.Services
	byWemiID map[string]int // catalogue service id -> index, for search hits
	orgs     map[string]int
	taxa     map[string]int
	terms    map[string]int
	// sals are every service at location, with the index of its service.
	sals     []hsdsSAL
	salByID  map[string]int
	orgNames []string // folded name and description, by organization, for search
}

type hsdsSAL struct {
	sal     hsds.ServiceAtLocation
	service int
}

// newHSDSView exports a catalogue and indexes the result.
func newHSDSView(cat *catalogue.Catalogue) (*hsdsView, error) {
	d, err := hsds.Export(cat)
	if err != nil {
		return nil, fmt.Errorf("hsds view: %w", err)
	}
	v := &hsdsView{cat: cat, data: d, services: map[string]int{}, byWemiID: map[string]int{}, orgs: map[string]int{},
		taxa: map[string]int{}, terms: map[string]int{}, salByID: map[string]int{}}
	h := sha256.New()
	for _, part := range []any{d.Services, d.Organizations, d.Taxonomies, d.Terms} {
		b, err := hsds.Encode(part)
		if err != nil {
			return nil, fmt.Errorf("hsds view: %w", err)
		}
		h.Write(b)
	}
	v.version = hex.EncodeToString(h.Sum(nil))
	for i, s := range d.Services {
		v.services[s.ID] = i
		for _, sal := range s.ServiceAtLocations {
			v.salByID[sal.ID] = len(v.sals)
			v.sals = append(v.sals, hsdsSAL{sal: sal, service: i})
		}
	}
	for _, s := range cat.Services {
		if i, ok := v.services[hsds.ID("service", s.ID)]; ok {
			v.byWemiID[s.ID] = i
		}
	}
	for i, o := range d.Organizations {
		v.orgs[o.ID] = i
		v.orgNames = append(v.orgNames, catalogue.Fold(o.Name+" "+o.Description))
	}
	for i, t := range d.Taxonomies {
		v.taxa[t.ID] = i
	}
	for i, t := range d.Terms {
		v.terms[t.ID] = i
	}
	return v, nil
}

// service finds a service by its HSDS id, or by the catalogue's id.
func (v *hsdsView) service(id string) (hsds.Service, bool) {
	i, ok := v.services[id]
	if !ok {
		i, ok = v.byWemiID[id]
	}
	if !ok {
		return hsds.Service{}, false
	}
	return v.data.Services[i], true
}

// organization finds an organization by its HSDS id, or by the catalogue's id.
func (v *hsdsView) organization(id string) (hsds.Organization, bool) {
	i, ok := v.orgs[id]
	if !ok {
		i, ok = v.orgs[hsds.ID("organization", id)]
	}
	if !ok {
		return hsds.Organization{}, false
	}
	return v.data.Organizations[i], true
}

// termIDs returns the terms a service is linked to, by their ids.
func termIDs(s hsds.Service) map[string]bool {
	out := map[string]bool{}
	for _, a := range s.Attributes {
		if a.TaxonomyTermID != "" {
			out[a.TaxonomyTermID] = true
		}
	}
	return out
}
