// Command connproxy bridges browser websockets to VNC, SSH and RDP servers and relays
// session traffic inside a zone. Not built yet (see the README's status table).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "connproxy: not implemented yet; see the README status table")
	os.Exit(2)
}
