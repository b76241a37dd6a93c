"""Generates ab-reference.json, the SciPy reference values for test/ab-statistics.test.ts.

Run with the MLflow venv of `pnpm mlflow:setup` (it has SciPy; @llm-otel/core never depends on it):

    ~/.cache/llm-otel/mlflow-venv/bin/python packages/core/test/ab-reference/generate.py
    pnpm exec biome format --write packages/core/test/ab-reference/ab-reference.json

The samples are drawn once with a fixed seed, rounded (which also creates ties) and stored in the
JSON next to the results, so the TypeScript test reads the very same numbers.
"""

import json
import math
import pathlib

import numpy as np
import scipy
from scipy import special, stats

rng = np.random.default_rng(20261130)


def sample(kind, n, shift=0.0):
    if kind == "normal":
        x = rng.normal(shift, 1.0, n)
        digits = 4
    elif kind == "latency":
        x = rng.lognormal(np.log(0.3) + shift, 0.5, n)
        digits = 4
    elif kind == "quality":
        x = np.clip(rng.normal(0.7 + shift, 0.15, n), 0, 1)
        digits = 2
    elif kind == "likert":
        x = rng.integers(1, 6, n) + (rng.random(n) < shift)
        digits = 0
    else:
        raise ValueError(kind)
    return [float(v) for v in np.round(x, digits)]


def hedges_g(a, b):
    na, nb = len(a), len(b)
    df = na + nb - 2
    sp = math.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / df)
    d = (np.mean(a) - np.mean(b)) / sp
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    return float(d), float(d * j)


CASES = [
    ("normal-5-7", "normal", 5, 7, 0.8),
    ("normal-20-20-null", "normal", 20, 20, 0.0),
    ("latency-30-40", "latency", 30, 40, 0.3),
    ("latency-200-150", "latency", 200, 150, 0.05),
    ("latency-500-500-far", "latency", 500, 500, 0.5),
    ("latency-1000-800-null", "latency", 1000, 800, 0.0),
    ("quality-ties-60-50", "quality", 60, 50, -0.1),
    ("quality-ties-300-300", "quality", 300, 300, -0.02),
    ("likert-heavy-ties-40-45", "likert", 40, 45, 0.3),
    ("likert-heavy-ties-400-380", "likert", 400, 380, 0.1),
    ("normal-2000-1500-tiny-p", "normal", 2000, 1500, 0.4),
]

two_sample = []
for name, kind, na, nb, shift in CASES:
    b = sample(kind, nb)
    a = sample(kind, na, shift)
    welch = stats.ttest_ind(a, b, equal_var=False)
    mwu = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True, method="asymptotic")
    d, g = hedges_g(a, b)
    two_sample.append(
        {
            "name": name,
            "a": a,
            "b": b,
            "welch": {
                "statistic": float(welch.statistic),
                "pvalue": float(welch.pvalue),
                "df": float(welch.df),
                "cohens_d": d,
                "hedges_g": g,
            },
            "mannwhitney": {
                "statistic": float(mwu.statistic),
                "pvalue": float(mwu.pvalue),
                "rank_biserial": float(2 * mwu.statistic / (na * nb) - 1),
            },
        }
    )

# The exact Mann-Whitney p-value (no ties): the sizes `auto` computes exactly, and larger ones asked for.
EXACT = [(3, 4, 1.5), (5, 7, 0.8), (8, 8, 0.0), (2, 10, 1.0), (6, 3, -1.2), (8, 20, 0.5), (12, 15, 0.3), (25, 40, 0.4)]
mannwhitney_exact = []
for na, nb, shift in EXACT:
    b = [float(v) for v in np.round(rng.normal(0, 1, nb), 6)]
    a = [float(v) for v in np.round(rng.normal(shift, 1, na), 6)]
    assert len(set(a + b)) == na + nb, "ties"
    r = stats.mannwhitneyu(a, b, alternative="two-sided", method="exact")
    auto = stats.mannwhitneyu(a, b, alternative="two-sided")
    mannwhitney_exact.append(
        {"a": a, "b": b, "statistic": float(r.statistic), "pvalue": float(r.pvalue), "auto_pvalue": float(auto.pvalue)}
    )

PROPORTIONS = [
    (3, 40, 1, 45),
    (12, 100, 4, 100),
    (50, 1000, 48, 1000),
    (200, 1000, 20, 1000),
    (0, 30, 5, 30),
    (7, 7, 3, 10),
    (1, 5000, 2, 4000),
    (900, 1000, 910, 1000),
]
proportions = []
for xa, na, xb, nb in PROPORTIONS:
    table = [[xa, na - xa], [xb, nb - xb]]
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    pa, pb = xa / na, xb / nb
    proportions.append(
        {
            "successes_a": xa,
            "trials_a": na,
            "successes_b": xb,
            "trials_b": nb,
            "chi2": float(chi2),
            "pvalue": float(p),
            "cohens_h": float(2 * np.arcsin(np.sqrt(pa)) - 2 * np.arcsin(np.sqrt(pb))),
        }
    )

# The distributions themselves, over their ranges (the t degrees of freedom are not whole, as Welch's).
t_sf = [
    {"t": t, "df": df, "sf": float(stats.t.sf(t, df))}
    for t in (-3.0, -0.5, 0.0, 0.1, 1.0, 1.96, 2.5, 4.0, 8.0, 20.0)
    for df in (1.0, 2.5, 7.3, 30.0, 148.6, 2000.0)
]
norm_sf = [{"z": z, "sf": float(stats.norm.sf(z))} for z in (-5.0, -1.0, 0.0, 0.3, 1.0, 1.6449, 2.5, 4.0, 6.0, 9.0)]
betainc = [
    {"x": x, "a": a, "b": b, "value": float(special.betainc(a, b, x))}
    for x in (0.001, 0.2, 0.5, 0.9, 0.999)
    for a, b in ((0.5, 0.5), (1.0, 3.0), (15.0, 0.5), (250.0, 0.5), (2.0, 40.0))
]

out = {
    "generator": f"scipy {scipy.__version__}, numpy {np.__version__}",
    "two_sample": two_sample,
    "mannwhitney_exact": mannwhitney_exact,
    "proportions": proportions,
    "t_sf": t_sf,
    "norm_sf": norm_sf,
    "betainc": betainc,
}
path = pathlib.Path(__file__).with_name("ab-reference.json")
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}")
