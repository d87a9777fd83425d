package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// serve mounts the HSDS API on the live index: a reload changes what it answers and
// its ETags.
func TestServeHSDSFollowsReloads(t *testing.T) {
	t.Parallel() // a real server of its own: runs beside the others
	dir := copyBundled(t)
	const admin = "admin-token-0123456789"
	addr, _ := startServe(t, map[string]string{"WEMI_CATALOGUE_DIR": dir, "WEMI_ADMIN_TOKEN": admin})
	u := "http://" + addr + "/hsds/services?search=pasti+a+domicilio&taxonomy_term_id=pasti-domicilio"
	get := func(etag string) (int, string, int) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var p struct {
			TotalItems int `json:"total_items"`
		}
		json.Unmarshal(raw, &p)
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Error("no CORS header on serve's HSDS API")
		}
		return resp.StatusCode, resp.Header.Get("ETag"), p.TotalItems
	}
	code, etag, meals := get("")
	if code != 200 || etag == "" || meals != 3 {
		t.Fatalf("before the reload: %d, ETag %q, %d meal services (want 3)", code, etag, meals)
	}
	if code, _, _ := get(etag); code != http.StatusNotModified {
		t.Errorf("If-None-Match before the reload: %d, want 304", code)
	}
	os.Remove(filepath.Join(dir, "services", "pasti-domicilio.yaml"))
	if r := runCLI(t, map[string]string{"WEMI_ADMIN_TOKEN": admin}, "", "catalogue", "reload", "--url", "http://"+addr); r.code != 0 {
		t.Fatalf("reload: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	code, etag2, meals := get(etag)
	if code != 200 || etag2 == etag || meals != 0 {
		t.Errorf("after the reload: %d, ETag %q (was %q), %d meal services", code, etag2, etag, meals)
	}
}
