package hsds_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// importDir reads a dataset folder and saves the imported catalogue in a new
// folder, returning the catalogue loaded from it and the report.
func importDir(t *testing.T, dir string) (*catalogue.Catalogue, *hsds.Report) {
	t.Helper()
	in, err := hsds.Read(os.DirFS(dir))
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	f, rep, err := hsds.Import(in, bundled(t))
	if err != nil {
		t.Fatal(err)
	}
	base, err := catalogue.BundledFS()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "catalogue")
	cat, err := f.Save(out, base)
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	return cat, rep
}

// Export then import of the bundled catalogue loses nothing HSDS can carry:
// providers, services (booking rules included), WeMi spaces and dated activities,
// field by field. What it cannot carry, on purpose: the translations into the bot's
// other languages (Texts of services, spaces and activities: HSDS 3.0 has one text
// per field); the categories and the thesaurus are the bot's own data, which the
// import takes from the bot.
func TestRoundTripLosesNothingHSDSCarries(t *testing.T) {
	want := bundled(t)
	d, err := hsds.Export(want)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := d.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, rep := importDir(t, dir)
	if len(rep.Notes) > 0 {
		t.Errorf("the import of our own export reports %d notes, first: %s", len(rep.Notes), rep.Notes[0])
	}

	if len(got.Organizations) != len(want.Organizations) {
		t.Fatalf("%d organizations, want %d", len(got.Organizations), len(want.Organizations))
	}
	for i, w := range want.Organizations {
		if g := got.Organizations[i]; !reflect.DeepEqual(*g, *w) {
			t.Errorf("organization %s:\n got %+v\nwant %+v", w.ID, *g, *w)
		}
	}
	if len(got.Services) != len(want.Services) {
		t.Fatalf("%d services, want %d", len(got.Services), len(want.Services))
	}
	for _, w := range want.Services {
		g, ok := got.Service(w.ID)
		if !ok {
			t.Errorf("service %s is missing", w.ID)
			continue
		}
		compareService(t, g, w)
	}
	if len(got.Spaces) != len(want.Spaces) {
		t.Fatalf("%d spaces, want %d", len(got.Spaces), len(want.Spaces))
	}
	for i, w := range want.Spaces {
		g := *got.Spaces[i]
		w := *w
		g.Texts, w.Texts = nil, nil // translations: not in HSDS
		g.Closures, w.Closures = withoutTranslations(g.Closures), withoutTranslations(w.Closures)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("space %s:\n got %+v\nwant %+v", w.ID, g, w)
		}
	}
	if len(got.Activities) != len(want.Activities) {
		t.Fatalf("%d activities, want %d", len(got.Activities), len(want.Activities))
	}
	for i, w := range want.Activities {
		compareActivity(t, got.Activities[i], w)
	}
	if !reflect.DeepEqual(got.Categories, want.Categories) {
		t.Errorf("the categories differ")
	}
	if !reflect.DeepEqual(got.Thesaurus, want.Thesaurus) {
		t.Errorf("the thesaurus differs")
	}
}

// compareService compares two services field by field, but their translations.
func compareService(t *testing.T, g, w *catalogue.Service) {
	t.Helper()
	gv, wv := reflect.ValueOf(*g), reflect.ValueOf(*w)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		switch name {
		case "Texts": // translations: not in HSDS
			continue
		case "Organization":
			if g.Organization.ID != w.Organization.ID {
				t.Errorf("service %s: provider %s, want %s", w.ID, g.Organization.ID, w.Organization.ID)
			}
			continue
		}
		if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
			t.Errorf("service %s, %s:\n got %#v\nwant %#v", w.ID, name, gv.Field(i).Interface(), wv.Field(i).Interface())
		}
	}
}

// compareActivity compares two activities field by field, but their translations.
func compareActivity(t *testing.T, g, w *catalogue.Activity) {
	t.Helper()
	gv, wv := reflect.ValueOf(*g), reflect.ValueOf(*w)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		gf, wf := gv.Field(i).Interface(), wv.Field(i).Interface()
		switch name {
		case "Texts": // translations: not in HSDS
			continue
		case "Organization", "Space":
			gf, wf = recordID(gf), recordID(wf)
		}
		if !reflect.DeepEqual(gf, wf) {
			t.Errorf("activity %s, %s:\n got %#v\nwant %#v", w.ID, name, gf, wf)
		}
	}
}

// recordID is the id of a provider or a space ("" for none).
func recordID(v any) string {
	switch r := v.(type) {
	case *catalogue.Organization:
		if r != nil {
			return r.ID
		}
	case *catalogue.Space:
		if r != nil {
			return r.ID
		}
	}
	return ""
}

// An export edited by hand (a provider without its office) still imports: the
// provider, its services and its activities are left out and reported, the rest is
// a valid catalogue.
func TestImportLeavesOutAProviderWithoutPlace(t *testing.T) {
	cat := bundled(t)
	d, err := hsds.Export(cat)
	if err != nil {
		t.Fatal(err)
	}
	var victim *catalogue.Organization
	for _, a := range cat.Activities {
		if a.Organization != nil {
			victim = a.Organization
			break
		}
	}
	if victim == nil {
		t.Fatal("no activity of a provider in the bundled catalogue")
	}
	vid := hsds.ID("organization", victim.ID)
	for i := range d.Organizations {
		if d.Organizations[i].ID == vid {
			d.Organizations[i].Locations = nil
		}
	}
	for i := range d.Services {
		if d.Services[i].OrganizationID == vid {
			d.Services[i].Organization.Locations = nil
		}
	}
	dir := t.TempDir()
	if err := d.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, rep := importDir(t, dir)
	if _, ok := got.Organization(victim.ID); ok {
		t.Error("the provider without a place was imported")
	}
	lost := 0
	for _, s := range cat.Services {
		if s.Organization == victim {
			lost++
		}
	}
	for _, a := range cat.Activities {
		if a.Organization == victim {
			lost++
		}
	}
	if len(got.Services)+len(got.Activities) != len(cat.Services)+len(cat.Activities)-lost {
		t.Errorf("%d services and activities, want %d", len(got.Services)+len(got.Activities), len(cat.Services)+len(cat.Activities)-lost)
	}
	if rep.Skipped() != lost+1 {
		t.Errorf("%d records reported left out, want %d:\n%s", rep.Skipped(), lost+1, reportText(rep))
	}
}

// withoutTranslations are closures with their reasons in Italian and English only,
// which is what HSDS carries.
func withoutTranslations(cs []catalogue.Closure) []catalogue.Closure {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Texts = nil
	}
	return out
}
