//go:build !unix

package wsproxy

import "net"

// waitReadable returns at once where the socket cannot be peeked; the caller's read blocks.
func waitReadable(net.Conn) error { return nil }
