package hsds_test

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// Any bytes as services.json: Read refuses them or reads records with ids, and
// Import maps those without panicking.
func FuzzReadAndImport(f *testing.F) {
	seed, err := os.ReadFile("testdata/foreign/services.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[{"id":"a","name":"x","organization":{"id":"o","name":"O","locations":[{"id":"l","latitude":45.46,"longitude":9.19}]},"attributes":[{"id":"t","taxonomy_term":{"id":"u","name":"babysitting"}}],"service_areas":[{"name":"Milano"}],"schedules":[{"freq":"WEEKLY","byday":"MO","opens_at":"09:00","closes_at":"10:00"}]}]`))
	f.Add([]byte(`[{"id":"a","name":"x","schedules":[{"freq":"WEEKLY","byday":",,MO,","opens_at":"23:59:59Z","closes_at":"24:00"}]}]`))
	f.Add([]byte(`[`))
	f.Add([]byte(`{}`))
	cat, err := catalogue.Bundled()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := hsds.Read(fstest.MapFS{"services.json": {Data: data}})
		if err != nil {
			return
		}
		for _, s := range in.Services {
			if s.ID == "" {
				t.Fatal("a service without id was read")
			}
		}
		folder, rep, err := hsds.Import(in, cat)
		if err != nil {
			t.Fatal(err)
		}
		if len(folder.Services) > len(in.Services) || rep == nil {
			t.Fatalf("%d services from %d", len(folder.Services), len(in.Services))
		}
	})
}
