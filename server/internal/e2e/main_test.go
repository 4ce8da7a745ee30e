// Package e2e tests the whole server through its real gRPC and REST interfaces, against a
// real Postgres.
package e2e

import (
	"testing"

	"github.com/hotdesk/hotdesk/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
