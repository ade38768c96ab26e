#!/usr/bin/env bash
# Builds the docker compose v2 CLI plugin from the Go module proxy (no engine needed) so that
# `docker compose config` can validate docker-compose.yml. Cached: skipped when the plugin already answers.
# Usage: bash scripts/ensure-docker-compose.sh   (env: COMPOSE_VERSION, DOCKER_CONFIG)
set -euo pipefail

version="${COMPOSE_VERSION:-v2.40.3}"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
plugin="$plugin_dir/docker-compose"

if [ -x "$plugin" ] && "$plugin" version 2>/dev/null | grep -q "${version#v}"; then
  echo "docker compose ${version}: already at $plugin"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build docker compose (apt-get install golang or /usr/local/go)" >&2; exit 1; }

# The module source comes from the Go module proxy; `Dir` is its read-only copy in the module cache.
dir="$(go mod download -json "github.com/docker/compose/v2@${version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] && [ -d "$dir" ] || { echo "go mod download did not give a source folder for compose ${version}" >&2; exit 1; }

mkdir -p "$plugin_dir"
tmp="$plugin.tmp-$$"
echo "building docker compose ${version} from $dir (a few minutes the first time)"
(
  cd "$dir"
  # The module cache is read-only, so the build writes only to $tmp. GOTOOLCHAIN=local: use the installed Go.
  GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=${version}" \
    -o "$tmp" ./cmd
)
mv "$tmp" "$plugin"
"$plugin" version
