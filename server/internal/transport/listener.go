package transport

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"sync"
	"time"
)

// splitListener serves gRPC and HTTP/1.1 on one port: a connection that opens with the
// HTTP/2 client preface goes to gRPC (gRPC over cleartext always does), anything else to the
// HTTP server. Sniffing the preface costs one read and no header parsing.
type splitListener struct {
	base  net.Listener
	grpc  *chanListener
	http  *chanListener
	once  sync.Once
	errCh chan error
}

var h2Preface = []byte("PRI * HTTP/2.0")

func newSplitListener(base net.Listener) *splitListener {
	s := &splitListener{base: base, errCh: make(chan error, 1)}
	s.grpc = newChanListener(base.Addr())
	s.http = newChanListener(base.Addr())
	return s
}

// run accepts until the base listener closes.
func (s *splitListener) run() {
	for {
		conn, err := s.base.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			s.grpc.close()
			s.http.close()
			return
		}
		go s.route(conn)
	}
}

func (s *splitListener) route(conn net.Conn) {
	// A client that connects and sends nothing must not hold a goroutine forever.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(conn, 4096)
	head, err := br.Peek(len(h2Preface))
	_ = conn.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: conn, r: br}
	if err == nil && bytes.Equal(head, h2Preface) {
		s.grpc.push(pc)
		return
	}
	if err != nil && len(head) == 0 {
		conn.Close()
		return
	}
	s.http.push(pc)
}

func (s *splitListener) Close() error { return s.base.Close() }

type peekedConn struct {
	net.Conn
	r *bufio.Reader // dropped once drained, so long-lived connections keep no buffer
}

func (c *peekedConn) Read(p []byte) (int, error) {
	if c.r != nil {
		if c.r.Buffered() > 0 {
			return c.r.Read(p)
		}
		c.r = nil
	}
	return c.Conn.Read(p)
}

// NetConn returns the connection underneath, for writers that want the socket itself (the
// session proxy splices into it).
func (c *peekedConn) NetConn() net.Conn { return c.Conn }

// chanListener is a net.Listener fed by the splitter.
type chanListener struct {
	addr   net.Addr
	conns  chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) close() { l.closed.Do(func() { close(l.done) }) }

func (l *chanListener) Close() error { l.close(); return nil }

func (l *chanListener) Addr() net.Addr { return l.addr }
