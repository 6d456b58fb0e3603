#!/usr/bin/env python3
"""Acceptance against L of the flows of several sweeps on one figure: each sweep's trained flow on fresh proposals
(train.json's evaluation, summary.csv column training_acceptance) and its flow MH chain (column acceptance).

    tools/flow-scaling/plot.py OUT.png tutorial=runs/flow-scaling spectrum=runs/flow-scaling-spectrum

Needs matplotlib (Debian: apt-get install python3-matplotlib).
"""
import csv, os, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def flow_rows(path):
    with open(os.path.join(path, "summary.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["algorithm"] == "flow"]
    return sorted(rows, key=lambda r: int(r["L"]))


def main(out, sweeps):
    fig, ax = plt.subplots(figsize=(8, 5))
    for i, arg in enumerate(sweeps):
        label, path = arg.split("=", 1)
        rows = flow_rows(path)
        ls = [int(r["L"]) for r in rows]
        colour = f"C{i}"
        ax.plot(ls, [float(r["training_acceptance"]) for r in rows], "o--", color=colour, mfc="none", label=f"{label}: trained flow, fresh proposals")
        ax.plot(ls, [float(r["acceptance"]) for r in rows], "o-", color=colour, label=f"{label}: flow MH")
    ax.set_xscale("log")
    sizes = sorted({int(r["L"]) for arg in sweeps for r in flow_rows(arg.split("=", 1)[1])})
    ax.set_xticks(sizes)
    ax.set_xticklabels([str(l) for l in sizes])
    ax.minorticks_off()
    ax.set_ylim(0, 1)
    ax.set_xlabel("L (log scale)")
    ax.set_ylabel("acceptance")
    ax.set_title("Flow acceptance against L")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
