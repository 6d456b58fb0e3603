#!/usr/bin/env bash
# Two builds of LatticeFlow trained alternately on the same work, for a speed-up of one change on a shared machine
# (its speed drifts: only pairs run seconds apart compare). Rounds alternate the order (AB, BA, ...). Prints each
# round's steps/s (from train's own log line) and the ratio of the means.
# usage: tools/profile/ab.sh BIN_A BIN_B ROUNDS -- train options (no --out)
#   e.g. (build A in a worktree: dotnet publish src/LatticeFlow.Cli -c Release -o /tmp/binA)
#        tools/profile/ab.sh /tmp/binA bin 3 -- --L 8 --m2 -4 --lam 8 --steps 300 --threads 1
set -euo pipefail
a=$1 b=$2 rounds=$3; shift 3
[ "${1:-}" = "--" ] && shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() { # BIN train-options -> steps/s, or train's whole output and exit 1
  local log
  if ! log=$("$1/LatticeFlow.Cli" train "${@:2}" --quiet --out "$tmp/run" --force 2>&1); then echo "$1: train failed:" >&2; echo "$log" >&2; exit 1; fi
  local r; r=$(sed -nE 's/.*\(([0-9.]+) steps\/s\).*/\1/p' <<< "$log")
  [ -n "$r" ] || { echo "$1: no steps/s in train's output:" >&2; echo "$log" >&2; exit 1; }
  echo "$r"; }
A=() B=()
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then A+=("$(rate "$a" "$@")"); B+=("$(rate "$b" "$@")")
  else B+=("$(rate "$b" "$@")"); A+=("$(rate "$a" "$@")"); fi
  echo "round $r: A ${A[-1]} steps/s, B ${B[-1]} steps/s"
done
python3 -c "import sys; a=[float(x) for x in sys.argv[1].split()]; b=[float(x) for x in sys.argv[2].split()]; \
print(f'mean A {sum(a)/len(a):.2f}, B {sum(b)/len(b):.2f} steps/s: B / A = {sum(b)/sum(a):.3f}')" "${A[*]}" "${B[*]}"
