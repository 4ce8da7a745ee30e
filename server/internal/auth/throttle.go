package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// ThrottleReason is the ErrorInfo reason of a sign-in refused by the throttle.
const ThrottleReason = "LOGIN_THROTTLED"

// ThrottleConfig is the sign-in throttling policy. Failures are counted per user name and per
// client address in windows of Window; reaching a limit locks that name or address out for
// Lockout, doubled at each further lockout up to MaxLockout. A limit of 0 turns its count off.
type ThrottleConfig struct {
	MaxFailures        int // per lower-cased user name, existing or not
	MaxAddressFailures int // per client address (IPv6 per /64)
	Window             time.Duration
	Lockout            time.Duration
	MaxLockout         time.Duration
}

// ThrottleStore keeps the counters where every replica sees them (store.Store).
type ThrottleStore interface {
	UpdateLoginThrottles(ctx context.Context, keys []model.ThrottleKey, mutate func(now time.Time, ts []*model.LoginThrottle) error) error
}

// Throttle limits password guessing: Login, and ChangePassword's check of the current
// password. An attempt asks Begin first and, once its password was checked, reports the
// outcome on the Attempt it got.
type Throttle struct {
	cfg   ThrottleConfig
	store ThrottleStore
}

// NewThrottle returns a Throttle keeping its counters in s.
func NewThrottle(s ThrottleStore, cfg ThrottleConfig) *Throttle {
	return &Throttle{cfg: cfg, store: s}
}

// Attempt is one password check the throttle let through.
type Attempt struct {
	t    *Throttle
	keys []model.ThrottleKey
}

// Begin lets an attempt for username from the client address addr through, or refuses it
// with RESOURCE_EXHAUSTED (reason LOGIN_THROTTLED, and when to try again) while the name or
// the address is locked out. It refuses before any password is checked, so even the right
// password does not get in during a lockout.
func (t *Throttle) Begin(ctx context.Context, username, addr string) (*Attempt, error) {
	a := &Attempt{t: t}
	if t == nil {
		return a, nil
	}
	if t.cfg.MaxFailures > 0 && username != "" {
		a.keys = append(a.keys, model.ThrottleKey{Kind: model.ThrottleUser, Subject: strings.ToLower(username)})
	}
	if t.cfg.MaxAddressFailures > 0 && addr != "" {
		a.keys = append(a.keys, model.ThrottleKey{Kind: model.ThrottleAddress, Subject: addressKey(addr)})
	}
	if len(a.keys) == 0 {
		return a, nil
	}
	err := t.store.UpdateLoginThrottles(ctx, a.keys, func(now time.Time, ts []*model.LoginThrottle) error {
		var wait time.Duration
		var by model.ThrottleKind
		for _, c := range ts {
			if d := t.wait(c, now); d > wait {
				wait, by = d, c.Kind
			}
		}
		if wait > 0 {
			return refusal(by, wait)
		}
		for _, c := range ts {
			if c.Failures+c.Pending == 0 {
				c.WindowStart = now
			}
			c.Pending++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Failed reports a wrong password (or a sign-in refused for another reason that must not be
// told apart from one, such as a disabled user); reaching a limit starts a lockout.
func (a *Attempt) Failed(ctx context.Context) error {
	return a.end(ctx, func(c *model.LoginThrottle, now time.Time) {
		if c.LockedUntil.After(now) {
			return // attempts that ended first have locked it already
		}
		a.t.roll(c, now)
		c.Failures++
		if c.Failures >= a.t.limit(c.Kind) {
			c.LockedUntil = now.Add(a.t.lockout(c.Lockouts))
			c.Lockouts++
			c.Failures = 0
			c.WindowStart = now
		}
	})
}

// Succeeded reports the right password: the user name's count starts over (lockouts too),
// and the attempt no longer counts against the address.
func (a *Attempt) Succeeded(ctx context.Context) error {
	return a.end(ctx, func(c *model.LoginThrottle, _ time.Time) {
		if c.Kind == model.ThrottleUser {
			c.Failures, c.Lockouts, c.LockedUntil = 0, 0, time.Time{}
		}
	})
}

// Abandon reports an attempt that ended before its password could be judged (a database
// error): it counts as nothing.
func (a *Attempt) Abandon(ctx context.Context) error { return a.end(ctx, nil) }

// end releases the attempt's place among the pending ones and applies f. It runs even when
// the call was cancelled meanwhile: the outcome was decided.
func (a *Attempt) end(ctx context.Context, f func(c *model.LoginThrottle, now time.Time)) error {
	if len(a.keys) == 0 {
		return nil
	}
	return a.t.store.UpdateLoginThrottles(context.WithoutCancel(ctx), a.keys, func(now time.Time, ts []*model.LoginThrottle) error {
		for _, c := range ts {
			c.Pending = max(c.Pending-1, 0)
			if f != nil {
				f(c, now)
			}
		}
		return nil
	})
}

// wait rolls c's window forward and says how long c refuses attempts: the rest of its lockout,
// or, while attempts under way already spend the window's allowance, about the lockout that
// would follow if they all fail.
func (t *Throttle) wait(c *model.LoginThrottle, now time.Time) time.Duration {
	t.roll(c, now)
	if c.LockedUntil.After(now) {
		return c.LockedUntil.Sub(now)
	}
	if c.Failures+c.Pending >= t.limit(c.Kind) {
		return t.lockout(c.Lockouts)
	}
	return 0
}

// roll starts a new window once the current one is over. The doubling of lockouts is
// forgotten too once the last lockout ended MaxLockout ago: a name or address left alone for
// that long starts again from the first lockout's length. (Pending is cleared as well, so
// attempts lost with a crashed replica stop counting; a late end just finds it at zero.)
func (t *Throttle) roll(c *model.LoginThrottle, now time.Time) {
	if c.LockedUntil.After(now) || now.Sub(c.WindowStart) < t.cfg.Window {
		return
	}
	c.Failures, c.Pending, c.WindowStart = 0, 0, now
	if now.Sub(c.LockedUntil) >= t.cfg.MaxLockout {
		c.Lockouts = 0
	}
}

func (t *Throttle) limit(k model.ThrottleKind) int {
	if k == model.ThrottleAddress {
		return t.cfg.MaxAddressFailures
	}
	return t.cfg.MaxFailures
}

// lockout is the length of the lockout that follows n earlier ones.
func (t *Throttle) lockout(n int) time.Duration {
	d := t.cfg.Lockout
	for i := 0; i < n && d < t.cfg.MaxLockout; i++ {
		d *= 2
	}
	return min(d, t.cfg.MaxLockout)
}

func refusal(by model.ThrottleKind, wait time.Duration) error {
	// Whole seconds, rounded up: a client that waits as told is not refused again.
	wait = max((wait + time.Second - 1).Truncate(time.Second), time.Second)
	who := "for this user"
	if by == model.ThrottleAddress {
		who = "from this address"
	}
	return model.ResourceExhausted(ThrottleReason, wait, "too many failed sign-ins %s; try again in %s", who, inWords(wait))
}

// inWords says a wait the way a person would: whole seconds under a minute, else minutes
// (rounded up), and hours from 60 minutes.
func inWords(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return plural(secs, "second")
	}
	mins := (secs + 59) / 60
	if mins < 60 {
		return plural(mins, "minute")
	}
	if mins%60 == 0 {
		return plural(mins/60, "hour")
	}
	return plural(mins/60, "hour") + " " + plural(mins%60, "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// addressKey is the counter of a client address: IPv4 addresses as they are, IPv6 ones by
// their /64, which one client usually holds whole (counting single addresses would let it
// take a fresh count with each).
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
