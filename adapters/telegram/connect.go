package telegram

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/comune-milano/wemibot/bot"
)

// Default pauses between attempts to reach Telegram at start.
const (
	defaultRetryMin = time.Second
	defaultRetryMax = 5 * time.Minute
)

// backoff gives growing pauses, doubled at each attempt up to a cap, each with
// jitter, so that replicas started together do not call Telegram in step.
type backoff struct {
	next, max time.Duration
}

func newBackoff(minWait, maxWait time.Duration) *backoff {
	return &backoff{next: minWait, max: max(maxWait, minWait)}
}

// pause returns the next pause: between half of it and all of it.
func (b *backoff) pause() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// persist calls f until it succeeds or ctx ends, pausing with backoff between
// attempts; a failure degrades the adapter's health with a reason naming step. It
// reports whether f succeeded.
func (a *Adapter) persist(ctx context.Context, step string, f func() error) bool {
	b := newBackoff(a.opts.RetryMin, a.opts.RetryMax)
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		a.health.failed(step, err)
		wait := b.pause()
		a.log.Warn("telegram: "+step+" failed; trying again", "attempt", attempt, "retry_in", wait.Round(time.Millisecond), "err", err)
		if sleepCtx(ctx, wait) != nil {
			return false
		}
	}
}

// connect reaches Telegram: it learns the bot's username (getMe), then registers the
// webhook or, before polling, deletes any, each step tried again until it succeeds or
// ctx ends. It reports whether Telegram was reached.
func (a *Adapter) connect(ctx context.Context) bool {
	a.calls.setSetup(ctx)
	var me tgbotapi.User
	if !a.persist(ctx, "getMe", func() (err error) { me, err = a.api.GetMe(); return err }) {
		return false
	}
	var ok bool
	if a.opts.WebhookURL != "" {
		params := tgbotapi.Params{"url": a.opts.WebhookURL, "secret_token": a.opts.SecretToken}
		ok = a.persist(ctx, "setWebhook", func() error { _, err := a.api.MakeRequest("setWebhook", params); return err })
	} else {
		ok = a.persist(ctx, "deleteWebhook", func() error { _, err := a.api.Request(tgbotapi.DeleteWebhookConfig{}); return err })
	}
	if !ok {
		return false
	}
	a.health.connect(me.UserName)
	a.log.Info("telegram: connected", "bot", "@"+me.UserName)
	return true
}

// publishCommands publishes the command menu SetCommands gave, in the background,
// tried again until it is published or ctx ends. The returned channel is closed when
// it is done.
func (a *Adapter) publishCommands(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	texts := a.menu.Load()
	if texts == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		for i, lang := range bot.Languages() {
			cfg := commandsFor(texts, lang, i == 0)
			if !a.persist(ctx, "setMyCommands", func() error { _, err := a.api.Request(cfg); return err }) {
				return
			}
		}
	}()
	return done
}

// commandsFor is the command menu in lang: the default menu for the first language,
// Italian, and the menu for users of lang for the others.
func commandsFor(texts *bot.Texts, lang string, isDefault bool) tgbotapi.SetMyCommandsConfig {
	var cmds []tgbotapi.BotCommand
	for _, c := range texts.Commands(lang) {
		cmds = append(cmds, tgbotapi.BotCommand{Command: c.Name, Description: c.Description})
	}
	if isDefault {
		return tgbotapi.NewSetMyCommands(cmds...)
	}
	return tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), lang, cmds...)
}

// SetCommands gives the command menu, in every language of the engine's texts, that
// Run publishes once Telegram answers. Call it before Run.
func (a *Adapter) SetCommands(texts *bot.Texts) {
	if texts == nil {
		return
	}
	a.menu.Store(texts)
}

// stopBeforeConnecting ends a Run whose context ended before Telegram was reached:
// webhook requests get 503 from now on, and those already taken finish.
func (a *Adapter) stopBeforeConnecting() error {
	a.draining.Store(true)
	a.inFlight.Wait()
	if err := a.drain(); err != nil {
		return fmt.Errorf("telegram: stop before connecting: %w", err)
	}
	return nil
}
