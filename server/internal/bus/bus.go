// Package bus fans change notifications out to every server replica with Postgres
// LISTEN/NOTIFY: one dedicated connection per replica listens, and subscribers get payloads
// in-process. After the connection drops and comes back, subscribers get a Resync call,
// because notifications sent meanwhile are lost and state must be re-read.
package bus

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Handler receives notifications of one channel.
type Handler interface {
	// Notify is called with each payload, in order, from the bus goroutine: keep it short.
	Notify(payload string)
	// Resync is called after a reconnect: anything may have changed meanwhile.
	Resync()
}

// Bus listens on a set of channels.
type Bus struct {
	connString string
	log        *slog.Logger

	mu       sync.RWMutex
	handlers map[string][]Handler
	ready    chan struct{}
	once     sync.Once
}

// New returns a Bus; call Run to start listening.
func New(connString string, log *slog.Logger) *Bus {
	return &Bus{connString: connString, log: log, handlers: map[string][]Handler{}, ready: make(chan struct{})}
}

// Subscribe adds h for channel; subscribe before Run.
func (b *Bus) Subscribe(channel string, h Handler) {
	b.mu.Lock()
	b.handlers[channel] = append(b.handlers[channel], h)
	b.mu.Unlock()
}

// Ready is closed once the first LISTEN is in place.
func (b *Bus) Ready() <-chan struct{} { return b.ready }

// Run listens until ctx ends, reconnecting with backoff.
func (b *Bus) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		err := b.listen(ctx, !first)
		if ctx.Err() != nil {
			return
		}
		first = false
		b.log.Warn("notification listener lost its connection; reconnecting", "error", err.Error(), "backoff", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (b *Bus) listen(ctx context.Context, resync bool) error {
	conn, err := pgx.Connect(ctx, b.connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	b.mu.RLock()
	channels := make([]string, 0, len(b.handlers))
	for ch := range b.handlers {
		channels = append(channels, ch)
	}
	b.mu.RUnlock()
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	b.once.Do(func() { close(b.ready) })
	if resync {
		b.mu.RLock()
		for _, hs := range b.handlers {
			for _, h := range hs {
				h.Resync()
			}
		}
		b.mu.RUnlock()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		b.mu.RLock()
		hs := b.handlers[n.Channel]
		b.mu.RUnlock()
		for _, h := range hs {
			h.Notify(n.Payload)
		}
	}
}
