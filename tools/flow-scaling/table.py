#!/usr/bin/env python3
"""The flow-scaling study's table: per L and flow sweep, the trained flow on fresh proposals (acceptance, ESS per
proposal, Pareto k), its training (steps, seconds), flow MH's acceptance and tau_int(chi2), and flow MH against HMC
on chi2, E and m_p L (pulls in units of the combined error). Markdown on stdout.

    tools/flow-scaling/table.py runs/flow-scaling runs/flow-scaling-spline

Each argument is a sweep directory (its summary.csv); HMC rows are taken from the same sweep.
"""
import csv, math, os, sys


def rows(path):
    with open(os.path.join(path, "summary.csv")) as f:
        return list(csv.DictReader(f))


def num(x):
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def pull(a, b, quantity):
    va, ea, vb, eb = num(a[quantity]), num(a[quantity + "_err"]), num(b[quantity]), num(b[quantity + "_err"])
    if None in (va, ea, vb, eb) or ea + eb == 0:
        return "–"
    return f"{(va - vb) / math.hypot(ea, eb):+.1f}"


def fmt(x, digits=3):
    v = num(x)
    return "–" if v is None else f"{v:.{digits}f}"


print("| sweep | L | eval acceptance | eval ESS | eval k̂ | steps | train s | MH acceptance | MH τ(χ₂) | MH k̂ | pull χ₂ | pull E | pull m_p·L |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for sweep in sys.argv[1:]:
    table = rows(sweep)
    hmc = {r["L"]: r for r in table if r["algorithm"] == "hmc"}
    for r in (r for r in table if r["algorithm"] == "flow"):
        h = hmc.get(r["L"])
        tau = f"{fmt(r['tau_chi2'], 1)} ± {fmt(r['dtau_chi2'], 1)}"
        flags = (" (heavy-tailed)" if r["heavy_tailed"] == "1" else "") + ("" if r["reliable"] == "1" else " (N < 50 τ)")
        print(f"| {os.path.basename(sweep.rstrip('/'))} | {r['L']} | {fmt(r['training_acceptance'])} | {fmt(r['training_ess'])} | "
              f"{fmt(r['training_pareto_k'], 2)} | {r['training_steps']} | {fmt(r['training_seconds'], 0)} | {fmt(r['acceptance'])} | "
              f"{tau}{flags} | {fmt(r['pareto_k'], 2)} | "
              + " | ".join(pull(r, h, q) if h else "–" for q in ("chi2", "E", "mpL")) + " |")
