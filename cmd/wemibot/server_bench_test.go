package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/adapters/web/webload"
)

// BenchmarkServerWebChat runs the whole server as serve wires it (newServer on Redis,
// the vault sealing the state and the cached answers, HTTP on 127.0.0.1) and sends the
// engine benchmark's mixed workload to its web chat from 64 citizens at once, each
// leaving after 10 messages for a new one, so that the real limits of a session
// (burst 10, then 2 a second; 30 messages in 30 s) never apply. It reports msgs/s, the
// latency percentiles, the CPU per message of this process (server and client), and
// the Redis commands, CPU and round trips per message.
func BenchmarkServerWebChat(b *testing.B) {
	srv := redistest.Start(b)
	secret := strings.Repeat("s", 40)
	env := map[string]string{"WEMI_REDIS_URL": srv.URL(), "WEMI_KEK": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"WEMI_DATA_DIR": b.TempDir(), "WEMI_HTTP_ADDR": "127.0.0.1:0", "WEMI_SESSION_SECRET": secret}
	p := startPayServer(b, env)
	trips := &webload.RoundTrips{}
	p.s.store.(*sealedStores).raw.(*redisStore).client.(goredis.UniversalClient).AddHook(trips)
	cat, err := p.s.c.loadCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	var before redistest.Usage
	var tripsBefore int64
	n := webload.Run(b, webload.Options{Base: p.base, Sessions: 64, PerSession: 10, Work: webload.Mixed(cat.Services[3].ID),
		Open: sessionIssuer(b, p.s.c, p.base),
		Started: func() {
			before, tripsBefore = srv.Usage(), trips.N()
		}})
	webload.ReportRedis(b, srv.Usage().Sub(before), n, trips.N()-tripsBefore)
}

// sessionIssuer returns a func that issues sessions as the server would, on a replica
// of its web front with the same session key and no budget of new sessions to spend:
// the server's own allows a few dozen per address.
func sessionIssuer(b *testing.B, c *cli, base string) func() string {
	key, err := c.sessionKey(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	issuer := web.New(nil, web.Options{SessionKey: key, NewSessionsPerAddressBurst: 1 << 30, NewSessionsBurst: 1 << 30})
	return func() string {
		w := httptest.NewRecorder()
		issuer.ServeHTTP(w, httptest.NewRequest(http.MethodGet, base+"/", nil))
		cookies := w.Result().Cookies()
		if len(cookies) == 0 {
			b.Fatalf("no session issued: %d", w.Code)
		}
		return cookies[0].Name + "=" + cookies[0].Value
	}
}
