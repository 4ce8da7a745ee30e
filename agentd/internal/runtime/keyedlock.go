package runtime

import "sync"

// keyedLock serializes work per key (a session id). An entry lives only while someone holds or
// waits for it, so a long-lived agent does not keep one per session it ever created.
type keyedLock struct {
	mu   sync.Mutex
	keys map[string]*keyEntry
}

type keyEntry struct {
	mu      sync.Mutex
	holders int // holding or waiting; guarded by keyedLock.mu
}

// lock blocks until key is free and returns the function that frees it.
func (k *keyedLock) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]*keyEntry{}
	}
	e := k.keys[key]
	if e == nil {
		e = &keyEntry{}
		k.keys[key] = e
	}
	e.holders++
	k.mu.Unlock()

	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.holders--; e.holders == 0 {
			delete(k.keys, key)
		}
		k.mu.Unlock()
	}
}

// size is how many keys are held or waited for (tests).
func (k *keyedLock) size() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}
