package wsproxy

import (
	"bytes"
	"crypto/des" //nolint:gosec // VNC authentication is DES by definition; the proxy only answers it
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// The proxy logs in to the session's VNC server with the session's password (VNC
// authentication, RFB security type 2), then presents the browser with a server that asks for
// no password (type 1). The password stays between the server, the agent and the container.

const (
	secInvalid = 0
	secNone    = 1
	secVNCAuth = 2
)

// handshakeTimeout bounds each side's part of the RFB handshake.
const handshakeTimeout = 10 * time.Second

var errNotRFB = errors.New("the desktop's VNC server did not greet like a VNC server")

// rfbVersion parses "RFB 003.008\n" into its minor version, mapped to the three the protocol
// defines (3.3, 3.7, 3.8); unknown minors count as 3.3 as the specification asks, and Apple's
// 3.889 as 3.8.
func rfbVersion(v []byte) (int, bool) {
	if len(v) != 12 || !bytes.HasPrefix(v, []byte("RFB 003.")) || v[11] != '\n' {
		return 0, false
	}
	minor := 0
	for _, c := range v[8:11] {
		if c < '0' || c > '9' {
			return 0, false
		}
		minor = minor*10 + int(c-'0')
	}
	switch {
	case minor >= 8:
		return 8, true
	case minor == 7:
		return 7, true
	}
	return 3, true
}

// vncLogin authenticates to the VNC server as a client; afterwards the server waits for
// ClientInit. It offers the server protocol 3.8 (or the server's lower version).
func vncLogin(server net.Conn, password string) error {
	_ = server.SetDeadline(time.Now().Add(handshakeTimeout))
	defer server.SetDeadline(time.Time{})
	var ver [12]byte
	if _, err := io.ReadFull(server, ver[:]); err != nil {
		return vncErr("reading the VNC server's greeting", err)
	}
	minor, ok := rfbVersion(ver[:])
	if !ok {
		return errNotRFB
	}
	if _, err := fmt.Fprintf(server, "RFB 003.%03d\n", minor); err != nil {
		return vncErr("answering the VNC server's greeting", err)
	}
	var u32 [4]byte
	if minor == 3 {
		// 3.3: the server picks the security type.
		if _, err := io.ReadFull(server, u32[:]); err != nil {
			return vncErr("reading the security type", err)
		}
		switch t := binary.BigEndian.Uint32(u32[:]); t {
		case secNone:
			return nil
		case secVNCAuth:
			return vncAuth(server, password, minor)
		case secInvalid:
			return fmt.Errorf("the desktop's VNC server refused the connection: %s", readReason(server))
		default:
			return fmt.Errorf("the desktop's VNC server wants security type %d, which the proxy cannot answer", t)
		}
	}
	var n [1]byte
	if _, err := io.ReadFull(server, n[:]); err != nil {
		return vncErr("reading the security types", err)
	}
	if n[0] == 0 {
		return fmt.Errorf("the desktop's VNC server refused the connection: %s", readReason(server))
	}
	types := make([]byte, n[0])
	if _, err := io.ReadFull(server, types); err != nil {
		return vncErr("reading the security types", err)
	}
	switch {
	case bytes.IndexByte(types, secVNCAuth) >= 0 && password != "":
		if _, err := server.Write([]byte{secVNCAuth}); err != nil {
			return vncErr("choosing VNC authentication", err)
		}
		return vncAuth(server, password, minor)
	case bytes.IndexByte(types, secNone) >= 0:
		if _, err := server.Write([]byte{secNone}); err != nil {
			return vncErr("choosing no authentication", err)
		}
		if minor == 8 {
			return securityResult(server, minor)
		}
		return nil
	case password == "":
		return errors.New("the desktop's VNC server asks for a password and the agent does not know the session's")
	}
	return fmt.Errorf("the desktop's VNC server offers security types %v; the proxy answers only VNC authentication", types)
}

func vncAuth(server net.Conn, password string, minor int) error {
	var challenge [16]byte
	if _, err := io.ReadFull(server, challenge[:]); err != nil {
		return vncErr("reading the VNC challenge", err)
	}
	resp, err := vncResponse(password, challenge[:])
	if err != nil {
		return err
	}
	if _, err := server.Write(resp); err != nil {
		return vncErr("answering the VNC challenge", err)
	}
	return securityResult(server, minor)
}

func securityResult(server net.Conn, minor int) error {
	var u32 [4]byte
	if _, err := io.ReadFull(server, u32[:]); err != nil {
		return vncErr("reading the authentication result", err)
	}
	if binary.BigEndian.Uint32(u32[:]) == 0 {
		return nil
	}
	reason := "no reason given"
	if minor == 8 {
		reason = readReason(server)
	}
	return fmt.Errorf("the desktop's VNC server refused the session password: %s", reason)
}

// vncResponse encrypts the challenge with the password as VNC does: DES, the key being the
// first 8 bytes of the password with each byte's bits reversed.
func vncResponse(password string, challenge []byte) ([]byte, error) {
	var key [8]byte
	copy(key[:], password)
	for i, b := range key {
		var r byte
		for j := 0; j < 8; j++ {
			r = r<<1 | (b>>j)&1
		}
		key[i] = r
	}
	c, err := des.NewCipher(key[:]) //nolint:gosec // see the import
	if err != nil {
		return nil, err
	}
	out := make([]byte, 16)
	c.Encrypt(out[:8], challenge[:8])
	c.Encrypt(out[8:], challenge[8:16])
	return out, nil
}

// readReason reads a length-prefixed reason string (bounded), best effort.
func readReason(r io.Reader) string {
	var u32 [4]byte
	if _, err := io.ReadFull(r, u32[:]); err != nil {
		return "no reason given"
	}
	n := binary.BigEndian.Uint32(u32[:])
	if n > 1024 {
		n = 1024
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "no reason given"
	}
	return string(bytes.ToValidUTF8(b, []byte("?")))
}

func vncErr(step string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("the desktop's VNC server did not answer in time (%s); it may still be starting", step)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the desktop's VNC server closed the connection while %s", step)
	}
	return fmt.Errorf("talking to the desktop's VNC server (%s): %w", step, err)
}

// vncGreet plays the VNC server's part towards the browser up to ClientInit, offering no
// authentication (the proxy did it). Afterwards the relay joins the two sides.
func vncGreet(client io.ReadWriter) error {
	if _, err := client.Write([]byte("RFB 003.008\n")); err != nil {
		return err
	}
	var ver [12]byte
	if _, err := io.ReadFull(client, ver[:]); err != nil {
		return err
	}
	minor, ok := rfbVersion(ver[:])
	if !ok {
		return errors.New("the client does not speak RFB")
	}
	if minor == 3 {
		var t [4]byte
		binary.BigEndian.PutUint32(t[:], secNone)
		_, err := client.Write(t[:])
		return err
	}
	if _, err := client.Write([]byte{1, secNone}); err != nil {
		return err
	}
	var choice [1]byte
	if _, err := io.ReadFull(client, choice[:]); err != nil {
		return err
	}
	if choice[0] != secNone {
		return fmt.Errorf("the client chose security type %d, which was not offered", choice[0])
	}
	if minor == 8 {
		_, err := client.Write([]byte{0, 0, 0, 0})
		return err
	}
	return nil
}
