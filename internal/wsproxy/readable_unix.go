//go:build unix

package wsproxy

import (
	"errors"
	"net"
	"syscall"
)

// waitReadable blocks until c has data (or EOF, or an error) without holding a buffer. For
// connections that are not plain TCP it returns at once and the caller's read blocks.
func waitReadable(c net.Conn) error {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return err
	}
	var one [1]byte
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		// Peek: the data stays queued for the real read. EAGAIN means nothing yet: park in
		// the poller until the socket turns readable, then look again.
		_, _, e := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if errors.Is(e, syscall.EAGAIN) || errors.Is(e, syscall.EINTR) {
			return false
		}
		perr = nil // data, EOF (0 bytes) or an error: the real read reports it
		return true
	})
	if err != nil {
		return err
	}
	return perr
}
