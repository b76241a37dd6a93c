#!/usr/bin/env bash
# Build the otelcol-llm collector distribution from collector/manifest.yaml.
#
#   bash collector/build.sh            # build, or reuse a finished build
#   FORCE=1 bash collector/build.sh    # rebuild even if nothing changed
#
# Needs only the machine's Go toolchain and access to the Go module proxy.
# Installs the OpenTelemetry Collector Builder (ocb) itself, pinned to
# OCB_VERSION, into collector/_build/tools (not into GOPATH/bin, so a
# different ocb someone has installed is never used or overwritten).
# Go's module and build caches are the defaults (GOMODCACHE, GOCACHE), so a
# second machine-level build reuses downloads even after `rm -rf _build`.
#
# Output: collector/_build/dist/otelcol-llm. The last line printed on success
# is the absolute path of the binary.
set -euo pipefail

# Must equal the core collector version in manifest.yaml.
OCB_VERSION="v0.165.0"

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="$DIR/_build"
TOOLS_DIR="$BUILD_DIR/tools"
OCB="$TOOLS_DIR/builder"
BIN="$BUILD_DIR/dist/otelcol-llm"
STAMP="$BUILD_DIR/.stamp"
LOG="$BUILD_DIR/build.log"
START=$SECONDS

say() { printf '[collector:build +%3ds] %s\n' "$((SECONDS - START))" "$*"; }
fail() {
  printf '[collector:build] ERROR: %s\n' "$*" >&2
  if [[ -s "$LOG" ]]; then
    printf '[collector:build] last lines of %s:\n' "$LOG" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}

command -v go >/dev/null 2>&1 || fail "the 'go' command is not on PATH; install Go (>= 1.25) first"
GO_VERSION="$(go env GOVERSION)"
mkdir -p "$BUILD_DIR"

# One build at a time per checkout (a second caller waits, then reuses it).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$BUILD_DIR/.lock"
  flock 9
fi

# The stamp covers everything that determines the binary.
want_stamp="$(
  {
    cat "$DIR/manifest.yaml"
    printf 'ocb=%s go=%s goos=%s goarch=%s\n' "$OCB_VERSION" "$GO_VERSION" "$(go env GOOS)" "$(go env GOARCH)"
  } | sha256sum | cut -d' ' -f1
)"

if [[ "${FORCE:-0}" != "1" && -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" ]]; then
  say "up to date (manifest unchanged, $GO_VERSION); reusing the finished build"
  echo "$BIN"
  exit 0
fi

say "building otelcol-llm with $GO_VERSION (ocb $OCB_VERSION); cold builds take several minutes"
rm -f "$STAMP"
: >"$LOG"

if [[ -x "$OCB" ]] && "$OCB" version 2>/dev/null | grep -qF "$OCB_VERSION"; then
  say "ocb $OCB_VERSION already installed at $OCB"
else
  say "installing ocb $OCB_VERSION (go install go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION)"
  mkdir -p "$TOOLS_DIR"
  GOBIN="$TOOLS_DIR" go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION" >>"$LOG" 2>&1 \
    || fail "could not install ocb $OCB_VERSION with go install (is the Go module proxy reachable?)"
  "$OCB" version >/dev/null 2>&1 || fail "ocb was installed but does not run: $OCB"
fi

say "generating sources, downloading modules and compiling (log: $LOG)"
# ocb reads output_path relative to the working directory.
(cd "$DIR" && "$OCB" --config "$DIR/manifest.yaml") >>"$LOG" 2>&1 &
ocb_pid=$!
# Heartbeat so CI logs show the (long) compile is still alive.
ticks=0
while kill -0 "$ocb_pid" 2>/dev/null; do
  sleep 1
  ticks=$((ticks + 1))
  if ((ticks % 30 == 0)); then say "still building..."; fi
done
wait "$ocb_pid" || fail "ocb failed to build the distribution"

[[ -x "$BIN" ]] || fail "ocb finished but $BIN was not produced"
"$BIN" --version >>"$LOG" 2>&1 || fail "the built binary does not run: $BIN"
echo "$want_stamp" >"$STAMP"

say "done: $("$BIN" --version)"
echo "$BIN"
