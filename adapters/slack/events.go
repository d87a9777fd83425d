package slack

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// dedupeTTL is how long a Slack event, press or command is remembered as handled:
// Slack retries an event for about an hour at most.
const dedupeTTL = time.Hour

// The dispatch below is shared by Socket Mode and the Events API over HTTP, with the
// engine they were started with. Each function only queues the work (the transport acknowledges Slack at once) and returns
// ErrDraining or ErrBusy when it cannot; the queued work applies each Slack event,
// press or command once, across replicas and redeliveries.

// dispatchEvent queues the handling of an Events API event. The desk acts on one kind
// of event: an operator's reply in a thread of the operators' channel.
func (d *Desk) dispatchEvent(ctx context.Context, e Engine, ev slackevents.EventsAPIEvent) error {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || ev.Type != slackevents.CallbackEvent {
		return nil
	}
	m, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || !d.isOperatorReply(m) {
		return nil
	}
	// One thread's replies are handled in the order they came.
	key := "thread:" + threadRef(m.Channel, m.ThreadTimeStamp)
	return d.work.submit(ctx, key, func(ctx context.Context) {
		if cb.EventID != "" && !d.first(ctx, "slack-event:"+cb.EventID) {
			return
		}
		d.onThreadReply(ctx, e, cb.EventID, m)
	})
}

// isOperatorReply reports whether a message event is a person's reply in a thread of
// the operators' channel: not the bot's own posts, not edits or deletions.
func (d *Desk) isOperatorReply(m *slackevents.MessageEvent) bool {
	switch m.SubType {
	case "", "thread_broadcast", "file_share":
	default:
		return false
	}
	return m.Channel == d.channel && m.ThreadTimeStamp != "" && m.ThreadTimeStamp != m.TimeStamp &&
		m.BotID == "" && m.User != ""
}

// dispatchInteraction queues the handling of an interaction: the presses of cards'
// buttons. Presses on one card are handled in the order they came; those on the card
// of a booking, or of a Tate, Colf e Badanti request or application, in order with its
// other work. Modal submissions are not dispatched here: their acknowledgement
// carries the answer (answerViewSubmission).
func (d *Desk) dispatchInteraction(ctx context.Context, e Engine, cb slackapi.InteractionCallback) error {
	if cb.Type != slackapi.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	channel := cmp.Or(cb.Container.ChannelID, cb.Channel.ID)
	ts := cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp)
	key := "thread:" + threadRef(channel, ts)
	if a := cb.ActionCallback.BlockActions[0]; a.Value != "" {
		switch kind, _, _ := parseActionID(a.ActionID); kind {
		case bookingKind:
			key = bookingKey(a.Value)
		case requestKind, applicationKind:
			key = domesticKey(a.Value)
		}
	}
	return d.work.submit(ctx, key, func(ctx context.Context) {
		for _, a := range cb.ActionCallback.BlockActions {
			if a.ActionTs != "" && !d.first(ctx, "slack-action:"+cb.User.ID+":"+a.ActionTs) {
				continue
			}
			d.onPress(ctx, e, &cb, a)
		}
	})
}

// dispatchCommand queues the answer to a slash command.
func (d *Desk) dispatchCommand(ctx context.Context, cmd slackapi.SlashCommand) error {
	return d.work.submit(ctx, "", func(ctx context.Context) {
		if cmd.TriggerID != "" && !d.first(ctx, "slack-command:"+cmd.TriggerID) {
			return
		}
		d.onCommand(ctx, cmd)
	})
}

// first reports whether this replica is the first to handle key. When the store
// cannot tell, the work is done: twice is better than never.
func (d *Desk) first(ctx context.Context, key string) bool {
	if len(key) > 100 {
		sum := sha256.Sum256([]byte(key))
		key = fmt.Sprintf("slack-h:%s", hex.EncodeToString(sum[:16]))
	}
	first, err := d.once.Once(ctx, key, dedupeTTL)
	if err != nil {
		d.log.WarnContext(ctx, "slack: dedupe check failed, handling anyway", "err", err)
		return true
	}
	return first
}
