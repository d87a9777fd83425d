package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// Retries of a Web API call that failed for a passing reason.
const (
	maxTries     = 3
	retryBackoff = 250 * time.Millisecond
	// maxRetryWait bounds how long a call waits for Slack's Retry-After: longer, and
	// the call fails rather than hold up the work behind it.
	maxRetryWait = 10 * time.Second
)

// call runs a Web API call, again after a rate limit (waiting what Slack asks) or a
// transient failure; errors Slack gives for the request itself (channel_not_found,
// invalid_blocks) are returned at once.
func (d *Desk) call(ctx context.Context, method string, fn func(context.Context) error) error {
	var err error
	for try := 1; ; try++ {
		if err = fn(ctx); err == nil {
			d.health.called(method, nil)
			return nil
		}
		err = withoutURL(err)
		wait, again := retryAfter(err, try)
		if !again || try >= maxTries {
			d.health.called(method, err)
			return fmt.Errorf("%s: %w", method, err)
		}
		d.log.WarnContext(ctx, "slack: call failed, retrying", "method", method, "try", try, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (gave up: %w)", method, err, ctx.Err())
		case <-t.C:
		}
	}
}

// withoutURL drops the URL from a transport error: a response_url is a credential,
// and errors end up in logs.
func withoutURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// retryAfter says whether a failed call is worth another try, and after how long.
func retryAfter(err error, try int) (time.Duration, bool) {
	backoff := retryBackoff << (try - 1)
	if rl, ok := errors.AsType[*slackapi.RateLimitedError](err); ok {
		return rl.RetryAfter, rl.RetryAfter <= maxRetryWait
	}
	if se, ok := errors.AsType[slackapi.SlackErrorResponse](err); ok {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return backoff, true
		}
		return 0, false
	}
	if sc, ok := errors.AsType[slackapi.StatusCodeError](err); ok {
		return backoff, sc.Code >= http.StatusInternalServerError
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return backoff, true
	}
	return 0, false
}

// postMessage posts in channel, in the thread of threadTS unless it is "", and
// returns the new message's ts.
func (d *Desk) postMessage(ctx context.Context, channel, threadTS string, opts ...slackapi.MsgOption) (string, error) {
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	var ts string
	err := d.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = d.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// postText posts mrkdwn text in channel (in a thread unless threadTS is "").
func (d *Desk) postText(ctx context.Context, channel, threadTS, text string) (string, error) {
	return d.postMessage(ctx, channel, threadTS, slackapi.MsgOptionText(text, false),
		slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl())
}

// tell shows mrkdwn text to one user only, in channel (in a thread unless threadTS is
// ""). When Slack refuses (the bot is not in that channel) and the request came with
// a response_url, the text goes there instead, still to that user only.
func (d *Desk) tell(ctx context.Context, channel, threadTS, user, responseURL, text string) {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false)}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	err := d.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := d.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
	if err == nil {
		return
	}
	if responseURL != "" {
		err = d.call(ctx, "response_url", func(ctx context.Context) error {
			_, _, err := d.api.PostMessageContext(ctx, channel, slackapi.MsgOptionText(text, false),
				slackapi.MsgOptionResponseURL(responseURL, slackapi.ResponseTypeEphemeral))
			return err
		})
	}
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not answer an operator", "err", err)
	}
}

// threadRef is where a thread is: "<channel id>/<ts>", as desk.Handoff.Thread keeps it.
func threadRef(channel, ts string) string { return channel + "/" + ts }

// splitThread splits a threadRef.
func splitThread(ref string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(ref, "/")
	return channel, ts, ok && channel != "" && ts != ""
}

// whoami returns the workspace's address (with a final slash) and the bot's id, from
// auth.test: asked once, and again after a failure.
func (d *Desk) whoami(ctx context.Context) (workspace, botID string, err error) {
	d.mu.RLock()
	workspace, botID = d.workspace, d.botID
	d.mu.RUnlock()
	if workspace != "" && botID != "" {
		return workspace, botID, nil
	}
	var auth *slackapi.AuthTestResponse
	err = d.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		auth, err = d.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return "", "", err
	}
	if auth.URL == "" || auth.BotID == "" {
		return "", "", errors.New("auth.test: no workspace address or bot id")
	}
	workspace = strings.TrimSuffix(auth.URL, "/") + "/"
	d.mu.Lock()
	d.workspace, d.botID = workspace, auth.BotID
	d.mu.Unlock()
	return workspace, auth.BotID, nil
}

// permalink returns a link to a message, "" when the workspace's address is unknown.
func (d *Desk) permalink(ctx context.Context, channel, ts string) string {
	base, _, err := d.whoami(ctx)
	if err != nil {
		return ""
	}
	return base + "archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}
