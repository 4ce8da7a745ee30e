package model

import "time"

// ThrottleKind says what a sign-in throttle counter counts the failures of.
type ThrottleKind string

// Throttle kinds.
const (
	// ThrottleUser counts per lower-cased user name, whether or not such a user exists.
	ThrottleUser ThrottleKind = "user"
	// ThrottleAddress counts per client address (IPv6 per /64).
	ThrottleAddress ThrottleKind = "address"
)

// ThrottleKey names one counter.
type ThrottleKey struct {
	Kind    ThrottleKind
	Subject string
}

// LoginThrottle is one counter of failed sign-ins, shared by every replica.
type LoginThrottle struct {
	ThrottleKey
	// Failures counts the failed attempts of the window that began at WindowStart; Pending
	// counts attempts that passed the throttle and have not ended yet, so that a burst of
	// parallel guesses cannot overrun the limit while the passwords are being checked.
	Failures    int
	Pending     int
	WindowStart time.Time
	// Lockouts counts the lockouts since the counter was last cleared: the next one lasts the
	// first lockout's length doubled that many times.
	Lockouts int
	// LockedUntil, while in the future, refuses every attempt; zero when never locked.
	LockedUntil time.Time
}

// Blank reports whether the counter holds nothing worth keeping at now.
func (t *LoginThrottle) Blank(now time.Time) bool {
	return t.Failures == 0 && t.Pending == 0 && t.Lockouts == 0 && !t.LockedUntil.After(now)
}
