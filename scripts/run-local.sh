#!/usr/bin/env bash
# `make run`: the platform on this machine. Without HOTDESK_DATABASE_URL the server starts a
# private Postgres under ./.hotdesk (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${HOTDESK_DATABASE_URL:-}" ] || ./scripts/install-deps.sh
mkdir -p .hotdesk
exec ./bin/server run --admin-password-file .hotdesk/admin-password "$@"
