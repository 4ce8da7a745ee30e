package dockertest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"
)

// Greeting returns the first line the server at addr sends, dialing again until it answers
// or ctx ends: a container's port is published before the program in it listens.
func Greeting(ctx context.Context, addr string) (string, error) {
	var d net.Dialer
	for {
		line, err := greetOnce(ctx, &d, addr)
		if err == nil {
			return line, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no greeting on %s: %w", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func greetOnce(ctx context.Context, d *net.Dialer, addr string) (string, error) {
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	return bufio.NewReader(conn).ReadString('\n')
}
