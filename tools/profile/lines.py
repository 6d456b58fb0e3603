#!/usr/bin/env python3
"""Samples per instruction of one JIT-compiled method, from tools/profile/run.sh's OUTDIR.

usage: tools/profile/lines.py OUTDIR 'regex of the method' [--blocks]

Takes the method's last Tier-1 (or FullOpts) listing in OUTDIR/disasm.txt, finds its code in the perf map by name and
size, and prints each instruction's offset and sample count (with --blocks: the JIT's instruction groups, most sampled
first). Offsets come from the code bytes the listing prints (DOTNET_JitDisasmWithCodeBytes=1).
"""
import collections, re, signal, subprocess, sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # piped into head or less: stop quietly

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, pattern, blocks = sys.argv[1], sys.argv[2], '--blocks' in sys.argv
    listings = open(f'{out}/disasm.txt').read().split('; Assembly listing for method ')
    chosen = [t for t in listings if re.search(pattern, t.split('\n')[0])
              and re.search(r'\((Tier1|Tier0-FullOpts|FullOpts)\)', t.split('\n')[0])]
    if not chosen:
        sys.exit(f'no optimised listing of a method matching {pattern!r} in {out}/disasm.txt')
    body = chosen[-1]
    size = int(re.search(r'Total bytes of code (\d+)', body).group(1))
    name = body.split('\n')[0]
    # The perf map names methods as "[Assembly] Namespace.Type::Method(...)"; the listing as "Namespace.Type:Method(...)".
    # Generic instantiations list their arguments in brackets before the parameters (Launch[Kernel](int,...)).
    method = re.search(r'[.:]([A-Za-z0-9_]+)(?:\[.*\])?\(', name).group(1)
    starts = [int(l.split()[0], 16) for l in open(open(f'{out}/map.txt').read().strip())
              if int(l.split()[1], 16) == size and (f'::{method}(' in l or f'.{method}(' in l)]
    if not starts:
        sys.exit(f'{name}: no code of {size} bytes in the perf map')
    start = starts[-1]
    rows, offset, group = [], 0, None
    for line in body.split('\n'):
        m = re.search(r'(G_M\d+_IG\d+):\s+;; offset=0x([0-9A-F]+)', line)
        if m:
            group, offset = m.group(1), int(m.group(2), 16)
            continue
        m = re.match(r'\s+([0-9A-F]+)\s{2,}(\S.*)', line)
        if m and len(m.group(1)) % 2 == 0:
            rows.append((offset, group, m.group(2)))
            offset += len(m.group(1)) // 2
    ips = subprocess.run(['perf', 'script', '-i', f'{out}/perf.data', '-F', 'ip'],
                         capture_output=True, text=True).stdout.split()
    counts = collections.Counter(int(ip, 16) - start for ip in ips if 0 <= int(ip, 16) - start < size)
    print(f'{name.strip()}\n{sum(counts.values())} of {len(ips)} samples in its {size} bytes')
    if blocks:
        per = collections.Counter()
        for off, g, _ in rows:
            per[g] += counts.get(off, 0)
        for g, n in per.most_common(20):
            print(f'{n:7d}  {g}')
        return
    for off, g, text in rows:
        print(f'{counts.get(off, 0):7d} {off:5x}  {text}')

main()
