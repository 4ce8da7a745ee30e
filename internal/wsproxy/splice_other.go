//go:build !linux

package wsproxy

import (
	"errors"
	"io"
	"net"
)

// haveSplice says bursts move between sockets with splice(2).
const haveSplice = false

func queued(*net.TCPConn) (int, error) { return 0, errors.ErrUnsupported }

// spliceBursts copies TCP to TCP until src's EOF with the standard library's best method.
func spliceBursts(dst, src *net.TCPConn) error {
	_, err := io.Copy(dst, src)
	return err
}
