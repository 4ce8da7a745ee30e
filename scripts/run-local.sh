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
./scripts/build-images.sh

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

# A fresh install gets a workspace of the local test image, so a launch works at once.
count=$(curl -fsS "$url/v1/workspaces" "${auth[@]}" | json 'len(d.get("workspaces", []))')
if [ "$count" = "0" ]; then
  curl -fsS -XPOST "$url/v1/workspaces" "${auth[@]}" -d '{"workspace":{"name":"Test desktop",
    "description":"Small local image that answers like a VNC server (hotdesk/testvnc:1)","kind":"WORKSPACE_KIND_CONTAINER",
    "enabled":true,"container":{"image":"hotdesk/testvnc:1","cores":1,"memoryMb":"256"}}}' >/dev/null
fi

cat <<MSG

Hotdesk is up at $url  (gRPC and REST on one port; agents on $agent_listen)
Admin login — user: admin  password: $password
Logs: $state/server.log, $state/agentd.log        Stop with Ctrl-C.

Try:  grpcurl -plaintext -H "authorization: Bearer $token" $listen hotdesk.v1.AgentService/ListAgents
MSG
wait -n "${pids[@]}"
echo "run: a process exited; see the logs in $state" >&2
