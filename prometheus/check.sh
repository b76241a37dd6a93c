#!/usr/bin/env bash
# Static checks and unit tests for the Prometheus side of llm-otel:
#   promtool check config  prometheus.yml (also checks the rule files it loads)
#   promtool check rules   rules/*.yml (and the budget fixtures of the tests)
#   promtool test rules    tests/*.yml
# Exits non-zero if promtool is missing or any step fails. The last line is
# "prometheus-rules: N passed, M failed" (N/M count test files).
#
# promtool comes with Prometheus; on Debian: apt-get install -y prometheus.
# Set PROMTOOL=/path/to/promtool to use another one.
set -uo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROMTOOL="${PROMTOOL:-promtool}"

if ! command -v "$PROMTOOL" >/dev/null 2>&1; then
  echo "prometheus/check.sh: ERROR: '$PROMTOOL' not found." >&2
  echo "  Install Prometheus' promtool (Debian: apt-get install -y prometheus) or set PROMTOOL=/path/to/promtool." >&2
  exit 2
fi

cd "$DIR"
echo "== $("$PROMTOOL" --version 2>&1 | head -n1)"
failed=0

step() {
  echo "== $*"
  "$@" || { echo "prometheus/check.sh: FAILED: $*" >&2; failed=1; }
}

step "$PROMTOOL" check config prometheus.yml
step "$PROMTOOL" check rules rules/*.yml
step "$PROMTOOL" check rules tests/fixtures/*.yml

# One promtool run per test file so the summary can count them.
pass=0 fail=0
for t in tests/*.yml; do
  echo "== $PROMTOOL test rules $t"
  if "$PROMTOOL" test rules "$t"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    failed=1
  fi
done

echo "prometheus-rules: $pass passed, $fail failed"
exit "$failed"
