package runtime

import (
	"sync"
	"testing"
)

// One key runs one holder at a time, other keys do not wait for it, and nothing is kept once
// every holder is gone.
func TestKeyedLockSerializesPerKeyAndForgets(t *testing.T) {
	var k keyedLock
	var wg sync.WaitGroup
	inside, maxInside := 0, 0
	var mu sync.Mutex
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := k.lock("s1")
			mu.Lock()
			inside++
			maxInside = max(maxInside, inside)
			mu.Unlock()
			other := k.lock("s2") // a different key never waits for s1
			other()
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if maxInside != 1 {
		t.Fatalf("%d holders of one key at once, want 1", maxInside)
	}
	if n := k.size(); n != 0 {
		t.Fatalf("%d keys kept after every holder left, want 0", n)
	}
}
