package catalogue

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// bundledFS returns a writable copy of the bundled catalogue folder.
func bundledFS(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(bundled, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(bundled, p)
		if err != nil {
			return err
		}
		m[strings.TrimPrefix(p, "data/")] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustLoad(t testing.TB, fsys fs.FS) *Catalogue {
	t.Helper()
	c, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestBundledCatalogueShape(t *testing.T) {
	c, err := Bundled()
	if err != nil {
		t.Fatalf("Bundled: %v", err)
	}
	kinds := map[OrganizationKind]int{}
	for _, o := range c.Organizations {
		kinds[o.Kind]++
	}
	if len(c.Organizations) != 50 || kinds[KindCooperative] != 38 || kinds[KindAssociation] != 12 {
		t.Errorf("providers = %d (%v), want 50: 38 cooperative, 12 associazioni", len(c.Organizations), kinds)
	}
	minimum := map[CategoryID]int{Educativo: 35, Psicologico: 28, SocioAssistenziale: 23, PiccoleCommissioni: 13,
		DisbrigoPratiche: 9, CorsiItaliano: 8, AccompagnamentoTrasporto: 4, PastiDomicilio: 3,
		AssistenzaSanitaria: 4, EsteticoSocioSanitario: 4, PiccolaManutenzione: 4, CuraAnimali: 4, LavoroDomestico: 4}
	for _, id := range CategoryIDs() {
		if n := len(c.ServicesIn(id)); n < minimum[id] {
			t.Errorf("category %s has %d services, want at least %d", id, n, minimum[id])
		}
	}
	if len(c.Categories) != 13 {
		t.Errorf("categories = %d, want 13", len(c.Categories))
	}
	if len(c.Spaces) < 3 {
		t.Errorf("spaces = %d, want at least 3", len(c.Spaces))
	}
	if len(c.Thesaurus) == 0 {
		t.Error("the bundled catalogue has no thesaurus")
	}
}

// The sample services must read like real ones: these are the editorial rules the
// issue sets for the bundled data.
func TestBundledServicesReadLikeRealOnes(t *testing.T) {
	c := mustLoad(t, bundledFS(t))
	used := map[string]bool{}
	openings := map[string]string{}
	for _, s := range c.Services {
		used[s.Organization.ID] = true
		if n := len(strings.Fields(s.Description)); n < 60 || n > 150 {
			t.Errorf("%s: description has %d words, want 60-150", s.ID, n)
		}
		if s.NameEN == "" || s.SummaryEN == "" {
			t.Errorf("%s: English title or summary missing", s.ID)
		}
		if s.Delivery.Shared != nil && s.Delivery.Individual && !s.Cost.Free && s.Cost.Shared >= s.Cost.Individual {
			t.Errorf("%s: shared price %d is not below individual %d", s.ID, s.Cost.Shared, s.Cost.Individual)
		}
		// Varied wording: no two descriptions open with the same six words.
		opening := strings.Join(strings.Fields(s.Description)[:6], " ")
		if other, dup := openings[opening]; dup {
			t.Errorf("%s and %s open with the same words %q", s.ID, other, opening)
		}
		openings[opening] = s.ID
	}
	for _, o := range c.Organizations {
		if !used[o.ID] {
			t.Errorf("provider %s offers no service", o.ID)
		}
	}
	var free, paid int
	for _, s := range c.Services {
		if s.Cost.Free {
			free++
		} else {
			paid++
		}
	}
	if free == 0 || paid == 0 {
		t.Errorf("free=%d paid=%d: the sample should have both", free, paid)
	}
}

func TestLoadReportsEveryProblemWithFileRecordAndField(t *testing.T) {
	fsys := bundledFS(t)
	fsys["services/broken.yaml"] = &fstest.MapFile{Data: []byte(`services:
  - id: broken-one
    organization: coop-che-non-esiste
    category: giardinaggio
    name: Servizio rotto
    description: Una descrizione.
    name_en: Broken
    summary_en: Broken.
    audiences: [anziani, marziani]
    delivery: {individual: true}
    cost: {free: false, unit: ora, individual: -3}
    municipi: [1, 10]
    languages: [it]
    schedules:
      - {days: [lun, xyz], opens_at: "25:00", closes_at: "12:00"}
    activation: Telefonare.
    max_wait_days: 3
  - id: broken-one
    organization: coop-arcobaleno
    category: educativo
    name: Doppione
    description: Una descrizione.
    name_en: Duplicate
    summary_en: Duplicate.
    audiences: [bambini]
    delivery: {individual: true}
    cost: {free: true}
    municipi: [1]
    languages: [it]
    schedules: [{days: [lun], opens_at: "09:00", closes_at: "08:00"}]
    activation: Telefonare.
    max_wait_days: 3
    colour: red
`)}
	fsys["spaces.yaml"] = &fstest.MapFile{Data: []byte("spaces:\n  - id: [unterminated\n")}

	_, err := Load(fsys)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Load error = %v, want a *ValidationError", err)
	}
	want := []struct{ file, record, field, msg string }{
		{"services/broken.yaml", `service "broken-one"`, "organization", "unknown provider"},
		{"services/broken.yaml", `service "broken-one"`, "category", "unknown category"},
		{"services/broken.yaml", `service "broken-one"`, "audiences", "marziani"},
		{"services/broken.yaml", `service "broken-one"`, "cost.individual", "negative price"},
		{"services/broken.yaml", `service "broken-one"`, "municipi", "outside 1-9"},
		{"services/broken.yaml", `service "broken-one"`, "schedules[0].days", "xyz"},
		{"services/broken.yaml", `service "broken-one"`, "schedules[0].opens_at", "not a time"},
		{"services/broken.yaml", `service "broken-one"`, "id", "duplicate id"},
		{"services/broken.yaml", `service "broken-one"`, "schedules[0]", "opens at 09:00 but closes at 08:00"},
		{"services/broken.yaml", `service "broken-one"`, "colour", "unknown field"},
		{"spaces.yaml", "", "", "not valid YAML"},
	}
	for _, w := range want {
		found := false
		for _, p := range ve.Problems {
			if p.File == w.file && p.Record == w.record && p.Field == w.field && strings.Contains(p.Msg, w.msg) {
				found = true
				if p.Line == 0 && w.record != "" {
					t.Errorf("problem %q has no line number", p)
				}
			}
		}
		if !found {
			t.Errorf("no problem %s / %s / %s containing %q; got:\n%v", w.file, w.record, w.field, w.msg, err)
		}
	}
}

func TestLoadRefusesBrokenFiles(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(fstest.MapFS)
		want   string
	}{
		{"missing organizations", func(m fstest.MapFS) { delete(m, "organizations.yaml") }, "organizations.yaml: cannot read the file"},
		{"empty file", func(m fstest.MapFS) { m["spaces.yaml"] = &fstest.MapFile{Data: nil} }, "spaces.yaml: the file is empty"},
		{"wrong top key", func(m fstest.MapFS) { m["spaces.yaml"] = &fstest.MapFile{Data: []byte("spazi: []\n")} }, `expected a list under "spaces"`},
		{"binary garbage", func(m fstest.MapFS) {
			m["services/educativo.yaml"] = &fstest.MapFile{Data: []byte{0xff, 0xfe, 0, 1, 2, '\n', ':'}}
		}, "services/educativo.yaml"},
		{"missing category", func(m fstest.MapFS) {
			m["categories.yaml"] = &fstest.MapFile{Data: []byte("categories:\n  - {id: educativo, name: Educativo, name_en: Education}\n")}
		}, `category "psicologico" is missing`},
		{"wrong type", func(m fstest.MapFS) {
			b := strings.Replace(string(m["organizations.yaml"].Data), "municipio: ", "municipio: uno #", 1)
			m["organizations.yaml"] = &fstest.MapFile{Data: []byte(b)}
		}, "cannot unmarshal"},
		{"stray file", func(m fstest.MapFS) { m["servizi.yaml"] = &fstest.MapFile{Data: []byte("services: []\n")} }, "servizi.yaml: unknown catalogue file"},
		{"no services", func(m fstest.MapFS) {
			for k := range m {
				if strings.HasPrefix(k, "services/") {
					delete(m, k)
				}
			}
		}, "cannot read the services folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := bundledFS(t)
			tt.mutate(fsys)
			c, err := Load(fsys)
			if err == nil || c != nil {
				t.Fatalf("Load = %v, %v; want the catalogue refused", c, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestLoadDirAndValidateFile(t *testing.T) {
	dir := t.TempDir()
	for name, f := range bundledFS(t) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadDir(dir); err != nil {
		t.Fatalf("LoadDir of a copy of the bundled catalogue: %v", err)
	}
	if _, err := LoadDir(filepath.Join(dir, "nope")); err == nil {
		t.Error("LoadDir of a missing folder succeeded")
	}
	edited := filepath.Join(t.TempDir(), "my-services.yaml")
	os.WriteFile(edited, []byte("services:\n  - id: x\n    organization: nobody\n"), 0o644)
	_, err := ValidateFile(edited)
	if err == nil || !strings.Contains(err.Error(), edited+":3: service \"x\", field organization: unknown provider") {
		t.Errorf("ValidateFile error = %v", err)
	}
	if _, err := ValidateFile(filepath.Join(dir, "organizations.yaml")); err != nil {
		t.Errorf("ValidateFile of a good file: %v", err)
	}
}

func TestScheduleCovers(t *testing.T) {
	c := mustLoad(t, bundledFS(t))
	rome := mustRome(t)
	for _, sp := range c.Spaces {
		var open int
		// Over one week, hour by hour, a space must be open at some time and closed at night.
		start := mustTime(t, rome, "2026-11-23T00:30:00") // a Monday
		for h := 0; h < 7*24; h++ {
			if sp.OpenAt(start.Add(timeHours(h)), rome) {
				open++
			}
		}
		if open == 0 || open > 7*24/2 {
			t.Errorf("%s is open %d hours a week", sp.ID, open)
		}
	}
}

func TestValidateFileInContext(t *testing.T) {
	fsys := bundledFS(t)
	// A renamed copy of a bundled services file replaces it: no false duplicates.
	copyPath := filepath.Join(t.TempDir(), "educativo-modificato.yaml")
	if err := os.WriteFile(copyPath, fsys["services/educativo.yaml"].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ValidateFile(copyPath); err != nil {
		t.Errorf("renamed copy: %v", err)
	}
	// Anything but YAML is refused, not silently passed.
	for _, name := range []string{"notes.txt", "passwd"} {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte("root:x:0:0"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ValidateFile(p); err == nil || !strings.Contains(err.Error(), "not a catalogue file") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Inside a catalogue folder, the folder is the context: here it lacks providers.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "services"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "organizations.yaml"), []byte("organizations: []\n"), 0o644)
	svc := filepath.Join(dir, "services", "educativo.yaml")
	os.WriteFile(svc, fsys["services/educativo.yaml"].Data, 0o644)
	_, err := ValidateFile(svc)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "services", "educativo.yaml")+":") ||
		!strings.Contains(err.Error(), "unknown provider") {
		t.Errorf("file in a folder: %v", err)
	}
}

func TestLoadRejectsSilentLosses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(fstest.MapFS)
		want   string
	}{
		{"text file among services", func(m fstest.MapFS) {
			m["services/appunti.txt"] = &fstest.MapFile{Data: []byte("x")}
		}, "service files must end in .yaml"},
		{"two documents", func(m fstest.MapFS) {
			m["spaces.yaml"] = &fstest.MapFile{Data: append(append([]byte{}, m["spaces.yaml"].Data...), []byte("\n---\nspaces: []\n")...)}
		}, "more than one YAML document"},
		{"missing thesaurus", func(m fstest.MapFS) { delete(m, "thesaurus.yaml") }, "thesaurus.yaml: cannot read the file"},
		{"NaN price", func(m fstest.MapFS) {
			b := strings.Replace(string(m["services/educativo.yaml"].Data), "individual: 1", "individual: .nan #", 1)
			m["services/educativo.yaml"] = &fstest.MapFile{Data: []byte(b)}
		}, "price must be a number"},
		{"duplicate key", func(m fstest.MapFS) {
			b := strings.Replace(string(m["spaces.yaml"].Data), "    municipio: 5\n", "    municipio: 5\n    municipio: 6\n", 1)
			m["spaces.yaml"] = &fstest.MapFile{Data: []byte(b)}
		}, "already defined at line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := bundledFS(t)
			tt.mutate(fsys)
			_, err := Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v does not mention %q", err, tt.want)
			}
		})
	}
}
