// Command agentd runs on each Docker host: it enrolls with the server, keeps a check-in
// stream, and creates and removes session containers. Not built yet (see the README's status
// table); it says so instead of pretending to work.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "agentd: not implemented yet — the agent protocol is defined in proto/hotdesk/agent/v1/manager.proto; see the README status table")
	os.Exit(2)
}
