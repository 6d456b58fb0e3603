#!/bin/bash
# On a GPU node, from the repository root: unpacks bin/gpu-bundle.tar.xz, runs the CUDA tests, `bench --device cuda`
# and a sweep (PRESET, default albergo2019; SWEEP_FILE instead for a sweep file) until DEADLINE seconds after the start,
# then aggregates what finished. Writes log.txt and results.tar.gz (summaries, plots, meta.json; no ensembles) to OUT.
set -u
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
t0=$(date +%s)
stamp() { echo "=== $(( $(date +%s) - t0 )) s: $*"; }
left() { echo $(( t0 + ${DEADLINE:-540} - $(date +%s) )); }
stamp start
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv
b=$(mktemp -d) r=$(mktemp -d)
tar -xJf bin/gpu-bundle.tar.xz -C "$b"
export DOTNET_ROOT=$b/dotnet PATH=$b/dotnet:$PATH DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_ROLL_FORWARD=Major
lf=(dotnet "$b/cli/LatticeFlow.Cli.dll")
stamp "CUDA tests"
(cd "$b/tests" && timeout 300 dotnet "$b/xunit/xunit.console.dll" LatticeFlow.Tests.dll -nocolor -verbose \
  -class LatticeFlow.Tests.Kernels.CudaKernelTests -class LatticeFlow.Tests.Flows.FlowBackendTests \
  -class LatticeFlow.Tests.Kernels.PtxCompilationTests) | grep -v "\[STARTING\]"
stamp bench
timeout 300 "${lf[@]}" bench --device cuda --seconds 2 --flow-steps 300
if [ -n "${SWEEP_FILE:-}" ]; then what=(--file "$SWEEP_FILE"); else what=(--preset "${PRESET:-albergo2019}"); fi
stamp "sweep ${what[*]} (limit $(left) s)"
timeout "$(left)" "${lf[@]}" sweep "${what[@]}" --device cuda --out "$r/sweep" > "$r/sweep.log" 2>&1
echo "sweep exit $? (124: stopped at the deadline; the sweep resumes where it stopped)"
"${lf[@]}" sweep "${what[@]}" --out "$r/sweep" --aggregate 2>&1 | tail -30
(cd "$r" && tar -czf "$OUT/results.tar.gz" --exclude='*.npy' --exclude='checkpoint*' --exclude='proposals.csv' --exclude='measurements.csv' .)
rm -rf "$b" "$r"
stamp end
