package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"
)

// api is the part of tgbotapi the adapter uses; *tgbotapi.BotAPI is one.
type api interface {
	Request(c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
	Send(c tgbotapi.Chattable) (tgbotapi.Message, error)
}

// sender delivers outgoing calls in order per chat, within Telegram's limits (about
// 30 messages a second in all, one a second per chat), queueing rather than dropping.
// A 429 waits the retry_after Telegram asks for; 5xx and network errors are retried
// with backoff; other errors (a 400) are logged and the call dropped.
type sender struct {
	api    api
	log    *slog.Logger
	global *window // nil: no limit
	perSec rate.Limit
	burst  int
	tries  int
	wait   func(ctx context.Context, d time.Duration) error
	// onError is told of every failed call (method, whether it is retried).
	onError func(method string, retried bool)
	// paymentToken goes into the invoices as they are sent (Options.PaymentToken).
	paymentToken string

	// pausedUntil holds back every chat after a 429: Telegram's flood control is per
	// bot, not per chat.
	pausedUntil atomic.Int64 // unix nanoseconds

	// settling holds back the replies of an update still being handled here.
	settling settling

	mu       sync.Mutex
	chats    map[int64]*chatQueue
	limiters map[int64]*rate.Limiter // per chat, kept while the chat is recent
	wg       sync.WaitGroup
	closed   bool
}

type chatQueue struct {
	calls   []call
	limiter *rate.Limiter
}

// maxLimiters bounds the per-chat limiters kept; beyond, the idle ones are dropped
// (an idle chat's limiter is full again anyway).
const maxLimiters = 10000

// call is one Bot API call.
type call struct {
	c tgbotapi.Chattable
	// fallback is sent instead when c fails: a message too old to edit is sent anew.
	fallback tgbotapi.Chattable
	// done, when set, receives the call's outcome: for a sender that must know
	// whether the citizen got the message (an operator's reply).
	done chan<- error
	// gone, when closed, says the caller stopped waiting: the call is not made, so
	// that a caller who counts it failed (and tries again) never causes it twice.
	gone <-chan struct{}
}

// senderOptions configure the limits; zero rates mean no limit (for benchmarks).
type senderOptions struct {
	Global   rate.Limit
	PerChat  rate.Limit
	Burst    int
	MaxTries int
}

func newSender(a api, log *slog.Logger, o senderOptions) *sender {
	s := &sender{api: a, log: log, chats: map[int64]*chatQueue{}, limiters: map[int64]*rate.Limiter{},
		perSec: o.PerChat, burst: max(o.Burst, 1),
		tries: max(o.MaxTries, 1), wait: sleepCtx}
	s.global = newWindow(float64(o.Global), time.Now) // the limit holds in every second
	return s
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// enqueue adds calls for a chat; a goroutine per busy chat sends them in order. It
// reports false, dropping them, after shutdown.
func (s *sender) enqueue(ctx context.Context, chatID int64, calls ...call) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.log.Warn("telegram: reply dropped after shutdown", "calls", len(calls))
		return false
	}
	q, busy := s.chats[chatID]
	if !busy {
		q = &chatQueue{limiter: s.limiterLocked(chatID)}
		s.chats[chatID] = q
	}
	q.calls = append(q.calls, calls...)
	if !busy {
		s.wg.Add(1)
		go s.drain(context.WithoutCancel(ctx), chatID, q)
	}
	return true
}

// limiterLocked returns the chat's limiter, which outlives its queue: replies to
// consecutive messages are paced too.
func (s *sender) limiterLocked(chatID int64) *rate.Limiter {
	if s.perSec <= 0 {
		return nil
	}
	if l, ok := s.limiters[chatID]; ok {
		return l
	}
	if len(s.limiters) >= maxLimiters {
		now := time.Now()
		for id, l := range s.limiters {
			if _, busy := s.chats[id]; !busy && l.TokensAt(now) >= float64(s.burst) {
				delete(s.limiters, id)
			}
		}
	}
	l := rate.NewLimiter(s.perSec, s.burst)
	s.limiters[chatID] = l
	return l
}

// drain sends a chat's queued calls until none is left.
func (s *sender) drain(ctx context.Context, chatID int64, q *chatQueue) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		if len(q.calls) == 0 {
			delete(s.chats, chatID)
			s.mu.Unlock()
			return
		}
		c := q.calls[0]
		q.calls = q.calls[1:]
		s.mu.Unlock()
		if q.limiter != nil {
			q.limiter.Wait(ctx)
		}
		if d := time.Until(time.Unix(0, s.pausedUntil.Load())); d > 0 {
			s.wait(ctx, d)
		}
		if c.gone != nil {
			select {
			case <-c.gone:
				if c.done != nil {
					c.done <- errors.New("telegram: the caller stopped waiting; not sent")
				}
				continue
			default:
			}
		}
		_, err := s.do(ctx, c.c)
		if err != nil && c.fallback != nil {
			switch {
			case notModified(err):
				err = nil // the same page again: nothing to change, nothing to send
			case cannotEdit(err):
				s.log.Info("telegram: message cannot be edited, sending a new one")
				_, err = s.do(ctx, c.fallback)
			}
		}
		if err != nil {
			s.log.Error("telegram: send failed", "method", methodOf(c.c), "err", err)
		}
		if c.done != nil {
			c.done <- err
		}
	}
}

// pace waits for a chat's turn under the per-chat limit and for the end of a flood
// control pause, or for the end of ctx.
func (s *sender) pace(ctx context.Context, chatID int64) error {
	s.mu.Lock()
	l := s.limiterLocked(chatID)
	s.mu.Unlock()
	if l != nil {
		if err := l.Wait(ctx); err != nil {
			return err
		}
	}
	if d := time.Until(time.Unix(0, s.pausedUntil.Load())); d > 0 {
		return s.wait(ctx, d)
	}
	return ctx.Err()
}

// enqueueWait queues calls like enqueue and waits until they are sent, returning the
// first error. Calls dropped at shutdown count as failed.
func (s *sender) enqueueWait(ctx context.Context, chatID int64, calls ...call) error {
	done := make(chan error, len(calls)) // buffered: drain never blocks on a caller gone
	for i := range calls {
		calls[i].done, calls[i].gone = done, ctx.Done()
	}
	if !s.enqueue(ctx, chatID, calls...) {
		return errors.New("telegram: shutting down")
	}
	var first error
	for range calls {
		select {
		case err := <-done:
			if first == nil {
				first = err
			}
		case <-ctx.Done():
			return fmt.Errorf("telegram: wait for delivery: %w", ctx.Err())
		}
	}
	return first
}

// do makes one call, retrying as Telegram asks.
func (s *sender) do(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	backoff := 250 * time.Millisecond
	var err error
	for try := 1; try <= s.tries; try++ {
		var msg tgbotapi.Message
		release, werr := s.global.acquire(ctx)
		if werr != nil {
			return msg, werr
		}
		msg, err = s.send(c)
		release()
		if err == nil {
			return msg, nil
		}
		var tgErr *tgbotapi.Error
		retryable := errors.As(err, &tgErr) && (tgErr.Code == 429 || tgErr.Code >= 500 || tgErr.RetryAfter > 0) || isNetwork(err)
		if s.onError != nil {
			s.onError(methodOf(c), retryable && try < s.tries)
		}
		switch {
		case errors.As(err, &tgErr) && (tgErr.Code == 429 || tgErr.RetryAfter > 0):
			d := time.Duration(max(tgErr.RetryAfter, 1)) * time.Second
			s.log.Warn("telegram: rate limited", "retry_after", d)
			s.pausedUntil.Store(time.Now().Add(d).UnixNano())
			if werr := s.wait(ctx, d); werr != nil {
				return msg, werr
			}
			try-- // flood control is not a failure of this call: wait as long as asked
		case errors.As(err, &tgErr) && tgErr.Code >= 500, isNetwork(err):
			if werr := s.wait(ctx, backoff); werr != nil {
				return msg, werr
			}
			backoff = min(backoff*2, 8*time.Second)
		default:
			return msg, err
		}
	}
	return tgbotapi.Message{}, err
}

// send uses Send for calls that return a message and Request for the others
// (answerCallbackQuery, editMessageReplyMarkup, setMyCommands answer true).
func (s *sender) send(c tgbotapi.Chattable) (tgbotapi.Message, error) {
	switch c.(type) {
	case tgbotapi.MessageConfig, tgbotapi.LocationConfig, tgbotapi.DocumentConfig, tgbotapi.EditMessageTextConfig:
		return s.api.Send(c)
	}
	_, err := s.api.Request(c)
	return tgbotapi.Message{}, err
}

// notModified reports Telegram's answer to an edit that changes nothing.
func notModified(err error) bool {
	var tgErr *tgbotapi.Error
	return errors.As(err, &tgErr) && strings.Contains(tgErr.Message, "message is not modified")
}

// cannotEdit reports that a message cannot be edited (gone, too old, not text): a new
// message is sent instead. Other failures (network) are not retried as a new message,
// which could send it twice.
func cannotEdit(err error) bool {
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) || tgErr.Code != 400 {
		return false
	}
	for _, s := range []string{"message to edit not found", "message can't be edited", "no text in the message", "MESSAGE_ID_INVALID"} {
		if strings.Contains(tgErr.Message, s) {
			return true
		}
	}
	return false
}

// backlog is how many calls wait in the queues.
func (s *sender) backlog() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.chats {
		n += len(q.calls)
	}
	return n
}

func isNetwork(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded)
}

// close stops taking calls and waits, at most until ctx ends, for the queues to drain.
func (s *sender) close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func methodOf(c tgbotapi.Chattable) string {
	switch c.(type) {
	case tgbotapi.MessageConfig:
		return "sendMessage"
	case tgbotapi.EditMessageTextConfig:
		return "editMessageText"
	case tgbotapi.EditMessageReplyMarkupConfig:
		return "editMessageReplyMarkup"
	case tgbotapi.LocationConfig:
		return "sendLocation"
	case tgbotapi.DocumentConfig:
		return "sendDocument"
	case tgbotapi.CallbackConfig:
		return "answerCallbackQuery"
	}
	return "other"
}
