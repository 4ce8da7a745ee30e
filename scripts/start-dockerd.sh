#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock: installs Debian's docker.io if
# needed and starts dockerd in the background (as root) when none is running.
set -euo pipefail
if ! command -v dockerd >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
if docker version >/dev/null 2>&1; then
  exit 0
fi
log=${HOTDESK_DOCKERD_LOG:-/var/log/hotdesk-dockerd.log}
echo "start-dockerd: starting dockerd (log: $log)"
nohup dockerd --host unix:///var/run/docker.sock >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "start-dockerd: dockerd did not come up; last log lines:" >&2
tail -20 "$log" >&2
exit 1
