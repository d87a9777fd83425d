package web_test

import (
	"net/http/httptest"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis"
	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/adapters/web/webload"
	"github.com/comune-milano/wemibot/bot"
)

// benchSessions is how many citizens chat at once in the benchmarks.
const benchSessions = 64

// BenchmarkWebChatRedis sends the engine benchmark's mixed workload over HTTP
// (a loopback listener) from benchSessions sessions at once to the web chat of a real
// engine on a real Redis, with the answer cache on it too, and reports msgs/s, the
// latency percentiles, the CPU per message of this process (client and server), the
// Redis commands and CPU per message and the round trips per message: all (roundtrips/msg) and
// the answer cache's (cache-roundtrips/msg).
func BenchmarkWebChatRedis(b *testing.B) {
	srv := redistest.Start(b)
	storeTrips, cacheTrips := &webload.RoundTrips{}, &webload.RoundTrips{}
	idx := testIndex(b)
	e, err := bot.New(bot.Options{Search: idx, Store: redis.New(benchClient(b, srv, storeTrips), redis.Options{}),
		RateLimit: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	site := web.New(e, web.Options{Answers: redis.NewCache(benchClient(b, srv, cacheTrips), ""),
		PerSession: 1e9, PerSessionBurst: 1 << 20, NewSessionsPerAddressBurst: 1 << 20, NewSessionsBurst: 1 << 20})
	httpSrv := httptest.NewServer(site)
	defer httpSrv.Close()
	var before redistest.Usage
	var storeBefore, cacheBefore int64
	n := webload.Run(b, webload.Options{Base: httpSrv.URL, Sessions: benchSessions,
		Work: webload.Mixed(idx.Catalogue().Services[3].ID),
		Started: func() {
			before, storeBefore, cacheBefore = srv.Usage(), storeTrips.N(), cacheTrips.N()
		}})
	webload.ReportRedis(b, srv.Usage().Sub(before), n, storeTrips.N()-storeBefore+cacheTrips.N()-cacheBefore)
	if n > 0 {
		b.ReportMetric(float64(cacheTrips.N()-cacheBefore)/float64(n), "cache-roundtrips/msg")
	}
}

// benchClient is a client of srv sized for benchSessions, counting its round trips.
func benchClient(b *testing.B, srv *redistest.Server, trips *webload.RoundTrips) *goredis.Client {
	b.Helper()
	opts, err := goredis.ParseURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	opts.PoolSize = benchSessions
	c := goredis.NewClient(opts)
	c.AddHook(trips)
	b.Cleanup(func() { c.Close() })
	return c
}
