// Command fakevnc is the session image of the Docker tests (see dockertest.FakeVNCImage): it
// answers every connection on 5901 with an RFB greeting and hangs up, which is all a test
// needs to know that the session's port reaches the program in the container.
package main

import (
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ln, err := net.Listen("tcp", ":5901")
	if err != nil {
		os.Exit(1)
	}
	// As PID 1 it would otherwise ignore SIGTERM, and every stop would wait for the kill.
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		conn.Write([]byte("RFB 003.008\n"))
		conn.Close()
	}
}
