package hsds_test

import (
	"testing"

	"github.com/comune-milano/wemibot/hsds"
)

// Exporting the bundled catalogue (what the API does once per reload).
func BenchmarkExport(b *testing.B) {
	cat, err := catalogueForBench()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := hsds.Export(cat); err != nil {
			b.Fatal(err)
		}
	}
}
