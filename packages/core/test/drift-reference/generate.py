"""Generates ks-reference.json, the SciPy reference values for test/drift-ks.test.ts.

Run (SciPy is a test-time reference only; @llm-otel/core never depends on it):

    python3 -m venv /tmp/scipy-venv && /tmp/scipy-venv/bin/pip install scipy numpy
    /tmp/scipy-venv/bin/python packages/core/test/drift-reference/generate.py
    pnpm exec biome format --write packages/core/test/drift-reference/ks-reference.json

The samples are drawn once with a fixed seed, rounded to 3 decimals (which also creates ties) and
stored in the JSON next to the statistics, so the TypeScript test reads the very same numbers.
"""

import json
import pathlib
import warnings

import numpy as np
import scipy
from scipy import special, stats

rng = np.random.default_rng(20240501)


def sample(kind, n, shift=0.0, scale=1.0):
    if kind == "normal":
        x = rng.normal(shift, scale, n)
    elif kind == "lognormal":
        x = rng.lognormal(np.log(300) + shift, 0.5 * scale, n)
    elif kind == "tokens":
        x = np.floor(rng.lognormal(np.log(120) + shift, 0.6, n))
    else:
        raise ValueError(kind)
    return [float(v) for v in np.round(x, 3)]


CASES = [
    ("equal-8", "normal", 8, 8, 0.0),
    ("unequal-10-7", "normal", 10, 7, 0.5),
    ("ties-tokens-40-30", "tokens", 40, 30, 0.0),
    ("shifted-60-45", "normal", 60, 45, 0.8),
    ("null-200-150", "normal", 200, 150, 0.0),
    ("shift-200-150", "normal", 200, 150, 0.3),
    ("tokens-300-100", "tokens", 300, 100, 0.2),
    ("latency-500-500", "lognormal", 500, 500, 0.05),
    ("latency-500-500-far", "lognormal", 500, 500, 0.4),
    ("tokens-500-250", "tokens", 500, 250, 0.1),
    ("latency-1000-500", "lognormal", 1000, 500, 0.02),
    ("latency-1000-700", "lognormal", 1000, 700, 0.08),
    ("null-2000-1500", "normal", 2000, 1500, 0.0),
    ("identical", "normal", 50, 50, 0.0),
]

ks_cases = []
for name, kind, n1, n2, shift in CASES:
    a = sample(kind, n1)
    b = a[:] if name == "identical" else sample(kind, n2, shift)
    case = {"name": name, "a": a, "b": b}
    for method in ("exact", "asymp"):
        r = stats.ks_2samp(a, b, method=method)
        case[method] = {"statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    # One-sided: alternative 'greater' (D+ = max(F_a - F_b)) and 'less' (D- = max(F_b - F_a)). SciPy's
    # one-sided exact method counts paths in floating point and falls back to asymp (with a warning)
    # when C(n1 + n2, n1) overflows: such values are not exact and are left out.
    one_sided = []
    for alternative in ("greater", "less"):
        for method in ("exact", "asymp"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                r = stats.ks_2samp(a, b, alternative=alternative, method=method)
            if any("Switching to" in str(w.message) for w in caught):
                continue
            one_sided.append(
                {"alternative": alternative, "method": method, "statistic": float(r.statistic), "pvalue": float(r.pvalue)}
            )
    case["one_sided"] = one_sided
    ks_cases.append(case)

# The one-sample two-sided Kolmogorov distribution Pr(D_n >= x) (scipy.stats.kstwo.sf), on a grid
# that reaches every branch of scipy's Simard-L'Ecuyer selection (Ruben-Gambino, Durbin/MTW,
# Pomeranz, Pelz-Good, 2 * smirnov), and the one-sided scipy.special.smirnov(n, x).
kolmogorov = []
smirnov = []
for n in (1, 2, 5, 17, 50, 100, 140, 141, 250, 333, 1000, 2500, 10000):
    for x in (0.0, 0.001, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.13, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95, 1.0):
        kolmogorov.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
        smirnov.append({"n": n, "x": x, "sf": float(special.smirnov(n, x))})
    for t in (0.4, 0.75, 1.0, 1.5, 3.0):  # x = t / n: the Ruben-Gambino and small-d region
        x = t / n
        if x <= 1:
            kolmogorov.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})

out = {
    "generator": f"scipy {scipy.__version__}, numpy {np.__version__}: see generate.py",
    "ks_2samp": ks_cases,
    "kstwo_sf": kolmogorov,
    "smirnov": smirnov,
}
path = pathlib.Path(__file__).with_name("ks-reference.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}: {len(ks_cases)} ks_2samp cases, {len(kolmogorov)} kstwo.sf and {len(smirnov)} smirnov values")
