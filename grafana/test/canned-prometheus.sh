#!/usr/bin/env bash
# Starts a local Prometheus holding hours of canned llm_* history (test/canned-metrics.mjs),
# with the recording rules of prometheus/rules/llm-recording.yml and the budgets of
# llm-budget.yml backfilled (plus a canned budget of 40 USD/h for chat-api, so the spend panel
# crosses it at peak traffic), so the dashboard's queries and the README picture can be tried
# without a running pipeline:
#
#   bash grafana/test/canned-prometheus.sh /tmp/canned-prom 19090
#   node grafana/dist/render.js --prometheus http://127.0.0.1:19090 --from <end - 6h> --to <end> --out /tmp/picture.png
#   kill "$(cat /tmp/canned-prom/prometheus.pid)"
#
# <end> is the end of the history (Unix seconds), printed last with that command: a picture
# ending later shows the rates fading out after it. Needs prometheus and promtool (Debian:
# apt-get install -y prometheus). Listens on 127.0.0.1 only.
set -euo pipefail

WORK="${1:?usage: canned-prometheus.sh <workdir> [port] [hours]}"
PORT="${2:-19090}"
HOURS="${3:-7}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RULES_DIR="$HERE/../../prometheus/rules"
URL="http://127.0.0.1:$PORT"

rm -rf "$WORK"
mkdir -p "$WORK/data"
cd "$WORK"
printf 'global:\n  scrape_interval: 15s\n  evaluation_interval: 30s\n' >prometheus.yml

cat >canned-budget.yml <<'EOF'
groups:
  - name: llm.canned-budget
    rules:
      - record: llm:cost_budget_usd_per_hour
        expr: vector(40)
        labels:
          job: chat-api
EOF
RULES=("$RULES_DIR/llm-recording.yml" "$RULES_DIR/llm-budget.yml" canned-budget.yml)

node "$HERE/canned-metrics.mjs" openmetrics history.om "$HOURS" 30
promtool tsdb create-blocks-from openmetrics history.om data >/dev/null
END="$(date +%s)"
START=$((END - HOURS * 3600))

start_prometheus() {
  prometheus --config.file=prometheus.yml --storage.tsdb.path=data --storage.tsdb.retention.time=30d \
    --web.listen-address="127.0.0.1:$PORT" >prometheus.log 2>&1 &
  echo $! >prometheus.pid
  for _ in $(seq 1 50); do
    curl -sf "$URL/-/ready" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "prometheus did not start, see $WORK/prometheus.log" >&2
  return 1
}
stop_prometheus() {
  kill "$(cat prometheus.pid)"
  while kill -0 "$(cat prometheus.pid)" 2>/dev/null; do sleep 0.2; done
}

# Recorded series that read other recorded series (the 6h baseline of the recorded P95, the
# budget per service) need the first pass loaded before they can be backfilled: two passes,
# restarting in between.
start_prometheus
for pass in 1 2; do
  promtool tsdb create-blocks-from rules --start "$START" --end "$END" --url "$URL" \
    --eval-interval 60s --output-dir "rules-$pass" "${RULES[@]}" >"rules-$pass.log" 2>&1
  stop_prometheus
  mv "rules-$pass"/* data/ 2>/dev/null || true
  start_prometheus
done
rm -f history.om
echo "canned Prometheus on $URL (pid $(cat prometheus.pid)), ${HOURS}h of history ending $(date -u -d "@$END" +%FT%TZ) ($END)"
echo "picture: node grafana/dist/render.js --prometheus $URL --from $((END - 6 * 3600)) --to $END --out ml-service-metrics.png"
