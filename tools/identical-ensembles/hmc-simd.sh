#!/usr/bin/env bash
# Host SIMD twins of HMC (issue 16): `sample --algo hmc` with --simd off and --simd auto, threads 1 and 2, leapfrog and
# omelyan, d = 2 and 3, give byte-identical fields.npy, measurements.csv and timeslices.npy; and a run started with
# --simd off resumes with --simd auto into the same bytes as one run with off.
#   tools/identical-ensembles/hmc-simd.sh [BIN] [WORKDIR]
set -uo pipefail
bin=${1:-bin/latticeflow} w=${2:-$(mktemp -d)}; mkdir -p $w
fail=0
cmpf() { for f in fields.npy measurements.csv timeslices.npy; do if cmp -s "$1/$f" "$2/$f"; then echo "identical  $3/$f"; else echo "DIFFERENT  $3/$f"; fail=1; fi; done; }
for integ in leapfrog omelyan; do
  base="--algo hmc --Lx 10 --Ly 18 --m2 -4 --lam 8 --chains 3 --n 120 --therm 30 --integrator $integ --seed 5 --quiet --force"
  for t in 1 2; do
    for simd in off auto; do $bin sample $base --threads $t --simd $simd --out $w/$integ-t$t-$simd >/dev/null || fail=1; done
    cmpf $w/$integ-t$t-off $w/$integ-t$t-auto "$integ t$t off-vs-auto"
  done
  cmpf $w/$integ-t1-off $w/$integ-t2-auto "$integ t1off-vs-t2auto"
done
# above the launcher's inline limit (8192 sites), so two threads really share the launches
bl="--algo hmc --L 64 --m2 -4 --lam 8 --chains 3 --n 20 --therm 5 --seed 3 --quiet --force"
for simd in off auto; do $bin sample $bl --threads 2 --simd $simd --out $w/big-$simd >/dev/null || fail=1; done
$bin sample $bl --threads 1 --simd off --out $w/big-t1-off >/dev/null
cmpf $w/big-off $w/big-auto "L64x3 t2 off-vs-auto"; cmpf $w/big-t1-off $w/big-auto "L64x3 t1off-vs-t2auto"
# 3-d lattice, omelyan
b3="--algo hmc --extents 4,6,10 --m2 -4 --lam 8 --chains 2 --n 80 --therm 20 --integrator omelyan --seed 7 --quiet --force"
$bin sample $b3 --simd off --out $w/d3-off >/dev/null && $bin sample $b3 --simd auto --threads 1 --out $w/d3-auto >/dev/null && cmpf $w/d3-off $w/d3-auto "d3 off-vs-auto" || echo "d3 skipped/failed"
# resume: 60 configurations with --simd off, then continued to 120 with --simd auto, against 120 in one go with off
r="--algo hmc --L 34 --m2 -4 --lam 8 --chains 2 --therm 20 --seed 9 --quiet"
$bin sample $r --n 60 --simd off --out $w/resume --force >/dev/null && $bin sample --resume --n 120 --simd auto --out $w/resume --quiet >/dev/null || fail=1
$bin sample $r --n 120 --simd off --out $w/whole --force >/dev/null
cmpf $w/whole $w/resume "resume off→auto"
exit $fail
