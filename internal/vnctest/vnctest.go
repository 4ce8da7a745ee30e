// Package vnctest holds the pieces that the session proxy's tests share: a fake VNC server
// that demands its password, and a reader of the close frame a proxied websocket ends with.
// The proxy's own tests (internal/wsproxy), agentd's proxy and the server's end-to-end tests
// all need both; one copy here keeps them from drifting apart. It is a plain package because
// other packages cannot import _test files. It imports nothing of wsproxy, so that the fake
// server checks the proxy's RFB independently of the proxy's own constants.
package vnctest

import (
	"bytes"
	"crypto/des" //nolint:gosec // VNC authentication, as the protocol defines it
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The RFB protocol version and security types the server speaks.
const (
	Version    = "RFB 003.008\n"
	SecNone    = 1
	SecVNCAuth = 2
)

// Options shape a Server.
type Options struct {
	// Password is demanded with VNC authentication. Empty: no RFB handshake at all; the
	// server echoes (or sinks) from the first byte.
	Password string
	// Sink: only count what arrives, echo nothing.
	Sink bool
	// NoInit: echo right after the security result, with no ClientInit read and no
	// ServerInit sent. Otherwise the server reads ClientInit and sends a tiny ServerInit
	// (2x2, desktop name "test", 28 bytes).
	NoInit bool
}

// Server is a fake VNC server: VNC authentication with a password, a tiny ServerInit, and
// then an echo (or, as a sink, a count) of everything it gets.
type Server struct {
	lis  net.Listener
	opts Options

	// EOF gets, in sink mode, the bytes a connection received when its client's stream ended.
	EOF chan int64

	mu       sync.Mutex
	received int64
	accepted int
	authFail int
}

// Start listens on a loopback port and serves until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	return Serve(lis, o)
}

// Serve serves lis in the background until the caller closes it.
func Serve(lis net.Listener, o Options) *Server {
	v := &Server{lis: lis, opts: o, EOF: make(chan int64, 16)}
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			v.mu.Lock()
			v.accepted++
			v.mu.Unlock()
			go v.serve(c)
		}
	}()
	return v
}

// Addr is the server's host:port.
func (v *Server) Addr() string { return v.lis.Addr().String() }

// Conns counts the connections accepted so far.
func (v *Server) Conns() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.accepted
}

// Received counts the bytes received after the handshakes.
func (v *Server) Received() int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.received
}

// AuthFailures counts the wrong passwords.
func (v *Server) AuthFailures() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.authFail
}

// response is an independent implementation of the VNC DES response.
func response(password string, challenge []byte) []byte {
	key := make([]byte, 8)
	copy(key, password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	c, _ := des.NewCipher(key) //nolint:gosec
	out := make([]byte, 16)
	c.Encrypt(out[:8], challenge[:8])
	c.Encrypt(out[8:], challenge[8:])
	return out
}

func (v *Server) serve(c net.Conn) {
	defer c.Close()
	if v.opts.Password != "" && !v.handshake(c) {
		return
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := c.Read(buf)
		if k > 0 {
			n += int64(k)
			v.mu.Lock()
			v.received += int64(k)
			v.mu.Unlock()
			if !v.opts.Sink {
				if _, err := c.Write(buf[:k]); err != nil {
					return
				}
			}
		}
		if err != nil {
			if v.opts.Sink && errors.Is(err, io.EOF) {
				v.EOF <- n
			}
			return
		}
	}
}

// handshake runs the server's side of RFB with VNC authentication; false: the connection is
// done with.
func (v *Server) handshake(c net.Conn) bool {
	if _, err := c.Write([]byte(Version)); err != nil {
		return false
	}
	ver := make([]byte, 12)
	if _, err := io.ReadFull(c, ver); err != nil {
		return false
	}
	c.Write([]byte{1, SecVNCAuth})
	choice := make([]byte, 1)
	if _, err := io.ReadFull(c, choice); err != nil || choice[0] != SecVNCAuth {
		return false
	}
	challenge := make([]byte, 16)
	rand.Read(challenge)
	c.Write(challenge)
	resp := make([]byte, 16)
	if _, err := io.ReadFull(c, resp); err != nil {
		return false
	}
	if !bytes.Equal(resp, response(v.opts.Password, challenge)) {
		v.mu.Lock()
		v.authFail++
		v.mu.Unlock()
		c.Write([]byte{0, 0, 0, 1, 0, 0, 0, 14})
		c.Write([]byte("wrong password"))
		return false
	}
	c.Write([]byte{0, 0, 0, 0})
	if v.opts.NoInit {
		return true
	}
	shared := make([]byte, 1)
	if _, err := io.ReadFull(c, shared); err != nil {
		return false
	}
	// ServerInit: 2x2, a 16-byte pixel format, name "test".
	init := make([]byte, 24)
	binary.BigEndian.PutUint16(init[0:], 2)
	binary.BigEndian.PutUint16(init[2:], 2)
	binary.BigEndian.PutUint32(init[20:], 4)
	c.Write(append(init, "test"...))
	return true
}

// CloseFrame waits up to timeout for the close frame that ends ws and returns it; the test
// fails if the connection ends without one.
func CloseFrame(t testing.TB, ws *websocket.Conn, timeout time.Duration) *websocket.CloseError {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, _, err := ws.NextReader()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce
		}
		t.Fatalf("connection ended without a close frame: %v", err)
	}
}
