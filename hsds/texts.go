package hsds

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed texts.it.yaml
var textsYAML []byte

// texts are the words the export writes around the catalogue's data (texts.it.yaml).
type texts struct {
	WemiOrganization struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Website     string `yaml:"website"`
		LegalStatus string `yaml:"legal_status"`
	} `yaml:"wemi_organization"`
	WemiSpacesService struct {
		Name               string `yaml:"name"`
		Description        string `yaml:"description"`
		ApplicationProcess string `yaml:"application_process"`
	} `yaml:"wemi_spaces_service"`
	SpaceLocationDescription string `yaml:"space_location_description"`
	ProviderOffice           string `yaml:"provider_office"`
	ActivityPlace            string `yaml:"activity_place"`
	ActivityDays             string `yaml:"activity_days"`
	Enrol                    struct {
		Chat  string `yaml:"chat"`
		Space string `yaml:"space"`
		URL   string `yaml:"url"`
	} `yaml:"enrol"`
	MunicipioArea       string            `yaml:"municipio_area"`
	Eligibility         string            `yaml:"eligibility"`
	WaitTime            string            `yaml:"wait_time"`
	ScheduleDescription string            `yaml:"schedule_description"`
	MediationNote       string            `yaml:"mediation_note"`
	DefaultActivation   string            `yaml:"default_activation"`
	Venue               map[string]string `yaml:"venue"`
	Cost                struct {
		Free            string `yaml:"free"`
		Individual      string `yaml:"individual"`
		Shared          string `yaml:"shared"`
		PerUnit         string `yaml:"per_unit"`
		PerUnitPerson   string `yaml:"per_unit_person"`
		FreeDescription string `yaml:"free_description"`
	} `yaml:"cost"`
	Audiences          map[string]string `yaml:"audiences"`
	Units              map[string]string `yaml:"units"`
	CategoriesTaxonomy struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"categories_taxonomy"`
	AttributesTaxonomy struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"attributes_taxonomy"`
	AttributeTerms map[string]struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"attribute_terms"`
}

// loadTexts reads texts.it.yaml, checking that every attribute the export writes has
// its term.
func loadTexts() (*texts, error) {
	var t texts
	if err := yaml.Unmarshal(textsYAML, &t); err != nil {
		return nil, fmt.Errorf("hsds: read texts.it.yaml: %w", err)
	}
	for _, code := range attributeCodes() {
		if _, ok := t.AttributeTerms[code]; !ok {
			return nil, fmt.Errorf("hsds: texts.it.yaml: attribute term %q has no name", code)
		}
	}
	return &t, nil
}
