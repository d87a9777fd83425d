package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/search"
)

// maxStdinLine bounds one query line read from standard input.
const maxStdinLine = 64 << 10

// searchOutput is the JSON contract of `wemibot search --json`: one object per query.
type searchOutput struct {
	Query string      `json:"query"`
	Total int         `json:"total"`
	Hits  []searchHit `json:"hits"`
}

type searchHit struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Category string  `json:"category"`
	Provider string  `json:"provider"`
	Free     bool    `json:"free"`
	Score    float64 `json:"score"`
}

func (c *cli) search(ctx context.Context, args []string) error {
	fs := c.flagSet("search", mainUsage)
	var req search.Request
	var category, audience string
	var asJSON bool
	fs.StringVar(&req.Lang, "lang", "it", "query language")
	fs.StringVar(&category, "category", "", "category id")
	fs.BoolVar(&req.FreeOnly, "free", false, "free services only")
	fs.IntVar(&req.Municipio, "zone", 0, "municipio 1-9")
	fs.StringVar(&audience, "for", "", "target group")
	fs.StringVar(&req.Delivery, "delivery", "", "individuale or condivisione")
	fs.IntVar(&req.Limit, "limit", search.DefaultLimit, "hits per query")
	fs.BoolVar(&asJSON, "json", false, "JSON output")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	req.Category = catalogue.CategoryID(category)
	req.Audience = catalogue.Audience(audience)
	switch {
	case len(pos) == 0:
		return fmt.Errorf("%w: search needs a query, or - to read queries from standard input", errUsage)
	case req.Lang != "it" && req.Lang != "en":
		return fmt.Errorf("%w: --lang must be it or en, not %q", errUsage, req.Lang)
	case category != "" && !req.Category.Valid():
		return fmt.Errorf("%w: --category %q is not a category; the ids are: %s", errUsage, category, categoryList())
	case req.Municipio < 0 || req.Municipio > 9:
		return fmt.Errorf("%w: --zone must be a Municipio from 1 to 9, not %d", errUsage, req.Municipio)
	case audience != "" && !req.Audience.Valid():
		return fmt.Errorf("%w: --for %q is not a target group (bambini, ragazzi, adulti, anziani, famiglie, disabilita, stranieri)", errUsage, audience)
	case req.Delivery != "" && req.Delivery != search.DeliveryIndividual && req.Delivery != search.DeliveryShared:
		return fmt.Errorf("%w: --delivery must be individuale or condivisione", errUsage)
	case req.Limit < 1 || req.Limit > search.MaxLimit:
		return fmt.Errorf("%w: --limit must be between 1 and %d", errUsage, search.MaxLimit)
	}

	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	idx, err := c.buildIndex(ctx, cat)
	if err != nil {
		return err
	}
	defer idx.Close()

	answer := func(q string) error {
		req.Query = q
		res, err := idx.Search(ctx, req)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(c.stdout, q, res)
		}
		writeTable(c.stdout, q, res)
		return nil
	}
	if len(pos) == 1 && pos[0] == "-" {
		sc := bufio.NewScanner(c.stdin)
		sc.Buffer(make([]byte, 0, 4096), maxStdinLine)
		for sc.Scan() {
			if err := answer(sc.Text()); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read queries from standard input: %w", err)
		}
		return nil
	}
	return answer(strings.Join(pos, " "))
}

func writeJSON(w io.Writer, q string, res *search.Result) error {
	out := searchOutput{Query: q, Total: res.Total, Hits: []searchHit{}}
	for _, h := range res.Hits {
		provider := ""
		if h.Service.Organization != nil {
			provider = h.Service.Organization.Name
		}
		out.Hits = append(out.Hits, searchHit{ID: h.Service.ID, Title: h.Service.Name,
			Category: string(h.Service.Category), Provider: provider, Free: h.Service.Cost.Free,
			Score: math.Round(h.Score*1000) / 1000})
	}
	return json.NewEncoder(w).Encode(out)
}

func writeTable(w io.Writer, q string, res *search.Result) {
	fmt.Fprintf(w, "%q: %d services\n", q, res.Total)
	if len(res.Hits) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  #\tSCORE\tCATEGORY\tCOST\tSERVICE\tPROVIDER")
	for i, h := range res.Hits {
		cost := "a pagamento"
		if h.Service.Cost.Free {
			cost = "gratuito"
		}
		provider := ""
		if h.Service.Organization != nil {
			provider = h.Service.Organization.Name
		}
		fmt.Fprintf(tw, "  %d\t%.2f\t%s\t%s\t%s\t%s\n", i+1, h.Score, h.Service.Category, cost, h.Service.Name, provider)
	}
	tw.Flush()
}

func categoryList() string {
	ids := catalogue.CategoryIDs()
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, ", ")
}
