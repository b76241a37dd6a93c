#!/usr/bin/env bash
# Everything the tests and the demo stack need on a fresh machine (Debian, Node.js >= 20.6, Go):
# pnpm, the workspace's packages, and Prometheus + promtool from Debian's packages. Idempotent:
# what is already there is reused. The collector is built (or reused) by `pnpm test` itself.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[setup] %s\n' "$*"; }

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != "12.4.2" ]]; then
  say "installing pnpm 12.4.2 with npm"
  npm install -g pnpm@12.4.2 >/dev/null
fi
say "pnpm $(pnpm --version), node $(node --version)"

if ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then
    say "installing Prometheus and promtool from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
    # The package starts a system Prometheus on :9090; the tests run their own on free ports.
    systemctl stop prometheus 2>/dev/null || service prometheus stop 2>/dev/null || pkill -x prometheus 2>/dev/null || true
  else
    say "Prometheus is missing: run 'sudo apt-get install prometheus' (or put prometheus and promtool on PATH)"
    exit 1
  fi
fi
say "$(prometheus --version 2>&1 | head -1)"

command -v go >/dev/null 2>&1 || { say "Go is missing: the collector is built from Go modules (Go >= 1.25)"; exit 1; }
say "$(go version)"

say "installing the workspace's packages"
pnpm install --frozen-lockfile
