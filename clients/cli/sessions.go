package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

var sessionCols = []column{
	col("ID", (*pb.Session).GetId),
	col("STATE", func(s *pb.Session) string { return enumCol(s.GetState()) }),
	col("WORKSPACE", (*pb.Session).GetWorkspaceId),
	col("USER", (*pb.Session).GetUserId),
	col("AGENT", (*pb.Session).GetAgentId),
	col("CREATED", func(s *pb.Session) string { return when(s.GetCreateTime()) }),
	col("REASON", (*pb.Session).GetStateReason),
}

// watchCols are the columns of one line per change in `sessions watch`.
var watchCols = []column{
	col("TIME", func(*pb.Session) string { return time.Now().Format("15:04:05") }),
	col("ID", (*pb.Session).GetId),
	col("STATE", func(s *pb.Session) string { return enumCol(s.GetState()) }),
	col("REASON", (*pb.Session).GetStateReason),
}

func sessionsCommand() *command {
	return &command{
		name: "sessions", summary: "launch, watch and destroy sessions",
		help: "Sessions are launched workspaces. Users see and act on their own; administrators on all.",
		subs: []*command{
			launchCommand(), sessionGetCommand(), sessionListCommand(), watchCommand(), waitCommand(),
			keepAliveCommand(), connectTokenCommand(), sessionDeleteCommand(),
		},
	}
}

func launchCommand() *command {
	var zone, requestID string
	var wait bool
	return &command{
		name: "launch", aliases: []string{"create"}, summary: "launch a session of a workspace", args: "WORKSPACE_ID",
		help: `Launches a session of a workspace and prints it. It starts PENDING or STARTING; with --wait the
command watches it until it runs (or fails) and prints it then.

  SESSION=$(hotdesk sessions launch WORKSPACE_ID -o id)`,
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet, c *call) {
			fs.StringVar(&zone, "zone", "", "zone to place the session in (default: the server chooses)")
			fs.StringVar(&requestID, "request-id", "", "idempotency key: a retry with the same key returns the same session")
			fs.BoolVar(&wait, "wait", false, "wait until the session runs (bounded by --timeout when given, else 10m)")
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			var opts []hotdesk.LaunchOption
			if zone != "" {
				opts = append(opts, hotdesk.InZone(zone))
			}
			if requestID != "" {
				opts = append(opts, hotdesk.WithRequestID(requestID))
			}
			s, err := c.client.Sessions.Launch(ctx, c.args[0], opts...)
			if err != nil {
				return err
			}
			if wait {
				wctx, wcancel := c.longCtx(10 * time.Minute)
				defer wcancel()
				if s, err = c.client.WaitSession(wctx, s.GetId(), pb.SessionState_SESSION_STATE_RUNNING); err != nil {
					return err
				}
			}
			return c.emit(s)
		},
	}
}

func sessionGetCommand() *command {
	return &command{
		name: "get", summary: "show one session", args: "ID", nargs: [2]int{1, 1},
		help: "Shows a session: state, reason, agent, connect URL and times.\n\n  hotdesk sessions get ID -o 'value(connect_url)'",
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			s, err := c.client.Sessions.Get(ctx, c.args[0])
			if err != nil {
				return err
			}
			return c.emit(s)
		},
	}
}

func sessionListCommand() *command {
	var all bool
	var user, workspace, agent string
	var limit int
	return &command{
		name: "list", aliases: []string{"ls"}, summary: "list sessions, newest first", nargs: [2]int{0, 0},
		help: "Lists live sessions, newest first: your own, or everyone's for administrators (with filters). --all adds ended ones.",
		flags: func(fs *flag.FlagSet, c *call) {
			pageSizeFlag(fs, c)
			fs.BoolVar(&all, "all", false, "also list sessions that have ended")
			fs.StringVar(&user, "user", "", "only this user's sessions (administrators)")
			fs.StringVar(&workspace, "workspace", "", "only sessions of this workspace")
			fs.StringVar(&agent, "agent", "", "only sessions on this agent")
			fs.IntVar(&limit, "limit", 0, "stop after this many (0: all)")
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			req := &pb.ListSessionsRequest{PageSize: int32(c.pageSize), IncludeEnded: all, UserId: user, WorkspaceId: workspace, AgentId: agent}
			var out []proto.Message
			for s, err := range c.client.Sessions.List(ctx, req) {
				if err != nil {
					return err
				}
				out = append(out, s)
				if limit > 0 && len(out) >= limit {
					break
				}
			}
			return c.emitList(out, sessionCols)
		},
	}
}

func watchCommand() *command {
	return &command{
		name: "watch", summary: "follow a session's state until it ends", args: "ID", nargs: [2]int{1, 1},
		help: `Prints the session's state now, then a line at every change, until the session ends (stopped,
failed or lost) or Ctrl-C. A broken connection is reopened. -o json prints one JSON object a line.`,
		run: func(c *call) error {
			ctx, cancel := c.longCtx(0)
			defer cancel()
			for s, err := range c.client.WatchSession(ctx, c.args[0]) {
				if err != nil {
					return err
				}
				if err := c.emitEvent(s, watchCols); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func waitCommand() *command {
	var state string
	return &command{
		name: "wait", summary: "wait until a session reaches a state", args: "ID", nargs: [2]int{1, 1},
		help: `Watches a session (no polling) until it reaches --state, then prints it. Fails at once if the
session ends in another state, and after --timeout (default 10m).

  hotdesk sessions wait ID --state running --timeout 2m`,
		flags: func(fs *flag.FlagSet, c *call) {
			fs.StringVar(&state, "state", "running", "state to wait for (pending, starting, running, stopping, stopped, failed, unreachable, lost)")
		},
		run: func(c *call) error {
			n, err := parseEnum(pb.SessionState(0).Descriptor(), state)
			if err != nil {
				return usagef("--state: %v", err)
			}
			ctx, cancel := c.longCtx(10 * time.Minute)
			defer cancel()
			s, err := c.client.WaitSession(ctx, c.args[0], pb.SessionState(n))
			if err != nil {
				if hotdesk.Code(err) == codes.DeadlineExceeded {
					return fmt.Errorf("session %s is not %s yet (timed out)", c.args[0], strings.ToLower(state))
				}
				return err
			}
			return c.emit(s)
		},
	}
}

func keepAliveCommand() *command {
	return &command{
		name: "keepalive", summary: "push a session's idle deadline out", args: "ID", nargs: [2]int{1, 1},
		help: "Pushes the session's idle deadline out by its workspace's idle timeout (up to its maximum lifetime) and prints the session.",
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			s, err := c.client.Sessions.KeepAlive(ctx, c.args[0])
			if err != nil {
				return err
			}
			return c.emit(s)
		},
	}
}

func connectTokenCommand() *command {
	return &command{
		name: "connect", summary: "mint a connect URL for a running session", args: "ID", nargs: [2]int{1, 1},
		help: "Mints a short-lived, single-use connect token for the session (yours, or any as an administrator) and prints its connect URL; open it in a browser within a minute.",
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			resp, err := c.client.Sessions.CreateConnectToken(ctx, &pb.CreateConnectTokenRequest{Id: c.args[0]})
			if err != nil {
				return err
			}
			return c.emit(resp)
		},
	}
}

func sessionDeleteCommand() *command {
	var wait bool
	return &command{
		name: "delete", aliases: []string{"destroy", "rm"}, summary: "destroy a session", args: "ID", nargs: [2]int{1, 1},
		help: "Destroys a session: its container is removed. With --wait, waits until it is STOPPED.",
		flags: func(fs *flag.FlagSet, c *call) {
			fs.BoolVar(&wait, "wait", false, "wait until the session is stopped")
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			if err := c.client.Sessions.Delete(ctx, c.args[0]); err != nil {
				return err
			}
			if wait {
				wctx, wcancel := c.longCtx(10 * time.Minute)
				defer wcancel()
				if _, err := c.client.WaitSession(wctx, c.args[0], pb.SessionState_SESSION_STATE_STOPPED); err != nil {
					return err
				}
			}
			return c.done("destroyed session "+c.args[0], c.args[0])
		},
	}
}
