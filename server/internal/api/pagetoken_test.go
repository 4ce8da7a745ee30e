package api

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/model"
)

const (
	testID    = "0190f3c2-7d3a-7b4c-8e5f-123456789abc"
	testQuery = "workspaces|0190f3c2-0000-7000-8000-000000000001"
)

func testPager() *pager { return newPager([]byte("0123456789abcdef0123456789abcdef")) }

// wantRefused fails unless err is the InvalidArgument on page_token a client should see.
func wantRefused(t *testing.T, what, token string, err error) {
	t.Helper()
	e, ok := model.AsError(err)
	if !ok || e.Code != model.CodeInvalidArgument || e.Field != "page_token" {
		t.Fatalf("%s: token %q: got %v, want InvalidArgument on page_token", what, token, err)
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	p := testPager()
	for _, q := range []string{"zones", "users", testQuery, "apikeys|", "agents||AGENT_STATE_ONLINE", "", "q|\u00e9|\x00|\"}"} {
		tok := p.next(true, testID, q)
		if tok == "" {
			t.Fatalf("no token for query %q", q)
		}
		pg, err := p.page(25, tok, q)
		if err != nil || pg.After != testID || pg.Size != 25 {
			t.Fatalf("query %q: page = %+v, %v; want after %s, size 25", q, pg, err, testID)
		}
	}
	if tok := p.next(false, testID, "zones"); tok != "" {
		t.Errorf("last page got a next token %q", tok)
	}
	if tok := p.next(true, "", "zones"); tok != "" {
		t.Errorf("empty page got a next token %q", tok)
	}
	if pg, err := p.page(0, "", "zones"); err != nil || pg.After != "" {
		t.Errorf("first page: %+v, %v", pg, err)
	}
}

func TestPageTokenRefusesOtherQueriesAndKeys(t *testing.T) {
	p := testPager()
	tok := p.next(true, testID, testQuery)
	for _, q := range []string{"workspaces|", "workspaces", testQuery + " ", strings.ToUpper(testQuery), "zones"} {
		_, err := p.page(0, tok, q)
		wantRefused(t, "other query "+q, tok, err)
	}
	other := newPager([]byte("another server's key, 32 bytes!!"))
	_, err := other.page(0, tok, testQuery)
	wantRefused(t, "other key", tok, err)
	// A correctly signed cursor without an id is refused too.
	body := []byte(`{"a":"","q":"zones"}`)
	forged := base64.RawURLEncoding.EncodeToString(append(body, p.sign(body)...))
	_, err = p.page(0, forged, "zones")
	wantRefused(t, "empty cursor", forged, err)
}

// TestPageTokenRefusesEveryTamperedByte flips, drops and appends bytes of an issued token,
// both in its decoded form and in its text, and expects every variant refused.
func TestPageTokenRefusesEveryTamperedByte(t *testing.T) {
	p := testPager()
	tok := p.next(true, testID, testQuery)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	var variants []string
	for i := range raw {
		for _, bit := range []byte{0x01, 0x20, 0x80} {
			b := bytes.Clone(raw)
			b[i] ^= bit
			variants = append(variants, base64.RawURLEncoding.EncodeToString(b))
		}
		variants = append(variants, base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw[:i]), raw[i+1:]...)))
	}
	for i := 0; i < len(raw); i++ {
		variants = append(variants, base64.RawURLEncoding.EncodeToString(raw[:i]))
	}
	variants = append(variants,
		base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0)),
		base64.StdEncoding.EncodeToString(raw), // other alphabet, padded
		tok+"=", tok+"A", "A"+tok, tok[1:], tok[:len(tok)-1], strings.ToUpper(tok), " "+tok,
		strings.Replace(tok, "_", "/", -1)+"x",
	)
	for _, v := range variants {
		if v == tok || v == "" { // "" is the first page, not a tampered token
			continue
		}
		pg, err := p.page(0, v, testQuery)
		if err == nil {
			// Only a spelling of the very same bytes may pass (see FuzzPageToken).
			if got, _ := base64.RawURLEncoding.DecodeString(v); !bytes.Equal(got, raw) || pg.After != testID {
				t.Fatalf("tampered token %q accepted: %+v", v, pg)
			}
			continue
		}
		wantRefused(t, "tampered", v, err)
	}
}

// FuzzPageToken: whatever a client sends as page_token, it decodes only if it is (a spelling
// of) a token this server issued for the same query; everything else is an InvalidArgument.
func FuzzPageToken(f *testing.F) {
	p := testPager()
	issued := p.next(true, testID, testQuery)
	f.Add(issued, testQuery)
	f.Add(issued, "zones")
	f.Add(p.next(true, testID, "zones"), "zones")
	f.Add(p.next(true, "x", ""), "")
	f.Add(newPager([]byte("k")).next(true, testID, "zones"), "zones")
	f.Add(issued[:len(issued)-2]+"AA", testQuery)
	f.Add(issued[:20]+"\n"+issued[20:], testQuery)
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"a":"`+testID+`","q":"zones"}0123456789abcdef`)), "zones")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"a":"' OR 1=1 --","q":"zones"}`)), "zones")
	f.Add("", "zones")
	f.Add("%%%", "zones")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "zones")
	f.Add(strings.Repeat("A", 513), "zones")
	f.Fuzz(func(t *testing.T, token, query string) {
		pg, err := p.page(7, token, query)
		if err != nil {
			wantRefused(t, "fuzzed", token, err)
			return
		}
		if pg.Size != 7 {
			t.Fatalf("size %d, want 7", pg.Size)
		}
		if token == "" {
			if pg.After != "" {
				t.Fatalf("empty token gave cursor %q", pg.After)
			}
			return
		}
		want, _ := base64.RawURLEncoding.DecodeString(p.next(true, pg.After, query))
		got, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("token %q decoded to cursor %q for query %q, but this server never issued it", token, pg.After, query)
		}
	})
}
