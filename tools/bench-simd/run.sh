#!/usr/bin/env bash
# Flow training throughput with the host SIMD twins off and on (`--simd off | auto`), alternately in one run, and the
# PyTorch peer (peer_torch.py) where Debian's python3-torch is importable. The tutorial model (`latticeflow train`
# defaults: 16 affine couplings, conv 1 -> 8 -> 8 -> 2, 3 x 3) at m2 = -4, lam = 8, L = 8, 16, 32 and batch 64 and 256.
# Steps/s are timed from history.csv after the first 10 steps (step 0 carries the JIT: ~0.5 s); PyTorch times a quarter
# of the steps after 5 warm-up steps. Batch 256 runs a quarter of batch 64's steps (same samples per run). The machine is
# shared and its speed drifts: compare the ratios of paired runs (seconds apart, same round), and read the load printed
# before and after.
# usage: tools/bench-simd/run.sh [rounds (default 2)] [--batches 64,256] [--paths off,auto] [--torch-threads '1 2'] [--quick]
#   --quick: batch 256 only, --simd auto only (no bodies), and PyTorch with 1 thread only: the shortest run that gives
#            the batch-256 ratio auto / PyTorch.                                              (needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=bin/latticeflow
rounds=2 batches=64,256 paths=off,auto torch_threads="1 2"
while [ $# -gt 0 ]; do
  case $1 in
    --batches) batches=$2; shift 2 ;;
    --paths) paths=$2; shift 2 ;;
    --torch-threads) torch_threads=${2//,/ }; shift 2 ;;
    --quick) batches=256 paths=auto torch_threads=1; shift ;;
    [0-9]*) rounds=$1; shift ;;
    *) echo "usage: $0 [rounds] [--batches 64,256] [--paths off,auto] [--torch-threads 1,2] [--quick]" >&2; exit 2 ;;
  esac
done
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
steps() { # L batch -> LatticeFlow steps (>= 14: 10 are skipped before timing)
  local n; case $1 in 8) n=200 ;; 16) n=80 ;; *) n=30 ;; esac
  n=$((n * 64 / $2)); [ "$n" -ge 14 ] || n=14; echo "$n"; }
have_torch=0
if "$PY" -c 'import torch' 2>/dev/null; then have_torch=1; fi

echo "# bench-simd: $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git rev-parse --short HEAD)"
echo "# CPU flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' ')"
echo "# batches $batches, paths $paths, PyTorch threads $torch_threads, $rounds round(s)"
echo "# load before: $(uptime)"
printf '%-6s %-5s %-4s %-8s %-10s %s\n' round batch L path steps/s recorded
for r in $(seq "$rounds"); do
  for B in ${batches//,/ }; do
    for L in 8 16 32; do
      n=$(steps "$L" "$B")
      for simd in ${paths//,/ }; do
        out="$tmp/$simd-$L-$B"
        "$CLI" train --L "$L" --m2 -4 --lam 8 --batch "$B" --steps "$n" --eval 0 --device cpu --simd "$simd" --quiet --force --out "$out" > /dev/null
        "$PY" - "$out" "$r" "$B" "$L" "$simd" <<'PY'
import csv, json, sys
out, r, B, L, simd = sys.argv[1:]
rows = list(csv.DictReader(open(out + "/history.csv")))
t = [float(x["seconds"]) for x in rows]
rate = (len(t) - 10) / (t[-1] - t[9])
path = json.load(open(out + "/train.json"))["simd"]
print(f"{r:<6} {B:<5} {L:<4} {simd:<8} {rate:<10.2f} {path}")
PY
      done
      if [ "$have_torch" = 1 ]; then
        tn=$((n / 4)); [ "$tn" -ge 3 ] || tn=3
        for th in $torch_threads; do
          s=$("$PY" tools/bench-simd/peer_torch.py --L "$L" --batch "$B" --steps "$tn" --warmup 5 --threads "$th" | sed -n 's/.*steps_per_s=\([0-9.]*\).*/\1/p')
          printf '%-6s %-5s %-4s %-8s %-10s %s\n' "$r" "$B" "$L" "torch-$th" "$s" "PyTorch $th thread(s)"
        done
      fi
    done
  done
done | tee "$tmp/table"
echo "# load after: $(uptime)"
[ "$have_torch" = 1 ] || echo "# PyTorch: not importable with $PY (Debian: apt-get install python3-torch); peer skipped"
# Ratios per round (paired: the runs of one round are seconds apart), then their mean over rounds.
echo "# ratios (per round; mean over rounds)"
awk '$1 ~ /^[0-9]+$/ { v[$1" "$2" "$3" "$4] = $5; K[$2" "$3] = 1; if ($1 > nr) nr = $1 }
  END {
    for (k in K) {
      split(k, bl, " "); line = sprintf("B=%-4s L=%-3s", bl[1], bl[2])
      sa = 0; n = 0; st = 0; nt = 0; s1 = 0; n1 = 0; la = ""; lt = ""
      for (r = 1; r <= nr; r++) {
        a = v[r" "k" auto"]; o = v[r" "k" off"]
        if (a > 0 && o > 0) { sa += a / o; n++; la = la sprintf(" %.2f", a / o) }
        t = v[r" "k" torch-1"]; if (v[r" "k" torch-2"] > t) t = v[r" "k" torch-2"]
        if (a > 0 && t > 0) { st += a / t; nt++; lt = lt sprintf(" %.2f", a / t) }
        if (a > 0 && v[r" "k" torch-1"] > 0) { s1 += a / v[r" "k" torch-1"]; n1++ } }
      if (n > 0) line = line sprintf("  auto/off:%s (mean %.2f)", la, sa / n)
      if (nt > 0) line = line sprintf("  auto/best-torch:%s (mean %.2f)", lt, st / nt)
      if (n1 > 0) line = line sprintf("  auto/torch-1: mean %.2f", s1 / n1)
      print line } }' "$tmp/table" | sort -V
