#!/usr/bin/env bash
# The browser of the browser tests: Debian's chromium (/usr/bin/chromium) and a Chinese font, installed
# from the system's package manager when absent. Playwright drives it by its path; it downloads nothing.
#
#   deploy/local/browser.sh           install if absent; prints the browser's path on stdout
set -euo pipefail

browser=/usr/bin/chromium

say() { printf 'browser: %s\n' "$*" >&2; }

"$(dirname "$0")/debian-packages.sh" chromium fonts-noto-cjk
if ! version=$("$browser" --version 2>&1); then
  say "$browser is installed but does not run: $version"
  exit 1
fi
say "${version##*$'\n'}"  # the wrapper may print warnings before the version
printf '%s\n' "$browser"
