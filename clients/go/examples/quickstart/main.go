// Quickstart: log in with an API key, launch a session of a workspace, wait until it runs,
// print its connect URL and destroy it.
//
//	HOTDESK_SERVER=http://127.0.0.1:8080 HOTDESK_API_KEY=hdk_... HOTDESK_WORKSPACE=<workspace id> \
//	  go run github.com/hotdesk/hotdesk/clients/go/examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	session, err := client.Sessions.Launch(ctx, os.Getenv("HOTDESK_WORKSPACE"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("launched session", session.GetId())

	// Watch the session (no polling) until it runs.
	session, err = client.WaitSession(ctx, session.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("running on agent", session.GetAgentId())
	fmt.Println("connect URL:", session.GetConnectUrl())

	if err := client.Sessions.Delete(ctx, session.GetId()); err != nil {
		log.Fatal(err)
	}
	if _, err := client.WaitSession(ctx, session.GetId(), pb.SessionState_SESSION_STATE_STOPPED); err != nil {
		log.Fatal(err)
	}
	fmt.Println("destroyed")
}
