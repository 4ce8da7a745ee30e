// Package pgtest gives each test a database of its own, cloned from a template database that was
// prepared once per test binary: cloning is far cheaper than migrating per test, and tests stay
// independent and can run in parallel.
//
// The databases live on one private cluster (pgembed) started on first use, or on the server that
// HOTDESK_TEST_DATABASE_URL points at.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hotdesk/hotdesk/server/internal/pgembed"
)

// EnvURL names an external server to use instead of a private cluster. Its role needs CREATEDB.
const EnvURL = "HOTDESK_TEST_DATABASE_URL"

// server is the per-process state; the Once is the package's only global.
type server struct {
	err      error
	cluster  *pgembed.Cluster // nil on an external server
	tmpDir   string
	adminURL string
	connURL  func(dbname string) string
	template string
	strategy string // CREATE DATABASE suffix; empty on an external server, which may predate it
	prefix   string // unique per process: test binaries may share an external server
	setup    uintptr
	next     atomic.Int64
	mu       sync.Mutex // serializes CREATE DATABASE on the admin connection
	admin    *pgx.Conn
}

var (
	once   sync.Once
	shared *server
)

// New returns the connection string of a new database, a copy of the template database, which is
// dropped when t ends. setup (migrations, say; may be nil) runs once per test binary, on the
// template, when New is first called: every call in a binary must pass the same setup.
func New(t testing.TB, setup func(ctx context.Context, connString string) error) string {
	t.Helper()
	once.Do(func() { shared = start(setup) })
	s := shared
	if s.err != nil {
		t.Fatalf("pgtest: %v", s.err)
	}
	if funcID(setup) != s.setup {
		t.Fatal("pgtest: New called with a different setup than the first call in this test binary; the template has only one")
	}
	name := fmt.Sprintf("%s_%d", s.prefix, s.next.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.mu.Lock()
	_, err := s.admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s%s`, ident(name), ident(s.template), s.strategy))
	s.mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE: a test that forgot to close a connection must not make cleanup fail.
		s.mu.Lock()
		_, err := s.admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, ident(name)))
		s.mu.Unlock()
		if err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.connURL(name)
}

// Main runs the tests, then removes what New set up: the private cluster and its folder, or the
// template on an external server. Use it as `func TestMain(m *testing.M) { pgtest.Main(m) }`.
// Without it a private cluster still stops when the test binary exits, but its folder stays.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

func start(setup func(context.Context, string) error) *server {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var b [4]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	s := &server{prefix: "t_" + token, template: "tmpl_" + token, setup: funcID(setup)}
	s.err = s.open(ctx)
	if s.err == nil {
		s.err = s.makeTemplate(ctx, setup)
	}
	return s
}

func (s *server) open(ctx context.Context) error {
	if base := os.Getenv(EnvURL); base != "" {
		s.adminURL = base
		s.connURL = func(db string) string { return withDBName(base, db) }
	} else {
		root := scratchRoot()
		sweep(root)
		dir, err := os.MkdirTemp(root, "hotdesk-pgtest-")
		if err != nil {
			return err
		}
		if root == shm {
			// In memory, a file copy plus two checkpoints beats WAL-logging the template's pages
			// (roughly 10 against 15-25 ms here); on disk it is the other way round.
			s.strategy = " STRATEGY FILE_COPY"
		}
		s.tmpDir = dir
		if s.cluster, err = pgembed.Start(ctx, pgembed.Options{Dir: dir}); err != nil {
			return err
		}
		s.adminURL = s.cluster.ConnString("postgres")
		s.connURL = s.cluster.ConnString
	}
	var err error
	s.admin, err = pgx.Connect(ctx, s.adminURL)
	return err
}

func (s *server) makeTemplate(ctx context.Context, setup func(context.Context, string) error) error {
	if _, err := s.admin.Exec(ctx, `CREATE DATABASE `+ident(s.template)); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	if setup != nil {
		if err := setup(ctx, s.connURL(s.template)); err != nil {
			return fmt.Errorf("setup of template database: %w", err)
		}
	}
	// CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template, so close the
	// door and show out whatever setup left open (an unclosed pool, say).
	_, err := s.admin.Exec(ctx, `ALTER DATABASE `+ident(s.template)+` WITH ALLOW_CONNECTIONS false`)
	if err == nil {
		_, err = s.admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, s.template)
	}
	return err
}

func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var errs []error
	if s.admin != nil {
		if s.cluster == nil { // an external server outlives us: take the template away
			_, err := s.admin.Exec(ctx, `DROP DATABASE IF EXISTS `+ident(s.template)+` WITH (FORCE)`)
			errs = append(errs, err)
		}
		errs = append(errs, s.admin.Close(ctx))
	}
	if s.cluster != nil {
		errs = append(errs, s.cluster.Stop())
	}
	if s.tmpDir != "" {
		errs = append(errs, os.RemoveAll(s.tmpDir))
	}
	return errors.Join(errs...)
}

const shm = "/dev/shm"

// scratchRoot prefers memory for the throwaway cluster: on disk, even with fsync off, creating a
// database took about 200 ms against 10-20 ms on tmpfs. Containers often get a 64 MB /dev/shm, too
// small, hence the free-space check.
func scratchRoot() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(shm, &st); err == nil && st.Bavail*uint64(st.Bsize) >= 1<<30 {
		if f, err := os.CreateTemp(shm, "hotdesk-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return shm
		}
	}
	return os.TempDir()
}

// sweep removes folders of test binaries that died without Main's cleanup (killed, timed out).
// Their servers stopped with them, but on tmpfs the files would hold memory until reboot. A folder
// counts as dead an hour after it was made if its server is not running.
func sweep(root string) {
	dirs, _ := filepath.Glob(filepath.Join(root, "hotdesk-pgtest-*"))
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || time.Since(st.ModTime()) < time.Hour {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			continue
		}
		_ = os.RemoveAll(d)
	}
}

// withDBName points a URL or keyword/value connection string at another database.
func withDBName(base, db string) string {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		if u, err := url.Parse(base); err == nil {
			u.Path, u.RawPath = "/"+db, ""
			return u.String()
		}
	}
	return base + " dbname=" + db // later keywords win
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func funcID(f func(context.Context, string) error) uintptr {
	if f == nil {
		return 0
	}
	return reflect.ValueOf(f).Pointer()
}
