package slack

import (
	"context"
	"strings"
	"sync"
	"time"
)

// How many operators' names are kept in memory, and for how long: a renamed operator
// signs with the new name within the hour.
const (
	maxCachedNames = 512
	nameTTL        = time.Hour
)

// nameCache keeps operators' first names by Slack user id.
type nameCache struct {
	max int
	ttl time.Duration

	mu    sync.Mutex
	names map[string]cachedName
}

type cachedName struct {
	name string
	at   time.Time
}

func newNameCache(max int, ttl time.Duration) *nameCache {
	return &nameCache{max: max, ttl: ttl, names: map[string]cachedName{}}
}

func (c *nameCache) get(id string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.names[id]
	if !ok || now.Sub(n.at) > c.ttl {
		return "", false
	}
	return n.name, true
}

func (c *nameCache) put(id, name string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.names) >= c.max {
		// Forgetting everyone is cheap at this size and keeps the bound simple; the
		// names come back on their next use.
		clear(c.names)
	}
	c.names[id] = cachedName{name: name, at: now}
}

// operatorName returns how an operator signs to citizens: the first name of their
// Slack profile, else the first word of their real name, else their display name,
// else fallback (the handle Slack sent with the request). When Slack cannot be asked,
// the fallback is used and not kept.
func (d *Desk) operatorName(ctx context.Context, userID, fallback string) string {
	now := d.now()
	if name, ok := d.names.get(userID, now); ok {
		return name
	}
	var u struct{ first, real, display, handle string }
	err := d.call(ctx, "users.info", func(ctx context.Context) error {
		info, err := d.api.GetUserInfoContext(ctx, userID)
		if err == nil {
			u.first, u.real, u.display, u.handle = info.Profile.FirstName, info.RealName, info.Profile.DisplayName, info.Name
		}
		return err
	})
	if err != nil {
		d.log.WarnContext(ctx, "slack: could not read an operator's name", "err", err)
		return firstWord(fallback)
	}
	name := firstWord(u.first)
	for _, s := range []string{u.real, u.display, u.handle, fallback} {
		if name != "" {
			break
		}
		name = firstWord(s)
	}
	d.names.put(userID, name, now)
	return name
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
