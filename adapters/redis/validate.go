package redis

import (
	"errors"
	"fmt"

	"github.com/comune-milano/wemibot/bot"
)

var errNoConversation = errors.New("empty conversation id")

func validateBegin(b bot.Begin) error {
	switch {
	case b.Conversation == "":
		return errNoConversation
	case b.LockTTL <= 0:
		return fmt.Errorf("lock TTL %v is not positive", b.LockTTL)
	case b.RateWindow <= 0:
		return fmt.Errorf("rate window %v is not positive", b.RateWindow)
	}
	return nil
}

func validateCommit(s bot.Session, c bot.Commit) error {
	switch {
	case c.IdleTTL <= 0:
		return fmt.Errorf("idle TTL %v is not positive", c.IdleTTL)
	case s.UpdateID != "" && c.DedupeTTL <= 0:
		return fmt.Errorf("dedupe TTL %v is not positive", c.DedupeTTL)
	}
	return nil
}
