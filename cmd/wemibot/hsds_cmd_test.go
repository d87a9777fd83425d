package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/hsds/hsdstest"
)

// export writes a dataset every object of which is valid HSDS; import of it gives
// back a valid catalogue of the same size, with exit status 0.
func TestCatalogueExportImport(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	dir := filepath.Join(t.TempDir(), "hsds")
	r := runCLI(t, nil, "", "catalogue", "export", "--hsds", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "HSDS 3.0.1 dataset written") {
		t.Fatalf("export: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	schemas := hsdstest.Load(t)
	for file, schema := range map[string]string{"services.json": "service", "organizations.json": "organization"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var objects []json.RawMessage
		if err := json.Unmarshal(data, &objects); err != nil || len(objects) == 0 {
			t.Fatalf("%s is not a JSON array of objects: %v", file, err)
		}
		for _, o := range objects {
			schemas.Validate(t, schema, o)
		}
	}

	out := filepath.Join(t.TempDir(), "catalogue")
	r = runCLI(t, nil, "", "catalogue", "import", "--hsds", dir, out)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("import: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "50 providers, 148 services, 9 WeMi spaces") {
		t.Errorf("import says: %s", r.stdout)
	}
	r = runCLI(t, nil, "", "catalogue", "validate", out)
	if r.code != exitOK {
		t.Errorf("the imported folder is not valid: %s%s", r.stdout, r.stderr)
	}
	// The folder serves: stats load it as the catalogue.
	r = runCLI(t, map[string]string{"WEMI_CATALOGUE_DIR": out}, "", "catalogue", "stats", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"services":148`) {
		t.Errorf("stats of the imported folder: %s%s", r.stdout, r.stderr)
	}
}

// A foreign dataset imports what maps, reports the rest on standard error and exits
// with status 3.
func TestCatalogueImportForeignReports(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	out := filepath.Join(t.TempDir(), "catalogue")
	r := runCLI(t, nil, "", "catalogue", "import", "--hsds", "../../hsds/testdata/foreign", out)
	if r.code != exitPartial {
		t.Fatalf("exit %d, want %d\n%s%s", r.code, exitPartial, r.stdout, r.stderr)
	}
	for _, want := range []string{"6 records left out", `"Emergency Food"`, "no area in Milan", "exit status 3"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("standard error does not say %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "2 providers, 2 services") {
		t.Errorf("stdout: %s", r.stdout)
	}
}

func TestCatalogueImportBadInput(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "services.json"), []byte(`[{"id": "a", "name": "x"`), 0o644)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "mine.txt"), []byte("keep"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed JSON", []string{"--hsds", bad, filepath.Join(t.TempDir(), "out")}, exitError, "not a readable HSDS dataset"},
		{"no dataset", []string{"--hsds", filepath.Join(bad, "nothing"), filepath.Join(t.TempDir(), "out")}, exitError, "services.json"},
		{"OUT not empty", []string{"--hsds", "../../hsds/testdata/foreign", full}, exitError, "not empty"},
		{"no OUT", []string{"--hsds", bad}, exitUsage, "import needs --hsds DIR"},
		{"no --hsds", []string{filepath.Join(t.TempDir(), "out")}, exitUsage, "import needs --hsds DIR"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, "", append([]string{"catalogue", "import"}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d (want %d), stderr:\n%s", r.code, c.code, r.stderr)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(full, "mine.txt")); string(b) != "keep" {
		t.Error("the non-empty OUT was touched")
	}
	r := runCLI(t, nil, "", "catalogue", "export")
	if r.code != exitUsage {
		t.Errorf("export without --hsds: exit %d", r.code)
	}
}
