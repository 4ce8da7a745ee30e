package auth

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

// memThrottles keeps counters in memory on a clock the test moves; the e2e tests cover the
// Postgres store.
type memThrottles struct {
	now  time.Time
	rows map[model.ThrottleKey]model.LoginThrottle
}

func (m *memThrottles) UpdateLoginThrottles(_ context.Context, keys []model.ThrottleKey, mutate func(time.Time, []*model.LoginThrottle) error) error {
	var ts []*model.LoginThrottle
	for _, k := range keys {
		r, ok := m.rows[k]
		if !ok {
			r = model.LoginThrottle{ThrottleKey: k, WindowStart: m.now}
		}
		ts = append(ts, &r)
	}
	if err := mutate(m.now, ts); err != nil {
		return err
	}
	for _, t := range ts {
		if t.Blank(m.now) {
			delete(m.rows, t.ThrottleKey)
		} else {
			m.rows[t.ThrottleKey] = *t
		}
	}
	return nil
}

func (m *memThrottles) pass(d time.Duration) { m.now = m.now.Add(d) }

var testPolicy = ThrottleConfig{MaxFailures: 3, MaxAddressFailures: 10, Window: 15 * time.Minute, Lockout: time.Minute, MaxLockout: 5 * time.Minute}

// fail makes n failed attempts and wants each let through.
func fail(t *testing.T, th *Throttle, user, addr string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		a, err := th.Begin(context.Background(), user, addr)
		if err != nil {
			t.Fatalf("attempt %d refused: %v", i+1, err)
		}
		if err := a.Failed(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// refused wants the next attempt refused for about wait, naming who.
func refused(t *testing.T, th *Throttle, user, addr string, wait time.Duration, who string) {
	t.Helper()
	_, err := th.Begin(context.Background(), user, addr)
	e, ok := model.AsError(err)
	if !ok || e.Code != model.CodeResourceExhausted || e.Reason != ThrottleReason {
		t.Fatalf("got %v, want a %s refusal", err, ThrottleReason)
	}
	if e.RetryAfter != wait || !strings.Contains(e.Msg, who) {
		t.Fatalf("refusal %q retry after %s, want %s naming %q", e.Msg, e.RetryAfter, wait, who)
	}
}

func TestThrottleLockoutsDoubleUpToTheCap(t *testing.T) {
	m := &memThrottles{now: time.Unix(1e9, 0), rows: map[model.ThrottleKey]model.LoginThrottle{}}
	th := NewThrottle(m, testPolicy)
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute} {
		fail(t, th, "Alice", fmt.Sprintf("192.0.2.%d", i+1), 3)
		refused(t, th, "ALICE", "192.0.2.7", want, "for this user")
		m.pass(want - time.Second)
		refused(t, th, "alice", "192.0.2.8", time.Second, "for this user")
		m.pass(time.Second)
	}
	// Another name is not affected by alice's lockouts.
	fail(t, th, "bob", "192.0.2.1", 2)

	// An hour's quiet after the last lockout (more than MaxLockout, past the window) forgets
	// the doubling.
	m.pass(time.Hour)
	fail(t, th, "alice", "192.0.2.1", 3)
	refused(t, th, "alice", "192.0.2.1", time.Minute, "for this user")
}

func TestThrottleWindowAndSuccess(t *testing.T) {
	m := &memThrottles{now: time.Unix(1e9, 0), rows: map[model.ThrottleKey]model.LoginThrottle{}}
	th := NewThrottle(m, testPolicy)
	ctx := context.Background()
	// Failures spread over more than a window never lock.
	for i := 0; i < 4; i++ {
		fail(t, th, "carol", "192.0.2.1", 2)
		m.pass(16 * time.Minute)
	}
	// A success clears the name's count and lockouts, not the address's.
	fail(t, th, "carol", "192.0.2.1", 2)
	a, err := th.Begin(ctx, "carol", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Succeeded(ctx); err != nil {
		t.Fatal(err)
	}
	if r, ok := m.rows[model.ThrottleKey{Kind: model.ThrottleUser, Subject: "carol"}]; ok {
		t.Fatalf("user counter after a success: %+v", r)
	}
	if r := m.rows[model.ThrottleKey{Kind: model.ThrottleAddress, Subject: "192.0.2.1"}]; r.Failures != 2 || r.Pending != 0 {
		t.Fatalf("address counter after a success: %+v", r)
	}
	// An abandoned attempt counts as nothing.
	a, _ = th.Begin(ctx, "carol", "192.0.2.1")
	if err := a.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	fail(t, th, "carol", "192.0.2.1", 2) // 2 of 3: still let through
}

// Attempts under way count: a burst of parallel guesses gets no more than the limit through
// while their passwords are being checked.
func TestThrottlePendingAttemptsCount(t *testing.T) {
	m := &memThrottles{now: time.Unix(1e9, 0), rows: map[model.ThrottleKey]model.LoginThrottle{}}
	th := NewThrottle(m, testPolicy)
	ctx := context.Background()
	var open []*Attempt
	for i := 0; i < 3; i++ {
		a, err := th.Begin(ctx, "dave", "192.0.2.1")
		if err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
		open = append(open, a)
	}
	refused(t, th, "dave", "192.0.2.1", time.Minute, "for this user")
	// The third is the right password: the name starts over, the other two end as failures.
	if err := open[2].Succeeded(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range open[:2] {
		if err := a.Failed(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fail(t, th, "dave", "192.0.2.1", 1) // 3 of 3
	refused(t, th, "dave", "192.0.2.1", time.Minute, "for this user")
}

func TestThrottlePerAddress(t *testing.T) {
	m := &memThrottles{now: time.Unix(1e9, 0), rows: map[model.ThrottleKey]model.LoginThrottle{}}
	th := NewThrottle(m, testPolicy)
	fail(t, th, "erin", "198.51.100.1", 3) // erin is locked out for a minute
	m.pass(30 * time.Second)
	// Ten names, one failure each, from one IPv6 /64 (a different address each time).
	for i := 0; i < 10; i++ {
		fail(t, th, fmt.Sprintf("user-%d", i), fmt.Sprintf("2001:db8:1:2::%x", i+1), 1)
	}
	refused(t, th, "someone-else", "2001:db8:1:2:ffff::1", time.Minute, "from this address")
	// Another network is not.
	fail(t, th, "someone-else", "2001:db8:1:3::1", 1)
	// Both the name and the address locked: the longer wait is told.
	refused(t, th, "erin", "2001:db8:1:2::1", time.Minute, "from this address")
	refused(t, th, "erin", "198.51.100.1", 30*time.Second, "for this user")
}

func TestThrottleOff(t *testing.T) {
	m := &memThrottles{now: time.Unix(1e9, 0), rows: map[model.ThrottleKey]model.LoginThrottle{}}
	th := NewThrottle(m, ThrottleConfig{Window: time.Minute, Lockout: time.Second, MaxLockout: time.Second})
	fail(t, th, "frank", "192.0.2.1", 100)
	if len(m.rows) != 0 {
		t.Fatalf("limits of 0 still counted: %v", m.rows)
	}
	var none *Throttle
	fail(t, none, "frank", "192.0.2.1", 3)
}

func TestWaitInWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1 second", 45 * time.Second: "45 seconds", 60 * time.Second: "1 minute",
		61 * time.Second: "2 minutes", 2 * time.Minute: "2 minutes", 59 * time.Minute: "59 minutes",
		time.Hour: "1 hour", 90 * time.Minute: "1 hour 30 minutes", 3 * time.Hour: "3 hours",
	} {
		if got := inWords(d); got != want {
			t.Errorf("inWords(%s) = %q, want %q", d, got, want)
		}
	}
}
