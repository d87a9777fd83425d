package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxRequestBody bounds a request from Slack: real ones are a few KB.
const maxRequestBody = 1 << 20

// Handler returns the Events API endpoint, for a desk reached over HTTP instead of
// Socket Mode. It serves
//
//	POST /slack/events        event callbacks and the URL verification challenge
//	POST /slack/interactions  button presses
//	POST /slack/commands      /wemi
//
// Every request must carry a valid signature made with signingSecret within the last
// five minutes, or it gets 401. A verified request is answered at once (Slack wants
// an answer within 3 seconds) and its work is queued; while the desk drains, or when
// it is overloaded, the answer is 503 and Slack retries later. Operators' actions are
// applied through e.
func (d *Desk) Handler(signingSecret string, e Engine) (http.Handler, error) {
	switch {
	case signingSecret == "":
		return nil, errors.New("slack: the Events API needs a signing secret")
	case e == nil:
		return nil, errors.New("slack: the Events API needs an engine")
	}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", d.verified(signingSecret, func(w http.ResponseWriter, r *http.Request, body []byte) {
		d.serveEvents(w, r, e, body)
	}))
	mux.Handle("POST /slack/interactions", d.verified(signingSecret, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		d.serveInteractions(w, r, e)
	}))
	mux.Handle("POST /slack/commands", d.verified(signingSecret, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		d.serveCommands(w, r)
	}))
	return mux, nil
}

// verified reads a bounded body, checks Slack's signature and timestamp over it, and
// passes the body on.
func (d *Desk) verified(secret string, next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read the request", http.StatusBadRequest)
			return
		}
		sv, err := slackapi.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			d.log.WarnContext(r.Context(), "slack: request refused", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// The verifier consumed the body: the parsers read it again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

// serveEvents answers an event callback or the URL verification challenge.
func (d *Desk) serveEvents(w http.ResponseWriter, r *http.Request, e Engine, body []byte) {
	// The signature proves the request is Slack's; the deprecated verification token
	// adds nothing.
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		// The request is Slack's (it is signed) and a retry would fail the same way: an
		// event of a kind slack-go does not know. Acknowledge it and move on.
		d.log.InfoContext(r.Context(), "slack: event not understood, ignored", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if ev.Type == slackevents.URLVerification {
		v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			http.Error(w, "bad challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": v.Challenge})
		return
	}
	d.accepted(w, d.dispatchEvent(r.Context(), e, ev))
}

// serveInteractions answers a button press or a modal's submission; the answer to a
// submission that must be fixed is in the response body.
func (d *Desk) serveInteractions(w http.ResponseWriter, r *http.Request, e Engine) {
	cb, err := slackapi.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "not an interaction", http.StatusBadRequest)
		return
	}
	if cb.Type == slackapi.InteractionTypeViewSubmission {
		if resp := d.answerViewSubmission(r.Context(), e, cb); resp != nil {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(resp)
			return
		}
	}
	d.accepted(w, d.dispatchInteraction(r.Context(), e, cb))
}

// serveCommands answers a slash command; the answer itself comes as an ephemeral
// message.
func (d *Desk) serveCommands(w http.ResponseWriter, r *http.Request) {
	cmd, err := slackapi.SlashCommandParse(r)
	if err != nil || cmd.UserID == "" || cmd.ChannelID == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	d.accepted(w, d.dispatchCommand(r.Context(), cmd))
}

// accepted answers 200 when the work was queued, 503 when it could not be.
func (d *Desk) accepted(w http.ResponseWriter, err error) {
	if err != nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
