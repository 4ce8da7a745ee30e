// Command testvnc is the entry point of the small session image used by tests and by
// `make run` before the desktop images are built: it listens where a session's VNC server
// would (5901) and greets every client with the RFB version, so the whole launch and connect
// path can be exercised in a few megabytes.
package main

import (
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := ":5901"
	if p := os.Getenv("HOTDESK_VNC_PORT"); p != "" {
		addr = ":" + p
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("testvnc: session %s listening on %s", os.Getenv("HOTDESK_SESSION_ID"), addr)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := c.Write([]byte("RFB 003.008\n")); err != nil {
					return
				}
				buf := make([]byte, 512)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	// PID 1 in its container: exit on the stop signal instead of waiting to be killed.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}
