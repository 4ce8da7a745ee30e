package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// initDataDir runs initdb unless Dir/data already holds a cluster. initdb writes to a scratch
// folder renamed into place at the end, so an interrupted initdb is retried rather than leaving a
// half-made cluster that would be reused.
func (c *Cluster) initDataDir(ctx context.Context, bin string, owner *owner) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		c.logf("pgembed: reusing data directory %s", c.dataDir)
		return nil
	}
	// An empty folder is harmless; anything else is not ours to delete.
	if err := os.Remove(c.dataDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("pgembed: %s exists but is not a Postgres data directory: %w", c.dataDir, err)
	}
	scratch := c.dataDir + ".init"
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	c.logf("pgembed: initdb %s", c.dataDir)
	cmd := owner.command(ctx, filepath.Join(bin, "initdb"), "-D", scratch,
		"--auth=trust", "--username="+User, "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgembed: initdb: %w\n%s", err, out)
	}
	// Settings live in a file of ours, rewritten on every start, rather than postgresql.auto.conf,
	// which belongs to ALTER SYSTEM.
	conf, err := os.OpenFile(filepath.Join(scratch, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	_, err = conf.WriteString("\n# pgembed rewrites hotdesk.conf on every start.\ninclude 'hotdesk.conf'\n")
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	if err := os.Rename(scratch, c.dataDir); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	return nil
}

// writeConfig trades durability for speed (tests, local runs: a host crash may lose the cluster)
// and keeps the server off the network. It is rewritten each start so a moved Dir still works.
func (c *Cluster) writeConfig(owner *owner) error {
	conf := fmt.Sprintf(`listen_addresses = ''
port = %d
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 128MB
`, c.port, strings.ReplaceAll(c.sockDir, "'", "''"))
	path := filepath.Join(c.dataDir, "hotdesk.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("pgembed: %w", err)
	}
	return owner.chown(path)
}

// removeStaleLocks deletes lock files left by a server that was killed. Postgres only checks that
// the recorded PID is alive, and in containers PIDs are reused quickly, so a leftover lock would
// otherwise often stop the next start with "lock file already exists".
func (c *Cluster) removeStaleLocks() error {
	locks := []string{
		filepath.Join(c.dataDir, "postmaster.pid"),
		filepath.Join(c.sockDir, fmt.Sprintf(".s.PGSQL.%d.lock", c.port)),
	}
	for _, lock := range locks {
		b, err := os.ReadFile(lock)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		pid, _ := strconv.Atoi(strings.TrimSpace(string(first)))
		if pid > 0 && c.isPostmaster(pid) {
			return fmt.Errorf("pgembed: %s is in use by a running postgres (pid %d)", c.dataDir, pid)
		}
		c.logf("pgembed: removing stale lock %s (pid %d is not its server)", lock, pid)
		if err := os.Remove(lock); err != nil {
			return fmt.Errorf("pgembed: %w", err)
		}
	}
	return nil
}

// isPostmaster reports whether pid is a postgres process serving our data directory (a postmaster
// runs with its data directory as working directory). When unsure it says yes: deleting the lock
// of a live server would let two servers corrupt one cluster.
func (c *Cluster) isPostmaster(pid int) bool {
	proc := "/proc/" + strconv.Itoa(pid)
	comm, err := os.ReadFile(proc + "/comm")
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	if strings.TrimSpace(string(comm)) != "postgres" {
		return false
	}
	cwd, err1 := os.Readlink(proc + "/cwd")
	data, err2 := filepath.EvalSymlinks(c.dataDir)
	return err1 != nil || err2 != nil || cwd == data
}
