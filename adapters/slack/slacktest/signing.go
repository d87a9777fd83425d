package slacktest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Signature returns the X-Slack-Signature Slack computes for body sent at ts:
// v0=hex(HMAC-SHA256(secret, "v0:"+timestamp+":"+body)).
func Signature(secret string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts.Unix())
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignedRequest returns a POST of body to url signed with secret as Slack signs it at
// ts, with X-Slack-Request-Timestamp and X-Slack-Signature. Sign with another secret
// to forge a request, or pass a ts over five minutes old for a stale one. The
// Content-Type is application/json for a JSON object (an event callback) and
// application/x-www-form-urlencoded otherwise (interactions, slash commands).
func SignedRequest(ctx context.Context, secret, url string, body []byte, ts time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build signed request to %s: %w", url, err)
	}
	contentType := "application/x-www-form-urlencoded"
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		contentType = "application/json"
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("X-Slack-Signature", Signature(secret, ts, body))
	return req, nil
}
