package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// DigestSpec is when the daily digest is posted: 08:00, in the desk's time zone.
const DigestSpec = "0 8 * * *"

// How long a digest may take, how long the claim to post one lasts (two days covers
// replicas whose clocks disagree around midnight), and how much it lists.
const (
	digestTimeout   = 2 * time.Minute
	digestOnceTTL   = 48 * time.Hour
	maxDigestOpen   = 10
	maxDigestMissed = 30
)

// Schedule adds the daily digest to c, at DigestSpec in the desk's time zone
// whatever c's own. Every replica may schedule it: the digest is posted once a day.
func (d *Desk) Schedule(c *cron.Cron) (cron.EntryID, error) {
	id, err := c.AddFunc("CRON_TZ="+d.loc.String()+" "+DigestSpec, func() {
		// A cron job has no caller's context: the digest's own deadline bounds it.
		ctx, cancel := context.WithTimeout(context.Background(), digestTimeout)
		defer cancel()
		if _, err := d.Digest(ctx, d.now()); err != nil {
			d.log.ErrorContext(ctx, "slack: daily digest failed", "err", err)
		}
	})
	if err != nil {
		return 0, fmt.Errorf("slack: schedule the digest: %w", err)
	}
	return id, nil
}

// Digest posts the digest of the day of now in the operators' channel: the handoffs
// still open, yesterday's figures and the searches that found nothing yesterday, the
// list staff use to improve the catalogue. Only the first replica to ask for a given
// day posts it; posted says whether this call did.
func (d *Desk) Digest(ctx context.Context, now time.Time) (posted bool, err error) {
	local := now.In(d.loc)
	first, err := d.once.Once(ctx, "digest:"+local.Format(time.DateOnly), digestOnceTTL)
	if err != nil {
		return false, fmt.Errorf("slack: digest: claim the day: %w", err)
	}
	if !first {
		return false, nil
	}
	parts := []string{d.text("digest.title", "date", local.Format("02/01/2006"))}
	open, err := d.handoffs.Waiting(ctx)
	switch {
	case err != nil:
		d.log.WarnContext(ctx, "slack: digest: open handoffs unavailable", "err", err)
		parts = append(parts, d.text("command.unavailable"))
	case len(open) == 0:
		parts = append(parts, d.text("digest.open_none"))
	default:
		lines := append([]string{d.text("digest.open", "count", strconv.Itoa(len(open)))}, d.waitingLines(ctx, open, maxDigestOpen)...)
		parts = append(parts, strings.Join(lines, "\n"))
	}
	if d.figures != nil {
		parts = append(parts, d.yesterday(ctx, local)...)
	}
	if _, err := d.postText(ctx, d.channel, "", strings.Join(parts, "\n\n")); err != nil {
		return false, fmt.Errorf("slack: post the digest: %w", err)
	}
	return true, nil
}

// yesterday is the digest's part about the day before local.
func (d *Desk) yesterday(ctx context.Context, local time.Time) []string {
	y, m, day := local.Date()
	// Noon is inside the day whatever daylight saving does to its length.
	figures, err := d.figures.Day(ctx, time.Date(y, m, day-1, 12, 0, 0, 0, d.loc))
	if err != nil {
		d.log.WarnContext(ctx, "slack: digest: figures unavailable", "err", err)
		return []string{d.text("command.unavailable")}
	}
	parts := []string{d.dayFigures("digest.yesterday", figures)}
	if len(figures.Missed) == 0 {
		return append(parts, d.text("digest.missed_none"))
	}
	lines := append([]string{d.text("digest.missed")}, d.missedLines(figures.Missed, maxDigestMissed)...)
	if n := len(figures.Missed) - maxDigestMissed; n > 0 {
		lines = append(lines, d.text("digest.missed_more", "count", strconv.Itoa(n)))
	}
	return append(parts, strings.Join(lines, "\n"))
}
