// Package imagetest checks Hotdesk's session images (images/, built by
// scripts/build-images.sh) the way a client sees them: it runs an image the way the agent
// does and speaks RFB to it. It also offers what other tests need to use a real desktop:
// Ensure builds images on demand and Dial is a small VNC (RFB 3.8, VncAuth) client.
package imagetest

import (
	"bufio"
	"crypto/des"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"time"
)

// RFB security types.
const (
	SecurityNone    = 1
	SecurityVncAuth = 2
)

// ErrAuthFailed is returned by Dial when the server refuses the password.
var ErrAuthFailed = errors.New("vnc: authentication failed")

// Conn is an authenticated RFB connection, after ServerInit. Pixels come back as 0xRRGGBB.
type Conn struct {
	c      net.Conn
	r      *bufio.Reader
	Width  int
	Height int
	Name   string
	// SecurityTypes are the types the server offered.
	SecurityTypes []byte
}

// Greeting reads the server's protocol version line ("RFB 003.008\n") from a fresh connection.
func Greeting(c net.Conn) (string, error) {
	buf := make([]byte, 12)
	if _, err := io.ReadFull(c, buf); err != nil {
		return "", fmt.Errorf("vnc: read greeting: %w", err)
	}
	return string(buf), nil
}

// Dial connects to addr, negotiates RFB 3.8 with VncAuth and password, sends ClientInit
// (shared) and reads ServerInit. The whole handshake must finish within timeout.
func Dial(addr, password string, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	v, err := handshake(c, password, timeout)
	if err != nil {
		c.Close()
		return nil, err
	}
	return v, nil
}

func handshake(c net.Conn, password string, timeout time.Duration) (*Conn, error) {
	_ = c.SetDeadline(time.Now().Add(timeout))
	v := &Conn{c: c, r: bufio.NewReaderSize(c, 1<<16)}
	greet := make([]byte, 12)
	if _, err := io.ReadFull(v.r, greet); err != nil {
		return nil, fmt.Errorf("vnc: read greeting: %w", err)
	}
	if string(greet) != "RFB 003.008\n" {
		return nil, fmt.Errorf("vnc: server speaks %q, want RFB 003.008", greet)
	}
	if _, err := c.Write(greet); err != nil {
		return nil, err
	}
	n, err := v.u8()
	if err != nil {
		return nil, fmt.Errorf("vnc: read security types: %w", err)
	}
	if n == 0 {
		reason, _ := v.str()
		return nil, fmt.Errorf("vnc: server refused the connection: %s", reason)
	}
	v.SecurityTypes = make([]byte, n)
	if _, err := io.ReadFull(v.r, v.SecurityTypes); err != nil {
		return nil, err
	}
	var offered bool
	for _, t := range v.SecurityTypes {
		offered = offered || t == SecurityVncAuth
	}
	if !offered {
		return nil, fmt.Errorf("vnc: server offers security types %v, not VncAuth (2)", v.SecurityTypes)
	}
	if _, err := c.Write([]byte{SecurityVncAuth}); err != nil {
		return nil, err
	}
	challenge := make([]byte, 16)
	if _, err := io.ReadFull(v.r, challenge); err != nil {
		return nil, fmt.Errorf("vnc: read challenge: %w", err)
	}
	if _, err := c.Write(VncAuthResponse(password, challenge)); err != nil {
		return nil, err
	}
	result, err := v.u32()
	if err != nil {
		return nil, fmt.Errorf("vnc: read security result: %w", err)
	}
	if result != 0 {
		reason, _ := v.str()
		return nil, fmt.Errorf("%w: %s", ErrAuthFailed, reason)
	}
	if _, err := c.Write([]byte{1}); err != nil { // ClientInit: shared
		return nil, err
	}
	var init [20]byte
	if _, err := io.ReadFull(v.r, init[:]); err != nil {
		return nil, fmt.Errorf("vnc: read ServerInit: %w", err)
	}
	v.Width = int(binary.BigEndian.Uint16(init[0:]))
	v.Height = int(binary.BigEndian.Uint16(init[2:]))
	if v.Name, err = v.str(); err != nil {
		return nil, err
	}
	// 32 bits per pixel, depth 24, little endian, true color 0xRRGGBB; raw encoding only.
	msg := []byte{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0}
	msg = append(msg, 2, 0, 0, 1, 0, 0, 0, 0)
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return v, nil
}

// VncAuthResponse encrypts the server's 16-byte challenge the VncAuth way: DES (ECB) keyed
// with the password's first 8 bytes (zero padded), each byte's bits reversed.
func VncAuthResponse(password string, challenge []byte) []byte {
	var key [8]byte
	copy(key[:], password)
	for i := range key {
		key[i] = bits.Reverse8(key[i])
	}
	block, err := des.NewCipher(key[:])
	if err != nil {
		panic(err) // a DES key is always 8 bytes
	}
	out := make([]byte, len(challenge))
	for i := 0; i+8 <= len(challenge); i += 8 {
		block.Encrypt(out[i:i+8], challenge[i:i+8])
	}
	return out
}

// Screen asks for a full (non-incremental) update of the screen and returns its pixels
// (row-major, Width×Height, 0xRRGGBB).
func (v *Conn) Screen(timeout time.Duration) ([]uint32, error) {
	_ = v.c.SetDeadline(time.Now().Add(timeout))
	defer v.c.SetDeadline(time.Time{})
	req := []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(req[6:], uint16(v.Width))
	binary.BigEndian.PutUint16(req[8:], uint16(v.Height))
	if _, err := v.c.Write(req); err != nil {
		return nil, err
	}
	pix := make([]uint32, v.Width*v.Height)
	for {
		t, err := v.u8()
		if err != nil {
			return nil, fmt.Errorf("vnc: read message: %w", err)
		}
		switch t {
		case 0: // FramebufferUpdate
			var hdr [3]byte
			if _, err := io.ReadFull(v.r, hdr[:]); err != nil {
				return nil, err
			}
			for n := int(binary.BigEndian.Uint16(hdr[1:])); n > 0; n-- {
				var rh [12]byte
				if _, err := io.ReadFull(v.r, rh[:]); err != nil {
					return nil, err
				}
				x, y := int(binary.BigEndian.Uint16(rh[0:])), int(binary.BigEndian.Uint16(rh[2:]))
				w, h := int(binary.BigEndian.Uint16(rh[4:])), int(binary.BigEndian.Uint16(rh[6:]))
				if enc := int32(binary.BigEndian.Uint32(rh[8:])); enc != 0 {
					return nil, fmt.Errorf("vnc: unexpected encoding %d", enc)
				}
				if x+w > v.Width || y+h > v.Height {
					return nil, fmt.Errorf("vnc: rectangle %dx%d+%d+%d outside the %dx%d screen", w, h, x, y, v.Width, v.Height)
				}
				row := make([]byte, 4*w)
				for j := 0; j < h; j++ {
					if _, err := io.ReadFull(v.r, row); err != nil {
						return nil, err
					}
					for i := 0; i < w; i++ {
						pix[(y+j)*v.Width+x+i] = binary.LittleEndian.Uint32(row[4*i:]) & 0xffffff
					}
				}
			}
			return pix, nil
		case 1: // SetColourMapEntries
			var hdr [5]byte
			if _, err := io.ReadFull(v.r, hdr[:]); err != nil {
				return nil, err
			}
			if _, err := v.r.Discard(6 * int(binary.BigEndian.Uint16(hdr[3:]))); err != nil {
				return nil, err
			}
		case 2: // Bell
		case 3: // ServerCutText
			if _, err := v.r.Discard(3); err != nil {
				return nil, err
			}
			if _, err := v.str(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("vnc: unexpected server message type %d", t)
		}
	}
}

// Close ends the connection.
func (v *Conn) Close() error { return v.c.Close() }

func (v *Conn) u8() (byte, error) { return v.r.ReadByte() }

func (v *Conn) u32() (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(v.r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

func (v *Conn) str() (string, error) {
	n, err := v.u32()
	if err != nil {
		return "", err
	}
	if n > 1<<20 {
		return "", fmt.Errorf("vnc: string of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(v.r, b)
	return string(b), err
}
