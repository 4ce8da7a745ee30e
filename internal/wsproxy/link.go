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

// wsStream reads a websocket's binary messages as one byte stream and writes each Write as
// one binary message. One goroutine reads; writes go through the frame writer.
type wsStream struct {
	ws  *websocket.Conn
	w   *frameWriter
	cur io.Reader // the message being read; nil between messages
}

// errTextMessage refuses text frames: VNC over websockets is binary.
var errTextMessage = errors.New("text message on a binary stream")

func (s *wsStream) Read(p []byte) (int, error) {
	for {
		if s.cur == nil {
			mt, r, err := s.ws.NextReader()
			if err != nil {
				return 0, err
			}
			if mt != websocket.BinaryMessage {
				return 0, errTextMessage
			}
			s.cur = r
		}
		n, err := s.cur.Read(p)
		if err == io.EOF {
			s.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (s *wsStream) Write(p []byte) (int, error) { return s.w.Write(p) }

// newWSStream wraps an accepted websocket: its control frames are answered through the frame
// writer, which owns every write from then on.
func newWSStream(ws *websocket.Conn) *wsStream {
	w := newFrameWriter(ws.UnderlyingConn())
	ws.SetPingHandler(func(data string) error {
		_ = w.control(opPong, []byte(data))
		return nil
	})
	ws.SetCloseHandler(func(code int, _ string) error {
		_ = w.control(opClose, websocket.FormatCloseMessage(code, ""))
		return nil
	})
	return &wsStream{ws: ws, w: w}
}

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
	l.sendClose(code, reason)
	_ = l.back.Close()
	_ = l.s.ws.SetReadDeadline(time.Now().Add(closeGrace))
}

func (l *wsLink) ping() { _ = l.s.w.control(opPing, nil) }

// run relays until both directions are done and closes both connections.
func (l *wsLink) run() {
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		err := l.up()
		var ce *websocket.CloseError
		switch {
		case l.aborted.Load():
		case errors.As(err, &ce):
			// The browser closed: the upstream gets everything it sent, then EOF.
			closeWrite(l.back)
			_ = l.back.SetReadDeadline(time.Now().Add(closeGrace))
		case errors.Is(err, errTextMessage):
			l.sendClose(websocket.CloseUnsupportedData, "binary frames only")
			_ = l.back.Close()
		default:
			// Broken connection, oversized or malformed frame (the library already sent the
			// close frame that says which): end this connection only.
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
		_ = l.s.ws.SetReadDeadline(time.Now().Add(closeGrace))
	}
	select {
	case <-upDone:
	case <-time.After(closeGrace + time.Second):
	}
	_ = l.s.ws.Close()
	_ = l.back.Close()
	<-upDone
}

// up copies browser messages to the upstream. It borrows a buffer per message, so a quiet
// connection holds none.
func (l *wsLink) up() error {
	for {
		if l.s.cur == nil {
			mt, r, err := l.s.ws.NextReader()
			if err != nil {
				return err
			}
			if mt != websocket.BinaryMessage {
				return errTextMessage
			}
			l.s.cur = r
		}
		buf := getBuf()
		err := l.drainMessage(*buf)
		putBuf(buf)
		if err != nil {
			return err
		}
	}
}

func (l *wsLink) drainMessage(buf []byte) error {
	for {
		n, err := l.s.cur.Read(buf)
		if n > 0 {
			if _, werr := l.back.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			l.s.cur = nil
			return nil
		}
		if err != nil {
			return err
		}
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
		if waitReadable(l.back) != nil {
			return false
		}
		// Hold the buffer for as long as reads fill it (a burst), then let it go.
		buf := getBuf()
		for {
			n, rerr := l.back.Read(*buf)
			if n > 0 {
				if l.s.w.write(opBinary, (*buf)[:n], time.Time{}) != nil {
					putBuf(buf)
					return false
				}
			}
			if rerr != nil {
				putBuf(buf)
				return rerr == io.EOF
			}
			if n < len(*buf) {
				break
			}
		}
		putBuf(buf)
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
	for {
		if err := waitReadable(src); err != nil {
			return err
		}
		buf := getBuf()
		for {
			n, rerr := src.Read(*buf)
			if n > 0 {
				if _, werr := dst.Write((*buf)[:n]); werr != nil {
					putBuf(buf)
					return werr
				}
			}
			if rerr == io.EOF {
				putBuf(buf)
				return nil
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
