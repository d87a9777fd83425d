package main

import (
	"context"

	"github.com/comune-milano/wemibot/adapters/slack"
	"github.com/comune-milano/wemibot/adapters/telegram"
	"github.com/comune-milano/wemibot/adapters/web"
)

// readinessChecks are what /readyz reports on: the store and the catalogue index,
// without which nothing is served, and the channels that are on, each of which fails
// alone (the bot stays ready, degraded).
func (s *server) readinessChecks() []web.Check {
	checks := []web.Check{
		{Name: "store", Required: true, Probe: s.store.Ping},
		{Name: "index", Required: true, Probe: func(context.Context) error {
			if s.reloader.live.Current() == nil {
				return &web.CheckError{Reason: "not loaded"}
			}
			return nil
		}},
	}
	if tg := s.telegram; tg != nil {
		checks = append(checks, web.Check{Name: "telegram", Probe: func(context.Context) error { return telegramReadiness(tg.Health()) }})
	}
	if s.desk != nil {
		d := s.desk.desk
		checks = append(checks, web.Check{Name: "slack", Probe: func(context.Context) error { return slackReadiness(d.Health()) }})
	}
	return checks
}

// telegramReadiness words Telegram's health for /readyz.
func telegramReadiness(h telegram.Health) error {
	switch h.State {
	case telegram.StateUp:
		return nil
	case telegram.StateStarting:
		return &web.CheckError{Reason: "connecting"}
	}
	return &web.CheckError{Reason: "degraded: " + h.Reason}
}

// slackReadiness words the Slack desk's health for /readyz.
func slackReadiness(h slack.Health) error {
	switch h.State {
	case slack.StateUp:
		return nil
	case slack.StateStarting:
		return &web.CheckError{Reason: "connecting"}
	}
	return &web.CheckError{Reason: "degraded: " + h.Reason}
}
