#!/usr/bin/env python3
"""CPU seconds per configuration of one chain on one thread, for comparing samplers on a machine shared with other jobs.

Wall-clock times on a loaded machine say more about the load than about the sampler; the CPU time a single-threaded run
is charged varies far less. For each sampler and lattice size at the albergo2019/extended couplings (m2 = -4, m_p L ~ 4)
it runs `latticeflow sample --threads 1 --no-fields` twice, with N/5 and N configurations, and takes the difference of
their user + system CPU seconds over the extra configurations, which cancels start-up, JIT and thermalisation; the
smallest of three such differences is reported (load only ever adds time).

    tools/cpu-per-config/cpu_per_config.py 8,14,32,64 cluster cluster:8 hmc metropolis

A sampler "cluster:n" is the cluster hybrid with --clusters n. Output: one line per sampler and size.
"""
import os, resource, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.environ.get("LATTICEFLOW", os.path.join(ROOT, "bin", "latticeflow"))
LAMBDA = {6: 6.975, 8: 6.008, 10: 5.550, 12: 5.276, 14: 5.113, 20: 4.807, 32: 4.572, 64: 4.398}


def cpu_seconds(args, n, out):
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([CLI, "sample", *args, "--n", str(n), "--therm", "200", "--threads", "1", "--no-fields", "--quiet",
                    "--seed", "1", "--out", out], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def per_configuration(args, n, out, repeats=3):
    return min((cpu_seconds(args, n, out) - cpu_seconds(args, n // 5, out)) / (n - n // 5) for _ in range(repeats))


def main():
    sizes = [int(x) for x in sys.argv[1].split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        for spec in sys.argv[2:]:
            algo, *clusters = spec.split(":")
            for l in sizes:
                # About 1.5e7 site updates per run (HMC: a quarter of that, each update is 10 steps).
                n = max(2000, int(1.5e7 / (l * l) / (4 if algo == "hmc" else 1)))
                args = ["--algo", algo, "--L", str(l), "--m2", "-4", "--lam", str(LAMBDA[l])] + (["--clusters", clusters[0]] if clusters else [])
                print(f"{spec} L={l} cpu_seconds_per_config={per_configuration(args, n, os.path.join(tmp, 'run')):.4g}", flush=True)


if __name__ == "__main__":
    main()
