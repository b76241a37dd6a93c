#!/usr/bin/env python3
"""Send one OTLP/HTTP JSON metrics export shaped like the llm-otel SDK's output.

Standard library only. Instrument names, kinds and UCUM units are exactly the
ones the SDK registers; attributes use the OTel GenAI semantic conventions.
All sums and histograms are cumulative (the temporality Prometheus needs), so
calling this repeatedly with a growing --round simulates successive periodic
exports of one process.

    python3 send_otlp.py --endpoint http://127.0.0.1:4318 --round 1
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

START_NS = 1_700_000_000_000_000_000  # fixed process start time: one series across rounds

RESOURCE = {
    "service.name": "llm-otel-e2e",
    "service.instance.id": "e2e-instance-1",
    "service.version": "1.2.3",
    "deployment.environment.name": "test",
    # Attributes that must NOT become labels on every series:
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.language": "nodejs",
    "telemetry.sdk.version": "2.0.0",
    "process.pid": 4242,
    "host.name": "e2e-host",
}

CALL = {
    "gen_ai.provider.name": "openai",
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "server.address": "api.openai.com",
}

LATENCY_BOUNDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
TOKEN_BOUNDS = [16, 64, 256, 1024, 4096, 16384, 65536]


def attrs(d):
    out = []
    for k, v in d.items():
        if isinstance(v, bool):
            val = {"boolValue": v}
        elif isinstance(v, int):
            val = {"intValue": str(v)}
        elif isinstance(v, float):
            val = {"doubleValue": v}
        else:
            val = {"stringValue": str(v)}
        out.append({"key": k, "value": val})
    return out


def hist(name, unit, bounds, samples, attributes, now):
    counts = [0] * (len(bounds) + 1)
    for s in samples:
        i = next((j for j, b in enumerate(bounds) if s <= b), len(bounds))
        counts[i] += 1
    return {
        "name": name,
        "unit": unit,
        "description": name,
        "histogram": {
            "aggregationTemporality": 2,
            "dataPoints": [
                {
                    "attributes": attrs(attributes),
                    "startTimeUnixNano": str(START_NS),
                    "timeUnixNano": str(now),
                    "count": str(len(samples)),
                    "sum": float(sum(samples)),
                    "bucketCounts": [str(c) for c in counts],
                    "explicitBounds": bounds,
                }
            ],
        },
    }


def counter(name, unit, points, now):
    return {
        "name": name,
        "unit": unit,
        "description": name,
        "sum": {
            "aggregationTemporality": 2,
            "isMonotonic": True,
            "dataPoints": [
                {
                    "attributes": attrs(a),
                    "startTimeUnixNano": str(START_NS),
                    "timeUnixNano": str(now),
                    "asInt": str(v),
                }
                for a, v in points
            ],
        },
    }


def gauge(name, unit, points, now):
    return {
        "name": name,
        "unit": unit,
        "description": name,
        "gauge": {
            "dataPoints": [
                {"attributes": attrs(a), "timeUnixNano": str(now), "asDouble": float(v)}
                for a, v in points
            ]
        },
    }


def payload(rnd):
    now = time.time_ns()
    n = 10 * rnd  # cumulative request count grows with every round
    latencies = [0.4 + (i % 7) * 0.3 for i in range(n)]
    call_in = dict(CALL, **{"gen_ai.token.type": "input"})
    call_out = dict(CALL, **{"gen_ai.token.type": "output"})
    metrics = [
        hist("llm_inference_latency_seconds", "s", LATENCY_BOUNDS, latencies, CALL, now),
        counter("llm_token_generation_rate_total", "{token}", [(call_out, 150 * n)], now),
        hist("llm_request_token_count", "{token}", TOKEN_BOUNDS, [120] * n, call_in, now),
        counter(
            "llm_error_rate_total",
            "{error}",
            [
                (dict(CALL, **{"error.type": "rate_limit"}), rnd),
                (dict(CALL, **{"error.type": "connection"}), 0),
            ],
            now,
        ),
        gauge("llm_response_quality_score", "{score}", [(CALL, 0.87)], now),
        hist("llm_summarization_length", "{token}", TOKEN_BOUNDS, [300] * n, CALL, now),
        counter("llm_intent_parsing_accuracy_total", "{measurement}", [(CALL, n)], now),
        gauge("llm_model_version", "{version}", [(CALL, 3)], now),
        gauge("llm_model_deployed_at_seconds", "s", [(CALL, 1_735_689_600)], now),
        hist("llm_time_to_first_token_seconds", "s", LATENCY_BOUNDS, [0.2] * n, CALL, now),
        hist("llm_time_per_output_token_seconds", "s", LATENCY_BOUNDS, [0.02] * n, CALL, now),
        gauge("llm_model_up", "{up}", [(CALL, 1)], now),
    ]
    return {
        "resourceMetrics": [
            {
                "resource": {"attributes": attrs(RESOURCE)},
                "scopeMetrics": [
                    {"scope": {"name": "@llm-otel/sdk", "version": "0.0.0"}, "metrics": metrics}
                ],
            }
        ]
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", default="http://127.0.0.1:4318", help="OTLP/HTTP base URL")
    ap.add_argument("--round", type=int, default=1, help="export number (>=1); values grow with it")
    ap.add_argument("--instance", default=RESOURCE["service.instance.id"], help="service.instance.id")
    args = ap.parse_args()
    RESOURCE["service.instance.id"] = args.instance
    body = json.dumps(payload(args.round)).encode()
    req = urllib.request.Request(
        args.endpoint.rstrip("/") + "/v1/metrics",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = resp.read().decode(errors="replace")
            print(f"send_otlp: HTTP {resp.status} {answer or '{}'}")
            # A partialSuccess with rejected points means the collector dropped data.
            if answer and json.loads(answer).get("partialSuccess", {}).get("rejectedDataPoints"):
                sys.exit("send_otlp: collector rejected data points")
    except urllib.error.URLError as e:
        sys.exit(f"send_otlp: POST failed: {e}")


if __name__ == "__main__":
    main()
