package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
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
	global *rate.Limiter
	perSec rate.Limit
	burst  int
	tries  int
	wait   func(ctx context.Context, d time.Duration) error

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
	if o.Global > 0 {
		s.global = rate.NewLimiter(o.Global, int(max(o.Global, 1)))
	}
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

// enqueue adds calls for a chat; a goroutine per busy chat sends them in order.
func (s *sender) enqueue(ctx context.Context, chatID int64, calls ...call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.log.Warn("telegram: reply dropped after shutdown", "calls", len(calls))
		return
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
		if s.global != nil {
			s.global.Wait(ctx)
		}
		_, err := s.do(ctx, c.c)
		if err != nil && c.fallback != nil {
			s.log.Info("telegram: edit failed, sending a new message", "err", err)
			_, err = s.do(ctx, c.fallback)
		}
		if err != nil {
			s.log.Error("telegram: send failed", "method", methodOf(c.c), "err", err)
		}
	}
}

// do makes one call, retrying as Telegram asks.
func (s *sender) do(ctx context.Context, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	backoff := 250 * time.Millisecond
	var err error
	for try := 1; try <= s.tries; try++ {
		var msg tgbotapi.Message
		msg, err = s.send(c)
		if err == nil {
			return msg, nil
		}
		var tgErr *tgbotapi.Error
		switch {
		case errors.As(err, &tgErr) && tgErr.Code == 429:
			d := time.Duration(max(tgErr.RetryAfter, 1)) * time.Second
			s.log.Warn("telegram: rate limited", "retry_after", d)
			if werr := s.wait(ctx, d); werr != nil {
				return msg, werr
			}
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
