//go:build linux

package wsproxy

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// haveSplice says bursts move between sockets with splice(2).
const haveSplice = true

func ioctlInt(fd uintptr, req uint) (int, error) {
	var v int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(req), uintptr(unsafe.Pointer(&v))); e != 0 {
		return 0, e
	}
	return int(v), nil
}

// spliceBursts copies TCP to TCP until src's EOF: it waits for data without holding anything,
// then moves exactly what is queued with splice(2) (through a pooled pipe, never through user
// space), so an idle relay holds neither a buffer nor a pipe.
func spliceBursts(dst, src *net.TCPConn) error {
	for {
		if err := waitReadable(src); err != nil {
			return err
		}
		n, err := queued(src)
		if err != nil {
			return err
		}
		if n == 0 {
			// Readable with nothing queued: EOF or an error, which a read reports.
			var one [1]byte
			k, rerr := src.Read(one[:])
			if k > 0 {
				if _, err := dst.Write(one[:k]); err != nil {
					return err
				}
				continue
			}
			if rerr == io.EOF {
				return nil
			}
			return rerr
		}
		if _, err := dst.ReadFrom(&io.LimitedReader{R: src, N: int64(n)}); err != nil {
			return err
		}
	}
}

// queued returns how many bytes c's receive queue holds.
func queued(c *net.TCPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	n := 0
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		n, ierr = ioctlInt(fd, syscall.TIOCINQ) // FIONREAD: bytes queued for reading
	}); err != nil {
		return 0, err
	}
	return n, ierr
}
