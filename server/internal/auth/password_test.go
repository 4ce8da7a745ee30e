package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	for _, pw := range []string{"correct horse battery staple", "", "pässwörd-🔑", strings.Repeat("x", 1024), "with\x00nul"} {
		h, err := HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("hash %q is not PHC argon2id with the configured parameters", h)
		}
		if !CheckPassword(h, pw) {
			t.Errorf("password %q does not match its own hash", pw)
		}
		for _, wrong := range []string{pw + "x", strings.ToUpper(pw) + "!", pw[:len(pw)/2], " " + pw} {
			if wrong != pw && CheckPassword(h, wrong) {
				t.Errorf("wrong password %q matches the hash of %q", wrong, pw)
			}
		}
	}
	a, _ := HashPassword("same")
	b, _ := HashPassword("same")
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

// TestCheckPasswordTamperedHash: a stored hash that was altered, truncated or written by
// something else never matches, never panics, and never makes the server spend more than
// the configured bound.
func TestCheckPasswordTamperedHash(t *testing.T) {
	const pw = "password-for-tampering"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$") // "", argon2id, v=19, m=..,t=..,p=.., salt, key
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tampered := map[string]string{
		"empty":              "",
		"plain text":         pw,
		"argon2i":            with(1, "argon2i"),
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"version 16":         with(2, "v=16"),
		"version garbage":    with(2, "v=x"),
		"params garbage":     with(3, "m=,t=,p="),
		"other memory":       with(3, "m=19457,t=2,p=1"),
		"other passes":       with(3, "m=19456,t=3,p=1"),
		"other lanes":        with(3, "m=19456,t=2,p=2"),
		"zero passes":        with(3, "m=19456,t=0,p=1"),
		"zero lanes":         with(3, "m=19456,t=2,p=0"),
		"zero memory":        with(3, "m=0,t=2,p=1"),
		"negative memory":    with(3, "m=-1,t=2,p=1"),
		"lanes overflow":     with(3, "m=19456,t=2,p=256"),
		"huge memory":        with(3, "m=4294967295,t=2,p=1"),
		"huge passes":        with(3, "m=19456,t=4294967295,p=1"),
		"salt flipped":       with(4, flip(parts[4], 3)),
		"salt empty":         with(4, ""),
		"salt not base64":    with(4, "!!!!"),
		"key flipped first":  with(5, flip(parts[5], 0)),
		"key flipped last":   with(5, flip(parts[5], len(parts[5])-2)),
		"key truncated":      with(5, parts[5][:len(parts[5])-4]),
		"key empty":          with(5, ""),
		"key padded":         with(5, parts[5]+"="),
		"key extended":       with(5, parts[5]+"AAAA"),
		"extra field":        h + "$x",
		"missing field":      strings.Join(parts[:5], "$"),
		"leading space":      " " + h,
		"upper-case variant": strings.Replace(h, "argon2id", "ARGON2ID", 1),
	}
	for name, bad := range tampered {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			var ok bool
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("CheckPassword panicked on %q: %v", bad, r)
					}
				}()
				ok = CheckPassword(bad, pw)
			}()
			if ok {
				t.Fatalf("tampered hash %q accepted", bad)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("tampered hash %q cost %v", bad, d)
			}
		})
	}
}
