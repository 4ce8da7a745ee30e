// Command hotdesk is the Hotdesk command line: every implemented API call as a subcommand,
// tables or JSON out, credentials from flags, the environment or `hotdesk login`.
//
//	hotdesk login --server http://127.0.0.1:8080 --api-key hdk_...
//	hotdesk workspaces list
//	hotdesk sessions launch WORKSPACE_ID --wait
//
// Run `hotdesk --help` for the commands and `hotdesk COMMAND --help` for each one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runWith(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	if err != nil {
		os.Exit(report(os.Stderr, err))
	}
}

// run is the CLI with the process's environment, standard input and error: what main does,
// for tests that call it in-process.
func run(args []string, stdout io.Writer) error {
	return runWith(context.Background(), args, stdio{in: os.Stdin, out: stdout, err: os.Stderr}, os.Getenv)
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// report prints err and returns the exit status: 2 for command-line mistakes, 1 otherwise.
func report(w io.Writer, err error) int {
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(w, "hotdesk: %s\nRun 'hotdesk --help' for usage.\n", u.msg)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	fmt.Fprintf(w, "hotdesk: %s\n", describe(err))
	return 1
}
