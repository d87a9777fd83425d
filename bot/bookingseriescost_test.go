package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
)

// commandsProcessed is how many commands the Redis server has run so far.
func commandsProcessed(t *testing.T, info string) int {
	t.Helper()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no total_commands_processed in INFO")
	return 0
}

// Sending a series costs Redis a bounded number of commands per date (the
// figure is logged: go test -run TestSeriesRedisCommands -v ./bot/).
func TestSeriesRedisCommands(t *testing.T) {
	s := bookableService(t)
	srv := redistest.Start(t)
	client := redisClient(t, srv)
	h, _, bs, _ := bookingHarness(t, redis.New(client, redis.Options{}))
	c := h.citizen(t, "u1")
	toSummary(t, c, s)
	c.pressData("book:rep").pressData("book:rnext").pressData("book:rend:26")
	ctx := context.Background()
	before := commandsProcessed(t, client.Info(ctx, "stats").Val())
	c.pressData("book:rok").expect("Fatto")
	after := commandsProcessed(t, client.Info(ctx, "stats").Val())
	dates := len(seriesOf(t, bs, "u1"))
	cmds := after - before - 1 // the INFO itself
	t.Logf("a series of %d dates: %d Redis commands, %.1f a date", dates, cmds, float64(cmds)/float64(dates))
	if dates < 2 || cmds > 20*dates+40 { // linear in the dates: no list read per date
		t.Errorf("a series of %d dates took %d Redis commands", dates, cmds)
	}
}
