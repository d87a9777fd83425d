package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `catalogue validate` reports broken booking rules with file, line, service and field,
// like every other problem.
func TestCatalogueValidateBookingRules(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	dir := copyBundled(t)
	svc := filepath.Join(dir, "services", "socio-assistenziale.yaml")
	b, err := os.ReadFile(svc)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]string{
		{"min_quantity: 3\n      max_quantity: 8", "min_quantity: 9\n      max_quantity: 4"},
		{"venue: domicilio", "venue: spiaggia"},
		{"partial_percent: 50", "partial_percent: 150"},
	} {
		if !bytes.Contains(b, []byte(r[0])) {
			t.Fatalf("the bundled file no longer holds %q", r[0])
		}
		b = bytes.Replace(b, []byte(r[0]), []byte(r[1]), 1)
	}
	if err := os.WriteFile(svc, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "", "catalogue", "validate", dir)
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, want := range []string{"services/socio-assistenziale.yaml:", "field booking.max_quantity: 4 is below min_quantity 9",
		`field booking.venue: unknown venue "spiaggia"`, "field booking.refund.partial_percent: 150 is not between 0 and 100"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output does not mention %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}
