package main

import (
	"context"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/internal/chanhealth"
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
		checks = append(checks, web.Check{Name: "telegram", Probe: func(context.Context) error { return channelReadiness(tg.Health().Health) }})
	}
	if s.desk != nil {
		d := s.desk.desk
		checks = append(checks, web.Check{Name: "slack", Probe: func(context.Context) error { return channelReadiness(d.Health()) }})
	}
	return checks
}

// channelReadiness words a channel's health for /readyz: a channel that is not up
// fails its check alone.
func channelReadiness(h chanhealth.Health) error {
	switch h.State {
	case chanhealth.StateUp:
		return nil
	case chanhealth.StateStarting:
		return &web.CheckError{Reason: "connecting"}
	}
	return &web.CheckError{Reason: "degraded: " + h.Reason}
}
