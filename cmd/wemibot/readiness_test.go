package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/slack/slacktest"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/internal/outagetest"
)

// readyzReport is what /readyz answers.
type readyzReport struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func getReadyz(t *testing.T, addr string) (int, readyzReport) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r readyzReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("readyz: %v", err)
	}
	return resp.StatusCode, r
}

// waitReadyz polls /readyz until ok holds, failing after waitLimit.
func waitReadyz(t *testing.T, addr string, ok func(int, readyzReport) bool) readyzReport {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		code, r := getReadyz(t, addr)
		if ok(code, r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz stayed %d %+v", code, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Telegram down at start (connection refused, or a Bot API answering 502): serve
// starts, the web chat answers at once, /readyz is 200 with Telegram degraded; when
// the Bot API comes back, Telegram serves without a restart.
func TestServeWithTelegramDown(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	for _, tc := range []struct {
		name   string
		down   func(*outagetest.Front)
		reason string
	}{
		{"connection refused", (*outagetest.Front).Refuse, "degraded: getMe: the Bot API is unreachable"},
		{"bad gateway", func(f *outagetest.Front) { f.Fail(http.StatusBadGateway) }, "degraded: getMe: the Bot API answered 502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := telegramtest.New(t, testToken)
			front := outagetest.New(t, fake.URL())
			tc.down(front)
			addr, out := startServe(t, map[string]string{"WEMI_TELEGRAM_TOKEN": testToken, "WEMI_TELEGRAM_API": front.URL() + "/bot%s/%s"})
			if !strings.Contains(out.String(), "Telegram: connecting (long polling)") {
				t.Errorf("banner: %s", out.String())
			}
			if !webSearchFinds(t, addr, "badante", "Ho trovato") {
				t.Fatal("no answer from the web chat with Telegram down")
			}
			r := waitReadyz(t, addr, func(code int, r readyzReport) bool { return code == 200 && r.Status == "degraded" })
			if r.Checks["telegram"] != tc.reason || r.Checks["store"] != "ok" || r.Checks["index"] != "ok" {
				t.Errorf("readyz with Telegram down: %+v", r)
			}
			front.Pass()
			waitReadyz(t, addr, func(code int, r readyzReport) bool { return code == 200 && r.Status == "ready" })
			fake.PushMessage(9003, telegramtest.User{ID: 9003, FirstName: "Luca"}, "mi serve una badante")
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			if sent, err := fake.WaitSent(ctx, 9003, 1); err != nil || !strings.Contains(sent[0].Text, "Ho trovato") {
				t.Fatalf("no answer through Telegram once it is back: %v %+v", err, sent)
			}
			for deadline := time.Now().Add(waitLimit); len(fake.Commands()[""]) == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the command menu was not set once Telegram came back")
				}
			}
		})
	}
}

// Slack down at start: the web chat answers, /readyz is 200 with the desk degraded,
// and the desk is up once Slack is back.
func TestServeWithSlackDown(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	fake := slacktest.New(t, slacktest.WithUsers(operator))
	front := outagetest.New(t, strings.TrimSuffix(fake.APIURL(), "/"))
	front.Refuse()
	addr, _ := startServe(t, map[string]string{
		"WEMI_SLACK_BOT_TOKEN": slacktest.DefaultBotToken, "WEMI_SLACK_APP_TOKEN": slacktest.DefaultAppToken,
		"WEMI_SLACK_CHANNEL": operators, "WEMI_SLACK_API_URL": front.URL() + "/"})
	if !webSearchFinds(t, addr, "badante", "Ho trovato") {
		t.Fatal("no answer from the web chat with Slack down")
	}
	r := waitReadyz(t, addr, func(code int, r readyzReport) bool { return code == 200 && r.Status == "degraded" })
	if !strings.HasPrefix(r.Checks["slack"], "degraded: ") || !strings.Contains(r.Checks["slack"], "unreachable") {
		t.Errorf("readyz with Slack down: %+v", r)
	}
	front.Pass()
	waitReadyz(t, addr, func(code int, r readyzReport) bool { return code == 200 && r.Checks["slack"] == "ok" })
}
