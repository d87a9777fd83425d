package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/comune-milano/wemibot/catalogue"
)

// catalogueStats is the JSON contract of `wemibot catalogue stats --json`.
type catalogueStats struct {
	Providers          int            `json:"providers"`
	ProvidersByKind    map[string]int `json:"providers_by_kind"`
	Services           int            `json:"services"`
	ServicesByCategory map[string]int `json:"services_by_category"`
	Spaces             int            `json:"spaces"`
	Activities         int            `json:"activities"`
	ActivitiesByKind   map[string]int `json:"activities_by_kind"`
}

func statsOf(cat *catalogue.Catalogue) catalogueStats {
	st := catalogueStats{ProvidersByKind: map[string]int{}, ServicesByCategory: map[string]int{},
		Providers: len(cat.Organizations), Services: len(cat.Services), Spaces: len(cat.Spaces),
		Activities: len(cat.Activities), ActivitiesByKind: map[string]int{}}
	for _, k := range catalogue.ActivityKinds() {
		st.ActivitiesByKind[string(k)] = 0
	}
	for _, a := range cat.Activities {
		st.ActivitiesByKind[string(a.Kind)]++
	}
	for _, o := range cat.Organizations {
		st.ProvidersByKind[string(o.Kind)]++
	}
	for _, id := range catalogue.CategoryIDs() {
		st.ServicesByCategory[string(id)] = 0
	}
	for _, s := range cat.Services {
		st.ServicesByCategory[string(s.Category)]++
	}
	return st
}

func (c *cli) catalogue(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: catalogue needs a subcommand: validate PATH or stats", errUsage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "validate":
		return c.catalogueValidate(args)
	case "stats":
		return c.catalogueStats(args)
	case "reload":
		return c.catalogueReload(ctx, args)
	default:
		return fmt.Errorf("%w: unknown catalogue subcommand %q (validate, stats or reload)", errUsage, sub)
	}
}

func (c *cli) catalogueValidate(args []string) error {
	fs := c.flagSet("catalogue validate", mainUsage)
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: catalogue validate needs exactly one PATH (a catalogue folder, or one of its files)", errUsage)
	}
	path := pos[0]
	cat, err := validatePath(path)
	if err != nil {
		var ve *catalogue.ValidationError
		if errors.As(err, &ve) {
			fmt.Fprintf(c.stdout, "%s: %v\n", path, err)
			return fmt.Errorf("%s is not a valid catalogue", path)
		}
		return err
	}
	st := statsOf(cat)
	fmt.Fprintf(c.stdout, "%s: valid catalogue: %d providers, %d services, %d WeMi spaces, %d activities, %d thesaurus needs.\n",
		path, st.Providers, st.Services, st.Spaces, st.Activities, len(cat.Thesaurus))
	// Warnings do not make the catalogue invalid: a missing translation is shown in
	// English.
	if n := len(cat.Warnings); n > 0 {
		noun := "warnings"
		if n == 1 {
			noun = "warning"
		}
		fmt.Fprintf(c.stdout, "%d %s:\n", n, noun)
		for _, w := range cat.Warnings {
			fmt.Fprintf(c.stdout, "  %s\n", w)
		}
	}
	return nil
}

// validatePath checks a catalogue folder, or a single file by checking the bundled
// catalogue with that file put in place of its namesake.
func validatePath(path string) (*catalogue.Catalogue, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, errors.Unwrap(err))
	}
	if st.IsDir() {
		return catalogue.LoadDir(path)
	}
	return catalogue.ValidateFile(path)
}

func (c *cli) catalogueStats(args []string) error {
	fs := c.flagSet("catalogue stats", mainUsage)
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: catalogue stats takes no arguments (use --catalogue DIR for another catalogue)", errUsage)
	}
	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	st := statsOf(cat)
	if *asJSON {
		return json.NewEncoder(c.stdout).Encode(st)
	}
	fmt.Fprintf(c.stdout, "providers: %d (cooperativa %d, associazione %d)\nservices: %d\n", st.Providers,
		st.ProvidersByKind[string(catalogue.KindCooperative)], st.ProvidersByKind[string(catalogue.KindAssociation)], st.Services)
	for _, id := range catalogue.CategoryIDs() {
		fmt.Fprintf(c.stdout, "  %-26s %d\n", id, st.ServicesByCategory[string(id)])
	}
	fmt.Fprintf(c.stdout, "spaces: %d\nactivities: %d\n", st.Spaces, st.Activities)
	for _, k := range catalogue.ActivityKinds() {
		fmt.Fprintf(c.stdout, "  %-26s %d\n", k, st.ActivitiesByKind[string(k)])
	}
	fmt.Fprintf(c.stdout, "thesaurus needs: %d\n", len(cat.Thesaurus))
	return nil
}

// catalogueReload asks a running server to reload its catalogue (as SIGHUP does).
func (c *cli) catalogueReload(ctx context.Context, args []string) error {
	fs := c.flagSet("catalogue reload", mainUsage)
	url := fs.String("url", "", "the server's base URL")
	if _, err := c.parseInterleaved(fs, args); err != nil {
		return err
	}
	if c.cfg.AdminToken == "" {
		return fmt.Errorf("%w: set WEMI_ADMIN_TOKEN (the server's) to reload a running server, or send it SIGHUP", errUsage)
	}
	base := *url
	if base == "" {
		base = "http://" + c.cfg.HTTPAddr
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/admin/reload", nil)
	if err != nil {
		return fmt.Errorf("%w: --url: %v", errUsage, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.AdminToken)
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("reach the server at %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprint(c.stdout, string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the server refused the reload (%s)", resp.Status)
	}
	return nil
}
