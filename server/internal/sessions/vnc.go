package sessions

import (
	"crypto/rand"
	"encoding/base64"
)

// Environment variables every session container gets besides HOTDESK_SESSION_ID.
const (
	// EnvVNCPassword holds the session's VNC password. The server adds it when it sends the
	// create command (the stored command never holds it); the agent's proxy answers the VNC
	// server's challenge with it, so browsers never see it.
	EnvVNCPassword = "HOTDESK_VNC_PASSWORD"
	// EnvScreen is the initial desktop size, WxH.
	EnvScreen = "HOTDESK_SCREEN"
)

// newVNCPassword returns 8 random characters: VNC authentication uses only the first 8
// bytes of a password, so 48 random bits is all it can carry.
func newVNCPassword() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
