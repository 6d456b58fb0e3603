#!/usr/bin/env bash
# Public C++ phi^4 codes against `latticeflow bench`, the same work in paired alternating rounds (issue 16).
#
# Work unit: 2D phi^4 on an L x L periodic lattice (L = 64, 256) at LatticeFlow's tutorial couplings m2 = -4, lam = 8
# (S = sum_x [sum_mu (phi(x+mu) - phi(x))^2 + m2 phi^2 + lam phi^4], DESIGN.md). Metropolis: one hit per site per sweep,
# figure = site updates per second. HMC: leapfrog, 10 steps per trajectory, figure = ns per site per leapfrog step, from
# the time of whole trajectories (momenta, energies, accept/reject included), as `latticeflow bench` reports them.
# Each peer writes the action with 1/2's (S' = sum [1/2 sum_mu (dphi')^2 + 1/2 m2' phi'^2 + ...]), so phi' = sqrt(2) phi and
#   ujhpc/phi4:                 m^2 = m2, g = 6 lam (g/4! phi'^4), 1/Lambda = 0 (no higher-derivative term), N_HIT = 1
#   ksvenson/newQFE:            msq = m2, lambda = lam / 4 (lambda phi'^4), z = sqrt(2) * 0.5 (LatticeFlow's delta)
#   Matteo294/LatticeSimulations (Phi4_2D HMC): m2 = m2, g = 6 lam, dt = sqrt(2) * 0.05 (times scale with phi), 10 steps
# The peers are single-threaded; LatticeFlow's bench runs 2 threads (B chains) and, with DOTNET_PROCESSOR_COUNT=1, 1
# (then with longer rounds, see lf below).
# Ratios LatticeFlow / peer are printed per round for the total (2 threads against 1), per core (2-thread figure / 2)
# and 1 thread against 1. Load (`uptime`) is printed before and after: on a shared machine only paired ratios mean much.
#
# Sources are not in this repository: ujhpc/phi4 is GPL-3.0-or-later (LatticeFlow does not take GPL code into its tree),
# ksvenson/newQFE and Matteo294/LatticeSimulations state no licence. Pass checkouts of them
# (https://github.com/ujhpc/phi4, https://github.com/ksvenson/newQFE at be1e9d5,
# https://github.com/Matteo294/LatticeSimulations at a604103) with --phi4 DIR, --newqfe DIR and --matteo DIR; phi4's
# two build fixes are applied to a temporary copy (patches/phi4-scalar.patch); a peer without a source is skipped, and
# said so.
#
# usage: tools/peers/run.sh [--rounds 2] [--seconds 1] [--sizes 64,256] [--phi4 DIR] [--newqfe DIR] [--matteo DIR]   (needs `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tools/peers
CLI=$root/bin/latticeflow
rounds=2 seconds=1 sizes=64,256 phi4=${PHI4:-} newqfe=${NEWQFE:-} matteo=${MATTEO:-}
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --phi4) phi4=$2; shift 2 ;;
    --newqfe) newqfe=$2; shift 2 ;;
    --matteo) matteo=$2; shift 2 ;;
    *) sed -n '/^# usage/p' "$0" >&2; exit 2 ;;
  esac
done
[ -x "$CLI" ] || { echo "no $CLI: run make build first" >&2; exit 1; }
M2=-4 LAM=8
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
CXX=${CXX:-g++}
OPT="-O3 -march=native"

echo "# peers: $(date -u +%FT%TZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), LatticeFlow $(git -C "$root" rev-parse --short HEAD)"
echo "# CPU flags: $(grep -m1 flags /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f)$' | tr '\n' ' ')"
echo "# compiler: $($CXX --version | head -1); flags $OPT (+ each project's own, below)"

# ujhpc/phi4: scalar reference (double) and its SIMD variant (SIMD=8: 8 float lanes, AVX2), 2D, one component, one hit.
# Flags as its src/Makefile sets them for g++: -O3 -march=native -ffast-math -funsafe-math-optimizations.
have=()
if [ -n "$phi4" ] && [ -f "$phi4/src/phi4.cpp" ]; then
cp -r "$phi4/src" "$build/phi4"
(cd "$build/phi4" && patch -s -p2 < "$here/patches/phi4-scalar.patch")
P4="$OPT -ffast-math -funsafe-math-optimizations -DDIM=2 -DNCOMP=1 -DN_HIT=1"
if $CXX $P4 -DFLOAT=double -I"$build/phi4" "$build/phi4"/{phi4,sweep,random}.cpp -o "$build/phi4-scalar" -lrt 2> "$build/phi4-scalar.log"; then
  have+=(phi4-scalar); else echo "# ujhpc/phi4 scalar: build failed:"; sed 's/^/#   /' "$build/phi4-scalar.log" | head -5; fi
# The SIMD variant calls Intel SVML's __svml_logf8; glibc's libmvec has the same function (_ZGVdN8v_logf): a shim.
if grep -qw avx2 /proc/cpuinfo && gcc $OPT -c "$here/drivers/svml_logf8_shim.c" -o "$build/shim.o" 2> "$build/phi4-simd.log" &&
   $CXX $P4 -DFLOAT=float -DSIMD=8 -DFAST_INDEXER=1 -I"$build/phi4" "$build/phi4"/{phi4,sweep_simd,random_simd}.cpp "$build/shim.o" \
     -o "$build/phi4-simd8" -lmvec -lrt 2>> "$build/phi4-simd.log"; then
  have+=(phi4-simd8); else echo "# ujhpc/phi4 SIMD=8: not built (needs AVX2 and glibc libmvec):"; sed 's/^/#   /' "$build/phi4-simd.log" | head -5; fi
else echo "# ujhpc/phi4: skipped (GPL-3.0, not vendored): git clone https://github.com/ujhpc/phi4 and pass --phi4 DIR"; fi
if [ -n "$newqfe" ] && [ -f "$newqfe/include/phi4.h" ]; then
  if $CXX $OPT -I/usr/include/eigen3 -I"$newqfe/include" "$here/drivers/newqfe_metropolis.cc" -o "$build/newqfe" 2> "$build/newqfe.log"; then
    have+=(newqfe); else echo "# newQFE: build failed (needs Eigen 3: apt-get install libeigen3-dev):"; sed 's/^/#   /' "$build/newqfe.log" | head -5; fi
else echo "# ksvenson/newQFE: skipped (no licence, not vendored): git clone https://github.com/ksvenson/newQFE and pass --newqfe DIR"; fi
if [ -n "$matteo" ] && [ -f "$matteo/Phi4_2D/Simulators/HMC.cpp" ]; then
  m=$matteo/Phi4_2D
  if $CXX $OPT -std=c++11 -I"$m" "$here/drivers/matteo_hmc.cc" "$m"/Simulators/{HMC,Simulator}.cpp "$m"/Models/{Model,Phi4_2d}.cpp \
       "$m"/Lattices/Lattice.cpp "$m"/Other/other.cpp -o "$build/matteo" 2> "$build/matteo.log"; then
    have+=(matteo); else echo "# Matteo294 Phi4_2D: build failed:"; sed 's/^/#   /' "$build/matteo.log" | head -5; fi
else echo "# Matteo294/LatticeSimulations: skipped (no licence, not vendored): git clone https://github.com/Matteo294/LatticeSimulations and pass --matteo DIR"; fi
echo "# built: ${have[*]:-none}"
has() { [[ " ${have[*]} " == *" $1 "* ]]; }

# One case -> "figure unit": metropolis in updates/s, hmc in ns per site per leapfrog step.
lf() { # threads L -> two lines "metropolis X" and "hmc Y"
  # 1 thread: DOTNET_PROCESSOR_COUNT=1. With one processor the tier-1 recompile of the hot loops lags seconds behind
  # (1-s cases timed tier-0 code: 5x slower Metropolis on 2026-11-29), and turning tiering off instead
  # (DOTNET_TieredCompilation=0) loses dynamic PGO: HMC 1.6x slower, 4.49 against 2.84 ns at L = 64 on 2026-11-30. So
  # the 1-thread case runs 3-s rounds (at least 9 s in all), the best of which runs tier-1 code.
  local env=() s=$seconds; [ "$1" = 1 ] && { env=(DOTNET_PROCESSOR_COUNT=1); s=$(awk -v t="$seconds" 'BEGIN { print (3 * t > 9 ? 3 * t : 9) }'); }
  # One column (--simd auto): "figure … L B value unit", the unit M/s (Metropolis) or ns (HMC).
  env "${env[@]}" "$CLI" bench --simd auto --seconds "$s" --flow-steps 0 --sizes "$2" |
    awk '/^(metropolis site updates|hmc time per site)/ && NF >= 4 { v = $(NF - 1); if ($NF == "M/s") v *= 1e6; else if ($NF != "ns") next; print $1, v }'; }
phi4() { # binary L -> updates/s; probe 0.1 s worth first, then time `seconds`
  local probe=$((200 * 4096 / ($2 * $2) + 1)) s n
  s=$("$build/$1" -v --n-x "$2" --n-y "$2" -t "$probe" -m "$M2" -g $((6 * LAM)) -L 0 2>&1 | sed -n 's/termalisation took \([0-9.e-]*\) s/\1/p')
  n=$(awk -v p="$probe" -v s="$s" -v t="$seconds" 'BEGIN { n = int(p * t / s); print (n < 5 ? 5 : n) }')
  "$build/$1" -v --n-x "$2" --n-y "$2" -t "$n" -m "$M2" -g $((6 * LAM)) -L 0 2>&1 |
    awk '/ns per update/ { printf "%.4g\n", 1e9 / $3 }'; }
run_case() { # name L -> table rows
  local r=$1 name=$2 L=$3 x
  case $name in
    lf2|lf1) lf "${name#lf}" "$L" | while read -r k v; do echo "$r $L $k $name $v"; done ;;
    phi4-scalar|phi4-simd8) echo "$r $L metropolis $name $(phi4 "$name" "$L")" ;;
    newqfe) x=$("$build/newqfe" "$L" "$M2" "$(awk -v l=$LAM 'BEGIN{print l/4}')" 0.70710678 "$seconds")
            echo "$r $L metropolis newqfe $(sed -n 's/.*updates_per_s=\([^ ]*\).*/\1/p' <<< "$x")" ;;
    matteo) x=$("$build/matteo" "$L" "$M2" $((6 * LAM)) 0.070710678 10 "$seconds")
            echo "$r $L hmc matteo $(sed -n 's/.*ns_per_site_step=\([^ ]*\).*/\1/p' <<< "$x")" ;;
  esac; }

cases=(lf2 lf1)
for p in phi4-scalar phi4-simd8 newqfe matteo; do has "$p" && cases+=("$p"); done
echo "# load before: $(uptime)"
echo "# round L kind program figure   (metropolis: updates/s; hmc: ns per site per leapfrog step)"
for r in $(seq "$rounds"); do
  order=("${cases[@]}")
  if [ $((r % 2)) = 0 ]; then order=(); for ((i = ${#cases[@]} - 1; i >= 0; i--)); do order+=("${cases[i]}"); done; fi
  for L in ${sizes//,/ }; do
    for c in "${order[@]}"; do run_case "$r" "$c" "$L"; done
  done
done | tee "$build/table"
echo "# load after: $(uptime)"
# Ratios LatticeFlow / peer per round (speed: updates/s over updates/s, or the peer's ns over ours), then the mean.
echo "# ratios LatticeFlow / peer: total (2 threads / 1), per core (2-thread figure / 2, over 1), 1 thread / 1; per round, mean"
awk '$1 ~ /^[0-9]+$/ { v[$1" "$2" "$3" "$4] = $5; if ($1 > nr) nr = $1; if ($4 !~ /^lf/) P[$2" "$3" "$4] = 1 }
  END {
    for (p in P) {
      split(p, a, " "); L = a[1]; k = a[2]; name = a[3]; t2 = ""; t1 = ""; s2 = 0; s1 = 0; n = 0
      for (r = 1; r <= nr; r++) {
        x = v[r" "p]; l2 = v[r" "L" "k" lf2"]; l1 = v[r" "L" "k" lf1"]
        if (x <= 0 || l2 <= 0 || l1 <= 0) continue
        q2 = (k == "hmc") ? x / l2 : l2 / x; q1 = (k == "hmc") ? x / l1 : l1 / x
        s2 += q2; s1 += q1; n++; t2 = t2 sprintf(" %.2f", q2); t1 = t1 sprintf(" %.2f", q1) }
      if (n > 0) printf "L=%-4s %-10s %-12s total:%s (mean %.2f)  per core: mean %.2f  1 thread:%s (mean %.2f)\n", L, k, name, t2, s2 / n, s2 / n / 2, t1, s1 / n }
  }' "$build/table" | sort -V
