#!/usr/bin/env bash
# The browser of the browser tests: Debian's chromium (/usr/bin/chromium) and a Chinese font, installed
# from the system's package manager when absent. Playwright drives it by its path; it downloads nothing.
#
#   deploy/local/browser.sh           install if absent; prints the browser's path on stdout
set -euo pipefail

browser=/usr/bin/chromium
packages=(chromium fonts-noto-cjk)

say() { printf 'browser: %s\n' "$*" >&2; }

missing=()
[ -x "$browser" ] || missing+=(chromium)
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' ||
  missing+=(fonts-noto-cjk)

if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} from Debian's packages"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
      { "${sudo[@]}" apt-get update -q >&2 &&
        "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }; }; then
    say "could not install ${missing[*]} (apt-get install -y ${packages[*]} needs root or passwordless sudo)"
    exit 1
  fi
fi
if ! version=$("$browser" --version 2>&1); then
  say "$browser is installed but does not run: $version"
  exit 1
fi
say "${version##*$'\n'}"  # the wrapper may print warnings before the version
printf '%s\n' "$browser"
