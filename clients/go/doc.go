// Package hotdesk is the Go SDK of Hotdesk: a gRPC client with authentication, retries of
// idempotent reads, typed errors, pagination iterators and session watching.
//
//	c, err := hotdesk.Dial(ctx, "http://127.0.0.1:8080", hotdesk.WithAPIKey(key))
//	if err != nil { ... }
//	defer c.Close()
//	for w, err := range c.Workspaces.List(ctx, nil) { ... }
//	s, err := c.Sessions.Launch(ctx, workspaceID)
//	s, err = c.WaitSession(ctx, s.GetId(), hotdeskv1.SessionState_SESSION_STATE_RUNNING)
//
// Every service client embeds the generated gRPC client (package hotdeskv1), so each RPC is
// callable as generated; the helpers on top (Get, List, Create, Update, Delete, Launch, Watch,
// Wait, ...) fill in request ids and update masks and page through lists.
//
// Every error an RPC returns is a *Error carrying the gRPC code, the server's message and the
// google.rpc.ErrorInfo reason and field; IsNotFound, IsInvalidArgument, IsPermissionDenied and
// the other Is* helpers test for a code, also through wrapping.
package hotdesk
