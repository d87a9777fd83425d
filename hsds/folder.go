package hsds

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/comune-milano/wemibot/catalogue"
)

// Folder is an imported catalogue, as the records of a catalogue folder
// (catalogue/data/README.md): WriteTo lays it out.
type Folder struct {
	Organizations []OrganizationRecord
	Services      []ServiceRecord
	Spaces        []SpaceRecord
	Activities    []ActivityRecord
}

// The records below mirror the catalogue's YAML files field by field.

// OrganizationRecord is one provider of organizations.yaml.
type OrganizationRecord struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Kind        string         `yaml:"kind"`
	Description string         `yaml:"description,omitempty"`
	Email       string         `yaml:"email,omitempty"`
	Phone       string         `yaml:"phone,omitempty"`
	Website     string         `yaml:"website,omitempty"`
	Location    LocationRecord `yaml:"location"`
}

// LocationRecord is a place in Milan.
type LocationRecord struct {
	Address   string  `yaml:"address"`
	Municipio int     `yaml:"municipio"`
	Latitude  float64 `yaml:"latitude"`
	Longitude float64 `yaml:"longitude"`
}

// ServiceRecord is one service of services/<category>.yaml.
type ServiceRecord struct {
	ID           string           `yaml:"id"`
	Organization string           `yaml:"organization"`
	Category     string           `yaml:"category"`
	Name         string           `yaml:"name"`
	Description  string           `yaml:"description"`
	NameEN       string           `yaml:"name_en"`
	SummaryEN    string           `yaml:"summary_en"`
	Audiences    []string         `yaml:"audiences,flow"`
	Delivery     DeliveryRecord   `yaml:"delivery"`
	Cost         CostRecord       `yaml:"cost"`
	Municipi     []int            `yaml:"municipi,flow"`
	Languages    []string         `yaml:"languages,flow,omitempty"`
	Schedules    []ScheduleRecord `yaml:"schedules"`
	Activation   string           `yaml:"activation"`
	MaxWaitDays  int              `yaml:"max_wait_days"`
	Booking      *BookingRecord   `yaml:"booking,omitempty"`
}

// DeliveryRecord says one-to-one, in a group, or both.
type DeliveryRecord struct {
	Individual bool          `yaml:"individual"`
	Shared     *SharedRecord `yaml:"shared,omitempty"`
}

// SharedRecord bounds a group.
type SharedRecord struct {
	MinPeople int `yaml:"min_people"`
	MaxPeople int `yaml:"max_people"`
}

// CostRecord is a service's cost, prices in euro.
type CostRecord struct {
	Free       bool        `yaml:"free"`
	Unit       string      `yaml:"unit,omitempty"`
	Individual *float64    `yaml:"individual,omitempty"`
	Shared     *float64    `yaml:"shared,omitempty"`
	ISEE       *ISEERecord `yaml:"isee,omitempty"`
	Voucher    bool        `yaml:"voucher,omitempty"`
	Note       string      `yaml:"note,omitempty"`
}

// ISEERecord is an ISEE-based reduction.
type ISEERecord struct {
	MaxISEE          int `yaml:"max_isee"`
	ReductionPercent int `yaml:"reduction_percent"`
}

// ScheduleRecord is a weekly opening: Italian day abbreviations, HH:MM.
type ScheduleRecord struct {
	Days     []string `yaml:"days,flow"`
	OpensAt  string   `yaml:"opens_at"`
	ClosesAt string   `yaml:"closes_at"`
}

// BookingRecord is a service's booking rules (the `booking:` block).
type BookingRecord struct {
	MinQuantity    *int            `yaml:"min_quantity,omitempty"`
	MaxQuantity    *int            `yaml:"max_quantity,omitempty"`
	LeadHours      *int            `yaml:"lead_hours,omitempty"`
	HorizonDays    *int            `yaml:"horizon_days,omitempty"`
	Venue          string          `yaml:"venue,omitempty"`
	OpenOnHolidays bool            `yaml:"open_on_holidays,omitempty"`
	Closures       []ClosureRecord `yaml:"closures,omitempty"`
	Refund         *RefundRecord   `yaml:"refund,omitempty"`
}

// ClosureRecord is a span of closed days (YYYY-MM-DD).
type ClosureRecord struct {
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Reason   string `yaml:"reason,omitempty"`
	ReasonEN string `yaml:"reason_en,omitempty"`
}

// RefundRecord is a cancellation policy, in whole hours.
type RefundRecord struct {
	FullHoursBefore    *int `yaml:"full_hours_before,omitempty"`
	PartialHoursBefore *int `yaml:"partial_hours_before,omitempty"`
	PartialPercent     *int `yaml:"partial_percent,omitempty"`
}

// SpaceRecord is one WeMi space of spaces.yaml.
type SpaceRecord struct {
	ID           string           `yaml:"id"`
	Name         string           `yaml:"name"`
	Address      string           `yaml:"address"`
	Municipio    int              `yaml:"municipio"`
	Latitude     float64          `yaml:"latitude"`
	Longitude    float64          `yaml:"longitude"`
	Phone        string           `yaml:"phone,omitempty"`
	Email        string           `yaml:"email,omitempty"`
	Mediation    []string         `yaml:"mediation,flow,omitempty"`
	Schedules    []ScheduleRecord `yaml:"schedules"`
	Activities   []string         `yaml:"activities,omitempty"`
	ActivitiesEN []string         `yaml:"activities_en,omitempty"`
	// Closures are the space's exceptional closures (their reasons in Italian and
	// English: the other languages do not travel in HSDS).
	Closures []ClosureRecord `yaml:"closures,omitempty"`
}

// The files HSDS does not carry, which an imported folder takes from the bot's own
// catalogue: the 13 categories with the words citizens use for them, and the
// thesaurus. Translations keep only their categories (the services' and spaces'
// translations are not in HSDS).
const (
	fileCategories = "categories.yaml"
	fileThesaurus  = "thesaurus.yaml"
	dirThesaurus   = "thesaurus"
	dirI18n        = "i18n"
)

// WriteTo writes the folder into dir, which must exist and be empty; base is the
// catalogue folder whose categories, thesaurus and categories' translations it
// takes (the bundled one).
func (f *Folder) WriteTo(dir string, base fs.FS) error {
	files := map[string]any{
		"organizations.yaml": map[string]any{"organizations": orEmpty(f.Organizations)},
		"spaces.yaml":        map[string]any{"spaces": orEmpty(f.Spaces)},
	}
	if len(f.Activities) > 0 {
		files["activities.yaml"] = map[string]any{"activities": f.Activities}
	}
	byCategory := map[string][]ServiceRecord{}
	for _, s := range f.Services {
		byCategory[s.Category] = append(byCategory[s.Category], s)
	}
	for c, ss := range byCategory {
		files[path.Join("services", c+".yaml")] = map[string]any{"services": ss}
	}
	if len(f.Services) == 0 {
		files["services/services.yaml"] = map[string]any{"services": []ServiceRecord{}}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := marshalYAML(files[name])
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := writeFile(dir, name, data); err != nil {
			return err
		}
	}
	return copyBase(dir, base)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func marshalYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeFile(dir, name string, data []byte) error {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// copyBase copies the categories and the thesaurus from base, and the categories of
// its translation files.
func copyBase(dir string, base fs.FS) error {
	for _, name := range []string{fileCategories, fileThesaurus} {
		data, err := fs.ReadFile(base, name)
		if err != nil {
			return fmt.Errorf("read the base catalogue's %s: %w", name, err)
		}
		if err := writeFile(dir, name, data); err != nil {
			return err
		}
	}
	thesauri, _ := fs.Glob(base, dirThesaurus+"/*.yaml")
	for _, name := range thesauri {
		data, err := fs.ReadFile(base, name)
		if err != nil {
			return fmt.Errorf("read the base catalogue's %s: %w", name, err)
		}
		if err := writeFile(dir, name, data); err != nil {
			return err
		}
	}
	translations, _ := fs.Glob(base, dirI18n+"/*.yaml")
	for _, name := range translations {
		if err := copyCategoryTexts(dir, base, name); err != nil {
			return err
		}
	}
	return nil
}

// copyCategoryTexts copies the categories of one translation file.
func copyCategoryTexts(dir string, base fs.FS, name string) error {
	data, err := fs.ReadFile(base, name)
	if err != nil {
		return fmt.Errorf("read the base catalogue's %s: %w", name, err)
	}
	var doc struct {
		Categories yaml.Node `yaml:"categories"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("read the base catalogue's %s: %w", name, err)
	}
	if doc.Categories.Kind == 0 {
		return nil
	}
	out, err := marshalYAML(map[string]*yaml.Node{"categories": &doc.Categories})
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return writeFile(dir, name, out)
}

// Save writes the folder as the catalogue folder out, all or nothing: into a new
// folder beside out, which is loaded and validated as a catalogue, then renamed to
// out. out must not exist, or be an empty folder. The catalogue loaded is returned;
// an invalid one is a *catalogue.ValidationError and leaves nothing behind.
func (f *Folder) Save(out string, base fs.FS) (*catalogue.Catalogue, error) {
	out = filepath.Clean(out)
	switch entries, err := os.ReadDir(out); {
	case err == nil && len(entries) > 0:
		return nil, fmt.Errorf("save the catalogue in %s: the folder is not empty", out)
	case err == nil:
		if err := os.Remove(out); err != nil {
			return nil, fmt.Errorf("save the catalogue in %s: %w", out, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("save the catalogue in %s: %w", out, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".import-")
	if err != nil {
		return nil, fmt.Errorf("save the catalogue in %s: %w", out, err)
	}
	done := false
	// MkdirTemp makes the folder private; a catalogue folder is as readable as any.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("save the catalogue in %s: %w", out, err)
	}
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := f.WriteTo(tmp, base); err != nil {
		return nil, err
	}
	cat, err := catalogue.LoadDir(tmp)
	if err != nil {
		return nil, fmt.Errorf("the imported catalogue is not valid: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return nil, fmt.Errorf("save the catalogue in %s: %w", out, err)
	}
	done = true
	return cat, nil
}
