// Package bench measures the API under load on a whole server (real Postgres, real
// listener): `make bench`. Each benchmark prints its numbers against the goals and,
// where the goal is relative, against a baseline measured in the same run.
package bench

import (
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
