package wsproxy

import (
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// closeGrace is how long a relay waits for the other side to finish an orderly close (the
// browser's close reply, the upstream's EOF after ours) before it cuts the connection.
const closeGrace = 5 * time.Second

// maxMessage bounds one websocket message from a browser. VNC clients send small messages
// (input events, clipboard text); anything bigger closes that connection with 1009.
const maxMessage = 8 << 20

// link is one relayed connection, known to the tracker so it can be ended from outside.
type link interface {
	// abort ends the connection telling the browser code and reason (where it can).
	abort(code int, reason string)
	// ping keeps intermediaries from timing out an idle websocket.
	ping()
}

// wsLink relays between a browser's websocket and an upstream byte stream (the agent's
// tunnel, or the VNC server itself).
type wsLink struct {
	s        *wsStream
	back     net.Conn
	leftover []byte // upstream bytes read before the relay started
	// endReason says why the upstream ended, from what the proxy knows about the session:
	// eof is whether it ended with a clean EOF. Nil means a normal close.
	endReason func(eof bool) (int, string)
	scratch   []byte // small read buffer for upstreams that are not plain sockets (TLS)

	aborted atomic.Bool
}

// sendClose sends the websocket close frame (once: the writer refuses a second).
func (l *wsLink) sendClose(code int, reason string) {
	_ = l.s.w.control(opClose, websocket.FormatCloseMessage(code, closeReason(reason)))
}

func (l *wsLink) abort(code int, reason string) {
	if l.aborted.Swap(true) {
		return
	}
	// A browser that stopped reading may hold the writer: bound that write, and never make
	// the caller (the session's end, a shutdown) wait.
	_ = l.s.conn.SetWriteDeadline(time.Now().Add(time.Second))
	_ = l.back.Close()
	go func() {
		l.sendClose(code, reason) // sets its own deadline once it holds the writer
		_ = l.s.conn.SetReadDeadline(time.Now().Add(closeGrace))
	}()
}

func (l *wsLink) ping() { l.s.w.tryPing() }

// run relays until both directions are done and closes both connections.
func (l *wsLink) run() {
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		err := l.up()
		switch {
		case l.aborted.Load():
		case errors.Is(err, errPeerClosed):
			// The browser closed: the upstream gets everything it sent, then EOF.
			closeWrite(l.back)
			_ = l.back.SetReadDeadline(time.Now().Add(closeGrace))
		default:
			// Broken connection, oversized or malformed frame (its close frame is sent):
			// end this connection only.
			_ = l.back.Close()
		}
	}()
	eof := l.down()
	if !l.aborted.Load() {
		code, reason := CodeNormal, "the desktop closed the connection"
		if l.endReason != nil {
			code, reason = l.endReason(eof)
		}
		l.sendClose(code, reason)
		_ = l.s.conn.SetReadDeadline(time.Now().Add(closeGrace))
	}
	select {
	case <-upDone:
	case <-time.After(closeGrace + time.Second):
	}
	_ = l.s.conn.Close()
	_ = l.back.Close()
	<-upDone
}

// up copies the browser's payload to the upstream. It waits for data without a buffer and
// borrows one per burst; each read may hold several frames, unmasked in place and written on
// in one piece.
func (l *wsLink) up() error {
	if len(l.s.pending) > 0 {
		if _, err := l.back.Write(l.s.pending); err != nil {
			return err
		}
		l.s.pending = nil
	}
	var wait net.Conn = l.s.conn
	if l.s.tcp != nil {
		wait = l.s.tcp
	}
	for {
		if err := waitReadable(wait); err != nil {
			return err
		}
		buf := getBuf()
		for {
			n, rerr := l.s.conn.Read(*buf)
			k, perr := l.s.r.process((*buf)[:n])
			if k > 0 {
				if _, werr := l.back.Write((*buf)[:k]); werr != nil {
					putBuf(buf)
					return werr
				}
			}
			if perr != nil {
				putBuf(buf)
				return perr
			}
			if rerr != nil {
				putBuf(buf)
				return rerr
			}
			if n < len(*buf) {
				break
			}
		}
		putBuf(buf)
	}
}

// down copies upstream bytes to the browser until the upstream ends (eof: cleanly) or a side
// breaks. Between TCP sockets each burst goes as one frame spliced by the kernel; otherwise
// through a pooled buffer, one frame per read.
func (l *wsLink) down() (eof bool) {
	if len(l.leftover) > 0 {
		if l.s.w.write(opBinary, l.leftover, time.Time{}) != nil {
			return false
		}
		l.leftover = nil
	}
	if src, ok := l.back.(*net.TCPConn); ok && haveSplice && l.s.w.tcp != nil {
		for {
			if waitReadable(src) != nil {
				return false
			}
			n, err := queued(src)
			if err != nil {
				return false
			}
			if n == 0 {
				// Readable with nothing queued: EOF or an error, which a read reports.
				var one [1]byte
				k, rerr := src.Read(one[:])
				if k > 0 {
					if l.s.w.write(opBinary, one[:k], time.Time{}) != nil {
						return false
					}
					continue
				}
				return rerr == io.EOF
			}
			if l.s.w.spliceFrom(src, min(n, maxFrame)) != nil {
				return false
			}
		}
	}
	for {
		rerr, werr := readBurst(l.back, &l.scratch, func(b []byte) error { return l.s.w.write(opBinary, b, time.Time{}) })
		if werr != nil {
			return false
		}
		if rerr != nil {
			return rerr == io.EOF
		}
	}
}

// rawLink relays between two byte streams (the agent's end of a tunnel and the VNC server).
type rawLink struct {
	front, back net.Conn
	aborted     atomic.Bool
}

func (l *rawLink) abort(int, string) {
	if l.aborted.Swap(true) {
		return
	}
	_ = l.front.Close()
	_ = l.back.Close()
}

func (l *rawLink) ping() {}

func (l *rawLink) run() {
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		l.half(l.back, l.front)
	}()
	l.half(l.front, l.back)
	select {
	case <-upDone:
	case <-time.After(closeGrace + time.Second):
	}
	_ = l.front.Close()
	_ = l.back.Close()
	<-upDone
}

// half copies src to dst; at src's EOF it passes the EOF on and gives the other direction a
// grace period to finish.
func (l *rawLink) half(dst, src net.Conn) {
	err := copyBurst(dst, src)
	if l.aborted.Load() {
		return
	}
	if err != nil {
		l.abort(0, "")
		return
	}
	closeWrite(dst)
	_ = dst.SetReadDeadline(time.Now().Add(closeGrace))
}

// copyBurst copies src to dst until src's EOF (nil) or an error, holding a buffer only while
// data flows.
func copyBurst(dst, src net.Conn) error {
	if d, ok := dst.(*net.TCPConn); ok {
		if s, ok := src.(*net.TCPConn); ok {
			return spliceBursts(d, s)
		}
	}
	var scratch []byte
	for {
		rerr, werr := readBurst(src, &scratch, func(b []byte) error { _, err := dst.Write(b); return err })
		switch {
		case werr != nil:
			return werr
		case rerr == io.EOF:
			return nil
		case rerr != nil:
			return rerr
		}
	}
}

// idleReadSize is what a relay holds while it waits on a stream it cannot poll (TLS).
const idleReadSize = 2 << 10

// readBurst reads src until a read comes back short (the burst is over), passing each chunk
// to emit. A socket is waited on without any buffer and read with a pooled one; other streams
// (TLS keeps its own buffers) wait in a small read first and continue with a pooled buffer
// only when that one filled up.
func readBurst(src net.Conn, scratch *[]byte, emit func([]byte) error) (readErr, writeErr error) {
	if _, ok := src.(*net.TCPConn); ok {
		if err := waitReadable(src); err != nil {
			return err, nil
		}
	} else {
		if *scratch == nil {
			*scratch = make([]byte, idleReadSize)
		}
		n, err := src.Read(*scratch)
		if n > 0 {
			if werr := emit((*scratch)[:n]); werr != nil {
				return nil, werr
			}
		}
		if err != nil || n < len(*scratch) {
			return err, nil
		}
	}
	buf := getBuf()
	defer putBuf(buf)
	for {
		n, err := src.Read(*buf)
		if n > 0 {
			if werr := emit((*buf)[:n]); werr != nil {
				return nil, werr
			}
		}
		if err != nil || n < len(*buf) {
			return err, nil
		}
	}
}
