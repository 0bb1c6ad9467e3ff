#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the normal build (core, CLI, data,
# GUI under Xvfb) and then an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash build-aux/install-deps.sh

# The SCIM test server's exact dependencies (scimmy, scimmy-routers, express 4), from its lock file
(cd tests/scim-server && npm ci --no-audit --no-fund --loglevel=error)

werror=false
[ "${CI:-}" = "true" ] && werror=true

setup() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir"
}

# GTK, Mesa, dconf and the keyring write into these: keep them private to the run.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/runtime" XDG_CONFIG_HOME="$scratch/config"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/gtk-4.0"
chmod 0700 "$XDG_RUNTIME_DIR"
printf '[Settings]\ngtk-font-name=Cantarell 11\n' > "$XDG_CONFIG_HOME/gtk-4.0/settings.ini"

run_tests() {
  xvfb-run -a -s "-screen 0 1280x1024x24 -noreset" \
    dbus-run-session -- meson test -C "$@" --print-errorlogs
  # Tally this run (meson rewrites its log at each run)
  python3 - "$1/meson-logs/testlog.json" >> "$scratch/tally" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["result"])
PY
}

echo "== Build and test (_build) =="
setup _build -Dwerror="$werror"
run_tests _build

echo "== Sanitizer build and test (_build-asan: address, undefined) =="
setup _build-asan -Dwerror="$werror" -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
# GTK, fontconfig and Mesa keep process-lifetime caches that LeakSanitizer reports; leaks are
# checked on the core, CLI and ENT suites, the GUI suite runs with leak detection off. The C
# unit tests that isolate their directories need full stacks (GLib's own leak there is
# suppressed by a frame that frame-pointer unwinding skips); the rest unwind fast, which
# makes the allocation-heavy session and CLI tests ten times quicker.
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 run_tests _build-asan --suite core --no-suite session
ASAN_OPTIONS=detect_leaks=1 run_tests _build-asan --suite session --suite cli --suite ent --suite data --suite install
# The AT-SPI walk is left to the normal build: five times slower here, it adds nothing a
# sanitizer would see that the widget tests do not
ASAN_OPTIONS=detect_leaks=0 run_tests _build-asan --suite gui --no-suite atspi

echo "== Fuzzing, briefly (_build-fuzz: clang, libFuzzer, address, undefined) =="
# Each harness of tests/fuzz runs ${JN_FUZZ_SECONDS:-15} s over its seed corpus (about 2 minutes
# in all); tests/fuzz/README.md says how to run them longer.
# Only the harnesses are compiled (--no-rebuild: not the rest of the project once more).
fuzz_options=(-Dwerror=false -Dgui=disabled -Dfuzzing=true -Dfuzz_seconds="${JN_FUZZ_SECONDS:-15}"
              -Db_sanitize=address,undefined -Db_lundef=false)
if [ -f _build-fuzz/build.ninja ]; then
  CC=clang meson setup --reconfigure _build-fuzz "${fuzz_options[@]}" >/dev/null
else
  CC=clang meson setup _build-fuzz "${fuzz_options[@]}" >/dev/null
fi
meson compile -C _build-fuzz $(meson introspect --targets _build-fuzz |
  python3 -c 'import json, sys; print(" ".join("tests/fuzz/" + t["name"] for t in json.load(sys.stdin) if t["name"].startswith("fuzz-")))')
run_tests _build-fuzz --suite fuzz --num-processes 1 --no-rebuild

passed=$(grep -c '^OK$' "$scratch/tally" || true)
failed=$(grep -vc '^OK$' "$scratch/tally" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
