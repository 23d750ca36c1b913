#!/usr/bin/env bash
# Debian packages the project needs from the system, installed with apt-get when absent (as root, or
# with passwordless sudo); the package lists are updated only when they do not have them.
#
#   deploy/local/debian-packages.sh PACKAGE...    exits 1, saying why, when one cannot be installed
set -euo pipefail

say() { printf 'packages: %s\n' "$*" >&2; }

missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

say "installing ${missing[*]} from Debian's packages"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    { "${sudo[@]}" apt-get update -q >&2 &&
      "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }; }; then
  say "could not install ${missing[*]}: apt-get said why above (it needs root or passwordless sudo)"
  exit 1
fi
