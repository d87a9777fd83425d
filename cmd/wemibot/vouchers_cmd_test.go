package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/adapters/bolt"
	"github.com/comune-milano/wemibot/internal/logtest"
	"github.com/comune-milano/wemibot/vouchers"
)

// The test list: two good rows, one with a wrong check character.
const (
	voucherTaxCode = "RSSMRA85T10A562S"
	voucherList    = "codice;programma;valido dal;valido al;codice fiscale;importo\n" +
		"MI-2099-0001-AAAA;Buono anziani;01/01/2099;31/12/2099;" + voucherTaxCode + ";150,00\n" +
		"MI-2026-0002-BBBB;Buono famiglie;01/01/2026;31/12/2099;BNCGLI90A41F205H;80\n" +
		"MI-2026-0003-CCCC;Buono famiglie;01/01/2026;31/12/2099;RSSMRA85T10A562T;80\n"
)

func TestVouchersCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"WEMI_DATA_DIR": dir}
	file := filepath.Join(t.TempDir(), "lista.csv")
	if err := os.WriteFile(file, []byte(voucherList), 0o600); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"dry run", []string{"vouchers", "import", file, "--dry-run"}, 0,
			[]string{"Dry run", "3 rows: 2 imported, 0 updated, 0 unchanged", "line 4: …CCCC rejected: tax code RS*************T"}},
		{"nothing after a dry run", []string{"vouchers", "show", "MI-2099-0001-AAAA"}, 1, []string{"no voucher has this code"}},
		{"import", []string{"vouchers", "import", "--dry-run=false", file}, 0, []string{"3 rows: 2 imported", "1 rejected"}},
		{"import again", []string{"vouchers", "import", file}, 0, []string{"0 imported, 0 updated, 2 unchanged"}},
		{"show", []string{"vouchers", "show", "mi2099 0001 aaaa"}, 0,
			[]string{"Voucher …AAAA · Buono anziani", "State: importato", "Balance: 150,00 € of 150,00 €", "Spends: none", "importato by cli"}},
		{"cancel", []string{"vouchers", "cancel", "MI-2026-0002-BBBB"}, 0, []string{"…BBBB cancelled"}},
		{"cancel twice", []string{"vouchers", "cancel", "MI-2026-0002-BBBB"}, 1, []string{"already cancelled"}},
		{"restore", []string{"vouchers", "restore", "MI-2026-0002-BBBB"}, 0, []string{"…BBBB restored: attivo again"}},
		{"restore twice", []string{"vouchers", "restore", "MI-2026-0002-BBBB"}, 1, []string{"is not cancelled"}},
		{"unknown", []string{"vouchers", "cancel", "NOPE-NOPE-NOPE"}, 1, []string{"no voucher has this code"}},
		{"no such file", []string{"vouchers", "import", filepath.Join(dir, "missing.csv")}, 1, []string{"no such file"}},
		{"a file refused whole", []string{"vouchers", "import", filepath.Join(dir, "kek")}, 1, []string{"no header"}},
		{"usage", []string{"vouchers", "show"}, 2, []string{"want 'vouchers import FILE"}},
		{"dry run of a show", []string{"vouchers", "show", "X", "--dry-run"}, 2, []string{"--dry-run goes with import only"}},
	}
	for _, st := range steps {
		res := runCLI(t, env, "", st.args...)
		out := res.stdout + res.stderr
		if res.code != st.code {
			t.Errorf("%s: exit %d, want %d\n%s", st.name, res.code, st.code, out)
		}
		for _, w := range st.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in\n%s", st.name, w, out)
			}
		}
		if strings.Contains(out, voucherTaxCode) || strings.Contains(out, "MI20990001AAAA") {
			t.Errorf("%s: the output holds a secret:\n%s", st.name, out)
		}
	}
}

// POST /admin/vouchers: the token, bad files, huge bodies, a dry run, the report.
func TestVouchersAdmin(t *testing.T) {
	const token = "admin-token-0123456789"
	recs, err := bolt.Open(filepath.Join(t.TempDir(), "wemibot.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Close()
	vs, err := openVouchers(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	var logs logtest.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	srv := httptest.NewServer(adminOnly(token, vouchersImporter{vouchers: vs, log: log}, log, nil))
	defer srv.Close()

	tests := []struct {
		name, auth, query string
		body              io.Reader
		status            int
		want              string
	}{
		{"no token", "", "", strings.NewReader(voucherList), http.StatusUnauthorized, "unauthorized"},
		{"wrong token", "Bearer nope-nope-nope-nope", "", strings.NewReader(voucherList), http.StatusUnauthorized, "unauthorized"},
		{"not a list", "Bearer " + token, "", strings.NewReader("nome,cognome\nMaria,Rossi\n"), http.StatusUnprocessableEntity, "missing code"},
		{"huge", "Bearer " + token, "", io.LimitReader(neverEnding('x'), vouchers.MaxFileBytes+10), http.StatusRequestEntityTooLarge, "over 4 MiB"},
		{"bad dry_run", "Bearer " + token, "?dry_run=maybe", strings.NewReader(voucherList), http.StatusBadRequest, "dry_run"},
		{"dry run", "Bearer " + token, "?dry_run=true", strings.NewReader(voucherList), http.StatusOK, `"dry_run":true,"rows":3,"imported":2`},
		{"import", "Bearer " + token, "", strings.NewReader(voucherList), http.StatusOK,
			`"dry_run":false,"rows":3,"imported":2,"updated":0,"unchanged":0,"kept":[],"rejected":[{"line":4,"code":"…CCCC","reason":"tax code RS*************T`},
		{"again", "Bearer " + token, "", strings.NewReader(voucherList), http.StatusOK, `"imported":0,"updated":0,"unchanged":2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/vouchers"+tt.query, tt.body)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.want)
			}
			if resp.StatusCode != http.StatusUnauthorized && !json.Valid(body) {
				t.Errorf("not JSON: %s", body)
			}
		})
	}
	// The store down: 503, with the report of what was done (nothing), and logged.
	recs.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/vouchers", strings.NewReader(voucherList))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"report":{"dry_run":false,"rows":3,"imported":0`) {
		t.Errorf("store down: %d %s", resp.StatusCode, body)
	}
	if len(logs.Lines("vouchers import failed")) != 1 {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), voucherTaxCode) || strings.Contains(logs.String(), "AAAA") {
		t.Errorf("logs:\n%s", logs.String())
	}
}

// neverEnding is an endless stream of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// serve imports vouchers on POST /admin/vouchers, and the command line finds them
// afterwards in the same store, with the same key.
func TestServeImportsVouchers(t *testing.T) {
	const token = "admin-token-0123456789"
	dir := t.TempDir()
	addr, _, stop := launchServe(t, map[string]string{"WEMI_DATA_DIR": dir, "WEMI_ADMIN_TOKEN": token})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/admin/vouchers", strings.NewReader(voucherList))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"imported":2`) {
		t.Fatalf("POST /admin/vouchers: %d %s", resp.StatusCode, body)
	}
	stop() // the embedded store admits one process
	res := runCLI(t, map[string]string{"WEMI_DATA_DIR": dir}, "", "vouchers", "show", "MI-2026-0002-BBBB")
	if res.code != 0 || !strings.Contains(res.stdout, "Balance: 80,00 € of 80,00 €") || !strings.Contains(res.stdout, "importato by admin") {
		t.Errorf("vouchers show after serve: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
