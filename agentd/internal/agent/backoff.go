package agent

import (
	"math/rand/v2"
	"time"
)

// backoff is exponential backoff with full jitter: attempt n waits a uniform random time in
// [0, min(cap, base·2ⁿ)), so that many agents cut off together do not return together.
type backoff struct {
	base, cap time.Duration
}

func (b backoff) ceiling(attempt int) time.Duration {
	d := b.base
	for i := 0; i < attempt && d < b.cap; i++ {
		d *= 2
	}
	return min(d, b.cap)
}

func (b backoff) delay(attempt int) time.Duration {
	c := b.ceiling(attempt)
	if c <= 0 {
		return 0
	}
	return rand.N(c)
}

// jittered draws an interval uniformly from mean × [1−jitter, 1+jitter].
func jittered(mean time.Duration, jitter float64) time.Duration {
	if jitter <= 0 {
		return mean
	}
	jitter = min(jitter, 1)
	f := 1 + jitter*(2*rand.Float64()-1)
	return time.Duration(float64(mean) * f)
}
