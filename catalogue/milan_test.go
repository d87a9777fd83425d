package catalogue

import (
	"testing"
	"testing/fstest"
	"time"
)

func mustRome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustTime(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func timeHours(h int) time.Duration { return time.Duration(h) * time.Hour }

func TestNeighbourhoodsResolveToMunicipi(t *testing.T) {
	m, err := LoadMilan()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want int
	}{
		{"Niguarda", 9}, {"niguarda", 9}, {"Lorenteggio", 6}, {"Quarto Oggiaro", 8},
		{"QUARTO OGGIARO", 8}, {"Duomo", 1}, {"Brera", 1}, {"Gratosoglio", 5}, {"Baggio", 7},
		{"Corvetto", 4}, {"Bovisa", 9}, {"Isola", 9}, {"Citta Studi", 3}, {"Città Studi", 3},
		{"Lambrate", 3}, {"Giambellino", 6}, {"San Siro", 7}, {"Gallaratese", 8}, {"Loreto", 2},
	}
	for _, tt := range tests {
		n, ok := m.Neighbourhood(tt.name)
		if !ok || n.Municipio != tt.want {
			t.Errorf("Neighbourhood(%q) = %+v, %v; want municipio %d", tt.name, n, ok, tt.want)
		}
	}
	if _, ok := m.Neighbourhood("Atlantide"); ok {
		t.Error("an unknown place resolved")
	}
	total := 0
	for _, mun := range m.Municipi {
		total += len(mun.Neighbourhoods)
		if len(mun.Neighbourhoods) == 0 {
			t.Errorf("municipio %d has no neighbourhoods", mun.Number)
		}
		for _, n := range mun.Neighbourhoods {
			if n.Point.Lat < minLat || n.Point.Lat > maxLat || n.Point.Lon < minLon || n.Point.Lon > maxLon {
				t.Errorf("%s is outside Milan: %+v", n.Name, n.Point)
			}
		}
	}
	if total < 80 {
		t.Errorf("%d neighbourhoods, want the ~88 NIL", total)
	}
}

func TestFindNeighbourhoodInText(t *testing.T) {
	m, err := LoadMilan()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want int
	}{
		{"cerco una babysitter a Niguarda", 9},
		{"abito in zona Lorenteggio, mi serve aiuto", 6},
		{"sono di quarto oggiaro", 8},
		{"psicologo vicino a città studi?", 3},
	}
	for _, tt := range tests {
		n, ok := m.FindNeighbourhood(tt.text)
		if !ok || n.Municipio != tt.want {
			t.Errorf("FindNeighbourhood(%q) = %+v, %v; want municipio %d", tt.text, n, ok, tt.want)
		}
	}
	if n, ok := m.FindNeighbourhood("vorrei un corso di italiano"); ok {
		t.Errorf("found %q in a text naming no place", n.Name)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Ca' Granda":           "ca granda",
		"  CITTÀ   studi!! ":   "citta studi",
		"Niguarda - Ca’Granda": "niguarda ca granda",
		"":                     "",
		"😀😀":                   "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLoadServicesFile(f *testing.F) {
	f.Add([]byte("services:\n  - id: a\n"))
	f.Add([]byte("services: [{id: x, cost: {individual: -1}}]"))
	f.Add([]byte("{{{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := bundledFS(t)
		fsys["services/fuzz.yaml"] = &fstest.MapFile{Data: data}
		c, err := Load(fsys)
		if (c == nil) == (err == nil) {
			t.Fatalf("Load returned catalogue %v and error %v", c != nil, err)
		}
	})
}
