package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/desk"
)

// Bounds of the lists /wemi shows: an answer must stay readable.
const (
	maxSearchHits   = 8
	maxWaitingShown = 20
	maxMissedShown  = 15
)

// onCommand answers /wemi to the operator who typed it, and to nobody else:
//
//	/wemi aiuto          the commands
//	/wemi cerca <testo>  the citizens' search
//	/wemi attese         the open handoffs, oldest first, with their waiting times
//	/wemi stats          today's figures
//	/wemi voucher CODE   a voucher (vouchers.go), also "annulla CODE", "ripristina CODE"
func (d *Desk) onCommand(ctx context.Context, cmd slackapi.SlashCommand) {
	if cmd.Command != "/wemi" {
		return // another command of the same app is not ours to answer
	}
	if cmd.ChannelID != d.channel {
		// Names, waiting citizens and their searches are for the operators'
		// channel only, not for any member or guest of the workspace elsewhere.
		d.tell(ctx, cmd.ChannelID, "", cmd.UserID, cmd.ResponseURL, d.text("command.wrong_channel"))
		return
	}
	sub, arg, _ := strings.Cut(strings.TrimSpace(cmd.Text), " ")
	var text string
	switch strings.ToLower(sub) {
	case "cerca", "search":
		text = d.searchAnswer(ctx, plainText(arg))
	case "attese", "coda", "waiting":
		text = d.waitingAnswer(ctx)
	case "stats", "statistiche", "numeri":
		text = d.statsAnswer(ctx)
	case "voucher", "buono":
		text = d.voucherAnswer(ctx, cmd, arg)
	default:
		text = d.text("command.help")
	}
	d.tell(ctx, cmd.ChannelID, "", cmd.UserID, cmd.ResponseURL, text)
}

// searchAnswer runs the search citizens use and lists what it finds.
func (d *Desk) searchAnswer(ctx context.Context, query string) string {
	query = strings.Join(strings.Fields(query), " ")
	switch {
	case query == "":
		return d.text("command.search_usage")
	case d.search == nil:
		return d.text("command.search_unavailable")
	}
	res, err := d.search.Search(ctx, catalogue.SearchRequest{Query: query, Lang: "it", Limit: maxSearchHits})
	if err != nil {
		d.log.WarnContext(ctx, "slack: /wemi cerca failed", "err", err)
		return d.text("command.search_unavailable")
	}
	q := escapeLine(truncate(query, 100))
	if res.Total == 0 || len(res.Hits) == 0 {
		return d.text("command.search_none", "query", q)
	}
	lines := []string{d.text("command.search_header", "total", strconv.Itoa(res.Total), "query", q,
		"shown", strconv.Itoa(len(res.Hits)))}
	cat := d.search.Catalogue()
	for i, h := range res.Hits {
		s := h.Service
		category := string(s.Category)
		if c, ok := cat.Category(s.Category); ok {
			category = c.Name
		}
		cost := d.text("command.search_paid")
		if s.Cost.Free {
			cost = d.text("command.search_free")
		}
		provider := "—"
		if s.Organization != nil {
			provider = s.Organization.Name
		}
		lines = append(lines, d.text("command.search_hit", "n", strconv.Itoa(i+1), "name", escapeLine(s.Name),
			"category", escapeLine(category), "cost", cost, "provider", escapeLine(provider)))
	}
	return strings.Join(lines, "\n")
}

// waitingAnswer lists the open handoffs, urgent ones first, then oldest first.
func (d *Desk) waitingAnswer(ctx context.Context) string {
	open, err := d.handoffs.Waiting(ctx)
	if err != nil {
		d.log.WarnContext(ctx, "slack: /wemi attese failed", "err", err)
		return d.text("command.unavailable")
	}
	if len(open) == 0 {
		return d.text("command.waiting_none")
	}
	header := "command.waiting_header"
	if len(open) == 1 {
		header = "command.waiting_header_one"
	}
	lines := []string{d.text(header, "count", strconv.Itoa(len(open)))}
	lines = append(lines, d.waitingLines(ctx, open, maxWaitingShown)...)
	return strings.Join(lines, "\n")
}

// waitingLines describes open handoffs, one a line, at most limit of them.
func (d *Desk) waitingLines(ctx context.Context, open []desk.Handoff, limit int) []string {
	now := d.now()
	var lines []string
	for _, h := range open[:min(len(open), limit)] {
		urgent, who, link := "", d.text("command.waiting_unclaimed"), ""
		if h.Priority {
			urgent = d.text("command.waiting_urgent")
		}
		if h.OperatorID != "" {
			who = d.text("command.waiting_claimed", "name", escapeLine(h.Operator))
		}
		if channel, ts, ok := splitThread(h.Thread); ok {
			if url := d.permalink(ctx, channel, ts); url != "" {
				link = d.text("command.waiting_link", "url", url)
			}
		}
		name := h.FirstName
		if name == "" {
			name = d.text("handoff.citizen")
		}
		lines = append(lines, d.text("command.waiting_item", "urgent", urgent, "name", escapeLine(name),
			"channel", escapeLine(d.texts.textOr("channel."+h.Channel, h.Channel)),
			"waited", d.duration(h.Waited(now)), "who", who, "link", link))
	}
	if len(open) > limit {
		lines = append(lines, d.text("command.waiting_more", "count", strconv.Itoa(len(open)-limit)))
	}
	return lines
}

// statsAnswer shows today's figures.
func (d *Desk) statsAnswer(ctx context.Context) string {
	if d.figures == nil {
		return d.text("command.unavailable")
	}
	day, err := d.figures.Day(ctx, d.now())
	if err != nil {
		d.log.WarnContext(ctx, "slack: /wemi stats failed", "err", err)
		return d.text("command.unavailable")
	}
	text := d.dayFigures("command.stats", day)
	if len(day.Missed) > 0 {
		text += "\n" + d.text("command.stats_missed") + "\n" + strings.Join(d.missedLines(day.Missed, maxMissedShown), "\n")
	}
	return text
}

// dayFigures fills the text key with a day's figures.
func (d *Desk) dayFigures(key string, day desk.Day) string {
	rating := d.text("command.no_rating")
	if avg, ok := day.AverageRating(); ok {
		ratingKey := "command.rating"
		if day.Ratings == 1 {
			ratingKey = "command.rating_one"
		}
		rating = d.text(ratingKey, "avg", strings.Replace(fmt.Sprintf("%.1f", avg), ".", ",", 1),
			"count", strconv.FormatInt(day.Ratings, 10))
	}
	return d.text(key, "date", day.Date.Format("02/01/2006"),
		"conversations", strconv.FormatInt(day.Conversations, 10), "searches", strconv.FormatInt(day.Searches, 10),
		"empty", strconv.FormatInt(day.EmptySearches, 10), "handoffs", strconv.FormatInt(day.Handoffs, 10),
		"rating", rating)
}

// missedLines lists the texts of searches that found nothing, most frequent first.
func (d *Desk) missedLines(missed []desk.Missed, limit int) []string {
	var lines []string
	for _, m := range missed[:min(len(missed), limit)] {
		lines = append(lines, d.text("command.missed_item", "text", escapeLine(m.Text), "count", strconv.FormatInt(m.Count, 10)))
	}
	return lines
}

// duration says how long something waited, in minutes, hours or days.
func (d *Desk) duration(w time.Duration) string {
	w = max(w, 0)
	m := int(w / time.Minute)
	switch {
	case m < 60:
		return d.text("duration.minutes", "m", strconv.Itoa(m))
	case m < 24*60:
		return d.text("duration.hours", "h", strconv.Itoa(m/60), "m", strconv.Itoa(m%60))
	}
	return d.text("duration.days", "d", strconv.Itoa(m/(24*60)), "h", strconv.Itoa(m%(24*60)/60))
}
