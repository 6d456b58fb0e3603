#!/usr/bin/env bash
# Byte-identical ensembles across a refactoring (issue 14): runs the same `sample` commands with two builds and
# compares fields.npy, measurements.csv and timeslices.npy byte for byte.
#   tools/identical-ensembles/check.sh OLD_BIN NEW_BIN [WORKDIR]
# OLD_BIN/NEW_BIN: the LatticeFlow.Cli executables (e.g. a `dotnet publish` of the old commit, and bin/latticeflow).
# The flow case proposes from a model trained by OLD_BIN, so it also checks that new code reads old model files.
set -euo pipefail
old=$1 new=$2 work=${3:-$(mktemp -d)}
mkdir -p "$work"
model="$work/model/model.lfm"
if [[ ! -f $model ]]; then
  "$old" train --L 6 --m2 -4 --lam 8 --steps 30 --batch 16 --seed 3 --out "$work/model" --quiet >/dev/null
fi
cases=(
  "metropolis-L8-t1|--algo metropolis --L 8 --m2 -4 --lam 8 --chains 2 --n 300 --therm 100 --threads 1"
  "metropolis-L8-t2|--algo metropolis --L 8 --m2 -4 --lam 8 --chains 2 --n 300 --therm 100 --threads 2"
  "metropolis-rect-hits|--algo metropolis --Lx 6 --Ly 10 --m2 -4 --lam 8 --chains 3 --n 200 --therm 50 --hits 3 --save-every 2"
  "metropolis-kappa|--algo metropolis --L 10 --kappa 0.18 --lam-hop 0.02 --n 200 --therm 50"
  "hmc-leapfrog|--algo hmc --L 8 --m2 -4 --lam 8 --chains 3 --n 150 --therm 50"
  "hmc-omelyan-rect|--algo hmc --Lx 8 --Ly 12 --m2 -4 --lam 8 --chains 2 --n 100 --therm 40 --integrator omelyan --traj-jitter 0"
  "hmc-free|--algo hmc --L 6 --m2 0.5 --lam 0 --n 100 --therm 20"
  "cluster|--algo cluster --L 8 --m2 -4 --lam 8 --chains 2 --n 200 --therm 50"
  "flow|--algo flow --model $model --chains 2 --n 200 --therm 20"
  # Rows long enough for the sampler twins (the Metropolis twin takes rows of at least 4 blocks of lanes): against a
  # build without twins, these compare the twins with the bodies too.
  "metropolis-L34-twin|--algo metropolis --L 34 --m2 -4 --lam 8 --chains 3 --n 100 --therm 30 --hits 2"
  "hmc-L34-twin|--algo hmc --Lx 34 --Ly 66 --m2 -4 --lam 8 --chains 3 --n 40 --therm 10"
  "cluster-L34-twin|--algo cluster --L 34 --m2 -4 --lam 8 --chains 2 --n 60 --therm 20"
)
fail=0
for c in "${cases[@]}"; do
  name=${c%%|*} args=${c#*|}
  for side in old new; do
    bin=$old; [[ $side == new ]] && bin=$new
    # shellcheck disable=SC2086
    "$bin" sample $args --seed 11 --out "$work/$side/$name" --force --quiet >/dev/null
  done
  for f in fields.npy measurements.csv timeslices.npy; do
    a="$work/old/$name/$f" b="$work/new/$name/$f"
    [[ -f $a || -f $b ]] || continue
    if cmp -s "$a" "$b"; then echo "identical  $name/$f  $(sha256sum < "$a" | cut -c1-16)"
    else echo "DIFFERENT  $name/$f"; fail=1; fi
  done
done
exit $fail
