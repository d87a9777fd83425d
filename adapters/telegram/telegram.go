// Package telegram is WeMi Bot's Telegram channel: it turns Telegram updates (long
// polling by default, a webhook when a public URL is configured) into the engine's
// messages and renders the engine's replies in Telegram's idiom, within Telegram's
// limits.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"github.com/comune-milano/wemibot/bot"
	"github.com/comune-milano/wemibot/catalogue"
	"github.com/comune-milano/wemibot/internal/lograte"
	"github.com/comune-milano/wemibot/outbox"
)

// Engine answers messages; *bot.Engine is one.
type Engine interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Options configure the adapter. Token is required.
type Options struct {
	Token string
	// APIEndpoint is the Bot API server as tgbotapi wants it ("https://host/bot%s/%s"):
	// a self-hosted telegram-bot-api or a test fake. Empty: Telegram's.
	APIEndpoint string
	// WebhookURL switches from long polling to a webhook at this public URL; every
	// request must then carry SecretToken.
	WebhookURL  string
	SecretToken string
	// HTTPClient makes the Bot API calls; nil: a client with sane timeouts.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// PollTimeout is the long poll's length; default 30 s.
	PollTimeout time.Duration
	// Workers handle updates of different chats at once; default 16.
	Workers int
	// GlobalRate and ChatRate bound messages per second (defaults 30 and 1, with a
	// burst of ChatBurst, default 3); negative means no limit.
	GlobalRate float64
	ChatRate   float64
	ChatBurst  int
	// ShutdownTimeout bounds the wait for replies still queued at shutdown; default 10 s.
	ShutdownTimeout time.Duration
	// OnAPIError is told of every failed Bot API call (for metrics); nil: nothing.
	OnAPIError func(method string, retried bool)
	// Outbox keeps the replies until Telegram has them, so that a stop or a crash
	// loses none and whichever replica runs sends them; nil: they wait in this
	// process's memory, and a stop waits up to ShutdownTimeout for them.
	Outbox outbox.Store
	// OutboxLease is how long a replica may hold a reply before another takes it
	// over (a crashed replica's replies wait that long); default 60 s.
	OutboxLease time.Duration
	// RetryMin and RetryMax bound the pauses between Run's attempts to reach Telegram
	// (getMe, the webhook, the command menu), which double from one to the next, with
	// jitter; defaults 1 s and 5 min.
	RetryMin time.Duration
	RetryMax time.Duration
	// Now tells the time, for the rate of warnings; nil: time.Now.
	Now func() time.Time
	// PaymentToken is the payment provider's token from @BotFather: with it, an
	// offer's Invoice goes out as sendInvoice and the payment comes back as a
	// message with a Payment. A secret, never logged nor kept in the outbox.
	PaymentToken string
}

// Adapter is the Telegram channel. It is built before the engine, whose Pusher it is,
// and serves the engine given to Run (and to Webhook, with a webhook URL).
type Adapter struct {
	// draining is set at shutdown: webhook requests then get 503 (Telegram retries
	// them later, at another replica), and inFlight lets the queued replies of those
	// already taken be sent before the adapter stops.
	draining atomic.Bool
	inFlight sync.WaitGroup
	opts     Options
	api      *tgbotapi.BotAPI
	log      *slog.Logger
	send     *sender
	sign     signer
	client   *ctxClient
	replies  *replies
	calls    *observedClient
	health   *health
	menu     atomic.Pointer[bot.Texts] // the command menu Run publishes
	// badSecret logs webhook requests with a wrong secret token, rate-limited.
	badSecret *lograte.Limiter
}

// maxBacklog is how many replies may wait for Telegram's limits before polling pauses.
const maxBacklog = 500

// New builds the adapter without calling Telegram: Run reaches it, and keeps trying
// while it is unreachable, so that a Telegram outage stops no other channel.
func New(opts Options) (*Adapter, error) {
	if opts.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if opts.WebhookURL != "" && len(opts.SecretToken) < 16 {
		return nil, errors.New("telegram: a webhook needs a secret token of at least 16 characters")
	}
	if opts.APIEndpoint == "" {
		opts.APIEndpoint = tgbotapi.APIEndpoint
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 30 * time.Second
	}
	opts.PollTimeout = max(opts.PollTimeout, time.Second) // Telegram counts whole seconds
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.GlobalRate == 0 {
		opts.GlobalRate = 30
	}
	if opts.ChatRate == 0 {
		opts.ChatRate = 1
	}
	if opts.ChatBurst <= 0 {
		opts.ChatBurst = 3
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = defaultRetryMin
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = defaultRetryMax
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: opts.PollTimeout + 15*time.Second}
	}
	client := &ctxClient{c: hc, token: opts.Token, ctx: context.Background()}
	h := newHealth()
	calls := &observedClient{next: client, health: h}
	// Built by hand: tgbotapi's constructors call getMe, which Run does, retrying.
	api := &tgbotapi.BotAPI{Token: opts.Token, Client: calls, Buffer: 100}
	api.SetAPIEndpoint(opts.APIEndpoint)
	a := &Adapter{opts: opts, api: api, log: log, sign: newSigner(opts.Token), client: client, calls: calls, health: h,
		badSecret: lograte.New(log, "telegram: webhook requests refused: missing or wrong secret token", secretWarnEvery, opts.Now)}
	a.send = newSender(api, log, senderOptions{Global: limit(opts.GlobalRate), PerChat: limit(opts.ChatRate),
		Burst: opts.ChatBurst, MaxTries: 8})
	a.send.onError = opts.OnAPIError
	a.send.paymentToken = opts.PaymentToken
	a.replies = newReplies(opts, a.send, log)
	return a, nil
}

func limit(perSecond float64) rate.Limit {
	if perSecond < 0 {
		return 0
	}
	return rate.Limit(perSecond)
}

// Username is the bot's Telegram username, for deep links (t.me/<username>?start=...);
// "" until Run has reached Telegram.
func (a *Adapter) Username() string { return a.health.botUsername() }

// Run reaches Telegram (see connect), trying again with growing pauses while it is
// unreachable, publishes the command menu, then receives updates for engine until ctx
// ends and shuts down gracefully: it stops taking updates, finishes those in flight,
// confirms the last offset and sends the replies still queued. With a webhook URL it
// registers the webhook and only waits: updates arrive through the handler Webhook
// returns. A Telegram outage never makes it return an error.
func (a *Adapter) Run(ctx context.Context, engine Engine) error {
	if engine == nil {
		return errors.New("telegram: Run without an engine")
	}
	if !a.connect(ctx) {
		return a.stopBeforeConnecting()
	}
	published := a.publishCommands(ctx)
	defer func() { <-published }()
	a.replies.start()
	if a.opts.WebhookURL != "" {
		<-ctx.Done()
		a.draining.Store(true)
		a.inFlight.Wait()
		return a.drain()
	}
	err := a.poll(ctx, engine)
	if derr := a.drain(); err == nil {
		err = derr
	}
	return err
}

// drain ends the sending at shutdown: replies the outbox keeps stay there for the
// next start or another replica; those kept in memory are sent, within
// ShutdownTimeout.
func (a *Adapter) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownTimeout)
	defer cancel()
	err := a.replies.stop(ctx)
	if serr := a.send.close(ctx); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("telegram: replies still queued at shutdown: %w", err)
	}
	return nil
}

// poll is the long-polling loop. Each batch is handled (chats in parallel, each
// chat's updates in order) before the next request confirms it with the offset.
func (a *Adapter) poll(ctx context.Context, engine Engine) error {
	a.client.set(ctx)
	offset := 0
	backoff := time.Second
	for ctx.Err() == nil {
		updates, err := a.api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100,
			Timeout: int(a.opts.PollTimeout / time.Second)})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("telegram: getUpdates failed", "err", err, "retry_in", backoff)
			if sleepCtx(ctx, backoff) != nil {
				break
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		if len(updates) == 0 {
			continue
		}
		a.handleBatch(context.WithoutCancel(ctx), engine, updates)
		offset = updates[len(updates)-1].UpdateID + 1
		// Backpressure: while many replies wait for Telegram's limits, take no more
		// updates (they wait, unconfirmed, at Telegram).
		for a.send.backlog()+a.replies.backlog() > maxBacklog && ctx.Err() == nil {
			sleepCtx(ctx, 100*time.Millisecond)
		}
	}
	// Confirm what was handled, so that a restart does not receive it again.
	if offset > 0 {
		a.client.set(context.Background())
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.retry(cctx, func() error {
			_, err := a.api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 1, Timeout: 0})
			return err
		}); err != nil {
			return fmt.Errorf("telegram: confirm offset %d: %w", offset, err)
		}
	}
	return nil
}

// retry repeats a call on 5xx and network errors, briefly.
func (a *Adapter) retry(ctx context.Context, f func() error) error {
	var err error
	for wait := 200 * time.Millisecond; wait < 5*time.Second; wait *= 2 {
		if err = f(); err == nil {
			return nil
		}
		var tgErr *tgbotapi.Error
		if errors.As(err, &tgErr) && tgErr.Code < 500 && tgErr.Code != 429 {
			return err
		}
		if sleepCtx(ctx, wait) != nil {
			return err
		}
	}
	return err
}

// handleBatch handles updates, in parallel across chats and in order within a chat.
func (a *Adapter) handleBatch(ctx context.Context, engine Engine, updates []tgbotapi.Update) {
	byChat := map[int64][]tgbotapi.Update{}
	var order []int64
	for _, u := range updates {
		id := chatOf(u)
		if _, seen := byChat[id]; !seen {
			order = append(order, id)
		}
		byChat[id] = append(byChat[id], u)
	}
	sem := make(chan struct{}, a.opts.Workers)
	var wg sync.WaitGroup
	for _, id := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(us []tgbotapi.Update) {
			defer func() { <-sem; wg.Done() }()
			for _, u := range us {
				a.handle(ctx, engine, u)
			}
		}(byChat[id])
	}
	wg.Wait()
}

func chatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	case u.PreCheckoutQuery != nil && u.PreCheckoutQuery.From != nil:
		return u.PreCheckoutQuery.From.ID // a private chat's id is its user's
	}
	return 0
}

// handle turns one update into an engine message and queues the replies.
func (a *Adapter) handle(ctx context.Context, engine Engine, u tgbotapi.Update) {
	if u.PreCheckoutQuery != nil {
		a.answerPreCheckout(ctx, engine, u.PreCheckoutQuery)
		return
	}
	m, chatID, editID, ok := a.message(ctx, u)
	if !ok {
		return
	}
	var replies []bot.Reply
	var err error
	stored := false
	if ke, ok := engine.(keepingEngine); ok {
		// The replies go to the outbox before the engine saves the state that says the
		// update was handled: a crash in between loses no reply, Telegram sending the
		// update again (the outbox keeps the first answer's parts once). They go out
		// once the state is saved (settling).
		end := a.send.settling.begin(chatID)
		defer end()
		replies, err = ke.HandleKeeping(ctx, m, func(ctx context.Context, replies []bot.Reply) error {
			if err := a.store(ctx, u.UpdateID, chatID, a.render(chatID, editID, replies)); err != nil {
				return err
			}
			stored = true
			return nil
		})
	} else {
		replies, err = engine.Handle(ctx, m)
	}
	if err != nil && !errors.Is(err, bot.ErrUnavailable) && !errors.Is(err, bot.ErrDuplicate) {
		a.log.Error("telegram: handle update failed", "err", err)
	}
	if !stored {
		a.queue(ctx, u.UpdateID, chatID, a.render(chatID, editID, replies))
	}
}

// keepingEngine is an engine that hands the replies over before it saves the state
// (*bot.Engine): the adapter then stores them in the outbox first.
type keepingEngine interface {
	HandleKeeping(ctx context.Context, m bot.Message, keep bot.Keeper) ([]bot.Reply, error)
}

// message converts an update. It answers a callback query at once (Telegram shows a
// spinner until then) and checks the button's signature.
func (a *Adapter) message(ctx context.Context, u tgbotapi.Update) (bot.Message, int64, int, bool) {
	m := bot.Message{Channel: "telegram", UpdateID: strconv.Itoa(u.UpdateID)}
	switch {
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		chatID := chatOf(u)
		// Answered at once, outside the paced queue: the app shows a spinner until then.
		if _, err := a.api.Request(tgbotapi.NewCallback(q.ID, "")); err != nil {
			a.log.Warn("telegram: answerCallbackQuery failed", "err", err)
		}
		if q.From == nil || chatID == 0 {
			return m, 0, 0, false
		}
		data, ok := a.sign.verify(chatID, q.Data)
		if !ok {
			data = "!" // the engine answers a forged or foreign button as no longer valid
		}
		m.UserID, m.Button = strconv.FormatInt(chatID, 10), data
		m.LangCode, m.FirstName = q.From.LanguageCode, q.From.FirstName
		editID := 0
		if q.Message != nil {
			editID = q.Message.MessageID
		}
		return m, chatID, editID, true
	case u.Message != nil && u.Message.Chat != nil && !u.Message.Chat.IsPrivate():
		// The bot serves one citizen per chat: in a group, one member's erasure would
		// erase everyone's conversation.
		return m, 0, 0, false
	case u.Message != nil && u.Message.Chat != nil:
		msg := u.Message
		chatID := msg.Chat.ID
		m.UserID = strconv.FormatInt(chatID, 10)
		if msg.From != nil {
			m.LangCode, m.FirstName = msg.From.LanguageCode, msg.From.FirstName
		}
		switch {
		case msg.SuccessfulPayment != nil:
			m.Payment = a.paymentNotice(msg.SuccessfulPayment)
			if m.Payment == nil {
				m.Unsupported = "other"
			}
		case msg.Location != nil:
			m.Location = &catalogue.Point{Lat: msg.Location.Latitude, Lon: msg.Location.Longitude}
		case msg.Text != "":
			m.Text = msg.Text
		case msg.Sticker != nil:
			m.Unsupported = "sticker"
		case len(msg.Photo) > 0:
			m.Unsupported = "photo"
		case msg.Voice != nil || msg.Audio != nil || msg.VideoNote != nil:
			m.Unsupported = "voice"
		case msg.Video != nil || msg.Animation != nil:
			m.Unsupported = "video"
		case msg.Document != nil:
			m.Unsupported = "file"
		default:
			m.Unsupported = "other"
		}
		return m, chatID, 0, true
	}
	return m, 0, 0, false // edited messages, channel posts...: nothing to answer
}

// Push sends replies to a chat on the bot's initiative (an operator's message during
// a handoff) and waits until Telegram has them. userID is the engine's user id of a
// Telegram conversation: the chat id.
func (a *Adapter) Push(ctx context.Context, userID string, replies []bot.Reply) error {
	if !a.health.isConnected() {
		return ErrNotConnected
	}
	chatID, err := strconv.ParseInt(userID, 10, 64)
	if err != nil {
		return errors.New("telegram: push: the user id is not a chat id")
	}
	for i := range replies {
		replies[i].Replace = false // nothing was pressed: there is no message to edit
	}
	return a.send.enqueueWait(ctx, chatID, calls(a.render(chatID, 0, replies), a.opts.PaymentToken)...)
}

var _ bot.Pusher = (*Adapter)(nil)

// ctxClient gives tgbotapi's context-less getUpdates requests the poll loop's
// context, so that a long poll in flight ends at shutdown; sends are left alone, to
// finish.
type ctxClient struct {
	c     *http.Client
	token string
	mu    sync.Mutex
	ctx   context.Context
}

func (c *ctxClient) set(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ctx = ctx
}

// Do implements tgbotapi.HTTPClient.
func (c *ctxClient) Do(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/getUpdates") {
		c.mu.Lock()
		ctx := c.ctx
		c.mu.Unlock()
		r = r.WithContext(ctx)
	}
	resp, err := c.c.Do(r)
	var ue *url.Error
	if errors.As(err, &ue) {
		// The request URL carries the bot token: it must not reach an error or a log.
		ue.URL = strings.ReplaceAll(ue.URL, c.token, "<token>")
	}
	return resp, err
}
