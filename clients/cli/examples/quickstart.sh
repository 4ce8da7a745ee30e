#!/bin/sh
# Quickstart: log in with an API key, launch a session of a workspace, wait until it runs,
# print its connect URL and destroy it. Needs HOTDESK_SERVER, HOTDESK_API_KEY, HOTDESK_WORKSPACE.
set -eu

hotdesk login --server "$HOTDESK_SERVER" --api-key "$HOTDESK_API_KEY"

session=$(hotdesk sessions launch "$HOTDESK_WORKSPACE" -o id)
echo "launched session $session"

# Watches the session (no polling) until it runs; fails if it ends first.
hotdesk sessions wait "$session" --state running --timeout 2m

echo "connect URL: $(hotdesk sessions get "$session" -o 'value(connect_url)')"

hotdesk sessions delete "$session" --wait
