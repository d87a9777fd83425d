package telegramtest

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
)

// defaultMaxConnections is what Telegram assumes when setWebhook gives none.
const defaultMaxConnections = 40

// secretToken is the alphabet and length the reference allows for secret_token.
var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// webhook is the state setWebhook records. The fake delivers nothing to the URL: tests
// POST update bodies themselves (see NewWebhookRequest).
type webhook struct {
	url            string
	secret         string
	maxConnections int
	allowedUpdates []string
}

// Webhook returns the URL and secret_token of the webhook set with setWebhook, or
// empty strings when there is none.
func (s *Server) Webhook() (address, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// setWebhook checks the URL as Telegram does (HTTPS, on port 443, 80, 88 or 8443); an
// empty URL removes the webhook.
func (s *Server) setWebhook(_ context.Context, p params) (any, *apiError) {
	raw := p.str("url")
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return nil, badRequest("bad webhook: Failed to resolve host: Name or service not known")
		}
		if u.Scheme != "https" {
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
		switch u.Port() {
		case "", "443", "80", "88", "8443":
		default:
			return nil, badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
		}
	}
	secret := p.str("secret_token")
	if secret != "" && !secretToken.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConns, apiErr := p.int("max_connections")
	if apiErr != nil {
		return nil, apiErr
	}
	if maxConns == 0 {
		maxConns = defaultMaxConnections
	}
	var allowed []string
	if p.has("allowed_updates") {
		if err := json.Unmarshal([]byte(p.str("allowed_updates")), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	if raw == "" {
		s.webhook = webhook{}
	} else {
		s.webhook = webhook{url: raw, secret: secret, maxConnections: int(maxConns), allowedUpdates: allowed}
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(_ context.Context, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.webhook = webhook{}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(context.Context, params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := apiWebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.queue)}
	if s.webhook.url != "" {
		info.MaxConnections, info.AllowedUpdates = s.webhook.maxConnections, s.webhook.allowedUpdates
	}
	return info, nil
}
