package hsds_test

import (
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// A foreign dataset: what maps is imported, what does not is in the report, and the
// folder is a valid catalogue.
func TestImportForeignDataset(t *testing.T) {
	cat, rep := importDir(t, "testdata/foreign")

	if len(cat.Organizations) != 2 {
		t.Fatalf("%d organizations, want 2 (Il Faro, Amici di Quartiere; not the one in Lugano)", len(cat.Organizations))
	}
	faro, ok := cat.Organization("il-faro-societa-cooperativa-sociale")
	if !ok {
		t.Fatalf("no organization made from Il Faro's name: %v", ids(cat))
	}
	if faro.Kind != catalogue.KindCooperative || faro.Location.Municipio != 3 || faro.Location.Address != "via Pacini 20, 20131 Milano" {
		t.Errorf("Il Faro: %+v", *faro)
	}
	amici, _ := cat.Organization("amici-di-quartiere")
	if amici == nil || amici.Kind != catalogue.KindAssociation || amici.Email != "ciao@amici.example.org" || amici.Location.Municipio != 6 {
		t.Errorf("Amici di Quartiere: %+v", amici)
	}

	if len(cat.Services) != 2 {
		t.Fatalf("%d services, want 2 (babysitting, Italian course)", len(cat.Services))
	}
	bs, ok := cat.Service("babysitting-pomeridiano")
	if !ok {
		t.Fatal("no babysitting service")
	}
	if bs.Category != catalogue.Educativo || len(bs.Municipi) != 1 || bs.Municipi[0] != 3 ||
		bs.Cost.Individual != 1250 || bs.Cost.Unit != "ora" || bs.MaxWaitDays != 14 ||
		len(bs.Schedules) != 1 || bs.Schedules[0].OpensAt.String() != "16:00" || len(bs.Schedules[0].Days) != 3 ||
		!bs.For(catalogue.AudienceChildren) || !bs.For(catalogue.AudienceFamilies) {
		t.Errorf("babysitting: %+v", *bs)
	}
	course, _ := cat.Service("corso-di-italiano")
	if course == nil || course.Category != catalogue.CorsiItaliano || len(course.Municipi) != 9 || !course.Cost.Free ||
		course.MaxWaitDays != 10 || course.Languages[0] != "it" || !course.For(catalogue.AudienceForeigners) {
		t.Errorf("Italian course: %+v", course)
	}

	report := reportText(rep)
	for _, want := range []string{
		`organization 2b3c4d5e-0000-4000-8000-000000000001 ("Help Center Lugano"), locations: no location with coordinates in Milan`,
		`"ODV" is neither a cooperativa nor an associazione`,
		`no Municipio: Municipio 3, from the coordinates`,
		`("Banco alimentare"), attributes: no WeMi category among the taxonomy terms "Emergency Food" (not imported)`,
		`("Sportello di ascolto"), service_areas: no area in Milan`,
		`taxonomy term "Counselling" read as the category psicologico`,
		`("Spesa a domicilio"), schedules: no weekly hours`,
		`("Cross-border advice"), organization_id: no provider that could be imported (not imported)`,
		`"Segrate" is not an area of Milan: left out`,
		`only weekly hours are read (freq "MONTHLY")`,
		`"Tigrinya" has no two-letter code`,
		`currency "USD" is not euro`,
		`no price in euro: imported as free, to check`,
		`no English name: the name is used`,
		`fields the catalogue has no place for, left out: accreditations, funding`,
		`the place "Scuola Tito Livio" is not kept`,
		`email: "non disponibile" is not an e-mail address: left out`,
		`15000 € is not a price per unit of a personal service`,
		`("Doposcuola (chiuso)"), status: the service is "defunct", not active (not imported)`,
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q:\n%s", want, report)
		}
	}
	if got := rep.Skipped(); got != 6 {
		t.Errorf("%d records left out, want 6 (one organization, five services)", got)
	}
}

func reportText(rep *hsds.Report) string {
	var b strings.Builder
	for _, n := range rep.Notes {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func ids(cat *catalogue.Catalogue) []string {
	var out []string
	for _, o := range cat.Organizations {
		out = append(out, o.ID)
	}
	return out
}
