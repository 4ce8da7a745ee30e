#!/usr/bin/env bash
# Builds Hotdesk's session images locally; nothing is pulled from a registry.
#
# Usage: build-images.sh [TARGET...] [--force]
#   testvnc   hotdesk/testvnc:1         tiny fake VNC server for tests (a static Go binary); the default
#   base      hotdesk/base:1            Debian bookworm (debootstrap --variant=minbase) + Xvnc, openbox,
#                                       xterm, the session entrypoint: the layer every other image shares
#   desktop   hotdesk/desktop:1         base + openbox desktop: file manager, panel, terminal
#   deluxe    hotdesk/desktop-deluxe:1  desktop + LibreOffice Writer/Calc, Chromium, Mousepad (big)
#   browser   hotdesk/browser:1         base + Chromium alone, filling the screen (single application)
#   default   testvnc base desktop browser       all   default + deluxe
#   --force   rebuild the named images (for base: run debootstrap again) even when up to date
#
# How: the base root file system is made once with debootstrap from the machine's own Debian
# mirror (taken from /etc/apt/sources.list.d, or HOTDESK_DEBIAN_MIRROR), packed into a tarball
# in the cache directory (HOTDESK_IMAGES_CACHE; /var/cache/hotdesk-images as root, else
# ./.hotdesk/images-cache) keyed by a hash of images/base/packages and images/base/rootfs.sh,
# and `docker import`ed as hotdesk/base-rootfs:<key>. Every image is then a `docker build` of
# images/<name>/Dockerfile FROM that local layer (base) or FROM a local Hotdesk image, whose
# RUN steps install further Debian packages with apt-get from the same mirror.
# An image is skipped when it exists and its label org.hotdesk.image.inputs equals the hash of
# its inputs (its directory under images/ and its parent image's id). Concurrent runs wait for
# each other (flock on the cache directory).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" | sed '/^set/d'; }

force=0
targets=()
for arg in "$@"; do
  case $arg in
    --force | -f) force=1 ;;
    testvnc | base | desktop | deluxe | browser) targets+=("$arg") ;;
    default) targets+=(testvnc base desktop browser) ;;
    all) targets+=(testvnc base desktop browser deluxe) ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-images: unknown target '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
((${#targets[@]})) || targets=(testvnc)

log() { echo "build-images: $*" >&2; }
die() { log "error: $*"; exit 1; }

suite=${HOTDESK_DEBIAN_SUITE:-bookworm}
label=org.hotdesk.image.inputs
# The legacy builder: FROM a local image needs no buildx plugin and no registry.
export DOCKER_BUILDKIT=0

if [ -n "${HOTDESK_IMAGES_CACHE:-}" ]; then
  cache=$HOTDESK_IMAGES_CACHE
elif [ "$(id -u)" = 0 ]; then
  cache=/var/cache/hotdesk-images
else
  cache=$repo/.hotdesk/images-cache
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
  log "another build-images run holds $cache/.lock; waiting for it"
  flock 9
fi

docker version >/dev/null 2>&1 || die "no Docker engine answers (start one with scripts/start-dockerd.sh)"

# ------------------------------------------------------------------ helpers
sha() { sha256sum | cut -c1-64; }

# hash_inputs WORD... -- DIR...: a hash of the words and of every file (name, mode, content)
# under the directories.
hash_inputs() {
  local words=() dirs=()
  while (($#)) && [ "$1" != -- ]; do words+=("$1"); shift; done
  (($#)) && shift
  dirs=("$@")
  {
    printf '%s\n' "${words[@]}"
    local f
    while IFS= read -r -d '' f; do
      printf '%s %s %s\n' "$f" "$(stat -c %a "$f")" "$(sha256sum <"$f" | cut -c1-64)"
    done < <(find "${dirs[@]}" -type f -print0 | LC_ALL=C sort -z)
  } | sha
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_inputs() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }
image_size() { docker image inspect -f '{{.Size}}' "$1" 2>/dev/null | awk '{printf "%d MB", $1/1e6}'; }

# up_to_date IMAGE INPUTS FORCED: whether IMAGE exists with these inputs (and no --force).
up_to_date() { [ "$3" = 0 ] && [ "$(image_inputs "$1")" = "$2" ]; }

# apt_source SUITE: the URI of the first enabled `deb` source of SUITE with component main on
# this machine (deb822 .sources and one-line .list files).
apt_source() {
  local files=()
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list)
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  shopt -u nullglob
  ((${#files[@]})) || return 0
  awk -v want="$1" '
    function has(list, w) { return index(" " list " ", " " w " ") > 0 }
    function flush() {
      if (!found && has(types, "deb") && has(suites, want) && has(comps, "main") && tolower(enabled) != "no") {
        split(uris, u, " "); print u[1]; found = 1; exit
      }
      types = uris = suites = comps = enabled = ""
    }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^deb[ \t]/ {                         # one-line form: deb [options] URI SUITE COMPONENT...
      line = $0; gsub(/\[[^]]*\]/, "", line); n = split(line, f, /[ \t]+/)
      c = ""; for (i = 4; i <= n; i++) c = c " " f[i]
      types = "deb"; uris = f[2]; suites = f[3]; comps = c; flush(); next
    }
    { key = tolower($1); $1 = "" }
    key == "types:" { types = $0 }
    key == "uris:" { uris = $0 }
    key == "suites:" { suites = $0 }
    key == "components:" { comps = $0 }
    key == "enabled:" { enabled = $0; gsub(/ /, "", enabled) }
    END { flush() }
  ' "${files[@]}"
}

compressor() { if command -v zstd >/dev/null; then echo zst; else echo gz; fi; }
compress() { if [ "$1" = zst ]; then zstd -q -T0 -3; else gzip -1; fi; }
decompress() { if [[ $1 == *.zst ]]; then zstd -q -dc "$1"; else gzip -dc "$1"; fi; }

declare -A done_=()
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f s", b-a}'; }

# docker_build IMAGE DIR INPUTS FORCED [BUILD-ARG...]: docker build with the inputs label (and
# without the build cache when forced); the output goes to a log file, shown when the build
# fails. The image it replaces is removed when nothing uses it any more.
docker_build() {
  local image=$1 dir=$2 inputs=$3 forced=$4; shift 4
  local args=() a t0 blog old
  for a in "$@"; do args+=(--build-arg "$a"); done
  [ "$forced" = 0 ] || args+=(--no-cache)
  blog="$cache/build-${image//[\/:]/_}.log"
  old=$(image_id "$image")
  t0=$(now)
  log "building $image from $dir (log: $blog)"
  if ! docker build --force-rm --label "$label=$inputs" "${args[@]}" -t "$image" "$dir" >"$blog" 2>&1; then
    tail -40 "$blog" >&2
    die "docker build of $image failed (full log: $blog)"
  fi
  log "built $image in $(elapsed "$t0") ($(image_size "$image"))"
  [ -z "$old" ] || [ "$old" = "$(image_id "$image")" ] || docker rmi "$old" >/dev/null 2>&1 || true
}

# ------------------------------------------------------------------ images
build_testvnc() {
  local image=hotdesk/testvnc:1 inputs tmp t0 old
  inputs=$(hash_inputs testvnc "$(go env GOVERSION 2>/dev/null || echo go)" -- images/testvnc)
  if up_to_date "$image" "$inputs" "$1"; then return; fi
  # Images built before the label existed are kept unless forced.
  if [ "$1" = 0 ] && [ -n "$(image_id "$image")" ] && [ -z "$(image_inputs "$image")" ]; then return; fi
  t0=$(now)
  old=$(image_id "$image")
  tmp=$(mktemp -d)
  mkdir -p "$tmp/rootfs"
  CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tmp/rootfs/testvnc" ./images/testvnc
  tar -C "$tmp/rootfs" -c . | docker import --change 'ENTRYPOINT ["/testvnc"]' --change 'EXPOSE 5901' \
    --change "LABEL $label=$inputs" - "$image" >/dev/null
  rm -rf "$tmp"
  log "built $image in $(elapsed "$t0")"
  [ -z "$old" ] || [ "$old" = "$(image_id "$image")" ] || docker rmi "$old" >/dev/null 2>&1 || true
}

# make_rootfs TARBALL: debootstrap the base root file system, customize it (rootfs.sh in a
# chroot) and pack it into TARBALL.
make_rootfs() {
  local tarball=$1 mirror security updates work dlog t0 pkgs
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  }
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  mirror=${HOTDESK_DEBIAN_MIRROR:-$(apt_source "$suite")}
  [ -n "$mirror" ] || die "no Debian mirror for $suite in /etc/apt/sources.list.d (set HOTDESK_DEBIAN_MIRROR)"
  updates=$(apt_source "$suite-updates")
  security=${HOTDESK_DEBIAN_SECURITY_MIRROR:-$(apt_source "$suite-security")}
  pkgs=$(sed 's/#.*//' images/base/packages | xargs | tr ' ' ,)

  work=$(mktemp -d "$cache/rootfs.XXXXXX")
  # shellcheck disable=SC2064
  trap "umount -l '$work/rootfs/proc' 2>/dev/null; rm -rf '$work'" EXIT
  dlog="$cache/debootstrap.log"
  log "debootstrap $suite from $mirror: $pkgs (log: $dlog)"
  t0=$(now)
  if ! debootstrap --variant=minbase --components=main --include="$pkgs" "$suite" "$work/rootfs" "$mirror" >"$dlog" 2>&1; then
    tail -30 "$dlog" >&2
    [ -f "$work/rootfs/debootstrap/debootstrap.log" ] && tail -30 "$work/rootfs/debootstrap/debootstrap.log" >&2
    die "debootstrap failed"
  fi
  log "debootstrap took $(elapsed "$t0") ($(du -sm "$work/rootfs" | cut -f1) MB)"

  {
    echo "deb $mirror $suite main"
    [ -z "$updates" ] || echo "deb $updates $suite-updates main"
    [ -z "$security" ] || echo "deb $security $suite-security main"
  } >"$work/rootfs/etc/apt/sources.list"
  # The machine's apt options for its mirror (a snapshot's expired Valid-Until, a proxy) hold
  # inside the image too, so images built on top reach the same mirror the same way.
  apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
    >"$work/rootfs/etc/apt/apt.conf.d/80hotdesk-mirror" || true
  cp /etc/resolv.conf "$work/rootfs/etc/resolv.conf"
  mount -t proc proc "$work/rootfs/proc"
  t0=$(now)
  if ! chroot "$work/rootfs" /bin/sh -s <images/base/rootfs.sh >>"$dlog" 2>&1; then
    tail -30 "$dlog" >&2
    die "customizing the root file system (images/base/rootfs.sh) failed"
  fi
  umount "$work/rootfs/proc"
  log "updates and clean-up took $(elapsed "$t0") ($(du -sm "$work/rootfs" | cut -f1) MB)"

  t0=$(now)
  tar -C "$work/rootfs" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    --exclude='./tmp/*' --exclude='./run/*' --exclude='./debootstrap' -c . | compress "${tarball##*.}" >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  trap - EXIT
  log "packed $tarball in $(elapsed "$t0") ($(du -m "$tarball" | cut -f1) MB)"
}

build_base() {
  local key rootfs tarball inputs old t0
  [ -z "${done_[base]:-}" ] || return 0
  done_[base]=1
  key=$(hash_inputs rootfs-v1 "$suite" -- images/base/packages images/base/rootfs.sh)
  rootfs=hotdesk/base-rootfs:${key:0:16}
  inputs=$(hash_inputs "$key" -- images/base)
  up_to_date hotdesk/base:1 "$inputs" "$1" && return 0
  if [ "$1" = 1 ] || [ -z "$(image_id "$rootfs")" ]; then
    tarball=$(ls "$cache/base-rootfs-$key".tar.* 2>/dev/null | head -1 || true)
    if [ "$1" = 1 ] || [ -z "$tarball" ]; then
      tarball="$cache/base-rootfs-$key.tar.$(compressor)"
      make_rootfs "$tarball"
      # Older root file systems are of no further use.
      for old in "$cache"/base-rootfs-*.tar.*; do [ "$old" = "$tarball" ] || rm -f "$old"; done
    else
      log "using the cached root file system $tarball"
    fi
    t0=$(now)
    decompress "$tarball" | docker import --change "LABEL $label=$key" - "$rootfs" >/dev/null
    log "imported $rootfs in $(elapsed "$t0") ($(image_size "$rootfs"))"
  fi
  docker_build hotdesk/base:1 images/base "$inputs" "$1" "ROOTFS=$rootfs"
  # Root file systems of earlier builds are of no further use once nothing is built on them.
  docker image ls --format '{{.Repository}}:{{.Tag}}' hotdesk/base-rootfs | while read -r old; do
    [ "$old" = "$rootfs" ] || docker rmi "$old" >/dev/null 2>&1 || true
  done
}

# build_derived NAME IMAGE PARENT-TARGET FORCE
build_derived() {
  local name=$1 image=$2 parent=$3 inputs parent_image
  [ -z "${done_[$name]:-}" ] || return 0
  done_[$name]=1
  "build_$parent" 0
  parent_image=$(image_of "$parent")
  inputs=$(hash_inputs "$(image_id "$parent_image")" -- "images/$name")
  up_to_date "$image" "$inputs" "$4" || docker_build "$image" "images/$name" "$inputs" "$4"
}

image_of() {
  case $1 in
    base) echo hotdesk/base:1 ;; desktop) echo hotdesk/desktop:1 ;;
    deluxe) echo hotdesk/desktop-deluxe:1 ;; browser) echo hotdesk/browser:1 ;;
    testvnc) echo hotdesk/testvnc:1 ;;
  esac
}

build_desktop() { build_derived desktop hotdesk/desktop:1 base "$1"; }
build_deluxe() { build_derived deluxe hotdesk/desktop-deluxe:1 desktop "$1"; }
build_browser() { build_derived browser hotdesk/browser:1 base "$1"; }

for t in "${targets[@]}"; do
  "build_$t" "$force"
done
