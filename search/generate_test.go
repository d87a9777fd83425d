package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/catalogue"
)

// generateCatalogue makes a catalogue of n services shaped like the bundled one: each
// generated service takes a bundled service's category, provider and terms, and a
// description stitched from sentences of several services of the same category.
func generateCatalogue(tb testing.TB, n int) *catalogue.Catalogue {
	tb.Helper()
	cat, err := generate(n)
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// generate is generateCatalogue for a caller with no test at hand.
func generate(n int) (*catalogue.Catalogue, error) {
	base, err := catalogue.Bundled()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	sentences := map[catalogue.CategoryID][]string{}
	for _, s := range base.Services {
		for _, sent := range strings.Split(s.Description, ". ") {
			sentences[s.Category] = append(sentences[s.Category], sent)
		}
	}
	out := &catalogue.Catalogue{Categories: base.Categories, Organizations: base.Organizations,
		Spaces: base.Spaces, Thesaurus: base.Thesaurus, Milan: base.Milan}
	for i := 0; i < n; i++ {
		b := base.Services[rng.IntN(len(base.Services))]
		s := *b
		s.ID = fmt.Sprintf("gen-%06d", i)
		s.Organization = base.Organizations[rng.IntN(len(base.Organizations))]
		pool := sentences[b.Category]
		var desc []string
		for j := 0; j < 4; j++ {
			desc = append(desc, pool[rng.IntN(len(pool))])
		}
		s.Description = strings.Join(desc, ". ")
		s.Name = fmt.Sprintf("%s %d", b.Name, i%97)
		out.Services = append(out.Services, &s)
	}
	return out, nil
}
