#!/usr/bin/env bash
# Where a command's time goes, down to the instructions of JIT-compiled methods: perf samples of a LatticeFlow command,
# the top symbols, and for each method matching PATTERN its Tier-1 disassembly (DOTNET_JitDisasm, with code bytes) with
# the samples of each instruction beside it. Needs perf (linux-perf); no hardware counters are needed (the VM has none:
# perf falls back to cpu-clock). The samples of an instruction usually land on the one after a stalled one (skid).
# usage: tools/profile/run.sh OUTDIR 'JitDisasm pattern' -- latticeflow args...
#   e.g. tools/profile/run.sh /tmp/prof '*RowsKernel*:Execute *RowGeometry:Pad' -- train --L 8 --steps 800 --threads 1 --out /tmp/prof/run
# Then: tools/profile/lines.py /tmp/prof 'RowsKernel.*Execute' | less   (blocks by samples: add --blocks)
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,9p "$0" >&2; exit 2; }
out=$(realpath -m "$1") pattern=$2; shift 2
[ "${1:-}" = "--" ] && shift
cd "$(dirname "$0")/../.."
[ -x bin/LatticeFlow.Cli ] || { echo "no bin/LatticeFlow.Cli: run make build first" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/disasm.txt"
touch "$out/started"
# PerfMapEnabled=3: /tmp/perf-PID.map names JIT code; W^X off, or perf sees the code at a second mapping it cannot name;
# ReadyToRun off, so framework code is JIT-compiled and named too.
DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
DOTNET_JitDisasm="$pattern" DOTNET_JitDisasmWithCodeBytes=1 DOTNET_JitStdOutFile="$out/disasm.txt" \
  perf record -F 4000 -o "$out/perf.data" -- bin/LatticeFlow.Cli "$@"
# The process's perf map: the one written since this script started (perf record does not report the child's pid).
find /tmp -maxdepth 1 -name 'perf-*.map' -newer "$out/started" -printf '%T@ %p\n' | sort -n | tail -n 1 | cut -d' ' -f2 > "$out/map.txt"
perf report -i "$out/perf.data" --no-children --sort dso,symbol 2>/dev/null | grep -v '^#' | grep '%' | sed -n 1,30p
