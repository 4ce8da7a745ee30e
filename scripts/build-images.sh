#!/usr/bin/env bash
# Builds Hotdesk's session images locally (nothing is pulled). Today: the small "testvnc"
# image (hotdesk/testvnc:1), a static Go binary packed with `docker import`.
# Usage: build-images.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."
force=${1:-}
image=hotdesk/testvnc:1
if [ "$force" != "--force" ] && docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rootfs"
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/rootfs/testvnc" ./images/testvnc
tar -C "$tmp/rootfs" -c . | docker import --change 'ENTRYPOINT ["/testvnc"]' --change 'EXPOSE 5901' - "$image" >/dev/null
echo "build-images: built $image"
