package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-milano/wemibot/adapters/redis/redistest"
	"github.com/comune-milano/wemibot/adapters/telegram/telegramtest"
	"github.com/comune-milano/wemibot/internal/logtest"
)

const testToken = "424242:SERVE-test-token-abcdefghijklmnop"

// waitLimit bounds the tests' waits for serve: starting indexes the catalogue, which
// takes well under a second on an idle machine and may take many on a loaded one.
const waitLimit = 60 * time.Second

// startServe runs `wemibot serve` with env until the test ends, and returns its HTTP
// address once it is up.
func startServe(t *testing.T, env map[string]string) (addr string, out *logtest.Buffer) {
	t.Helper()
	addr, out, stop := launchServe(t, env)
	t.Cleanup(func() { stop() })
	return addr, out
}

// launchServe runs `wemibot serve` with env, and returns its HTTP address once it is
// up, and stop, which ends serve's context as SIGTERM does and returns how long serve
// took to exit; it fails the test when serve does not exit cleanly. Calling stop
// again does nothing.
func launchServe(t *testing.T, env map[string]string) (addr string, out *logtest.Buffer, stop func() time.Duration) {
	t.Helper()
	if env["WEMI_DATA_DIR"] == "" { // a restart keeps its data
		env["WEMI_DATA_DIR"] = t.TempDir()
	}
	env["WEMI_HTTP_ADDR"] = "127.0.0.1:0"
	out, errOut := &logtest.Buffer{}, &logtest.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, strings.NewReader(""), out, errOut) }()
	var once sync.Once
	var took time.Duration
	stop = func() time.Duration {
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case code := <-done:
				took = time.Since(start)
				if code != 0 {
					t.Errorf("serve exited %d: %s", code, errOut.String())
				}
			case <-time.After(waitLimit):
				took = waitLimit
				t.Error("serve did not stop within a minute of SIGTERM")
			}
			if strings.Contains(errOut.String(), testToken) {
				t.Error("the logs show the bot token")
			}
		})
		return took
	}
	re := regexp.MustCompile(`Web chat: http://([0-9.:]+)/`)
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, stop
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	t.Fatalf("serve did not start:\n%s\n%s", out.String(), errOut.String())
	return "", nil, nil
}

// SIGTERM drains within the README's 10 s, with Telegram polling, the scheduler
// running and a web request just answered.
func TestServeStopsWithinTenSeconds(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	addr, _, stop := launchServe(t, map[string]string{"WEMI_TELEGRAM_TOKEN": testToken, "WEMI_TELEGRAM_API": fake.Endpoint()})
	if !webSearchFinds(t, addr, "badante", "Ho trovato") {
		t.Fatal("no answer from the web chat")
	}
	if took := stop(); took > 10*time.Second {
		t.Errorf("serve took %v to stop", took)
	}
}

func TestServeRunsTelegramByPolling(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	addr, out := startServe(t, map[string]string{"WEMI_TELEGRAM_TOKEN": testToken, "WEMI_TELEGRAM_API": fake.Endpoint()})
	// The banner is printed as the adapter starts reaching Telegram.
	if !strings.Contains(out.String(), "Telegram: @WeMiTestBot (long polling)") && !strings.Contains(out.String(), "Telegram: connecting (long polling)") {
		t.Errorf("banner: %s", out.String())
	}
	fake.PushMessage(9001, telegramtest.User{ID: 9001, FirstName: "Luca"}, "mi serve una badante")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sent, err := fake.WaitSent(ctx, 9001, 1)
	if err != nil || !strings.Contains(sent[0].Text, "Ho trovato") {
		t.Fatalf("no answer through Telegram: %v %+v", err, sent)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()
	if r := waitReadyz(t, addr, func(code int, r readyzReport) bool { return code == 200 }); r.Checks["telegram"] != "ok" {
		t.Errorf("readyz: %+v", r)
	}
	for deadline := time.Now().Add(waitLimit); len(fake.Commands()[""]) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the command menu was not set")
		}
	}
}

func TestServeTelegramWebhook(t *testing.T) {
	fake := telegramtest.New(t, testToken)
	const secret = "serve-test-secret-0123456789"
	addr, _ := startServe(t, map[string]string{"WEMI_TELEGRAM_TOKEN": testToken, "WEMI_TELEGRAM_API": fake.Endpoint(),
		"WEMI_TELEGRAM_WEBHOOK_URL": "https://wemi.example.org/telegram/webhook", "WEMI_TELEGRAM_SECRET": secret})
	// Until the webhook is registered, requests get 503 and Telegram sends them again.
	waitReadyz(t, addr, func(code int, r readyzReport) bool { return r.Checks["telegram"] == "ok" })
	_, body := fake.NewMessageUpdate(9002, telegramtest.User{ID: 9002, FirstName: "Sara"}, "ciao")
	post := func(s string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/telegram/webhook", bytes.NewReader(body))
		if s != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", s)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("nope-nope-nope-nope"); code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", code)
	}
	if code := post(secret); code != http.StatusOK {
		t.Fatalf("good secret: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := fake.WaitSent(ctx, 9002, 1); err != nil {
		t.Fatal(err)
	}
}

func TestServeSettingsAreChecked(t *testing.T) {
	tests := map[string]map[string]string{
		"webhook without token":  {"WEMI_TELEGRAM_WEBHOOK_URL": "https://x.example.org/hook"},
		"webhook over http":      {"WEMI_TELEGRAM_TOKEN": "1:x", "WEMI_TELEGRAM_WEBHOOK_URL": "http://x.example.org/hook", "WEMI_TELEGRAM_SECRET": strings.Repeat("s", 20)},
		"short webhook secret":   {"WEMI_TELEGRAM_TOKEN": "1:x", "WEMI_TELEGRAM_WEBHOOK_URL": "https://x.example.org/hook", "WEMI_TELEGRAM_SECRET": "short"},
		"log format":             {"WEMI_LOG_FORMAT": "xml"},
		"http address":           {"WEMI_HTTP_ADDR": "nonsense"},
		"secure cookie":          {"WEMI_SECURE_COOKIE": "maybe"},
		"short admin token":      {"WEMI_ADMIN_TOKEN": "short"},
		"frame ancestor as http": {"WEMI_FRAME_ANCESTORS": "http://portal.example.org"},
		"trusted proxy":          {"WEMI_TRUSTED_PROXIES": "10.0.0.0/8,proxy.example.org"},
		"short session secret":   {"WEMI_SESSION_SECRET": "short"},
		"idle TTL":               {"WEMI_IDLE_TTL": "forever"},
		"state json":             {"WEMI_STATE_JSON": "sometimes"},
		"slack app token alone":  {"WEMI_SLACK_APP_TOKEN": "xapp-1-x"},
		"slack user token":       {"WEMI_SLACK_BOT_TOKEN": "xoxp-1", "WEMI_SLACK_APP_TOKEN": "xapp-1-x", "WEMI_SLACK_CHANNEL": "C0123ABCD"},
		"slack channel name":     {"WEMI_SLACK_BOT_TOKEN": "xoxb-1", "WEMI_SLACK_APP_TOKEN": "xapp-1-x", "WEMI_SLACK_CHANNEL": "#operatori"},
		"slack socket no app":    {"WEMI_SLACK_BOT_TOKEN": "xoxb-1", "WEMI_SLACK_CHANNEL": "C0123ABCD"},
		"slack http no secret":   {"WEMI_SLACK_BOT_TOKEN": "xoxb-1", "WEMI_SLACK_CHANNEL": "C0123ABCD", "WEMI_SLACK_MODE": "http"},
		"slack mode":             {"WEMI_SLACK_BOT_TOKEN": "xoxb-1", "WEMI_SLACK_CHANNEL": "C0123ABCD", "WEMI_SLACK_MODE": "rtm"},
		"handoff reply time":     {"WEMI_HANDOFF_REPLY_TIME": "soon"},
		"reminders":              {"WEMI_REMINDERS": "24h,soon"},
		"reminder too close":     {"WEMI_REMINDERS": "1m"},
		"followup":               {"WEMI_REMINDER_FOLLOWUP": "0"},
		"booking ttl":            {"WEMI_BOOKING_TTL": "1h"},
		"slack api over http":    {"WEMI_SLACK_BOT_TOKEN": "xoxb-1", "WEMI_SLACK_APP_TOKEN": "xapp-1-x", "WEMI_SLACK_CHANNEL": "C0123ABCD", "WEMI_SLACK_API_URL": "http://127.0.0.1.example.org/api/"},
	}
	for name, env := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, env, "", "serve")
			if r.code != 2 || !strings.Contains(r.stderr, "WEMI_") {
				t.Errorf("%v: exit %d, %q", env, r.code, r.stderr)
			}
		})
	}
}

func TestServeWebChatOnDefaults(t *testing.T) {
	t.Parallel() // a real server (or shell) of its own: runs beside the others
	addr, out := startServe(t, map[string]string{})
	for _, want := range []string{"50 providers", "Web chat: http://", "Telegram: off"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	for path, want := range map[string]int{"/": 200, "/healthz": 200, "/readyz": 200, "/metrics": 200, "/admin/reload": 405} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want && !(path == "/admin/reload" && resp.StatusCode == 404) {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// Reload: a good catalogue is swapped in without downtime, a bad one is refused and
// the old one keeps serving; by HTTP (wemibot catalogue reload) and by SIGHUP.
func TestServeReloadsTheCatalogue(t *testing.T) {
	dir := copyBundled(t)
	const admin = "admin-token-0123456789"
	addr, _ := startServe(t, map[string]string{"WEMI_CATALOGUE_DIR": dir, "WEMI_ADMIN_TOKEN": admin})
	reload := func() cliResult {
		return runCLI(t, map[string]string{"WEMI_ADMIN_TOKEN": admin}, "", "catalogue", "reload", "--url", "http://"+addr)
	}
	// Break the catalogue: refused, the old one serves.
	os.WriteFile(filepath.Join(dir, "spaces.yaml"), []byte("spaces: [\n"), 0o644)
	if r := reload(); r.code != 1 || !strings.Contains(r.stdout, "not valid YAML") {
		t.Fatalf("bad catalogue: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !webSearchFinds(t, addr, "pasti a domicilio", "Pranzo caldo") {
		t.Fatal("the old catalogue stopped serving after a refused reload")
	}
	// Fix it and drop the meal services: the reload takes effect.
	os.WriteFile(filepath.Join(dir, "spaces.yaml"), mustRead(t, filepath.Join("..", "..", "catalogue", "data", "spaces.yaml")), 0o644)
	os.Remove(filepath.Join(dir, "services", "pasti-domicilio.yaml"))
	if r := reload(); r.code != 0 || !strings.Contains(r.stdout, "catalogue reloaded: 145 services") {
		t.Fatalf("good catalogue: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if webSearchFinds(t, addr, "pasti a domicilio", "Pranzo caldo") {
		t.Error("the reloaded catalogue still has the meal services")
	}
	// SIGHUP does the same: put the meals back.
	os.WriteFile(filepath.Join(dir, "services", "pasti-domicilio.yaml"), mustRead(t, filepath.Join("..", "..", "catalogue", "data", "services", "pasti-domicilio.yaml")), 0o644)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	deadline := time.Now().Add(waitLimit)
	for !webSearchFinds(t, addr, "pasti a domicilio", "Pranzo caldo") {
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload the catalogue")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := runCLI(t, map[string]string{"WEMI_ADMIN_TOKEN": "wrong-token-0123456789"}, "", "catalogue", "reload", "--url", "http://"+addr); r.code != 1 {
		t.Errorf("wrong admin token: exit %d", r.code)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// webSearchFinds asks the web chat and reports whether the answer mentions want.
func webSearchFinds(t *testing.T, addr, query, want string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	page, err := client.Get("http://" + addr + "/") // the page gives the session
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	body := fmt.Sprintf(`{"id":%q,"text":%q}`, fmt.Sprint(time.Now().UnixNano()), query)
	resp, err := client.Post("http://"+addr+"/api/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(raw), want)
}

// The real wiring on Redis: readiness follows Redis, a message while it is away gets
// an apology, and everything recovers by itself when it returns.
func TestServeOnRedisThatGoesAway(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	rs := redistest.Start(t)
	addr, _ := startServe(t, map[string]string{"WEMI_REDIS_URL": rs.URL() + "?dial_timeout=3s&read_timeout=3s&max_retries=0"})
	get := func(path string) int {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("/readyz"); code != http.StatusOK {
		t.Fatalf("readyz with Redis up: %d", code)
	}
	if !webSearchFinds(t, addr, "badante", "Ho trovato") {
		t.Fatal("no answer with Redis up")
	}
	rs.Stop()
	if code := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: %d", code)
	}
	if !webSearchFinds(t, addr, "badante", "problema tecnico") {
		t.Error("no apology with Redis down")
	}
	rs.Restart()
	deadline := time.Now().Add(waitLimit)
	for get("/readyz") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("not ready again after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !webSearchFinds(t, addr, "badante", "Ho trovato") {
		t.Error("no answer after Redis came back")
	}
}
