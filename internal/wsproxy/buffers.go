package wsproxy

import (
	"net"
	"sync"
)

// copyBufSize is the chunk a relay moves at once. Big chunks mean few frames and syscalls;
// they cost nothing while a connection idles, since buffers are borrowed per burst.
const copyBufSize = 128 << 10

var copyBufs = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

func getBuf() *[]byte  { return copyBufs.Get().(*[]byte) }
func putBuf(b *[]byte) { copyBufs.Put(b) }

// writeBufs backs the websocket library's write buffer, which is held only while a message is
// written.
type writeBufPool struct{ p sync.Pool }

func (w *writeBufPool) Get() any  { return w.p.Get() }
func (w *writeBufPool) Put(v any) { w.p.Put(v) }

var wsWriteBufs = &writeBufPool{}

// closeWrite half-closes c when it can (TCP FIN, TLS close_notify), so the peer reads every
// byte sent and then EOF; otherwise it closes c.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			return
		}
	}
	_ = c.Close()
}
