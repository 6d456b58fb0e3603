#!/usr/bin/env bash
# Times `latticeflow analyze` on one run of N configurations (default 10^7; issue 12 asks for well under a minute and
# under 2 GB), as a user would meet it: a Metropolis run at L = 8 without fields (a 1.3 GB measurements.csv and a
# 640 MB timeslices.npy), made once and kept in $DIR. Prints wall time and peak resident memory (GNU time).
# Usage: tools/bench-analyze/run.sh [N] [DIR]    (make build first)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10000000}
dir=${2:-runs/bench-analyze-$n}
if [ ! -f "$dir/meta.json" ] || ! grep -q '"status": "complete"' "$dir/meta.json"; then
  echo "making the run ($n configurations, a few minutes)..."
  bin/latticeflow sample --algo metropolis --L 8 --m2 -4 --lam 8 --n "$n" --therm 1000 --no-fields --seed 1 --quiet --out "$dir" ${RESUME:+--resume} > /dev/null
fi
ls -l "$dir"/measurements.csv "$dir"/timeslices.npy
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }
/usr/bin/time -f "analyze: %e s wall, %M KB peak resident" bin/latticeflow analyze "$dir" --out "$dir/analysis" > "$dir/analyze.log"
tail -3 "$dir/analyze.log"
