package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

type cliResult struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	if _, ok := env["WEMI_DATA_DIR"]; !ok {
		// Never the source tree's ./data: the store or the key file would stay there.
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["WEMI_DATA_DIR"] = t.TempDir()
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env, strings.NewReader(stdin), &out, &errOut)
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

func TestSearchJSONContract(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	r := runCLI(t, nil, "", "search", "--json", "--limit", "3", "non so a chi lasciare i bambini")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Query string `json:"query"`
		Total *int   `json:"total"`
		Hits  []map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, r.stdout)
	}
	if got.Query != "non so a chi lasciare i bambini" || got.Total == nil || *got.Total < 3 || len(got.Hits) != 3 {
		t.Fatalf("unexpected answer: %s", r.stdout)
	}
	for _, key := range []string{"id", "title", "category", "provider", "free", "score"} {
		if _, ok := got.Hits[0][key]; !ok {
			t.Errorf("hit has no %q: %v", key, got.Hits[0])
		}
	}
	if got.Hits[0]["category"] != "educativo" {
		t.Errorf("best hit category = %v, want educativo", got.Hits[0]["category"])
	}
	s0, s1 := got.Hits[0]["score"].(float64), got.Hits[1]["score"].(float64)
	if s0 < s1 {
		t.Errorf("hits not best first: %v < %v", s0, s1)
	}
}

func TestSearchReadsQueriesFromStdin(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	in := "badante\n\n/.*.*.*/\nsomeone to walk my dog\n" + strings.Repeat("z", 10000) + "\n"
	r := runCLI(t, nil, in, "search", "-", "--json", "--lang", "en")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{"badante", "", "/.*.*.*/", "someone to walk my dog", strings.Repeat("z", 10000)}
	if len(lines) != len(want) {
		t.Fatalf("%d answers for %d queries:\n%s", len(lines), len(want), r.stdout)
	}
	for i, l := range lines {
		var o struct {
			Query string           `json:"query"`
			Total int              `json:"total"`
			Hits  []map[string]any `json:"hits"`
		}
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if o.Query != want[i] {
			t.Errorf("line %d answers %q, want %q (order kept)", i+1, o.Query, want[i])
		}
		if o.Hits == nil {
			t.Errorf("line %d: hits must be a list, even when empty", i+1)
		}
	}
}

func TestZoneAcceptsNeighbourhoods(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	a := runCLI(t, nil, "", "search", "--json", "--zone", "Niguarda", "babysitter")
	b := runCLI(t, nil, "", "search", "--json", "--zone", "9", "babysitter")
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("--zone Niguarda differs from --zone 9:\n%s\n%s%s", a.stdout, b.stdout, a.stderr)
	}
}

// --zone takes a street or a postcode of Milan too: their Municipio. The search runs
// for one street; the other spellings are resolved as the search resolves them, each
// search costing an index of its own.
func TestSearchZoneStreetOrPostcode(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	want := runCLI(t, nil, "", "search", "--json", "--zone", "2", "psicologo").stdout
	if got := runCLI(t, nil, "", "search", "--json", "--zone", "via Padova", "psicologo"); got.stdout != want {
		t.Errorf("--zone %q differs from --zone 2:\n%s\n%s%s", "via Padova", got.stdout, want, got.stderr)
	}
	cat, err := catalogue.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"v.le Monza", "20127"} {
		if n, err := resolveZone(cat, zone); n != 2 || err != nil {
			t.Errorf("--zone %q is Municipio %d (%v), want 2", zone, n, err)
		}
	}
	if r := runCLI(t, nil, "", "search", "--zone", "20090", "x"); r.code != 2 || !strings.Contains(r.stderr, "--zone") {
		t.Errorf("--zone 20090 (not Milan): %q", r.stderr)
	}
}

func TestStdinSurvivesHugeLines(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	in := strings.Repeat("badante ", 20000) + "\ncolf\n"
	r := runCLI(t, nil, in, "search", "--json", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"query":"colf"`) {
		t.Errorf("the query after a 160 KB line was not answered: %d lines", len(lines))
	}
}

func TestSearchFiltersAndTable(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	r := runCLI(t, nil, "", "search", "--free", "--zone", "9", "--for", "anziani", "--category", "socio-assistenziale", "compagnia")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"compagnia":`) || !strings.Contains(r.stdout, "socio-assistenziale") || !strings.Contains(r.stdout, "gratuito") {
		t.Errorf("table output:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "a pagamento") {
		t.Errorf("--free listed a paid service:\n%s", r.stdout)
	}
	r = runCLI(t, nil, "", "search", "--json", "--category", "pasti-domicilio", "astronave marziana")
	if r.code != 0 || !strings.Contains(r.stdout, `"total":0`) {
		t.Errorf("no hits must still exit 0 with total 0: exit %d, %s", r.code, r.stdout)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"search"}, "needs a query"},
		{[]string{"search", "--lang", "tlh", "x"}, "the languages are: it, en"},
		{[]string{"search", "--category", "giardinaggio", "x"}, "not a category"},
		{[]string{"search", "--zone", "12", "x"}, "Municipio from 1 to 9"},
		{[]string{"search", "--zone", "nove", "x"}, "neither a Municipio"},
		{[]string{"--bogus", "search", "x"}, "bogus"},
		{[]string{"search", "--search-timeout", "0s", "x"}, "positive duration"},
		{[]string{"serve", "extra"}, "takes no arguments"},
		{[]string{"search", "--for", "marziani", "x"}, "target group"},
		{[]string{"search", "--limit", "0", "x"}, "--limit"},
		{[]string{"search", "--bogus", "x"}, "bogus"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"catalogue"}, "needs a subcommand"},
		{[]string{"catalogue", "validate"}, "exactly one PATH"},
		{[]string{"catalogue", "stats", "extra"}, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, "", tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2", r.code)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.want)
			}
		})
	}
	if r := runCLI(t, map[string]string{"WEMI_SEARCH_TIMEOUT": "soon"}, "", "search", "x"); r.code != 2 || !strings.Contains(r.stderr, "WEMI_SEARCH_TIMEOUT") {
		t.Errorf("invalid setting: exit %d, %q", r.code, r.stderr)
	}
	// The flag wins over an invalid environment variable; commands that do not
	// search do not care.
	if r := runCLI(t, map[string]string{"WEMI_SEARCH_TIMEOUT": "soon"}, "", "search", "--search-timeout", "1s", "colf"); r.code != 0 {
		t.Errorf("flag over invalid env: exit %d, %q", r.code, r.stderr)
	}
	if r := runCLI(t, map[string]string{"WEMI_SEARCH_TIMEOUT": "soon"}, "", "catalogue", "stats"); r.code != 0 {
		t.Errorf("stats with an invalid search timeout: exit %d, %q", r.code, r.stderr)
	}
	// Errors are one line on standard error, never the usage on standard output.
	if r := runCLI(t, nil, "", "search", "--json", "--bogus", "x"); r.stdout != "" {
		t.Errorf("a flag error wrote to standard output: %q", r.stdout)
	}
}

func TestCatalogueStatsJSON(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	r := runCLI(t, nil, "", "catalogue", "stats", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var st struct {
		Providers          int            `json:"providers"`
		ProvidersByKind    map[string]int `json:"providers_by_kind"`
		Services           int            `json:"services"`
		ServicesByCategory map[string]int `json:"services_by_category"`
		Spaces             int            `json:"spaces"`
		Activities         int            `json:"activities"`
		ActivitiesByKind   map[string]int `json:"activities_by_kind"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Activities < 25 || st.ActivitiesByKind["centro-estivo"] == 0 || len(st.ActivitiesByKind) != 4 {
		t.Errorf("activities: %d %v", st.Activities, st.ActivitiesByKind)
	}
	if st.Providers != 50 || st.ProvidersByKind["cooperativa"] != 38 || st.ProvidersByKind["associazione"] != 12 {
		t.Errorf("providers: %+v", st)
	}
	if len(st.ServicesByCategory) != 13 || st.ServicesByCategory["educativo"] < 35 || st.Spaces == 0 {
		t.Errorf("services: %+v", st)
	}
	sum := 0
	for _, n := range st.ServicesByCategory {
		sum += n
	}
	if sum != st.Services {
		t.Errorf("categories add up to %d, services = %d", sum, st.Services)
	}
}

// copyBundled writes the bundled catalogue to a folder, as staff would keep it.
func copyBundled(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "catalogue", "data")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCatalogueValidate(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	dir := copyBundled(t)
	r := runCLI(t, nil, "", "catalogue", "validate", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "valid catalogue") {
		t.Fatalf("good folder: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Break it in two files at once: both problems are reported.
	svc := filepath.Join(dir, "services", "educativo.yaml")
	b, _ := os.ReadFile(svc)
	b = bytes.Replace(b, []byte("category: educativo"), []byte("category: giardinaggio"), 1)
	os.WriteFile(svc, b, 0o644)
	os.WriteFile(filepath.Join(dir, "spaces.yaml"), []byte("spaces: [\n"), 0o644)
	r = runCLI(t, nil, "", "catalogue", "validate", dir)
	if r.code != 1 {
		t.Errorf("broken folder: exit %d, want 1", r.code)
	}
	for _, want := range []string{"services/educativo.yaml:", `unknown category "giardinaggio"`, "spaces.yaml", "not valid YAML", "is not a valid catalogue"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output does not mention %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	// A single file is checked against the rest of the bundled catalogue.
	r = runCLI(t, nil, "", "catalogue", "validate", svc)
	if r.code != 1 || !strings.Contains(r.stdout, svc+":") {
		t.Errorf("single broken file: exit %d\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, nil, "", "catalogue", "validate", filepath.Join(dir, "missing")); r.code != 1 || !strings.Contains(r.stderr, "cannot open") {
		t.Errorf("missing path: exit %d %q", r.code, r.stderr)
	}
}

func TestExternalCatalogueSetting(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	dir := copyBundled(t)
	// Remove a category's services from the copy: the bot must serve the copy.
	os.Remove(filepath.Join(dir, "services", "pasti-domicilio.yaml"))
	for _, r := range []cliResult{
		runCLI(t, map[string]string{"WEMI_CATALOGUE_DIR": dir}, "", "catalogue", "stats", "--json"),
		runCLI(t, nil, "", "--catalogue", dir, "catalogue", "stats", "--json"),
		runCLI(t, map[string]string{"WEMI_CATALOGUE_DIR": "/nonexistent"}, "", "catalogue", "stats", "--catalogue", dir, "--json"),
	} {
		if r.code != 0 || !strings.Contains(r.stdout, `"pasti-domicilio":0`) {
			t.Errorf("external catalogue not used: exit %d %s %s", r.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, map[string]string{"WEMI_CATALOGUE_DIR": "/nonexistent"}, "", "search", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "catalogue") {
		t.Errorf("missing catalogue folder: exit %d %q", r.code, r.stderr)
	}
}

func TestHelp(t *testing.T) {
	if r := runCLI(t, nil, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
		t.Errorf("help: exit %d", r.code)
	}
}

// Warnings (a summary too long for a card, a missing translation) are listed, and the
// catalogue is still valid.
func TestCatalogueValidateListsWarnings(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	dir := copyBundled(t)
	svc := filepath.Join(dir, "services", "educativo.yaml")
	b, _ := os.ReadFile(svc)
	long := "summary_en: >-\n      " + strings.Repeat("A long English summary. ", 15) + "\n      "
	b = bytes.Replace(b, []byte("summary_en: >-\n      "), []byte(long), 1)
	os.WriteFile(svc, b, 0o644)
	r := runCLI(t, nil, "", "catalogue", "validate", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "valid catalogue") {
		t.Fatalf("exit %d, want a valid catalogue\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "1 warning:") || !strings.Contains(r.stdout, "field summary_en: warning:") {
		t.Errorf("the warning is not listed:\n%s", r.stdout)
	}
}

// Without --lang the query's language is detected: a Chinese query is analysed as
// Chinese and its titles come in Chinese; a query in no clear language is Italian.
// Each query is detected on its own: they come one a line on standard input, which
// goes through the same answer as a query in the arguments, on one index.
func TestSearchDetectsTheQueryLanguage(t *testing.T) {
	t.Parallel() // the command in process, on streams and folders of its own
	queries := []struct{ q, want string }{{"我想找保姆", "zh"}, {"cerco una badante per mia nonna", "it"}, {"ISEE", "it"}}
	var in strings.Builder
	for _, tt := range queries {
		in.WriteString(tt.q + "\n")
	}
	r := runCLI(t, nil, in.String(), "search", "--json", "--limit", "1", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(queries) {
		t.Fatalf("%d answers for %d queries:\n%s", len(lines), len(queries), r.stdout)
	}
	for i, tt := range queries {
		var got struct {
			Query string `json:"query"`
			Lang  string `json:"lang"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil || got.Query != tt.q || got.Lang != tt.want {
			t.Errorf("%s: query %q, language %q (%v), want %s", tt.q, got.Query, got.Lang, err, tt.want)
		}
	}
	if r := runCLI(t, nil, "", "search", "--lang", "xx", "babysitter"); r.code != 2 || !strings.Contains(r.stderr, "zh") {
		t.Errorf("--lang xx: exit %d, %s", r.code, r.stderr)
	}
}
