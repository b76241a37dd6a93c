#!/usr/bin/env bash
# Runs the @llm-otel/instrumentation tests on Node 24 with the OpenTelemetry SDK 3.x and openai 7.
# Node 24 comes from the npm package `node`, installed once into an ignored cache folder
# (LLM_OTEL_NODE24_CACHE, default matrix/node24/.node24). Needs `pnpm install` and `pnpm build`
# (the ESM test loads the built dist) to have run at the repository root.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${LLM_OTEL_NODE24_CACHE:-$here/.node24}"
node24="$cache/node_modules/.bin/node"

if [[ ! -x "$node24" ]] || [[ "$("$node24" --version)" != v24.* ]]; then
  echo "installing node@24 into $cache"
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
echo "node: $("$node24" --version)"

cd "$root"
# Vitest's CLI and its worker processes run on Node 24 (the workers inherit process.execPath).
exec "$node24" "$root/node_modules/vitest/vitest.mjs" run --config "$here/vitest.config.ts" "$@"
