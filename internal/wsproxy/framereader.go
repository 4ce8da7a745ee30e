package wsproxy

import (
	"encoding/binary"
	"errors"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// The proxy reads browsers' websocket frames itself, straight off the socket: payloads are
// unmasked in place and handed on in whole read-sized chunks (several frames per system call),
// and nothing is buffered between reads, so an idle connection holds only the parser's state.
// The websocket library does the opening handshake only.

const (
	opContinuation = 0x0
	opText         = 0x1
)

// errPeerClosed means the browser sent its close frame (and was answered).
var errPeerClosed = errors.New("the browser closed the websocket")

// protocolError is a frame the proxy refuses; code goes into the close frame.
type protocolError struct {
	code   int
	reason string
}

func (e *protocolError) Error() string { return e.reason }

// frameReader parses client-to-server frames (RFC 6455 §5).
type frameReader struct {
	w *frameWriter // answers pings and closes

	inPayload bool
	hdr       [14]byte
	hdrN      int
	op        byte
	fin       bool
	remain    uint64
	mask      [4]byte
	maskPos   int
	ctrl      []byte // a control frame's payload, collected
	msgOp     byte   // the data message in progress (0: none)
	msgLen    uint64
}

// headerLen is the length of a header whose first two bytes are b0, b1.
func headerLen(b1 byte) int {
	switch b1 & 0x7f {
	case 126:
		return 2 + 2 + 4
	case 127:
		return 2 + 8 + 4
	}
	return 2 + 4
}

// process parses buf: it moves the unmasked payload of data frames to the front of buf and
// returns its length. Control frames are answered. An error ends the connection; the close
// frame that says why has been sent.
func (r *frameReader) process(buf []byte) (int, error) {
	out := 0
	i := 0
	for i < len(buf) {
		if !r.inPayload {
			// Collect the header (it may straddle reads).
			need := 2
			if r.hdrN >= 2 {
				need = headerLen(r.hdr[1])
			}
			for r.hdrN < need && i < len(buf) {
				r.hdr[r.hdrN] = buf[i]
				r.hdrN++
				i++
				if r.hdrN == 2 {
					if err := r.checkStart(); err != nil {
						return out, r.fail(err)
					}
					need = headerLen(r.hdr[1])
				}
			}
			if r.hdrN < need {
				return out, nil
			}
			if err := r.begin(); err != nil {
				return out, r.fail(err)
			}
			if r.remain == 0 {
				if err := r.end(); err != nil {
					return out, err
				}
				continue
			}
		}
		n := len(buf) - i
		if uint64(n) > r.remain {
			n = int(r.remain)
		}
		chunk := buf[i : i+n]
		if r.op&0x8 != 0 {
			start := len(r.ctrl)
			r.ctrl = append(r.ctrl, chunk...)
			r.maskPos = unmask(r.mask, r.maskPos, r.ctrl[start:], r.ctrl[start:])
		} else {
			r.maskPos = unmask(r.mask, r.maskPos, buf[out:out+n], chunk)
			out += n
		}
		i += n
		r.remain -= uint64(n)
		if r.remain == 0 {
			if err := r.end(); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// checkStart validates a frame's first two bytes.
func (r *frameReader) checkStart() error {
	b0, b1 := r.hdr[0], r.hdr[1]
	op := b0 & 0x0f
	switch {
	case b0&0x70 != 0:
		return &protocolError{websocket.CloseProtocolError, "reserved bits set (no extension was agreed)"}
	case b1&0x80 == 0:
		return &protocolError{websocket.CloseProtocolError, "client frames must be masked"}
	case op == opText || op == opContinuation && r.msgOp == opText:
		return &protocolError{websocket.CloseUnsupportedData, "binary frames only"}
	case op == opContinuation && r.msgOp == 0:
		return &protocolError{websocket.CloseProtocolError, "continuation frame without a message"}
	case op == opBinary && r.msgOp != 0:
		return &protocolError{websocket.CloseProtocolError, "new message before the last one ended"}
	case op >= 3 && op <= 7 || op > 0xA:
		return &protocolError{websocket.CloseProtocolError, "unknown opcode"}
	case op&0x8 != 0 && (b0&0x80 == 0 || b1&0x7f > 125):
		return &protocolError{websocket.CloseProtocolError, "control frames must be whole and short"}
	}
	return nil
}

// begin starts a frame whose header is complete.
func (r *frameReader) begin() error {
	b0, b1 := r.hdr[0], r.hdr[1]
	r.op, r.fin = b0&0x0f, b0&0x80 != 0
	var n uint64
	var m int
	switch b1 & 0x7f {
	case 126:
		n, m = uint64(binary.BigEndian.Uint16(r.hdr[2:])), 4
	case 127:
		n, m = binary.BigEndian.Uint64(r.hdr[2:]), 10
	default:
		n, m = uint64(b1&0x7f), 2
	}
	copy(r.mask[:], r.hdr[m:m+4])
	r.maskPos, r.remain, r.hdrN, r.inPayload = 0, n, 0, true
	if r.op&0x8 == 0 {
		if r.op == opBinary {
			r.msgOp, r.msgLen = opBinary, 0
		}
		if n > maxMessage || r.msgLen+n > maxMessage {
			return &protocolError{websocket.CloseMessageTooBig, "message too big"}
		}
		r.msgLen += n
	} else {
		r.ctrl = r.ctrl[:0]
	}
	return nil
}

// end finishes a frame.
func (r *frameReader) end() error {
	r.inPayload = false
	switch r.op {
	case opBinary, opContinuation:
		if r.fin {
			r.msgOp, r.msgLen = 0, 0
		}
	case opPing:
		_ = r.w.control(opPong, r.ctrl)
	case opClose:
		code := websocket.CloseNoStatusReceived
		if len(r.ctrl) >= 2 {
			code = int(binary.BigEndian.Uint16(r.ctrl))
		}
		reply := []byte{}
		if code != websocket.CloseNoStatusReceived {
			reply = websocket.FormatCloseMessage(code, "")
		}
		_ = r.w.control(opClose, reply)
		return errPeerClosed
	}
	if cap(r.ctrl) > 125 {
		r.ctrl = nil
	}
	return nil
}

func (r *frameReader) fail(err error) error {
	var pe *protocolError
	if errors.As(err, &pe) {
		_ = r.w.control(opClose, websocket.FormatCloseMessage(pe.code, pe.reason))
	}
	return err
}

// unmask XORs src with the mask (starting at pos) into dst (dst may be src or lie before it)
// and returns the next mask position.
func unmask(key [4]byte, pos int, dst, src []byte) int {
	var k [8]byte
	for j := range k {
		k[j] = key[(pos+j)&3]
	}
	k64 := binary.LittleEndian.Uint64(k[:])
	n := len(src)
	dst = dst[:n]
	j := 0
	for ; j+32 <= n; j += 32 {
		s, d := src[j:j+32:j+32], dst[j:j+32:j+32]
		a, b := binary.LittleEndian.Uint64(s[0:]), binary.LittleEndian.Uint64(s[8:])
		c, e := binary.LittleEndian.Uint64(s[16:]), binary.LittleEndian.Uint64(s[24:])
		binary.LittleEndian.PutUint64(d[0:], a^k64)
		binary.LittleEndian.PutUint64(d[8:], b^k64)
		binary.LittleEndian.PutUint64(d[16:], c^k64)
		binary.LittleEndian.PutUint64(d[24:], e^k64)
	}
	for ; j+8 <= n; j += 8 {
		binary.LittleEndian.PutUint64(dst[j:], binary.LittleEndian.Uint64(src[j:])^k64)
	}
	for ; j < n; j++ {
		dst[j] = src[j] ^ key[(pos+j)&3]
	}
	return (pos + n) & 3
}

// wsStream is an accepted websocket as a byte stream: reads yield the payload of binary
// frames, writes send binary frames. Used for the VNC greeting, before the relay starts.
type wsStream struct {
	conn    net.Conn     // the connection the websocket was accepted on
	tcp     *net.TCPConn // the socket underneath, for readiness waits (nil if none)
	w       *frameWriter
	r       frameReader
	pending []byte // payload read but not consumed yet
}

func newWSStream(conn net.Conn) *wsStream {
	w := newFrameWriter(conn)
	return &wsStream{conn: conn, tcp: w.tcp, w: w, r: frameReader{w: w}}
}

func (s *wsStream) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		buf := make([]byte, 4096)
		n, err := s.conn.Read(buf)
		k, perr := s.r.process(buf[:n])
		s.pending = buf[:k]
		if perr != nil {
			return 0, perr
		}
		if err != nil && k == 0 {
			return 0, err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func (s *wsStream) Write(p []byte) (int, error) { return s.w.Write(p) }

func (s *wsStream) SetReadDeadline(t time.Time) error { return s.conn.SetReadDeadline(t) }
