package bolt

import (
	"path/filepath"
	"testing"

	"github.com/comune-milano/wemibot/outbox"
	"github.com/comune-milano/wemibot/outbox/outboxtest"
)

func TestOutboxContract(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T) outbox.Store { return openReminders(t).Outbox() })
}

// BenchmarkOutbox measures one reply's trip through the outbox: Put, Claim, Done, each
// one transaction (fsync'd), over 64 lanes.
func BenchmarkOutbox(b *testing.B) {
	store, err := Open(filepath.Join(b.TempDir(), "wemi.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	outboxtest.Bench(b, store.Outbox())
}
