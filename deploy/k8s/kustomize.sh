#!/usr/bin/env bash
# Prints the path of the pinned kustomize, building it first if it is not in the cache:
# `go install` from the Go module proxy into ~/.cache/supportmatch (outside the work tree). The
# first build takes a few minutes on two cores; afterwards it is instant and needs no network.
set -euo pipefail

version=v5.7.1  # builds with Go 1.26; later ones need a newer Go
cache=${XDG_CACHE_HOME:-$HOME/.cache}/supportmatch/kustomize-$version
binary=$cache/kustomize

if [ ! -x "$binary" ]; then
  if ! command -v go >/dev/null; then
    echo "kustomize.sh: Go is needed to build kustomize $version (go install)" >&2
    exit 1
  fi
  echo "kustomize.sh: building kustomize $version into $cache" >&2
  mkdir -p "$cache"
  GOBIN=$cache GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$version" >&2
fi
printf '%s\n' "$binary"
