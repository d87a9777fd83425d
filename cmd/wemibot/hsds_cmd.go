package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/hsds"
)

// exitPartial is the exit status of an import that wrote a valid catalogue but left
// something out (the report on standard error says what).
const exitPartial = 3

// errPartialImport marks that import.
var errPartialImport = errors.New("the import left out what could not be mapped")

// catalogueExport writes the configured catalogue as an HSDS 3.0 dataset.
func (c *cli) catalogueExport(args []string) error {
	fs := c.flagSet("catalogue export", mainUsage)
	dir := fs.String("hsds", "", "folder of the HSDS dataset")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(pos) > 0 {
		return fmt.Errorf("%w: catalogue export needs --hsds DIR, the folder to write services.json and organizations.json in", errUsage)
	}
	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	d, err := hsds.Export(cat)
	if err != nil {
		return err
	}
	if err := d.Write(*dir); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "HSDS %s dataset written to %s: %d services (with %d dated activities and the WeMi spaces), %d organizations.\n",
		hsds.Version, *dir, len(d.Services), len(cat.Activities), len(d.Organizations))
	return nil
}

// catalogueImport makes a catalogue folder from an HSDS 3.0 dataset, and reports
// on standard error what could not be mapped.
func (c *cli) catalogueImport(args []string) error {
	fs := c.flagSet("catalogue import", mainUsage)
	dir := fs.String("hsds", "", "folder of the HSDS dataset")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(pos) != 1 {
		return fmt.Errorf("%w: catalogue import needs --hsds DIR (services.json, organizations.json) and OUT, a new folder for the catalogue", errUsage)
	}
	out := pos[0]
	in, err := hsds.Read(os.DirFS(*dir))
	if err != nil {
		return fmt.Errorf("catalogue import from %s: %w", *dir, err)
	}
	// The bot's own catalogue decides what categories and areas mean, and gives the
	// files HSDS does not carry (categories, thesaurus).
	own, err := catalogue.Bundled()
	if err != nil {
		return err
	}
	base, err := catalogue.BundledFS()
	if err != nil {
		return err
	}
	f, rep, err := hsds.Import(in, own)
	if err != nil {
		return err
	}
	cat, err := f.Save(out, base)
	if err != nil {
		// What was left out may be why the rest is not a catalogue.
		if ve := (*catalogue.ValidationError)(nil); errors.As(err, &ve) {
			c.printReport(rep)
		}
		return fmt.Errorf("catalogue import from %s: %w", *dir, err)
	}
	fmt.Fprintf(c.stdout, "Catalogue written to %s: %d providers, %d services, %d WeMi spaces, %d activities.\n",
		out, len(cat.Organizations), len(cat.Services), len(cat.Spaces), len(cat.Activities))
	if len(rep.Notes) == 0 {
		return nil
	}
	c.printReport(rep)
	return errPartialImport
}

// printReport writes what the import could not map, one line each, on standard error.
func (c *cli) printReport(rep *hsds.Report) {
	if len(rep.Notes) == 0 {
		return
	}
	fmt.Fprintf(c.stderr, "What could not be mapped (%d records left out, %d notes):\n", rep.Skipped(), len(rep.Notes))
	for _, n := range rep.Notes {
		fmt.Fprintf(c.stderr, "  %s\n", n)
	}
}
