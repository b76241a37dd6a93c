#!/usr/bin/env bash
# Build the real log and trace stores the end-to-end tests and the demo stack run:
#   - Jaeger all-in-one (traces; github.com/jaegertracing/jaeger, Apache-2.0)
#   - VictoriaLogs      (logs;   github.com/VictoriaMetrics/VictoriaLogs, Apache-2.0)
#   - Thanos            (metrics at scale: Receive + Query; github.com/thanos-io/thanos, Apache-2.0)
#
#   bash stores/build.sh                  # build all three, or reuse finished builds
#   bash stores/build.sh jaeger           # only one (jaeger | victoria-logs | thanos)
#   FORCE=1 bash stores/build.sh          # rebuild even if a cached binary exists
#
# Needs only the machine's Go toolchain and the Go module proxy. Outputs:
#   stores/_build/bin/jaeger, stores/_build/bin/victoria-logs, stores/_build/bin/thanos
# Each binary is stamped with its version and the Go toolchain, and also kept in
# ${XDG_CACHE_HOME:-$HOME/.cache}/llm-otel/stores/ keyed the same way, so a fresh clone
# on the same machine copies it instead of compiling again (a cold Jaeger build takes
# about 5-6 minutes on 2 cores). Go's module and build caches (GOMODCACHE, GOCACHE) are
# the defaults, so even a cache miss reuses downloads.
#
# The last lines printed on success are the absolute paths of the binaries.
set -euo pipefail

# Pinned versions (bump here; the stamp makes the next run rebuild).
JAEGER_VERSION="v1.76.0"
VICTORIA_LOGS_VERSION="v1.52.1"
# v0.42.0, not a later v0.42.x: v0.42.5 needs a newer Go toolchain than this project builds with.
THANOS_VERSION="v0.42.0"

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$DIR/_build"
BIN_DIR="$BUILD_DIR/bin"
LOG="$BUILD_DIR/build.log"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/llm-otel/stores"
START=$SECONDS

say() { printf '[stores:build +%3ds] %s\n' "$((SECONDS - START))" "$*"; }
fail() {
  printf '[stores:build] ERROR: %s\n' "$*" >&2
  if [[ -s "$LOG" ]]; then
    printf '[stores:build] last lines of %s:\n' "$LOG" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

command -v go >/dev/null 2>&1 || fail "the 'go' command is not on PATH; install Go (>= 1.25) first"
GO_VERSION="$(go env GOVERSION)"
PLATFORM="$(go env GOOS)-$(go env GOARCH)"
mkdir -p "$BIN_DIR"

# One build at a time per checkout (a second caller waits, then reuses it).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BUILD_DIR/.lock"
  flock 9
fi
: >"$LOG"

# Runs "$@" in the background with a heartbeat, so CI logs show a long compile is alive.
run_with_heartbeat() {
  "$@" >>"$LOG" 2>&1 &
  local pid=$! ticks=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    ticks=$((ticks + 1))
    if ((ticks % 30 == 0)); then say "still building..."; fi
  done
  wait "$pid"
}

# Builds one store unless a matching binary is already in _build or the user cache.
#   ensure <name> <version> <build function> [<recipe>]
# <recipe> names build options that change the binary (e.g. build tags); it is part of the
# stamp and the cache key, so changing it rebuilds.
ensure() {
  local name="$1" version="$2" builder="$3" recipe="${4:-}"
  local bin="$BIN_DIR/$name" stamp="$BIN_DIR/.$name.stamp"
  local key="$name $version $GO_VERSION $PLATFORM${recipe:+ $recipe}"
  local cached="$CACHE_ROOT/$name-$version-$GO_VERSION-$PLATFORM${recipe:+-$recipe}/$name"
  if [[ "${FORCE:-0}" != "1" && -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
    say "$name $version: up to date; reusing $bin"
    return
  fi
  rm -f "$stamp"
  if [[ "${FORCE:-0}" != "1" && -x "$cached" ]]; then
    say "$name $version: copying the cached build from $cached"
    cp "$cached" "$bin.tmp" && mv "$bin.tmp" "$bin"
  else
    say "$name $version: building with $GO_VERSION (log: $LOG)"
    "$builder" "$version" "$bin.tmp" || fail "could not build $name $version"
    mv "$bin.tmp" "$bin"
    # Best effort: a read-only home must not fail the build.
    if mkdir -p "$(dirname "$cached")" 2>/dev/null && cp "$bin" "$cached.tmp" 2>/dev/null; then
      mv "$cached.tmp" "$cached"
    fi
  fi
  "$bin" --help >/dev/null 2>&1 || "$bin" -version >/dev/null 2>&1 || fail "the built $name does not run: $bin"
  echo "$key" >"$stamp"
  say "$name $version: done"
}

# Jaeger's and Thanos' go.mod have `replace` lines, so `go install module@version` refuses
# them: download the module source, copy it somewhere writable and build the command inside it.
#   build_from_module_source <module> <version> <package> <out> [go build flags...]
build_from_module_source() {
  local module="$1" version="$2" pkg="$3" out="$4" src
  shift 4
  local flags=("$@")
  src="$(go mod download -json "$module@$version" 2>>"$LOG" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n "$src" && -d "$src" ]] || { echo "go mod download gave no source folder for $module" >>"$LOG"; return 1; }
  local work="$BUILD_DIR/src/${module##*/}-$version"
  rm -rf "$work"
  mkdir -p "$(dirname "$work")"
  cp -R "$src" "$work"
  chmod -R u+w "$work"
  run_with_heartbeat bash -c "cd '$work' && go build -trimpath ${flags[*]:+${flags[*]@Q}} -o '$out' '$pkg'"
  rm -rf "$work"
}

# The all-in-one UI assets are embedded from a placeholder when the UI was not built,
# which is all the tests need (they use the HTTP API).
build_jaeger() { build_from_module_source github.com/jaegertracing/jaeger "$1" ./cmd/jaeger "$2"; }

# One binary with every Thanos component (receive, query, rule, ...) as a subcommand. The tags
# are those of Thanos' own release build (.promu.yml): without `slicelabels` the Prometheus
# labels code is compiled in a layout Thanos' unsafe protobuf casts do not expect, and Receive
# panics on the first query. The version is stamped like a release (`thanos --version`).
THANOS_TAGS="netgo,slicelabels"
build_thanos() {
  build_from_module_source github.com/thanos-io/thanos "$1" ./cmd/thanos "$2" \
    -tags "$THANOS_TAGS" -ldflags "-X github.com/prometheus/common/version.Version=${1#v}"
}

build_victoria_logs() {
  local version="$1" out="$2" gobin="$BUILD_DIR/gobin"
  rm -rf "$gobin"
  mkdir -p "$gobin"
  run_with_heartbeat env GOBIN="$gobin" go install -trimpath \
    "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$version"
  mv "$gobin/victoria-logs" "$out"
  rm -rf "$gobin"
}

want=("$@")
# Thanos is in the default set because `pnpm test` runs e2e/test/scale-out.test.ts.
((${#want[@]} > 0)) || want=(jaeger victoria-logs thanos)
for store in "${want[@]}"; do
  case "$store" in
    jaeger) ensure jaeger "$JAEGER_VERSION" build_jaeger ;;
    victoria-logs) ensure victoria-logs "$VICTORIA_LOGS_VERSION" build_victoria_logs ;;
    thanos) ensure thanos "$THANOS_VERSION" build_thanos "tags-${THANOS_TAGS//,/-}" ;;
    *) fail "unknown store '$store' (jaeger | victoria-logs | thanos)" ;;
  esac
done
for store in "${want[@]}"; do echo "$BIN_DIR/$store"; done
