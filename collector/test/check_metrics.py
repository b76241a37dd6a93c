#!/usr/bin/env python3
"""Check that llm-otel metrics come out of otelcol-llm with exactly the spec's names.

  check_metrics.py exposition URL INSTANCE      # the agent's prometheus exporter /metrics
  check_metrics.py prometheus URL INSTANCE      # series stored in a Prometheus (scrape or remote write)
  check_metrics.py rules URL JOB                # recording rules evaluated on that data
  check_metrics.py selfmetrics URL NAME...      # collector self-telemetry has NAME(s) with value > 0

Standard library only. Prints one line per check and exits 1 on any failure.
"""

import json
import re
import sys
import urllib.parse
import urllib.request

# Instrument name -> Prometheus type. Names are what the SDK registers.
INSTRUMENTS = {
    "llm_inference_latency_seconds": "histogram",
    "llm_token_generation_rate_total": "counter",
    "llm_request_token_count": "histogram",
    "llm_error_rate_total": "counter",
    "llm_response_quality_score": "gauge",
    "llm_summarization_length": "histogram",
    "llm_intent_parsing_accuracy_total": "counter",
    "llm_model_version": "gauge",
    "llm_model_deployed_at_seconds": "gauge",
    "llm_time_to_first_token_seconds": "histogram",
    "llm_time_per_output_token_seconds": "histogram",
    "llm_model_up": "gauge",
}

EXPECTED_SAMPLE_NAMES = set()
for _n, _t in INSTRUMENTS.items():
    if _t == "histogram":
        EXPECTED_SAMPLE_NAMES |= {_n + "_bucket", _n + "_sum", _n + "_count"}
    else:
        EXPECTED_SAMPLE_NAMES.add(_n)

# Labels every llm_* series must carry (from the GenAI attributes and resource).
REQUIRED_LABELS = {
    "job": "llm-otel-e2e",
    "service_name": "llm-otel-e2e",
    "service_version": "1.2.3",
    "deployment_environment_name": "test",
    "gen_ai_provider_name": "openai",
    "gen_ai_operation_name": "chat",
    "gen_ai_request_model": "gpt-4o-mini",
    "gen_ai_response_model": "gpt-4o-mini-2024-07-18",
    "server_address": "api.openai.com",
}
PER_METRIC_LABELS = {
    "llm_request_token_count": "gen_ai_token_type",
    "llm_token_generation_rate_total": "gen_ai_token_type",
    "llm_error_rate_total": "error_type",
}
# Resource attributes that must stay on target_info only.
FORBIDDEN_LABELS = {
    "process_pid",
    "host_name",
    "telemetry_sdk_name",
    "telemetry_sdk_language",
    "telemetry_sdk_version",
}

failures = 0


def check(ok, what):
    global failures
    print(("  ok   " if ok else "  FAIL ") + what)
    if not ok:
        failures += 1


def get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read().decode()


def base_name(sample):
    for suf in ("_bucket", "_sum", "_count"):
        if sample.endswith(suf) and INSTRUMENTS.get(sample[: -len(suf)]) == "histogram":
            return sample[: -len(suf)]
    return sample


LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    types, samples = {}, []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(None, 3)
            types[name] = typ
        elif line and not line.startswith("#"):
            m = LINE.match(line)
            if m:
                samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), m.group(3)))
    return types, samples


def check_series_labels(name, labels, instance):
    want = dict(REQUIRED_LABELS, instance=instance)
    missing = {k: v for k, v in want.items() if labels.get(k) != v}
    extra = FORBIDDEN_LABELS & labels.keys()
    need = PER_METRIC_LABELS.get(base_name(name))
    ok = not missing and not extra and (need is None or need in labels)
    detail = f"missing/wrong {missing} " if missing else ""
    detail += f"forbidden {sorted(extra)} " if extra else ""
    detail += f"no {need} " if need and need not in labels else ""
    return ok, detail


def exposition(url, instance):
    text = get(url)
    types, samples = parse_exposition(text)
    names = {n for n, _, _ in samples if n.startswith("llm_")}
    check(names == EXPECTED_SAMPLE_NAMES, f"{len(EXPECTED_SAMPLE_NAMES)} exact sample names at {url}")
    for n in sorted(names - EXPECTED_SAMPLE_NAMES):
        print(f"         unexpected name: {n}")
    for n in sorted(EXPECTED_SAMPLE_NAMES - names):
        print(f"         missing name:    {n}")
    check(
        not any(re.search(r"_total_total|_ratio$|_seconds_seconds", n) for n in names),
        "no doubled _total, no _ratio, no doubled unit suffix",
    )
    for inst, typ in INSTRUMENTS.items():
        check(types.get(inst) == typ, f"# TYPE {inst} {typ} (got {types.get(inst)})")
    bad = []
    for n, labels, _ in samples:
        if n.startswith("llm_"):
            ok, detail = check_series_labels(n, labels, instance)
            if not ok:
                bad.append(f"{n}: {detail}")
    check(not bad, "every llm_* series has GenAI + job/instance/service_* labels and no process/host/sdk labels")
    for b in bad[:5]:
        print("         " + b)
    ti = [lab for n, lab, _ in samples if n == "target_info" and lab.get("instance") == instance]
    check(bool(ti) and ti[0].get("process_pid") == "4242", "other resource attributes are on target_info")
    # Prometheus >= 2.5 negotiates OpenMetrics; the exporter must still serve the same names.
    om_types, om_samples = parse_exposition(get(url, "application/openmetrics-text;version=1.0.0"))
    om_names = {n for n, _, _ in om_samples if n.startswith("llm_")}
    check(om_names == EXPECTED_SAMPLE_NAMES, "same names when scraped with an OpenMetrics Accept header")


def prom_query(url, q):
    data = json.loads(get(url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": q})))
    return data["data"]["result"]


def prometheus(url, instance):
    q = '{__name__=~"llm_.+",instance="%s"}' % instance
    data = json.loads(get(url.rstrip("/") + "/api/v1/series?" + urllib.parse.urlencode({"match[]": q})))
    series = data["data"]
    names = {s["__name__"] for s in series}
    check(names == EXPECTED_SAMPLE_NAMES, f"Prometheus stores exactly the {len(EXPECTED_SAMPLE_NAMES)} names for instance={instance}")
    for n in sorted(names ^ EXPECTED_SAMPLE_NAMES):
        print(f"         {'unexpected' if n in names else 'missing'}: {n}")
    bad = []
    for s in series:
        ok, detail = check_series_labels(s["__name__"], s, instance)
        if not ok:
            bad.append(f"{s['__name__']}: {detail}")
    check(not bad, "stored series carry the expected labels and no process/host/sdk labels")
    for b in bad[:5]:
        print("         " + b)


def rules(url, job):
    for rec in (
        "job_provider_model:llm_inference_latency_seconds:p95_5m",
        "job_provider_model:llm_requests:rate5m",
        "job_provider_model:llm_errors_per_request:ratio_rate5m",
    ):
        res = prom_query(url, '%s{job="%s"}' % (rec, job))
        vals = [float(r["value"][1]) for r in res]
        check(bool(vals) and all(v == v and v >= 0 for v in vals), f"recording rule {rec} has a value: {vals}")


def selfmetrics(url, names):
    _, samples = parse_exposition(get(url))
    for want in names:
        total = sum(float(v) for n, _, v in samples if n == want)
        check(total > 0, f"collector self-metric {want} = {total:g}")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, url, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"exposition": lambda: exposition(url, rest[0]),
     "prometheus": lambda: prometheus(url, rest[0]),
     "rules": lambda: rules(url, rest[0]),
     "selfmetrics": lambda: selfmetrics(url, rest)}[mode]()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
