package connecttoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mint(t testing.TB, k *ecdsa.PrivateKey, now time.Time, ttl time.Duration) (string, *Claims) {
	t.Helper()
	id, err := NewID()
	if err != nil {
		t.Fatal(err)
	}
	c := &Claims{UserID: "u1", SessionID: "s1", AgentID: "a1", AgentURL: "http://127.0.0.1:8444",
		URL: "ws://127.0.0.1:8080/connect/s1/ws", Origins: []string{"http://127.0.0.1:8080"},
		IssuedAt: now.Unix(), Expiry: now.Add(ttl).Unix(), ID: id}
	tok, err := Sign(c, k)
	if err != nil {
		t.Fatal(err)
	}
	return tok, c
}

func TestSignVerify(t *testing.T) {
	k := key(t)
	now := time.Now()
	tok, want := mint(t, k, now, MaxTTL)
	got, err := Verify(tok, []*ecdsa.PublicKey{&key(t).PublicKey, &k.PublicKey}, now)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.SessionID != want.SessionID || got.UserID != want.UserID || got.AgentURL != want.AgentURL || got.ID != want.ID ||
		got.URL != want.URL || len(got.Origins) != 1 {
		t.Fatalf("claims changed in transit: %+v vs %+v", got, want)
	}
	if p, err := Peek(tok); err != nil || p.URL != want.URL {
		t.Fatalf("peek: %v %+v", err, p)
	}
}

func TestVerifyRefuses(t *testing.T) {
	k := key(t)
	now := time.Now()
	tok, _ := mint(t, k, now, MaxTTL)
	keys := []*ecdsa.PublicKey{&k.PublicKey}
	parts := strings.Split(tok, ".")
	other, _ := mint(t, key(t), now, MaxTTL)

	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"hotdesk-connect","sub":"u1","sid":"s2","aid":"a1","exp":9999999999,"jti":"x"}`))
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	cases := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"expired", tok, now.Add(MaxTTL + time.Second), ErrExpired},
		{"other key", other, now, ErrSignature},
		{"payload swapped", parts[0] + "." + forgedPayload + "." + parts[2], now, ErrSignature},
		{"alg none", noneHeader + "." + parts[1] + ".", now, ErrMalformed},
		{"no signature", parts[0] + "." + parts[1], now, ErrMalformed},
		{"short signature", parts[0] + "." + parts[1] + "." + parts[2][:20], now, ErrMalformed},
		{"extra part", tok + ".x", now, ErrMalformed},
		{"empty", "", now, ErrMalformed},
		{"garbage", "hello", now, ErrMalformed},
		{"huge", strings.Repeat("a", MaxLen+1), now, ErrMalformed},
	}
	for _, tc := range cases {
		if _, err := Verify(tc.token, keys, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestReplay(t *testing.T) {
	k := key(t)
	now := time.Now()
	_, c := mint(t, k, now, MaxTTL)
	r := NewReplay(2)
	if !r.Use(c, now) {
		t.Fatal("first use refused")
	}
	if r.Use(c, now) {
		t.Fatal("second use accepted")
	}
	_, c2 := mint(t, k, now, MaxTTL)
	_, c3 := mint(t, k, now, MaxTTL)
	if !r.Use(c2, now) || r.Use(c3, now) {
		t.Fatal("a full set must refuse new ids")
	}
	// Past expiry the ids are swept and room comes back; the old id stays refused by expiry.
	later := now.Add(MaxTTL + time.Minute)
	if !r.Use(c3, later) || r.Len() != 1 {
		t.Fatalf("sweep did not free room: len %d", r.Len())
	}
}

func FuzzVerify(f *testing.F) {
	k := key(f)
	now := time.Now()
	tok, _ := mint(f, k, now, MaxTTL)
	f.Add(tok)
	f.Add("a.b.c")
	f.Add(headerB64 + ".e30.")
	keys := []*ecdsa.PublicKey{&k.PublicKey}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Verify(s, keys, now)
		if err == nil && s != tok {
			t.Fatalf("accepted a token nobody signed: %q %+v", s, c)
		}
		_, _ = Peek(s)
	})
}
