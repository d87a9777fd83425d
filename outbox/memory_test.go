package outbox_test

import (
	"testing"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
)

func TestMemoryContract(t *testing.T) {
	outboxtest.Run(t, func(*testing.T) outbox.Store { return outbox.NewMemory() })
}
