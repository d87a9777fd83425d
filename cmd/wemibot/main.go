// Command wemibot is WeMi Bot: the conversational front door of Milan's shared-welfare
// portal. With no subcommand it starts the bot; `wemibot search` and `wemibot
// catalogue` query and check the catalogue. See the README for every setting.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Rome also in a container without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], environ(os.Environ()), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
