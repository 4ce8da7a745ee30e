package pgtest_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hotdesk/hotdesk/server/internal/pgembed"
	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var setupRuns atomic.Int32

func setup(ctx context.Context, connString string) error {
	setupRuns.Add(1)
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE desks (name text PRIMARY KEY)`)
	return err
}

func connect(t *testing.T, connString string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), connString)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM desks`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDatabasesAreIsolated(t *testing.T) {
	a := connect(t, pgtest.New(t, setup))
	b := connect(t, pgtest.New(t, setup))
	if _, err := a.Exec(t.Context(), `INSERT INTO desks VALUES ('a1'), ('a2')`); err != nil {
		t.Fatal(err)
	}
	if got := count(t, a); got != 2 {
		t.Errorf("database a has %d rows, want 2", got)
	}
	if got := count(t, b); got != 0 {
		t.Errorf("database b has %d rows, want 0: it sees a's rows", got)
	}
	if got := setupRuns.Load(); got != 1 {
		t.Errorf("setup ran %d times, want once", got)
	}
}

func TestParallelDatabases(t *testing.T) {
	for i := range 8 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			conn := connect(t, pgtest.New(t, setup))
			if _, err := conn.Exec(t.Context(), `INSERT INTO desks VALUES ($1)`, strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
			if got := count(t, conn); got != 1 {
				t.Errorf("got %d rows, want 1", got)
			}
		})
	}
}

func TestDatabaseIsDroppedAfterTest(t *testing.T) {
	var connString string
	t.Run("inner", func(t *testing.T) {
		connString = pgtest.New(t, setup)
		connect(t, connString) // left open on purpose: the drop must not wait for it
	})
	_, err := pgx.Connect(t.Context(), connString)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		t.Fatalf("connecting to a finished test's database: err = %v, want invalid_catalog_name", err)
	}
}

// With HOTDESK_TEST_DATABASE_URL the databases go to that server, and nothing is left on it.
func TestExternalServer(t *testing.T) {
	c, err := pgembed.Start(t.Context(), pgembed.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	keyword := c.ConnString("postgres")
	cfg, err := pgx.ParseConfig(keyword)
	if err != nil {
		t.Fatal(err)
	}
	asURL := (&url.URL{Scheme: "postgres", User: url.User(cfg.User), Path: "/postgres",
		RawQuery: url.Values{"host": {cfg.Host}, "port": {strconv.Itoa(int(cfg.Port))}, "sslmode": {"disable"}}.Encode()}).String()

	admin := connect(t, keyword)
	databases := func() int {
		var n int
		if err := admin.QueryRow(t.Context(), `SELECT count(*) FROM pg_database`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A server that does not exist must fail the tests: the variable is really used.
	cmd := exec.Command(os.Args[0], "-test.run=^TestDatabasesAreIsolated$", "-test.count=1")
	cmd.Env = append(os.Environ(), pgtest.EnvURL+"=host=/nonexistent user=nobody")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("tests against a missing server passed:\n%s", out)
	}

	before := databases()
	for _, base := range []string{keyword, asURL} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDatabasesAreIsolated$", "-test.count=1")
		cmd.Env = append(os.Environ(), pgtest.EnvURL+"="+base)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tests against %s: %v\n%s", base, err, out)
		}
		if after := databases(); after != before {
			t.Fatalf("tests against %s left %d databases behind", base, after-before)
		}
	}
}
