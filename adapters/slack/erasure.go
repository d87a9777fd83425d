package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/desk"
)

// When a citizen erases their data, the desk takes them out of their handoffs'
// threads: the card no longer names or quotes them, and the bot's replies there (their
// relayed words among them) are deleted. The operators' own replies stay, which a bot
// token cannot delete. Deleting is slow (Slack allows some fifty a minute), so what
// is left is kept as a pending erasure that the periodic repair goes on with.

// erasureKind is the record kind of erasures whose thread may still hold the bot's
// replies; erasureTTL bounds how long the repair keeps trying.
const (
	erasureKind = "slack.erasure"
	erasureTTL  = 7 * 24 * time.Hour
)

// pendingErasure is what the repair needs to go on with an erasure: no personal data.
type pendingErasure struct {
	Handoff string    `json:"handoff"`
	Thread  string    `json:"thread"`
	At      time.Time `json:"at"` // when the citizen erased their data
}

// forgetHandoff takes a citizen who erased their data out of a handoff's thread, open
// or closed: it closes the handoff if open, redacts the card first (it names and quotes
// them), then deletes the bot's replies in the thread and says so there.
func (d *Desk) forgetHandoff(ctx context.Context, ev bot.Event) error {
	defer d.shred(ctx, ev.Conversation)
	h, err := d.closeHandoff(ctx, ev.Handoff)
	thread := h.Thread
	if errors.Is(err, desk.ErrClosed) {
		thread, _ = d.closedThread(ctx, ev.Handoff)
	} else if err != nil {
		return err
	}
	channel, ts, ok := splitThread(thread)
	if !ok {
		return nil // its card never made it, or it closed too long ago to be remembered
	}
	p := pendingErasure{Handoff: ev.Handoff, Thread: thread, At: cmpTime(ev.At, d.now())}
	status := d.text("handoff.forgotten_status", "time", d.clock(p.At))
	redErr := d.RedactCard(ctx, MessageRef{Channel: channel, TS: ts}, handoffKind, ev.Handoff, d.text("handoff.title"), status)
	if d.records != nil {
		doc, _ := json.Marshal(p)
		if _, err := d.records.Update(ctx, erasureKind, p.Handoff, erasureTTL, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
			d.log.WarnContext(ctx, "slack: an erasure not recorded for the repair", "err", err)
		}
	}
	return errors.Join(redErr, d.finishErasure(ctx, p, true))
}

// Shredder destroys the key a citizen's data is sealed with: whatever is left of it in
// the store, its backups and other replicas' memory can no longer be read.
type Shredder interface {
	Shred(ctx context.Context, subject string) error
}

// shred destroys the key of a citizen's data once the desk is done with their
// erasure: the engine shreds it too, but a record the desk wrote meanwhile (a handoff
// closed while the erasure ran) must not outlive it. A failure is logged: the
// engine's shred stands.
func (d *Desk) shred(ctx context.Context, conversation string) {
	if d.shredder == nil || conversation == "" {
		return
	}
	if err := d.shredder.Shred(ctx, conversation); err != nil {
		d.log.WarnContext(ctx, "slack: could not shred an erased citizen's key", "err", err)
	}
}

// finishErasure deletes the bot's replies in p's thread and, once none is left, says
// so there and forgets p. When some are left, first says the repair will go on.
func (d *Desk) finishErasure(ctx context.Context, p pendingErasure, first bool) error {
	channel, ts, _ := splitThread(p.Thread)
	if left, err := d.purgeThread(ctx, channel, ts); err != nil {
		d.log.WarnContext(ctx, "slack: the bot's replies not all deleted after an erasure; the repair goes on",
			"handoff", p.Handoff, "left", left, "err", err)
		if first {
			_, postErr := d.postText(ctx, channel, ts, d.text("handoff.forgotten_pending", "time", d.clock(p.At)))
			err = errors.Join(err, postErr)
		}
		return err
	}
	if _, err := d.postText(ctx, channel, ts, d.text("handoff.ended_forgotten", "time", d.clock(p.At))); err != nil {
		return err
	}
	if d.records == nil {
		return nil
	}
	_, err := d.records.Update(ctx, erasureKind, p.Handoff, 0, func([]byte) ([]byte, error) { return nil, nil })
	return err
}

// ResumeErasures goes on with the erasures that left some of the bot's replies in a
// thread, for a periodic job (one replica at a time). It says how many it finished.
func (d *Desk) ResumeErasures(ctx context.Context) (int, error) {
	if d.records == nil {
		return 0, nil
	}
	docs, err := d.records.List(ctx, erasureKind)
	if err != nil {
		return 0, fmt.Errorf("slack: list pending erasures: %w", err)
	}
	n := 0
	var errs []error
	for _, doc := range docs {
		var p pendingErasure
		if json.Unmarshal(doc, &p) != nil || p.Handoff == "" {
			continue
		}
		if _, _, ok := splitThread(p.Thread); !ok {
			continue
		}
		if ctx.Err() != nil {
			break // the job's time is up: next time
		}
		if err := d.finishErasure(ctx, p, false); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Bounds of purgeThread: the pages of replies read, and their size.
const (
	purgePages    = 25
	purgePageSize = 200
)

// purgeThread deletes the bot's own replies in the thread of ts (the citizen's
// relayed words, and the bot's notes), keeping the parent and the operators'
// messages, which a bot token cannot delete. On failure it says how many it left.
func (d *Desk) purgeThread(ctx context.Context, channel, ts string) (left int, err error) {
	_, botID, err := d.whoami(ctx)
	if err != nil {
		return 0, err
	}
	var mine []string
	cursor, more := "", false
	for range purgePages {
		var msgs []slackapi.Message
		err := d.call(ctx, "conversations.replies", func(ctx context.Context) error {
			var err error
			msgs, more, cursor, err = d.api.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: ts, Cursor: cursor, Limit: purgePageSize})
			return err
		})
		if err != nil {
			return 0, err
		}
		for _, m := range msgs {
			if m.Timestamp != ts && m.BotID == botID {
				mine = append(mine, m.Timestamp)
			}
		}
		if !more || cursor == "" {
			more = false
			break
		}
	}
	for i, at := range mine {
		err := d.call(ctx, "chat.delete", func(ctx context.Context) error {
			_, _, err := d.api.DeleteMessageContext(ctx, channel, at)
			return err
		})
		if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok && se.Err == "message_not_found" {
			continue // deleted already: a replica, or an earlier try
		}
		if err != nil {
			return len(mine) - i, err
		}
	}
	if more {
		return 1, errors.New("the thread is longer than one purge reads: the rest next time")
	}
	return 0, nil
}
