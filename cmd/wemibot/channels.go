package main

import (
	"log/slog"

	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/outbox"
)

// telegramWebhookPath is where the Telegram webhook is served; the public URL in
// WEMI_TELEGRAM_WEBHOOK_URL must reach it.
const telegramWebhookPath = "/telegram/webhook"

// newTelegram builds the Telegram channel when its token is set (nil otherwise); it
// reaches Telegram once it runs. Its replies wait in replies, the store's outbox,
// until Telegram has them.
func (c *cli) newTelegram(replies outbox.Store, metrics *web.Metrics, log *slog.Logger) (*telegram.Adapter, error) {
	if c.cfg.TelegramToken == "" {
		return nil, nil
	}
	return telegram.New(telegram.Options{Token: c.cfg.TelegramToken, APIEndpoint: c.cfg.TelegramAPI,
		WebhookURL: c.cfg.TelegramWebhook, SecretToken: c.cfg.TelegramSecret, Logger: log, Outbox: replies,
		PaymentToken: c.cfg.TelegramPaymentToken,
		OnAPIError:   func(method string, retried bool) { metrics.APIError("telegram", method, retried) }})
}

// pushers are the channels that can reach a citizen on the bot's initiative (an
// operator's reply, a reminder), by channel name: the web chat through its mailboxes,
// and Telegram when it is on.
func pushers(tg *telegram.Adapter, mailbox web.Mailbox) map[string]bot.Pusher {
	p := map[string]bot.Pusher{"web": web.NewOutbox(mailbox)}
	if tg != nil {
		p["telegram"] = tg
	}
	return p
}

// newSite builds the web front: the chat, readiness (checks, see readinessChecks) and
// metrics.
// The session key signs the web sessions; the store's vault seals the cached answers
// with each citizen's key, for as long as they are cached.
func (c *cli) newSite(engine *bot.Engine, checks []web.Check, store stores, sessionKey []byte,
	answers web.AnswerCache, mailbox web.Mailbox, metrics *web.Metrics, log *slog.Logger) *web.Server {
	return web.New(engine, web.Options{Logger: log, Metrics: metrics.Handler(), SecureCookie: c.cfg.SecureCookie,
		Answers: answers, FrameAncestors: c.cfg.FrameAncestors, Mailbox: mailbox, Checks: checks,
		TrustedProxies: c.cfg.TrustedProxies, SessionKey: sessionKey, Seal: sealAnswer(store), Open: store.Open})
}

// telegramBanner says how Telegram is reached.
func (c *cli) telegramBanner(tg *telegram.Adapter) string {
	if tg == nil {
		return "Telegram: off (set WEMI_TELEGRAM_TOKEN to switch it on)"
	}
	// The adapter reaches Telegram once it runs: the username is known from then on.
	who := "connecting"
	if name := tg.Username(); name != "" {
		who = "@" + name
	}
	if c.cfg.TelegramWebhook != "" {
		return "Telegram: " + who + " (webhook at " + telegramWebhookPath + ")"
	}
	return "Telegram: " + who + " (long polling)"
}
