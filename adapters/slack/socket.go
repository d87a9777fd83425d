package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Run connects to Slack through Socket Mode, which needs no public URL: the API
// client must carry the app-level token (xapp-). Every envelope is acknowledged at
// once, then its work is queued; operators' actions are applied through e.
// socketmode reconnects by itself when Slack rotates or drops the connection. Run
// returns nil when ctx ends, or an error when Slack refuses the token; the work
// already queued goes on (see Drain).
func (d *Desk) Run(ctx context.Context, e Engine) error {
	if e == nil {
		return errors.New("slack: Run without an engine")
	}
	d.health.socketConnecting()
	client := socketmode.New(d.api, socketmode.OptionLog(slogWriter{log: d.log}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			d.health.socketDown("Slack refused the app-level token")
			return fmt.Errorf("slack: Socket Mode: %w", err)
		case evt := <-client.Events:
			d.onSocketEvent(ctx, e, client, evt)
		}
	}
}

// onSocketEvent dispatches and acknowledges one Socket Mode event.
func (d *Desk) onSocketEvent(ctx context.Context, e Engine, client *socketmode.Client, evt socketmode.Event) {
	var err error
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		// Queued first (it never blocks), acknowledged only once queued: an envelope
		// the desk cannot take (draining, full) is left for Slack to send again,
		// here or to another replica.
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if ok {
			err = d.dispatchEvent(ctx, e, ev)
		}
		if err == nil {
			d.ack(ctx, client, evt)
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if ok && cb.Type == slackapi.InteractionTypeViewSubmission {
			// The acknowledgement is the answer: empty closes the modal, errors keep it open.
			if resp := d.answerViewSubmission(ctx, e, cb); resp != nil {
				d.ackWith(ctx, client, evt, resp)
				break
			}
		}
		if ok {
			err = d.dispatchInteraction(ctx, e, cb)
		}
		if err == nil {
			d.ack(ctx, client, evt)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if ok {
			err = d.dispatchCommand(ctx, cmd)
		}
		if err == nil {
			d.ack(ctx, client, evt)
		}
	case socketmode.EventTypeConnecting:
		d.health.socketConnecting()
	case socketmode.EventTypeConnected:
		d.health.socketConnected()
		d.log.InfoContext(ctx, "slack: Socket Mode connected")
	case socketmode.EventTypeConnectionError:
		d.health.socketDown("Slack is unreachable")
		d.log.WarnContext(ctx, "slack: Socket Mode connection failed, retrying")
	case socketmode.EventTypeInvalidAuth:
		d.health.socketDown("Slack refused the app-level token")
		d.log.ErrorContext(ctx, "slack: Socket Mode refused the app-level token")
	case socketmode.EventTypeErrorBadMessage, socketmode.EventTypeIncomingError:
		d.log.WarnContext(ctx, "slack: Socket Mode message not understood", "type", evt.Type)
	}
	if err != nil {
		// Not acknowledged: Slack sends it again.
		d.log.WarnContext(ctx, "slack: Slack request not taken, left for Slack to send again", "type", evt.Type, "err", err)
	}
}

// ack acknowledges an envelope, before any work: Slack redelivers what is not
// acknowledged within 3 seconds.
func (d *Desk) ack(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	d.ackWith(ctx, client, evt, nil)
}

// ackWith acknowledges an envelope with a response payload (nil: none).
func (d *Desk) ackWith(ctx context.Context, client *socketmode.Client, evt socketmode.Event, payload any) {
	if evt.Request == nil {
		return
	}
	if err := client.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil && !errors.Is(err, context.Canceled) {
		d.log.WarnContext(ctx, "slack: Socket Mode acknowledgement failed", "err", err)
	}
}

// slogWriter takes socketmode's log lines, written only in its debug mode (which the
// desk leaves off: they quote payloads, with citizens' and operators' words), into
// the desk's logger rather than the standard one.
type slogWriter struct {
	log *slog.Logger
}

// Output implements socketmode's logger.
func (w slogWriter) Output(_ int, s string) error {
	w.log.Debug("slack: socketmode", "line", strings.TrimSpace(s))
	return nil
}
