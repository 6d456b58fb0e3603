#!/usr/bin/env bash
# Flow training throughput with the host SIMD twins off and on (`--simd off | auto`), alternately in one run, and the
# PyTorch peer (peer_torch.py) where Debian's python3-torch is importable. The tutorial model (`latticeflow train`
# defaults: 16 affine couplings, conv 1 -> 8 -> 8 -> 2, 3 x 3, batch 64) at m2 = -4, lam = 8 and L = 8, 16, 32.
# Steps/s are timed from history.csv after the first 10 steps (step 0 carries the JIT: ~0.5 s). The machine is shared
# and its speed drifts: compare the ratios of paired runs, and read the load printed before and after.
# usage: tools/bench-simd/run.sh [rounds (default 2)]   (needs `make build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
CLI=bin/latticeflow
rounds=${1:-2}
PY=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
steps() { case $1 in 8) echo 200 ;; 16) echo 80 ;; *) echo 30 ;; esac; }
have_torch=0
if "$PY" -c 'import torch' 2>/dev/null; then have_torch=1; fi

echo "# bench-simd: $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(git rev-parse --short HEAD)"
echo "# CPU flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' ')"
echo "# load before: $(uptime)"
printf '%-6s %-4s %-8s %-10s %s\n' round L path steps/s recorded
for r in $(seq "$rounds"); do
  for L in 8 16 32; do
    n=$(steps "$L")
    for simd in off auto; do
      out="$tmp/$simd-$L"
      "$CLI" train --L "$L" --m2 -4 --lam 8 --steps "$n" --eval 0 --device cpu --simd "$simd" --quiet --force --out "$out" > /dev/null
      "$PY" - "$out" "$r" "$L" "$simd" <<'PY'
import csv, json, sys
out, r, L, simd = sys.argv[1:]
rows = list(csv.DictReader(open(out + "/history.csv")))
t = [float(x["seconds"]) for x in rows]
rate = (len(t) - 10) / (t[-1] - t[9])
path = json.load(open(out + "/train.json"))["simd"]
print(f"{r:<6} {L:<4} {simd:<8} {rate:<10.2f} {path}")
PY
    done
    if [ "$have_torch" = 1 ]; then
      for th in 1 2; do
        s=$("$PY" tools/bench-simd/peer_torch.py --L "$L" --steps $((n / 4)) --warmup 5 --threads "$th" | sed -n 's/.*steps_per_s=\([0-9.]*\).*/\1/p')
        printf '%-6s %-4s %-8s %-10s %s\n' "$r" "$L" "torch-$th" "$s" "PyTorch $th thread(s)"
      done
    fi
  done
done | tee "$tmp/table"
echo "# load after: $(uptime)"
[ "$have_torch" = 1 ] || echo "# PyTorch: not importable with $PY (Debian: apt-get install python3-torch); peer skipped"
# Ratios per round (paired: the runs of one round are seconds apart), then their mean over rounds.
awk '$1 ~ /^[0-9]+$/ { v[$1" "$2" "$3] = $4; L[$2] = 1; R[$1] = 1 }
  END {
    print "# ratios (per round; mean over rounds)"
    for (l in L) {
      line = sprintf("L=%-3s auto/off:", l); sa = 0; st = 0; nt = 0; n = 0
      for (r in R) { a = v[r" "l" auto"] / v[r" "l" off"]; sa += a; n++; line = line sprintf(" %.2f", a)
        t = v[r" "l" torch-1"]; if (v[r" "l" torch-2"] > t) t = v[r" "l" torch-2"]
        if (t > 0) { st += v[r" "l" auto"] / t; nt++ } }
      line = line sprintf(" (mean %.2f)", sa / n)
      if (nt > 0) line = line sprintf("   auto/best-torch: mean %.2f", st / nt)
      print line } }' "$tmp/table" | sort -t= -k2n
