package vault_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/comune-milano/wemibot/vault"
)

// BenchmarkSealOpen measures the hot path: the subject's key in memory, a 2 KiB state.
func BenchmarkSealOpen(b *testing.B) {
	store := openBolt(b, filepath.Join(b.TempDir(), "wemibot.db"))
	v := newVault(b, store, []vault.KEK{vault.NewKEK()}, vault.Options{})
	ctx := context.Background()
	plain := make([]byte, 2<<10)
	subjects := make([]string, 64)
	sealed := make([][]byte, len(subjects))
	for i := range subjects {
		subjects[i] = fmt.Sprintf("telegram:%d", i)
		sealed[i] = seal(b, v, subjects[i], string(plain))
	}
	b.Run("Seal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for i := 0; b.Loop(); i++ {
			if _, err := v.Seal(ctx, subjects[i%len(subjects)], plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for i := 0; b.Loop(); i++ {
			if _, err := v.Open(ctx, sealed[i%len(sealed)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
