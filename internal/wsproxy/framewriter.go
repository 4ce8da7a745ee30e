package wsproxy

import (
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"time"
)

// Websocket opcodes the proxy writes.
const (
	opBinary = 0x2
	opClose  = 0x8
	opPing   = 0x9
	opPong   = 0xA
)

// maxFrame bounds one binary frame the proxy writes to a browser.
const maxFrame = 1 << 20

// frameWriter writes every frame a proxy sends to a browser (the server's side of a
// websocket: unmasked frames). Data, pings, pongs and the close frame share one lock, so
// frames never interleave. Upstream bytes reach the browser spliced between sockets where
// both are TCP: the proxy writes only the frame header itself.
type frameWriter struct {
	mu        sync.Mutex
	conn      net.Conn     // what the websocket library reads from
	tcp       *net.TCPConn // the socket underneath, when there is one
	closeSent bool
}

func newFrameWriter(conn net.Conn) *frameWriter {
	w := &frameWriter{conn: conn}
	c := conn
	for {
		if tc, ok := c.(*net.TCPConn); ok {
			w.tcp = tc
			break
		}
		if _, ok := c.(*tls.Conn); ok {
			break // bytes on the socket beneath are ciphertext: never bypass TLS
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	return w
}

func frameHeader(buf *[10]byte, op byte, n int) []byte {
	buf[0] = 0x80 | op
	switch {
	case n < 126:
		buf[1] = byte(n)
		return buf[:2]
	case n <= 0xffff:
		buf[1] = 126
		binary.BigEndian.PutUint16(buf[2:], uint16(n))
		return buf[:4]
	}
	buf[1] = 127
	binary.BigEndian.PutUint64(buf[2:], uint64(n))
	return buf[:10]
}

// write sends one frame with payload.
func (w *frameWriter) write(op byte, payload []byte, deadline time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closeSent {
		return net.ErrClosed
	}
	if op == opClose {
		w.closeSent = true
	}
	if !deadline.IsZero() {
		_ = w.conn.SetWriteDeadline(deadline)
		defer w.conn.SetWriteDeadline(time.Time{})
	}
	var hb [10]byte
	bufs := net.Buffers{frameHeader(&hb, op, len(payload)), payload}
	_, err := bufs.WriteTo(w.conn)
	return err
}

// control sends a control frame (ping, pong, close), giving up after a second.
func (w *frameWriter) control(op byte, payload []byte) error {
	return w.write(op, payload, time.Now().Add(time.Second))
}

// tryPing sends a ping unless a frame is being written (data keeps the connection alive
// anyway), so one stalled browser never holds up the pings of the others.
func (w *frameWriter) tryPing() {
	if !w.mu.TryLock() {
		return
	}
	defer w.mu.Unlock()
	if w.closeSent {
		return
	}
	_ = w.conn.SetWriteDeadline(time.Now().Add(time.Second))
	defer w.conn.SetWriteDeadline(time.Time{})
	var hb [10]byte
	_, _ = w.conn.Write(frameHeader(&hb, opPing, 0))
}

// spliceFrom sends the next n bytes queued on src as one binary frame without copying them
// through user space.
func (w *frameWriter) spliceFrom(src *net.TCPConn, n int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closeSent {
		return net.ErrClosed
	}
	var hb [10]byte
	if _, err := w.tcp.Write(frameHeader(&hb, opBinary, n)); err != nil {
		return err
	}
	k, err := w.tcp.ReadFrom(&io.LimitedReader{R: src, N: int64(n)})
	if err == nil && k < int64(n) {
		// The frame promised n bytes: a short read breaks the stream, so end it.
		err = io.ErrUnexpectedEOF
	}
	return err
}

// Write sends p as one binary frame (io.Writer, for the VNC greeting).
func (w *frameWriter) Write(p []byte) (int, error) {
	if err := w.write(opBinary, p, time.Time{}); err != nil {
		return 0, err
	}
	return len(p), nil
}
