#!/usr/bin/env bash
# End-to-end test of otelcol-llm with the real configs, on loopback only:
#   1. build (or reuse) the collector; `validate` config.yaml and gateway.yaml
#   2. run the agent (config.yaml) and the gateway (gateway.yaml) on free ports
#   3. push OTLP/HTTP metrics shaped like the SDK's (send_otlp.py)
#   4. read the agent's /metrics: exact metric names, types and labels
#   5. if `prometheus` is installed: a throwaway Prometheus scrapes the agent
#      (honor_labels) and receives the gateway's remote write; check stored
#      names/labels and that the recording rules in prometheus/rules evaluate
# Everything it starts is stopped on exit. Last line: "collector-e2e: N passed, M failed".
set -uo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$DIR/.." && pwd)"
OUT="$DIR/test/_out"
PY="${PYTHON:-python3}"
pids=()
passed=0 failed=0

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

result() { # result <exit code> <description>
  if [[ "$1" == 0 ]]; then passed=$((passed + 1)); echo "PASS $2"; else failed=$((failed + 1)); echo "FAIL $2"; fi
}
finish() {
  echo "collector-e2e: $passed passed, $failed failed"
  [[ $failed == 0 ]]
  exit $?
}
eventually() { # eventually <seconds> <command...>: retry quietly, then run once more with output
  local n=$1 i; shift
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 && break; sleep 1; done
  "$@"
}
wait_http() { # wait_http <url> <seconds>
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

rm -rf "$OUT" && mkdir -p "$OUT"

BIN="$(bash "$DIR/build.sh" | tee "$OUT/build.out" | tail -n 1)"
if [[ ! -x "$BIN" ]]; then
  cat "$OUT/build.out"
  result 1 "build otelcol-llm"
  finish
fi
result 0 "build otelcol-llm ($BIN)"

for cfg in config.yaml gateway.yaml; do
  "$BIN" validate --config "$DIR/$cfg" >"$OUT/validate-$cfg.log" 2>&1
  rc=$?; [[ $rc == 0 ]] || cat "$OUT/validate-$cfg.log"
  result $rc "otelcol-llm validate --config collector/$cfg"
done

# 11 free loopback ports, all held open while choosing so none repeats.
read -r A_GRPC A_HTTP A_PROM A_HEALTH A_SELF G_GRPC G_HTTP G_HEALTH G_SELF PROM_PORT SPARE < <(
  "$PY" -c '
import socket
ss = [socket.socket() for _ in range(11)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss: s.close()'
)
if [[ -z "${SPARE:-}" ]]; then
  result 1 "pick free loopback ports with $PY"
  finish
fi

HAVE_PROM=0
if command -v prometheus >/dev/null 2>&1; then
  HAVE_PROM=1
  cat >"$OUT/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["$ROOT/prometheus/rules/*.yml"]
scrape_configs:
  - job_name: otelcol-llm
    honor_labels: true
    static_configs: [{ targets: ["127.0.0.1:$A_PROM"] }]
  - job_name: otelcol-llm-self
    static_configs: [{ targets: ["127.0.0.1:$A_SELF", "127.0.0.1:$G_SELF"] }]
EOF
  prometheus --config.file="$OUT/prometheus.yml" --storage.tsdb.path="$OUT/prom-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver \
    >"$OUT/prometheus.log" 2>&1 &
  pids+=($!)
else
  echo "NOTE prometheus not installed: skipping the Prometheus part (apt-get install -y prometheus);"
  echo "     the gateway remote-writes to a stub that accepts and discards"
  "$PY" -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$PROM_PORT" &
  pids+=($!)
fi

OTELCOL_LISTEN_HOST=127.0.0.1 OTLP_GRPC_PORT=$A_GRPC OTLP_HTTP_PORT=$A_HTTP OTELCOL_PROM_PORT=$A_PROM \
  OTELCOL_HEALTH_PORT=$A_HEALTH OTELCOL_METRICS_PORT=$A_SELF OTELCOL_PPROF_PORT=$SPARE \
  "$BIN" --config "$DIR/config.yaml" >"$OUT/agent.log" 2>&1 &
pids+=($!)
OTELCOL_LISTEN_HOST=127.0.0.1 OTLP_GRPC_PORT=$G_GRPC OTLP_HTTP_PORT=$G_HTTP \
  OTELCOL_HEALTH_PORT=$G_HEALTH OTELCOL_METRICS_PORT=$G_SELF \
  PRW_ENDPOINT="http://127.0.0.1:$PROM_PORT/api/v1/write" \
  "$BIN" --config "$DIR/gateway.yaml" >"$OUT/gateway.log" 2>&1 &
pids+=($!)

wait_http "http://127.0.0.1:$A_HEALTH/" 30; rc=$?
[[ $rc == 0 ]] || tail -n 30 "$OUT/agent.log"
result $rc "agent healthy (health_check on :$A_HEALTH)"
wait_http "http://127.0.0.1:$G_HEALTH/" 30; rc=$?
[[ $rc == 0 ]] || tail -n 30 "$OUT/gateway.log"
result $rc "gateway healthy (health_check on :$G_HEALTH)"
if [[ $HAVE_PROM == 1 ]]; then
  wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30; rc=$?
  [[ $rc == 0 ]] || tail -n 30 "$OUT/prometheus.log"
  result $rc "prometheus ready"
fi

# Two cumulative exports per path, a few scrapes apart, so rates exist.
for round in 1 2; do
  "$PY" "$DIR/test/send_otlp.py" --endpoint "http://127.0.0.1:$A_HTTP" --round $round --instance agent-path
  result $? "OTLP/HTTP export $round to the agent"
  "$PY" "$DIR/test/send_otlp.py" --endpoint "http://127.0.0.1:$G_HTTP" --round $round --instance gateway-path
  result $? "OTLP/HTTP export $round to the gateway"
  sleep 2
done

eventually 10 "$PY" "$DIR/test/check_metrics.py" exposition "http://127.0.0.1:$A_PROM/metrics" agent-path
result $? "agent /metrics: exact names, types and labels"
"$PY" "$DIR/test/check_metrics.py" selfmetrics "http://127.0.0.1:$A_SELF/metrics" \
  otelcol_receiver_accepted_metric_points otelcol_exporter_sent_metric_points
result $? "agent self-telemetry on :$A_SELF"
eventually 30 "$PY" "$DIR/test/check_metrics.py" selfmetrics "http://127.0.0.1:$G_SELF/metrics" \
  otelcol_receiver_accepted_metric_points otelcol_exporter_sent_metric_points
result $? "gateway self-telemetry on :$G_SELF (remote write sent)"

if [[ $HAVE_PROM == 1 ]]; then
  # The gateway batches for up to 5 s; rules need two scrapes of changed counters.
  eventually 30 "$PY" "$DIR/test/check_metrics.py" prometheus "http://127.0.0.1:$PROM_PORT" agent-path
  result $? "Prometheus (scrape, honor_labels): stored names and labels"
  eventually 30 "$PY" "$DIR/test/check_metrics.py" prometheus "http://127.0.0.1:$PROM_PORT" gateway-path
  result $? "Prometheus (gateway remote write): stored names and labels"
  eventually 30 "$PY" "$DIR/test/check_metrics.py" rules "http://127.0.0.1:$PROM_PORT" llm-otel-e2e
  result $? "prometheus/rules recording rules evaluate on real collector output"
fi

grep -iE '"level":"error"|\berror\b' "$OUT/agent.log" "$OUT/gateway.log" | grep -v 'error_type' | head -n 5 >"$OUT/errors.txt"
[[ ! -s "$OUT/errors.txt" ]]; rc=$?
[[ $rc == 0 ]] || cat "$OUT/errors.txt"
result $rc "no errors in collector logs"

finish
