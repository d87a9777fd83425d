package hsds_test

import (
	"encoding/json"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
	"github.com/comune-milano/wemibot/hsds/hsdstest"
)

func bundled(t *testing.T) *catalogue.Catalogue {
	t.Helper()
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func exportBundled(t *testing.T) *hsds.Dataset {
	t.Helper()
	d, err := hsds.Export(bundled(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Every exported object is valid against the HSDS 3.0 schemas of hsdstest.
func TestExportIsValidHSDS(t *testing.T) {
	schemas := hsdstest.Load(t)
	d := exportBundled(t)
	for _, s := range d.Services {
		b, _ := json.Marshal(s)
		schemas.Validate(t, "service", b)
	}
	for _, o := range d.Organizations {
		b, _ := json.Marshal(o)
		schemas.Validate(t, "organization", b)
	}
	for _, tx := range d.Taxonomies {
		b, _ := json.Marshal(tx)
		schemas.Validate(t, "taxonomy", b)
	}
	for _, term := range d.Terms {
		b, _ := json.Marshal(term)
		schemas.Validate(t, "taxonomy_term", b)
	}
}

func catalogueForBench() (*catalogue.Catalogue, error) { return catalogue.Bundled() }
