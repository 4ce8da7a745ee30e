#!/usr/bin/env bash
# `buf breaking` for proto/ against the contracts of an earlier commit (default: HEAD~1, or
# $BUF_BREAKING_AGAINST). A commit whose message contains "[proto-breaking]" is exempt: the
# escape hatch for a deliberate, announced break.
set -euo pipefail
cd "$(dirname "$0")/.."
against=${BUF_BREAKING_AGAINST:-HEAD~1}
if ! git rev-parse -q --verify "$against^{commit}" >/dev/null; then
  echo "buf-breaking: no commit $against to compare with; skipped"
  exit 0
fi
if ! git cat-file -e "$against:proto" 2>/dev/null; then
  echo "buf-breaking: $against has no proto/; skipped"
  exit 0
fi
if git log -1 --format=%B HEAD | grep -qF '[proto-breaking]'; then
  echo "buf-breaking: HEAD is marked [proto-breaking]; skipped"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$against" proto buf.yaml | tar -x -C "$tmp"
ln -s "$PWD/.protodeps" "$tmp/.protodeps"
(cd "$tmp" && buf build proto -o "$tmp/against.binpb")
buf breaking proto --against "$tmp/against.binpb"
echo "buf-breaking: no breaking change against $(git rev-parse --short "$against")"
