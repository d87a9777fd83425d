package slack

import (
	"context"
	"encoding/json"
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
	digestAttempts  = 3
	digestRetry     = time.Minute
	maxDigestOpen   = 10
	maxDigestMissed = 30
)

// AddTo adds the desk's scheduled work to c: the daily digest, at DigestSpec in the
// desk's time zone whatever c's own. Every replica may add it: the digest is posted
// once a day. Each attempt's context is derived from ctx: when ctx ends, an attempt in
// progress is cancelled and no other is made.
func (d *Desk) AddTo(ctx context.Context, c *cron.Cron) (cron.EntryID, error) {
	id, err := c.AddFunc("CRON_TZ="+d.loc.String()+" "+DigestSpec, func() { d.digestWithRetries(ctx) })
	if err != nil {
		return 0, fmt.Errorf("slack: add the digest to cron: %w", err)
	}
	return id, nil
}

// digestWithRetries posts the day's digest, trying again a minute later when an
// attempt fails. A failed attempt gives its claim back, so a later one (here or on
// another replica's schedule) can post it.
func (d *Desk) digestWithRetries(ctx context.Context) {
	for attempt := 1; attempt <= digestAttempts && ctx.Err() == nil; attempt++ {
		actx, cancel := context.WithTimeout(ctx, digestTimeout)
		_, err := d.Digest(actx, d.now())
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		d.log.Error("slack: daily digest failed", "attempt", attempt, "err", err)
		if attempt < digestAttempts {
			t := time.NewTimer(digestRetry)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
	}
}

// Digest posts the digest of the day of now in the operators' channel: the handoffs
// still open, yesterday's figures and the searches that found nothing yesterday, the
// list staff use to improve the catalogue. Only the first replica to ask for a given
// day posts it; posted says whether this call did.
func (d *Desk) Digest(ctx context.Context, now time.Time) (posted bool, err error) {
	local := now.In(d.loc)
	day := local.Format(time.DateOnly)
	first, err := d.claimDigest(ctx, day, now)
	if err != nil {
		return false, fmt.Errorf("slack: digest: claim the day: %w", err)
	}
	if !first {
		return false, nil
	}
	posted = false
	defer func() {
		d.settleDigest(ctx, day, posted)
	}()
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

// digestKind is the record kind of a day's digest: posting (with a deadline) or
// posted.
const digestKind = "slack.digest"

// digestClaim is a day's digest record.
type digestClaim struct {
	Posted bool      `json:"posted,omitempty"`
	Until  time.Time `json:"until,omitzero"` // while posting: when the claim lapses
}

// claimDigest reports whether this replica is to post the day's digest: nobody has
// posted it, and nobody is posting it now. Without Records the claim is Once's, and
// a failed post is not tried again that day.
func (d *Desk) claimDigest(ctx context.Context, day string, now time.Time) (bool, error) {
	if d.records == nil {
		return d.once.Once(ctx, "digest:"+day, digestOnceTTL)
	}
	claimed := false
	_, err := d.records.Update(ctx, digestKind, day, digestOnceTTL, func(old []byte) ([]byte, error) {
		claimed = false // fn may run more than once
		var c digestClaim
		if old != nil && json.Unmarshal(old, &c) == nil && (c.Posted || now.Before(c.Until)) {
			return old, nil
		}
		claimed = true
		return json.Marshal(digestClaim{Until: now.Add(digestTimeout)})
	})
	return claimed, err
}

// settleDigest records the day's digest as posted, or gives the claim back.
func (d *Desk) settleDigest(ctx context.Context, day string, posted bool) {
	if d.records == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, err := d.records.Update(ctx, digestKind, day, digestOnceTTL, func([]byte) ([]byte, error) {
		if !posted {
			return nil, nil
		}
		return json.Marshal(digestClaim{Posted: true})
	})
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not record the digest's outcome", "err", err)
	}
}
