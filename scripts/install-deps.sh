#!/usr/bin/env bash
# Installs the system packages the suite and `make run` need, only where missing.
# Debian packages only; runs as root (CI and the dev machines are root).
set -euo pipefail

need=()
have_pg() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}
have_pg || need+=(postgresql)
# The container registry the image-sync tests push to and pull from.
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
# The browser side of session streams: noVNC (served by the server at /novnc/), websockify (the
# baseline relay of `make bench`), and Chromium with Node.js for the Playwright browser test.
[ -f /usr/share/novnc/core/rfb.js ] || need+=(novnc)
command -v websockify >/dev/null 2>&1 || need+=(websockify)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)

if ((${#need[@]})); then
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
