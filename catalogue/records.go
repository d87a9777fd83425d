package catalogue

// The record types mirror the YAML files field by field. They keep what staff wrote
// (strings for days and times, floats for euro) so that every mistake can be reported
// with its field; build turns them into the domain types.

type categoryRecord struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	NameEN        string   `yaml:"name_en"`
	Description   string   `yaml:"description"`
	DescriptionEN string   `yaml:"description_en"`
	Keywords      []string `yaml:"keywords"`
	KeywordsEN    []string `yaml:"keywords_en"`
}

type organizationRecord struct {
	ID          string         `yaml:"id"`
	Name        string         `yaml:"name"`
	Kind        string         `yaml:"kind"`
	Description string         `yaml:"description"`
	Email       string         `yaml:"email"`
	Phone       string         `yaml:"phone"`
	Website     string         `yaml:"website"`
	Location    locationRecord `yaml:"location"`
}

type locationRecord struct {
	Address   string   `yaml:"address"`
	Municipio int      `yaml:"municipio"`
	Latitude  *float64 `yaml:"latitude"`
	Longitude *float64 `yaml:"longitude"`
}

type serviceRecord struct {
	ID           string           `yaml:"id"`
	Organization string           `yaml:"organization"`
	Category     string           `yaml:"category"`
	Name         string           `yaml:"name"`
	Description  string           `yaml:"description"`
	NameEN       string           `yaml:"name_en"`
	SummaryEN    string           `yaml:"summary_en"`
	Audiences    []string         `yaml:"audiences"`
	Delivery     deliveryRecord   `yaml:"delivery"`
	Cost         costRecord       `yaml:"cost"`
	Municipi     []int            `yaml:"municipi"`
	Languages    []string         `yaml:"languages"`
	Schedules    []scheduleRecord `yaml:"schedules"`
	Activation   string           `yaml:"activation"`
	MaxWaitDays  *int             `yaml:"max_wait_days"`
	Booking      *bookingRecord   `yaml:"booking"` // see rulesfile.go
}

type deliveryRecord struct {
	Individual bool          `yaml:"individual"`
	Shared     *sharedRecord `yaml:"shared"`
}

type sharedRecord struct {
	MinPeople int `yaml:"min_people"`
	MaxPeople int `yaml:"max_people"`
}

type costRecord struct {
	Free       bool        `yaml:"free"`
	Unit       string      `yaml:"unit"`
	Individual *float64    `yaml:"individual"`
	Shared     *float64    `yaml:"shared"`
	ISEE       *iseeRecord `yaml:"isee"`
	Voucher    bool        `yaml:"voucher"`
	Note       string      `yaml:"note"`
}

type iseeRecord struct {
	MaxISEE          int `yaml:"max_isee"`
	ReductionPercent int `yaml:"reduction_percent"`
}

type scheduleRecord struct {
	Days     []string `yaml:"days"`
	OpensAt  string   `yaml:"opens_at"`
	ClosesAt string   `yaml:"closes_at"`
}

type spaceRecord struct {
	ID           string           `yaml:"id"`
	Name         string           `yaml:"name"`
	Address      string           `yaml:"address"`
	Municipio    int              `yaml:"municipio"`
	Latitude     *float64         `yaml:"latitude"`
	Longitude    *float64         `yaml:"longitude"`
	Phone        string           `yaml:"phone"`
	Email        string           `yaml:"email"`
	Schedules    []scheduleRecord `yaml:"schedules"`
	Activities   []string         `yaml:"activities"`
	ActivitiesEN []string         `yaml:"activities_en"`
	Mediation    []string         `yaml:"mediation"`
}

type needRecord struct {
	Lang     string   `yaml:"lang"`
	Category string   `yaml:"category"`
	Triggers []string `yaml:"triggers"`
	Expand   string   `yaml:"expand"`
}
