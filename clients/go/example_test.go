package hotdesk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

// The examples run against the test server; TestMain exports its address, an administrator's
// API key and a launchable workspace as HOTDESK_SERVER, HOTDESK_API_KEY and HOTDESK_WORKSPACE.

func Example() {
	ctx := context.Background()
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	me, err := client.Auth.Me(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", me.GetUsername(), me.GetRole())
	// Output: signed in as admin ROLE_ADMIN
}

func ExampleDial_password() {
	ctx := context.Background()
	// Log in with a user name and password; the SDK keeps the token for later calls.
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithPassword("nobody", "wrong password"))
	if err != nil {
		fmt.Println("unauthenticated:", hotdesk.IsUnauthenticated(err))
		return
	}
	client.Close()
	// Output: unauthenticated: true
}

func ExampleWorkspacesClient_List() {
	ctx := context.Background()
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	// The iterator fetches page after page; breaking out of the loop stops it.
	for w, err := range client.Workspaces.List(ctx, &pb.ListWorkspacesRequest{PageSize: 50}) {
		if err != nil {
			log.Fatal(err)
		}
		if w.GetId() == os.Getenv("HOTDESK_WORKSPACE") {
			fmt.Println(w.GetName(), w.GetContainer().GetCores(), "core")
			break
		}
	}
	// Output: Test desktop 1 core
}

func ExampleClient_WaitSession() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	s, err := client.Sessions.Launch(ctx, os.Getenv("HOTDESK_WORKSPACE"))
	if err != nil {
		log.Fatal(err)
	}
	s, err = client.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.GetState())
	if err := client.Sessions.Delete(ctx, s.GetId()); err != nil {
		log.Fatal(err)
	}
	s, err = client.WaitSession(ctx, s.GetId(), pb.SessionState_SESSION_STATE_STOPPED)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.GetState(), s.GetStateReason())
	// Output:
	// SESSION_STATE_RUNNING
	// SESSION_STATE_STOPPED destroyed by an administrator
}

func ExampleClient_WatchSession() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	s, err := client.Sessions.Launch(ctx, os.Getenv("HOTDESK_WORKSPACE"))
	if err != nil {
		log.Fatal(err)
	}
	// The current state first, then every change until the session ends; a broken stream is
	// reopened without repeating what was already seen.
	for s, err := range client.WatchSession(ctx, s.GetId()) {
		if err != nil {
			log.Fatal(err)
		}
		if s.GetState() == pb.SessionState_SESSION_STATE_RUNNING {
			fmt.Println("running; destroying it")
			if err := client.Sessions.Delete(ctx, s.GetId()); err != nil {
				log.Fatal(err)
			}
		}
		if hotdesk.Ended(s.GetState()) {
			fmt.Println("ended:", s.GetState())
		}
	}
	// Output:
	// running; destroying it
	// ended: SESSION_STATE_STOPPED
}

func ExampleError() {
	ctx := context.Background()
	client, err := hotdesk.Dial(ctx, os.Getenv("HOTDESK_SERVER"), hotdesk.WithAPIKey(os.Getenv("HOTDESK_API_KEY")))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_, err = client.Workspaces.Get(ctx, "00000000-0000-4000-8000-000000000000")
	var e *hotdesk.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Reason)
		fmt.Println(e.Message)
	}
	fmt.Println("not found:", hotdesk.IsNotFound(err))

	_, err = client.Workspaces.Get(ctx, "42")
	if e, ok := hotdesk.AsError(err); ok {
		fmt.Println(e.Code, "field:", e.Field)
	}
	// Output:
	// NotFound NOT_FOUND
	// workspace "00000000-0000-4000-8000-000000000000" not found
	// not found: true
	// InvalidArgument field: id
}
