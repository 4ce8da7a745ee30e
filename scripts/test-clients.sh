#!/usr/bin/env bash
# The SDK suites that are not Go: Python (pytest) and TypeScript (node:test), both against one
# live test server (server/internal/testserver: private Postgres, simulated agent, an
# administrator's API key and a launchable workspace, described in a JSON file whose path the
# suites read from HOTDESK_TEST_SERVER). The Go SDK's and the CLI's tests run in `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${TOOLS:-$PWD/.tools}
PYTEST_VERSION=8.4.2
mkdir -p "$TOOLS"

state=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT

go build -o "$TOOLS/testserver" ./server/internal/testserver
"$TOOLS/testserver" --out "$state/server.json" >/dev/null 2>"$state/server.log" &
pid=$!
for _ in $(seq 1 360); do
  [ -s "$state/server.json" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "test server exited:" >&2; cat "$state/server.log" >&2; exit 1
  fi
  sleep 0.5
done
[ -s "$state/server.json" ] || { echo "test server not ready after 3 minutes" >&2; cat "$state/server.log" >&2; exit 1; }
export HOTDESK_TEST_SERVER="$state/server.json"
echo "test server up: $(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$HOTDESK_TEST_SERVER")"

echo "== Python SDK (clients/python)"
# A venv of its own: the SDK pins grpcio/protobuf for its runtime, the generator venv
# (.tools/venv) holds grpcio-tools.
[ -x "$TOOLS/venv-clients/bin/python" ] || python3 -m venv "$TOOLS/venv-clients"
rm -rf clients/python/build
"$TOOLS/venv-clients/bin/pip" install -q --disable-pip-version-check "./clients/python[test]" "pytest==$PYTEST_VERSION"
(cd clients/python && "$TOOLS/venv-clients/bin/python" -m pytest -q -p no:cacheprovider)

echo "== TypeScript SDK (clients/ts)"
(cd clients/ts && npm ci --no-audit --no-fund --loglevel=error && npm test --silent)
