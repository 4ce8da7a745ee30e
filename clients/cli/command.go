package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
)

// command is a node of the command tree: a group with subcommands, or a leaf that runs.
type command struct {
	name    string
	aliases []string
	summary string // one line, for the parent's list
	args    string // positional arguments for the usage line, e.g. "ID"
	help    string // paragraphs shown by --help
	nargs   [2]int // minimum and maximum positional arguments (-1: no maximum)
	flags   func(fs *flag.FlagSet, c *call)
	run     func(c *call) error
	subs    []*command
	// noClient marks commands that do not talk to a server (or dial it themselves).
	noClient bool
}

// call is one invocation: the global options, the leaf's positional arguments and a client.
type call struct {
	ctx  context.Context
	io   stdio
	env  func(string) string
	path []string // command names, e.g. ["sessions", "launch"]
	args []string
	fs   *flag.FlagSet

	server, apiKey, token, configPath, output string
	useTLS, insecure                          bool
	timeout                                   time.Duration
	timeoutSet                                bool
	pageSize                                  int

	cfg    *config
	client *hotdesk.Client
}

// globals registers the flags every command takes.
func globals(fs *flag.FlagSet, c *call) {
	fs.StringVar(&c.server, "server", "", "server address, e.g. http://127.0.0.1:8080 (env HOTDESK_SERVER; default: the one hotdesk login saved)")
	fs.StringVar(&c.apiKey, "api-key", "", "API key (env HOTDESK_API_KEY)")
	fs.StringVar(&c.token, "token", "", "login token (env HOTDESK_TOKEN)")
	fs.StringVar(&c.configPath, "config", "", "config file (env HOTDESK_CONFIG; default ~/.config/hotdesk/config.json)")
	fs.StringVar(&c.output, "o", "table", "output: table, json, id, or value(FIELD,...) e.g. 'value(connect_url)'")
	fs.StringVar(&c.output, "output", "table", "same as -o")
	fs.BoolVar(&c.useTLS, "tls", false, "use TLS even for a host:port address (https:// addresses always do)")
	fs.BoolVar(&c.insecure, "insecure", false, "never use TLS, even for an https:// address")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "deadline of each call (watch and wait: of the whole command when set explicitly)")
}

func runWith(ctx context.Context, args []string, io stdio, env func(string) string) error {
	root := commands()
	c := &call{ctx: ctx, io: io, env: env}
	// Global flags may come before the command name.
	top := flag.NewFlagSet("hotdesk", flag.ContinueOnError)
	top.SetOutput(discard{})
	globals(top, c)
	help := top.Bool("help", false, "")
	top.BoolVar(help, "h", false, "")
	if err := top.Parse(args); err != nil {
		return usagef("%v", err)
	}
	rest := top.Args()
	top.Visit(func(f *flag.Flag) { c.timeoutSet = c.timeoutSet || f.Name == "timeout" })
	if *help || len(rest) == 0 {
		printHelp(io.out, root, nil)
		return nil
	}
	if rest[0] == "help" {
		node, path, err := find(root, rest[1:])
		if err != nil {
			return err
		}
		printHelp(io.out, node, path)
		return nil
	}
	node, path := root, []string{}
	for len(node.subs) > 0 {
		wantsHelp := len(rest) > 0 && (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help")
		if wantsHelp || ((len(rest) == 0 || strings.HasPrefix(rest[0], "-")) && node.run == nil) {
			printHelp(io.out, node, path)
			return nil
		}
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			break // a group that also runs by itself (`hotdesk audit`)
		}
		next := node.sub(rest[0])
		if next == nil {
			if len(path) == 0 {
				return usagef("unknown command %q", rest[0])
			}
			return usagef("unknown command %q for 'hotdesk %s'", rest[0], strings.Join(path, " "))
		}
		node, path, rest = next, append(path, next.name), rest[1:]
	}
	c.path = path
	fs := flag.NewFlagSet("hotdesk "+strings.Join(path, " "), flag.ContinueOnError)
	fs.SetOutput(discard{})
	// Re-register the globals so they may also follow the command; values already parsed stay.
	saved := *c
	globals(fs, c)
	c.server, c.apiKey, c.token, c.configPath, c.output = saved.server, saved.apiKey, saved.token, saved.configPath, saved.output
	c.useTLS, c.insecure, c.timeout, c.timeoutSet = saved.useTLS, saved.insecure, saved.timeout, saved.timeoutSet
	if node.flags != nil {
		node.flags(fs, c)
	}
	c.fs = fs
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(io.out, node, path)
		return nil
	}
	if err != nil {
		return usagef("%s: %v", "hotdesk "+strings.Join(path, " "), err)
	}
	if n := len(pos); n < node.nargs[0] || (node.nargs[1] >= 0 && n > node.nargs[1]) {
		return usagef("usage: hotdesk %s %s", strings.Join(path, " "), node.usageTail())
	}
	c.args = pos
	if err := c.checkOutput(); err != nil {
		return err
	}
	if !node.noClient {
		if err := c.connect(); err != nil {
			return err
		}
		defer c.client.Close()
	}
	return node.run(c)
}

// parseInterleaved parses flags anywhere among the positional arguments (up to "--").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, tail...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// flagSet reports whether the user gave the flag.
func (c *call) flagSet(name string) bool {
	set := false
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// rpcCtx bounds one call by --timeout.
func (c *call) rpcCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.ctx, c.timeout)
}

// longCtx bounds a watch or wait: by --timeout only when given, else by Ctrl-C.
func (c *call) longCtx(def time.Duration) (context.Context, context.CancelFunc) {
	if c.timeoutSet || c.flagSet("timeout") {
		return context.WithTimeout(c.ctx, c.timeout)
	}
	if def > 0 {
		return context.WithTimeout(c.ctx, def)
	}
	return context.WithCancel(c.ctx)
}

func (n *command) sub(name string) *command {
	for _, s := range n.subs {
		if s.name == name {
			return s
		}
		for _, a := range s.aliases {
			if a == name {
				return s
			}
		}
	}
	return nil
}

func (n *command) usageTail() string {
	if len(n.subs) > 0 {
		return "COMMAND"
	}
	if n.args == "" {
		return "[flags]"
	}
	return n.args + " [flags]"
}

func find(root *command, names []string) (*command, []string, error) {
	node, path := root, []string{}
	for _, name := range names {
		next := node.sub(name)
		if next == nil {
			return nil, nil, usagef("unknown command %q", strings.Join(append(path, name), " "))
		}
		node, path = next, append(path, next.name)
	}
	return node, path, nil
}

func printHelp(w io.Writer, n *command, path []string) {
	name := strings.TrimSpace("hotdesk " + strings.Join(path, " "))
	if n.summary != "" {
		fmt.Fprintf(w, "%s — %s\n\n", name, n.summary)
	}
	if n.run != nil && len(n.subs) > 0 {
		fmt.Fprintf(w, "Usage:\n  %s [flags]\n  %s COMMAND\n", name, name)
	} else {
		fmt.Fprintf(w, "Usage:\n  %s %s\n", name, n.usageTail())
	}
	if n.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(n.help))
	}
	if len(n.subs) > 0 {
		fmt.Fprintln(w, "\nCommands:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, s := range n.subs {
			alias := ""
			if len(s.aliases) > 0 {
				alias = " (also: " + strings.Join(s.aliases, ", ") + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s%s\n", s.name, s.summary, alias)
		}
		tw.Flush()
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if n.flags != nil && n.run != nil {
		n.flags(fs, &call{})
		fmt.Fprintln(w, "\nFlags:")
		printFlags(w, fs)
	}
	g := flag.NewFlagSet(name, flag.ContinueOnError)
	globals(g, &call{})
	fmt.Fprintln(w, "\nGlobal flags:")
	printFlags(w, g)
	if len(n.subs) > 0 {
		fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's flags.\n", name)
	}
}

func printFlags(w io.Writer, fs *flag.FlagSet) {
	var lines [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "output" {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		switch v := f.Value.(type) {
		case *fieldFlag:
			name = v.typ
		case *durationFlag:
			name = "duration"
		}
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		left := dash + f.Name
		if name != "" {
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, [2]string{left, usage})
	})
	sort.SliceStable(lines, func(i, j int) bool { return lines[i][0] < lines[j][0] })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %s\t%s\n", l[0], l[1])
	}
	tw.Flush()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
