// Package pgembed runs a private Postgres cluster from the system's server binaries, reachable only
// through a Unix socket in a folder of its own. Tests and the local default (`make run`) use it so
// that nothing but the Postgres packages has to be installed.
package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// User is the role initdb creates; with trust auth on a private socket no password is needed.
const User = "hotdesk"

// Options configure Start.
type Options struct {
	// Dir holds everything: Dir/data (the cluster, reused when already initialized), Dir/run (the
	// socket) and Dir/postgres.log. Created if missing.
	Dir string
	// Port only names the socket file (.s.PGSQL.<Port>); no TCP port is opened. Default 5432.
	Port int
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
}

// Cluster is a running server started by Start.
type Cluster struct {
	dir, dataDir, sockDir, logPath string
	port                           int
	logf                           func(string, ...any)
	proc                           *os.Process
	exited                         chan struct{} // closed once the postmaster has exited
	exitErr                        error         // valid after exited is closed
}

// Start initializes Dir/data if needed, starts the server and waits until it accepts connections.
//
// The postmaster is a child of this process (not daemonized by pg_ctl) and receives SIGINT, a fast
// shutdown, if this process dies: a killed test binary or `make run` must not leave servers behind.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgembed: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgembed: %w", err)
	}
	c := &Cluster{
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		sockDir: filepath.Join(dir, "run"),
		logPath: filepath.Join(dir, "postgres.log"),
		port:    opts.Port,
		logf:    opts.Logf,
		exited:  make(chan struct{}),
	}
	if c.port == 0 {
		c.port = 5432
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	// The kernel limits socket paths to 107 bytes; postgres would only say "path too long".
	if sock := filepath.Join(c.sockDir, fmt.Sprintf(".s.PGSQL.%d", c.port)); len(sock) > 107 {
		return nil, fmt.Errorf("pgembed: socket path %s is longer than 107 bytes; use a shorter Dir", sock)
	}
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	owner, err := serverOwner()
	if err != nil {
		return nil, err
	}
	for _, d := range []string{dir, c.sockDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("pgembed: %w", err)
		}
	}
	if err := owner.prepare(dir); err != nil {
		return nil, err
	}
	if err := c.initDataDir(ctx, bin, owner); err != nil {
		return nil, err
	}
	if err := c.writeConfig(owner); err != nil {
		return nil, err
	}
	if err := c.removeStaleLocks(); err != nil {
		return nil, err
	}
	if err := c.startPostmaster(bin, owner); err != nil {
		return nil, err
	}
	began := time.Now()
	if err := c.waitReady(ctx); err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("pgembed: server did not become ready: %w\n%s", err, c.logTail())
	}
	c.logf("pgembed: postgres ready on %s in %s", c.sockDir, time.Since(began).Round(time.Millisecond))
	return c, nil
}

// ConnString returns a keyword/value connection string (pgx and libpq) for dbname over the socket.
func (c *Cluster) ConnString(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quote(c.sockDir), c.port, User, quote(dbname))
}

// Dir returns the absolute Options.Dir.
func (c *Cluster) Dir() string { return c.dir }

// Stop shuts the server down like `pg_ctl stop -m fast` (SIGINT: abort transactions, disconnect
// clients, checkpoint) and waits for it. Calling it again is a no-op.
func (c *Cluster) Stop() error {
	select {
	case <-c.exited:
		return nil
	default:
	}
	if err := c.proc.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgembed: stop: %w", err)
	}
	select {
	case <-c.exited:
	case <-time.After(time.Minute):
		_ = c.proc.Kill()
		<-c.exited
		return errors.New("pgembed: server ignored fast shutdown for a minute; killed it")
	}
	c.logf("pgembed: postgres stopped")
	return nil
}

func (c *Cluster) startPostmaster(bin string, owner *owner) error {
	logFile, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	defer logFile.Close()
	// Not Start's ctx: that only bounds starting, the server outlives it.
	cmd := owner.command(context.Background(), filepath.Join(bin, "postgres"), "-D", c.dataDir)
	cmd.Dir = c.dataDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group: Ctrl-C in a terminal must reach our process, which then shuts the
	// server down after it has drained, not the server directly.
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT

	// Pdeathsig fires when the forking thread exits, not the process. Fork from a locked
	// goroutine that lives exactly as long as the server so the thread cannot go away early.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine, after the server
		if err := cmd.Start(); err != nil {
			started <- err
			close(c.exited)
			return
		}
		started <- nil
		c.exitErr = cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgembed: start postgres: %w", err)
	}
	c.proc = cmd.Process
	c.logf("pgembed: postgres pid %d, data %s, log %s", c.proc.Pid, c.dataDir, c.logPath)
	return nil
}

// waitReady polls with real connections: the socket file appears before recovery has finished.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.ConnString("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited: %v", c.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail returns the end of the server log, where postgres explains why it would not start.
func (c *Cluster) logTail() string {
	b, err := os.ReadFile(c.logPath)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	const max = 4096
	if len(b) > max {
		b = b[len(b)-max:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return "server log " + c.logPath + ":\n" + string(b)
}

// binDir finds the server binaries: on PATH, else Debian's versioned folder, which is not on PATH
// on a stock install.
func binDir() (string, error) {
	if p, err := exec.LookPath("postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- { // Glob sorts; prefer the newest version
		if _, err := os.Stat(filepath.Join(dirs[i], "postgres")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("pgembed: postgres server binaries not found on PATH or in /usr/lib/postgresql/*/bin (install the postgresql package)")
}

// quote makes a keyword/value connection string value safe for spaces, quotes and backslashes.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, ` '\`) {
		return s
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
