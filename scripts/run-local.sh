#!/usr/bin/env bash
# `make run`: the platform on this machine — the server (with a private Postgres under
# ./.hotdesk unless HOTDESK_DATABASE_URL is set), the local Docker engine, and one agent
# enrolled against it. Data, the agent's identity and logs stay in ./.hotdesk between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
state=.hotdesk
mkdir -p "$state"
[ -n "${HOTDESK_DATABASE_URL:-}" ] || ./scripts/install-deps.sh
./scripts/start-dockerd.sh
# Session images, built locally (nothing is pulled): the test image, the base, Desktop and
# Browser; Desktop Deluxe too when asked (HOTDESK_IMAGES=all) or already built. The first build
# runs debootstrap (a few minutes); later runs skip what is up to date.
images=${HOTDESK_IMAGES:-default}
if [ "$images" = default ] && docker image inspect hotdesk/desktop-deluxe:1 >/dev/null 2>&1; then
  images="default deluxe"
fi
# shellcheck disable=SC2086 # a list of targets
./scripts/build-images.sh $images

listen=${HOTDESK_LISTEN:-127.0.0.1:8080}
agent_listen=${HOTDESK_AGENT_LISTEN:-127.0.0.1:8443}
url="http://$listen"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

HOTDESK_LISTEN=$listen HOTDESK_AGENT_LISTEN=$agent_listen \
  ./bin/server run --admin-password-file "$state/admin-password" >"$state/server.out" 2>"$state/server.log" &
pids+=($!)
for _ in $(seq 1 120); do
  curl -fsS "$url/api/__healthcheck" >/dev/null 2>&1 && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "run: the server exited; last log lines:" >&2
    tail -20 "$state/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
password=$(cat "$state/admin-password")
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {"d": d}))' "$1"; }
token=$(curl -fsS -XPOST "$url/v1/auth:login" -d "{\"username\":\"admin\",\"password\":\"$password\"}" | json 'd["token"]')
auth=(-H "Authorization: Bearer $token")

# The local agent enrolls once; its identity is kept in .hotdesk/agent.
agent_args=(--server "$agent_listen" --state-dir "$state/agent")
if [ ! -f "$state/agent/agent.json" ]; then
  enroll=$(curl -fsS -XPOST "$url/v1/enrollmentTokens" "${auth[@]}" -d '{}' | json 'd["token"]')
  agent_args+=(--token "$enroll")
fi
./bin/agentd "${agent_args[@]}" 2>"$state/agentd.log" &
pids+=($!)

# A fresh install gets a workspace of each session image built here (and a later run one of
# each default image built since), so a launch works at once. An image is offered once: a
# workspace the administrator deletes stays deleted (.hotdesk/registered-images).
registered=$state/registered-images
touch "$registered"
in_use=$(curl -fsS "$url/v1/workspaces?pageSize=1000" "${auth[@]}" |
  json '"\n".join(w.get("container", {}).get("image", "") for w in d.get("workspaces", []))')
register() { # IMAGE NAME CORES MEMORY_MB DESCRIPTION THUMBNAIL(images/thumbnails/*.svg)
  grep -qxF "$1" "$registered" && return 0
  docker image inspect "$1" >/dev/null 2>&1 || return 0
  if ! grep -qxF "$1" <<<"$in_use"; then
    # The dashboard's tile picture, inline: nothing to host.
    thumb="data:image/svg+xml;base64,$(base64 -w0 "images/thumbnails/$6.svg")"
    curl -fsS -XPOST "$url/v1/workspaces" "${auth[@]}" -d "{\"workspace\":{\"name\":\"$2\",
      \"description\":\"$5 ($1)\",\"kind\":\"WORKSPACE_KIND_CONTAINER\",\"enabled\":true,
      \"thumbnailUrl\":\"$thumb\",
      \"container\":{\"image\":\"$1\",\"cores\":$3,\"memoryMb\":\"$4\"}}}" >/dev/null
    echo "run: registered the workspace \"$2\" ($1)"
  fi
  echo "$1" >>"$registered"
}
register hotdesk/testvnc:1 "Test desktop" 1 256 "Small local image that answers like a VNC server" testvnc
register hotdesk/desktop:1 "Desktop" 2 2048 "Light desktop: openbox, file manager, panel, terminal" desktop
register hotdesk/desktop-deluxe:1 "Desktop Deluxe" 2 4096 "Desktop with LibreOffice Writer and Calc, Chromium, Mousepad" deluxe
register hotdesk/browser:1 "Browser" 1 2048 "Chromium alone, filling the screen" browser

cat <<MSG

Hotdesk is up at $url  (dashboard, gRPC and REST on one port; agents on $agent_listen)
Admin login — user: admin  password: $password
Open $url/ in a browser and sign in: the dashboard.
Logs: $state/server.log, $state/agentd.log        Stop with Ctrl-C.

Try:  grpcurl -plaintext -H "authorization: Bearer $token" $listen hotdesk.v1.AgentService/ListAgents
MSG
wait -n "${pids[@]}"
echo "run: a process exited; see the logs in $state" >&2
