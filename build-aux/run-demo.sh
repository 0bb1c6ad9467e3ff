#!/usr/bin/env bash
# Installs what is missing, builds, and starts Jonction on the built-in demo establishment.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/install-deps.sh

if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build >/dev/null
fi
meson compile -C _build

# Run from the build tree: the compiled settings schema and the translations live there
# (LANG=fr_FR.UTF-8 build-aux/run-demo.sh shows the app in French).
export GSETTINGS_SCHEMA_DIR="$top/_build/data"
export JONCTION_LOCALEDIR="$top/_build/po"
exec "$top/_build/ui/jonction" --demo "$@"
