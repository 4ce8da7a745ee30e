package enroll

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
)

const testFP = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestTokenFormat(t *testing.T) {
	tok, hash, err := newToken(testFP)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^hde_[A-Za-z0-9_-]{43}\.[0-9a-f]{64}$`).MatchString(tok) {
		t.Fatalf("token %q does not have the documented shape", tok)
	}
	secret, _, _ := strings.Cut(tok, ".")
	if sum := sha256.Sum256([]byte(secret)); string(hash) != string(sum[:]) {
		t.Error("the stored hash is not the SHA-256 of the secret part")
	}
	gotHash, fp, err := parseToken(tok)
	if err != nil || fp != testFP || string(gotHash) != string(hash) {
		t.Fatalf("parseToken = %x, %q, %v", gotHash, fp, err)
	}
	other, _, _ := newToken(testFP)
	if other == tok {
		t.Error("two tokens are equal")
	}
	for _, bad := range []string{
		"", "hde_", tok[:len(tok)-1], tok + "0", strings.Replace(tok, "hde_", "hdk_", 1), strings.ToUpper(tok),
		secret, secret + ".", "hde_AAAA." + testFP, secret + "." + strings.ToUpper(testFP), secret + "=." + testFP,
		strings.Replace(tok, ".", "..", 1),
	} {
		if _, _, err := parseToken(bad); err == nil {
			t.Errorf("parseToken(%q) accepted a malformed token", bad)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	tok, _, _ := newToken(testFP)
	f.Add(tok)
	f.Add("hde_.")
	f.Add("hde_" + strings.Repeat("A", 43) + "." + testFP)
	f.Fuzz(func(t *testing.T, s string) {
		hash, fp, err := parseToken(s)
		if err != nil {
			return
		}
		secret, rest, _ := strings.Cut(s, ".")
		if len(hash) != sha256.Size || fp != rest || !isFingerprint(fp) || !strings.HasPrefix(secret, TokenPrefix) || len(secret) != 47 {
			t.Fatalf("accepted %q as hash %x fingerprint %q", s, hash, fp)
		}
	})
}
