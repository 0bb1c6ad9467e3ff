#!/usr/bin/env bash
# Try the complete yearly import in the app against a real SCIM server, on the demo
# establishment (Collège des Tilleuls, data/demo/).
#
# Installs what is missing, builds, starts the SCIM test server (tests/scim-server) on
# 127.0.0.1 seeded with the demo establishment's directory, then starts Jonction from the
# build tree on its Connection page, with the server's address and UAI filled in and the
# token given through JONCTION_TOKEN. Press "Test Connection", then "Continue", and open
# data/demo/demo-export.xml. The server stops when Jonction exits.
#
# Each run starts afresh: the server holds the demo directory as seeded, and Jonction's
# settings and import journal live in _build/scim-demo/ (your own settings are not touched).
# Interrupt and Resume work within one run.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/install-deps.sh

if [ ! -d tests/scim-server/node_modules ]; then
  (cd tests/scim-server && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build >/dev/null
fi
meson compile -C _build

uai=$(sed -n 's/.*UAI="\([^"]*\)".*/\1/p' data/demo/demo-export.xml | head -n 1)
token="jonction-demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# Jonction's own state for this run: settings (keyfile backend), import journal, demo copy
state="$top/_build/scim-demo"
rm -rf "$state"
mkdir -p "$state/config" "$state/data"
export XDG_CONFIG_HOME="$state/config"
export XDG_DATA_HOME="$state/data"
export GSETTINGS_BACKEND=keyfile
export GSETTINGS_SCHEMA_DIR="$top/_build/data"
export JONCTION_LOCALEDIR="$top/_build/po"

node tests/scim-server/server.js --port 0 --token "$token" \
  --seed data/demo/demo-directory.json >"$state/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening \([^ ]*\).*/\1/p' "$state/server.log" | head -n 1)
  [ -n "$url" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "The SCIM test server did not start:" >&2
    cat "$state/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "The SCIM test server did not answer within 10 s: see $state/server.log" >&2
  exit 1
fi

# The first run's Connection page shows these (connection-kind stays 'none')
gsettings set fr.jonction.Jonction ent-url "$url"
gsettings set fr.jonction.Jonction uai "$uai"
export JONCTION_TOKEN="$token"

cat <<MSG

  SCIM test server ready, seeded with the demo establishment's directory.

    ENT address:    $url
    UAI:            $uai
    Access token:   $token   (given to Jonction through JONCTION_TOKEN)

  In Jonction: "Test Connection", then "Continue", then "Import a PRONOTE File…" and
  choose $top/data/demo/demo-export.xml.
  The server stops when you close Jonction.

MSG

# Jonction needs a D-Bus session (any desktop has one; a bare X server may not)
run=("$top/_build/ui/jonction" "$@")
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && command -v dbus-run-session >/dev/null 2>&1; then
  run=(dbus-run-session -- "${run[@]}")
fi
status=0
"${run[@]}" || status=$?
exit "$status"
