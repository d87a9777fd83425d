package slack

import (
	"github.com/comune-milano/wemibot/i18n"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/comune-milano/wemibot/domestic"
	"github.com/comune-milano/wemibot/safety"
	"github.com/comune-milano/wemibot/vouchers"
)

// dynamicPrefixes are text keys the code builds from a value ("channel."+name): every
// key under them is in use.
var dynamicPrefixes = []string{"channel.", "lang.", "reason.", "turn.", "role.", "pattern.", "cert.",
	"voucher.state.", "voucher.event.", "holiday.", "qty.", "activity."}

// Every text key the code names exists, and every key in the file is used.
func TestEveryTextKeyExists(t *testing.T) {
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for k := range tx {
		head, _, _ := strings.Cut(k, ".")
		sections[head] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literalRE := regexp.MustCompile(`"([a-z_]+(?:\.[a-z_]+)+\.?)"`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literalRE.FindAllStringSubmatch(string(src), -1) {
			head, _, _ := strings.Cut(m[1], ".")
			if sections[head] && !strings.HasSuffix(m[1], ".") {
				used[m[1]] = true
			}
		}
	}
	if len(used) < 60 {
		t.Fatalf("found only %d keys in the code: the pattern is stale", len(used))
	}
	for k := range used {
		if _, ok := tx[k]; !ok {
			t.Errorf("text key %q is used but not in texts.it.yaml", k)
		}
	}
	for k, v := range tx {
		if strings.TrimSpace(v) == "" {
			t.Errorf("text key %q is empty", k)
		}
		dynamic := false
		for _, p := range dynamicPrefixes {
			dynamic = dynamic || strings.HasPrefix(k, p)
		}
		if !used[k] && !dynamic {
			t.Errorf("text key %q is not used", k)
		}
	}
	reasons := []string{"asked", "no_results"}
	for _, k := range safety.Kinds() {
		reasons = append(reasons, string(k))
	}
	for _, reason := range reasons {
		if _, ok := tx["reason."+reason]; !ok {
			t.Errorf("no text for the handoff reason %q", reason)
		}
	}
	// What Tate, Colf e Badanti cards name, as the domain lists it.
	// The languages the bot speaks (the handoff card's language) and those workers
	// list.
	named := []string{"lang.tl"}
	for _, l := range i18n.Codes() {
		named = append(named, "lang."+l)
	}
	for _, r := range domestic.Roles() {
		named = append(named, "role."+string(r))
	}
	for _, p := range domestic.Patterns() {
		named = append(named, "pattern."+string(p))
	}
	for _, c := range domestic.Certificates() {
		named = append(named, "cert."+c)
	}
	for _, st := range []vouchers.State{vouchers.Imported, vouchers.Active, vouchers.Cancelled} {
		named = append(named, "voucher.state."+string(st))
	}
	for _, e := range []string{vouchers.EventImported, vouchers.EventActivated, vouchers.EventUpdated, vouchers.EventCancelled,
		vouchers.EventRestored, vouchers.EventSpent, vouchers.EventReturned} {
		named = append(named, "voucher.event."+e)
	}
	for _, k := range named {
		if _, ok := tx[k]; !ok {
			t.Errorf("no text for %q", k)
		}
	}
}

func TestTextPlaceholders(t *testing.T) {
	tx := texts{"a": "{name} ha {n} anni{missing}", "b": "nessuno"}
	if got := tx.text("a", "name", "Anna", "n", "7"); got != "Anna ha 7 anni{missing}" {
		t.Errorf("text = %q", got)
	}
	if got := tx.text("b", "name", "Anna"); got != "nessuno" {
		t.Errorf("text = %q", got)
	}
	if got := tx.text("c"); got != "c" {
		t.Errorf("a missing key shows as %q, want the key", got)
	}
	if got := tx.textOr("c", "fallback"); got != "fallback" {
		t.Errorf("textOr = %q", got)
	}
}
