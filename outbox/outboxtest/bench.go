package outboxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/outbox"
)

// Bench measures a reply's trip through s, sequentially: Put of one item of about
// 300 bytes (a short message and its keyboard), Claim of its lane, Done.
func Bench(b *testing.B, s outbox.Store) {
	ctx := context.Background()
	payload := make([]byte, 300)
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		it := outbox.Item{Key: fmt.Sprintf("tg:%d:0", i), Lane: fmt.Sprint(i % 64), Payload: payload}
		if _, err := s.Put(ctx, now, it); err != nil {
			b.Fatal(err)
		}
		cs, err := s.Claim(ctx, now, time.Minute, 1)
		if err != nil || len(cs) != 1 {
			b.Fatalf("claim: %v, %d items", err, len(cs))
		}
		if err := s.Done(ctx, now, cs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
