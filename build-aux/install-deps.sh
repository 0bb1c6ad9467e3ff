#!/usr/bin/env bash
# Installs everything Jonction needs to build, run and test on Debian 12.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libxml2-dev libsqlite3-dev
  libsoup-3.0-dev glib-networking ca-certificates libjson-glib-dev libgnutls28-dev libsecret-1-dev zlib1g-dev
  # data validation
  desktop-file-utils appstream
  # tests: fixtures, headless GUI, keyring, screenshots
  openssl python3 xvfb xauth dbus-daemon at-spi2-core libgl1-mesa-dri
  fonts-cantarell imagemagick x11-utils gnome-keyring libsecret-tools
  # the AT-SPI test (a screen reader's path through the real binary), French screenshots
  python3-pyatspi python3-gi locales
  # fuzzing (tests/fuzz): clang 14 and its libFuzzer runtime (libclang_rt.fuzzer)
  clang libclang-rt-14-dev
)

# The SCIM test server runs on Node.js; machines may carry their own Node with npm built in.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The French screenshots and tests run with LANG=fr_FR.UTF-8: a fresh Debian has no French locale
if ! locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$'; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo sed -i 's/^# *\(fr_FR.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen >/dev/null
fi
