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

missing=()
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# Headless Chromium renders the dashboard picture (grafana/src/render.ts) in the tests.
[[ -x /usr/bin/chromium ]] || missing+=(chromium fonts-dejavu-core)
# The MLflow tracking server the @llm-otel/mlflow tests start lives in a Python venv (pnpm mlflow:setup).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3 python3-venv)
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" == 0 ]]; then
    say "installing ${missing[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [[ " ${missing[*]} " == *" prometheus "* ]]; then
      # The package may start a system Prometheus on :9090; the tests run their own on free ports.
      systemctl stop prometheus 2>/dev/null || service prometheus stop 2>/dev/null || true
    fi
  else
    say "missing: ${missing[*]}: run 'sudo apt-get install ${missing[*]}'"
    exit 1
  fi
fi
say "$(prometheus --version 2>&1 | head -1)"

command -v go >/dev/null 2>&1 || { say "Go is missing: the collector is built from Go modules (Go >= 1.25)"; exit 1; }
say "$(go version)"

say "installing the workspace's packages"
pnpm install --frozen-lockfile
