package pgembed_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/pgembed"
)

func start(t *testing.T, dir string) *pgembed.Cluster {
	t.Helper()
	c, err := pgembed.Start(t.Context(), pgembed.Options{Dir: dir, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

func connect(t *testing.T, c *pgembed.Cluster) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), c.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestRestartKeepsData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pg data's") // quoting in config and connection string
	c := start(t, dir)
	conn := connect(t, c)
	if _, err := conn.Exec(t.Context(), `CREATE TABLE desks (name text); INSERT INTO desks VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(t.Context(), c.ConnString("postgres")); err == nil {
		t.Fatal("connected after Stop")
	}

	c = start(t, dir)
	var name string
	if err := connect(t, c).QueryRow(t.Context(), `SELECT name FROM desks`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "kept" {
		t.Fatalf("after restart got %q, want %q", name, "kept")
	}
}

func TestServerSettings(t *testing.T) {
	conn := connect(t, start(t, t.TempDir()))
	for setting, want := range map[string]string{
		"listen_addresses": "", "fsync": "off", "max_connections": "300", "server_encoding": "UTF8",
	} {
		var got string
		if err := conn.QueryRow(t.Context(), `SELECT current_setting($1)`, setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}

// A killed run leaves lock files whose PID may since belong to another process.
func TestStartIgnoresStaleLocks(t *testing.T) {
	dir := t.TempDir()
	c := start(t, dir)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// Same user as the server, or postgres would see EPERM from kill(pid, 0) and call it stale itself.
	other := exec.Command("sleep", "60")
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			u, err = user.Lookup("nobody")
		}
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		other.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid)}}
	}
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	lock := fmt.Sprintf("%d\n%s/data\n", other.Process.Pid, dir)
	for _, p := range []string{filepath.Join(dir, "data", "postmaster.pid"), filepath.Join(dir, "run", ".s.PGSQL.5432.lock")} {
		if err := os.WriteFile(p, []byte(lock), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var one int
	if err := connect(t, start(t, dir)).QueryRow(t.Context(), `SELECT 1`).Scan(&one); err != nil {
		t.Fatal(err)
	}
}

func TestStartRefusesDirOfRunningServer(t *testing.T) {
	dir := t.TempDir()
	start(t, dir)
	_, err := pgembed.Start(t.Context(), pgembed.Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "in use by a running postgres") {
		t.Fatalf("second Start on a live dir: err = %v", err)
	}
}

// The server must not outlive a process that is killed without calling Stop.
func TestServerStopsWhenOwnerIsKilled(t *testing.T) {
	if dir := os.Getenv("PGEMBED_TEST_OWNER_DIR"); dir != "" {
		c, err := pgembed.Start(context.Background(), pgembed.Options{Dir: dir})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		_ = c
		b, _ := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
		pid, _, _ := strings.Cut(string(b), "\n")
		fmt.Println("ready", pid)
		time.Sleep(time.Minute)
		os.Exit(1)
	}

	dir := t.TempDir()
	owner := exec.Command(os.Args[0], "-test.run=^TestServerStopsWhenOwnerIsKilled$")
	owner.Env = append(os.Environ(), "PGEMBED_TEST_OWNER_DIR="+dir)
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "ready "))
	if err != nil {
		owner.Process.Kill()
		owner.Wait()
		t.Fatalf("owner process said %q", line)
	}
	owner.Process.Kill()
	owner.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for {
		if !running(pid) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres pid %d still running 30s after its owner was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	connect(t, start(t, dir))
}

// running treats zombies as gone: the orphaned server is reaped by whoever is PID 1, maybe never.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}
