package bolt

import (
	"testing"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
)

func TestOutboxContract(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T) outbox.Store { return openReminders(t).Outbox() })
}
