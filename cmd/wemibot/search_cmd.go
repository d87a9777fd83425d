package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/i18n"
	"github.com/comune-milano/wemibot/langid"
)

// maxStdinLine bounds what is kept of one query line read from standard input; the
// search itself reads only the first catalogue.MaxQueryRunes characters.
const maxStdinLine = 64 << 10

// searchOutput is the JSON contract of `wemibot search --json`: one object per query.
type searchOutput struct {
	Query string      `json:"query"`
	Lang  string      `json:"lang"` // the language the query was analysed in
	Total int         `json:"total"`
	Hits  []searchHit `json:"hits"`
}

// searchError is the JSON line of a query that failed, in the same shape as an answer.
type searchError struct {
	Query string      `json:"query"`
	Error string      `json:"error"`
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
	var req catalogue.SearchRequest
	var category, audience, zone, lang string
	var asJSON bool
	fs.StringVar(&lang, "lang", "", "query language (default: queryLanguage)")
	fs.StringVar(&category, "category", "", "category id")
	fs.BoolVar(&req.FreeOnly, "free", false, "free services only")
	fs.StringVar(&zone, "zone", "", "municipio 1-9, or a neighbourhood, street or postcode of Milan")
	fs.StringVar(&audience, "for", "", "target group")
	fs.StringVar(&req.Delivery, "delivery", "", "individuale or condivisione")
	fs.IntVar(&req.Limit, "limit", catalogue.DefaultSearchLimit, "hits per query")
	fs.BoolVar(&asJSON, "json", false, "JSON output")
	pos, err := c.parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	req.Category = catalogue.CategoryID(strings.ToLower(category))
	req.Audience = catalogue.Audience(catalogue.Fold(audience))
	cat, err := c.loadCatalogue()
	if err != nil {
		return err
	}
	if zone != "" {
		if req.Municipio, err = resolveZone(cat, zone); err != nil {
			return err
		}
	}
	switch {
	case len(pos) == 0:
		return fmt.Errorf("%w: search needs a query, or - to read queries from standard input", errUsage)
	case lang != "" && !isLanguage(lang):
		return fmt.Errorf("%w: --lang %q is not a language of the bot; the languages are: %s", errUsage, lang, strings.Join(i18n.Codes(), ", "))
	case category != "" && !req.Category.Valid():
		return fmt.Errorf("%w: --category %q is not a category; the ids are: %s", errUsage, category, categoryList())
	case audience != "" && !req.Audience.Valid():
		return fmt.Errorf("%w: --for %q is not a target group (bambini, ragazzi, adulti, anziani, famiglie, disabilita, stranieri)", errUsage, audience)
	case req.Delivery != "" && req.Delivery != catalogue.DeliveryIndividual && req.Delivery != catalogue.DeliveryShared:
		return fmt.Errorf("%w: --delivery must be individuale or condivisione", errUsage)
	case req.Limit < 1 || req.Limit > catalogue.MaxSearchLimit:
		return fmt.Errorf("%w: --limit must be between 1 and %d", errUsage, catalogue.MaxSearchLimit)
	}

	idx, err := c.buildIndex(ctx, cat)
	if err != nil {
		return err
	}
	defer idx.Close()

	var detector *langid.Detector
	if lang == "" {
		texts, err := bot.LoadTexts()
		if err != nil {
			return err
		}
		detector = bot.NewDetector(texts)
	}
	answer := func(q string) error {
		req.Query, req.Lang = q, lang
		if lang == "" {
			req.Lang = queryLanguage(detector, q)
		}
		res, err := idx.Search(ctx, req)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("the search took longer than %s (WEMI_SEARCH_TIMEOUT / --search-timeout)", c.cfg.SearchTimeout)
			}
			return err
		}
		if asJSON {
			return writeJSON(c.stdout, q, req.Lang, res)
		}
		writeTable(c.stdout, q, req.Lang, res)
		return nil
	}
	if len(pos) == 1 && pos[0] == "-" {
		return c.searchLines(ctx, answer, asJSON)
	}
	return answer(strings.Join(pos, " "))
}

// searchLines answers one query per line of standard input, in order. A line that
// fails gets an error object (or line) of its own; the others are still answered.
func (c *cli) searchLines(ctx context.Context, answer func(string) error, asJSON bool) error {
	r := bufio.NewReaderSize(c.stdin, 64<<10)
	failed := 0
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		line, err := readLine(r)
		if errors.Is(err, io.EOF) && line == "" {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read queries from standard input: %w", err)
		}
		if qerr := answer(line); qerr != nil {
			failed++
			if asJSON {
				json.NewEncoder(c.stdout).Encode(searchError{Query: line, Error: qerr.Error(), Hits: []searchHit{}})
			} else {
				fmt.Fprintf(c.stdout, "%q: error: %v\n", truncateDisplay(line), qerr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d queries failed", failed)
	}
	return nil
}

// readLine reads one line of any length, keeping at most maxStdinLine bytes of it.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if len(b) < maxStdinLine {
			b = append(b, chunk[:min(len(chunk), maxStdinLine-len(b))]...)
		}
		if err != nil {
			return string(b), err
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

// resolveZone reads --zone: a Municipio number, or the Municipio of a Milan
// postcode, a street of the gazetteer or a neighbourhood.
func resolveZone(cat *catalogue.Catalogue, zone string) (int, error) {
	if p, ok := cat.Milan.Postcode(zone); ok {
		return p.Municipio, nil
	}
	if s, ok := cat.Milan.Street(zone); ok {
		return s.Municipio, nil
	}
	if n, err := strconv.Atoi(strings.TrimSpace(zone)); err == nil {
		if n < 1 || n > 9 {
			return 0, fmt.Errorf("%w: --zone must be a Municipio from 1 to 9, not %d", errUsage, n)
		}
		return n, nil
	}
	if nb, ok := cat.Milan.Neighbourhood(zone); ok {
		return nb.Municipio, nil
	}
	return 0, fmt.Errorf("%w: --zone %q is neither a Municipio (1-9) nor a Milan postcode, street or neighbourhood", errUsage, zone)
}

// truncateDisplay shortens a query for the readable table.
func truncateDisplay(q string) string {
	if len([]rune(q)) > 120 {
		return string([]rune(q)[:120]) + "…"
	}
	return q
}

func writeJSON(w io.Writer, q, lang string, res *catalogue.SearchResult) error {
	out := searchOutput{Query: q, Lang: lang, Total: res.Total, Hits: []searchHit{}}
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

// writeTable lists the hits with their names in the query's language (or the English
// or Italian one when the service has no translation).
func writeTable(w io.Writer, q, lang string, res *catalogue.SearchResult) {
	noun := "services"
	if res.Total == 1 {
		noun = "service"
	}
	fmt.Fprintf(w, "%q: %d %s\n", truncateDisplay(q), res.Total, noun)
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
		name, _ := h.Service.NameIn(lang)
		fmt.Fprintf(tw, "  %d\t%.2f\t%s\t%s\t%s\t%s\n", i+1, h.Score, h.Service.Category, cost, name, provider)
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

// isLanguage reports whether code is a language of the registry.
func isLanguage(code string) bool {
	_, ok := i18n.Get(code)
	return ok
}

// queryLanguage is the language of a query searched without --lang: the one it is
// written in when the detector is sure, else the default language.
func queryLanguage(d *langid.Detector, text string) string {
	if r := d.Detect(text); r.Confident {
		return r.Lang
	}
	return i18n.Default()
}
