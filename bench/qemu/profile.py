#!/usr/bin/env python3
"""Instruction profile of a QEMU run, per function (development aid).

    ./profile.py build/bench.elf 5        # layer 5 of the benchmark
    ./profile.py build/bench.elf 5 20     # ... and the 20 hottest translation blocks

Runs QEMU with `-d in_asm,exec,nochain` (every translated block's instructions, every
block execution), weights each block by its instruction count and maps block start
addresses to symbols with arm-none-eabi-nm.
"""
import bisect, collections, re, subprocess, sys, tempfile

elf, layer = sys.argv[1], sys.argv[2]
top_blocks = int(sys.argv[3]) if len(sys.argv) > 3 else 0   # also list the N hottest blocks
log = tempfile.mktemp(suffix='.log')
subprocess.run(['qemu-system-arm', '-M', 'mps2-an386', '-nographic', '-semihosting-config',
                'enable=on,target=native', '-icount', 'shift=0,align=off,sleep=off',
                '-kernel', elf, '-append', layer, '-d', 'in_asm,exec,nochain', '-D', log],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
size = {}            # TB start pc -> instructions
execs = collections.Counter()
cur = None
with open(log) as f:
    for line in f:
        if line.startswith('IN:'):
            cur = None
            continue
        m = re.match(r'^0x([0-9a-f]{8}):', line)
        if m:
            pc = int(m.group(1), 16)
            if cur is None:
                cur = pc
                size[cur] = 0
            size[cur] += 1
            continue
        if line.strip() == '':
            cur = None
        m = re.search(r'Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/', line)
        if m:
            execs[int(m.group(1), 16)] += 1
syms = []
for line in subprocess.run(['arm-none-eabi-nm', '-n', elf], capture_output=True, text=True).stdout.split('\n'):
    p = line.split()
    if len(p) == 3 and p[1] in 'tTwW':
        syms.append((int(p[0], 16), p[2]))
addrs = [a for a, _ in syms]
per = collections.Counter()
for pc, n in execs.items():
    i = bisect.bisect_right(addrs, pc & ~1) - 1
    per[syms[i][1] if i >= 0 else '?'] += n * size.get(pc, 0)
total = sum(per.values())
for name, n in per.most_common(25):
    print(f'{n:12d} {100.0 * n / total:6.2f}%  {name}')
print(f'{total:12d} total')
if top_blocks:
    rows = sorted(((n * size.get(pc, 0), pc, n) for pc, n in execs.items()), reverse=True)
    for tot, pc, n in rows[:top_blocks]:
        i = bisect.bisect_right(addrs, pc & ~1) - 1
        print(f'{tot:12d}  0x{pc:08x} ({syms[i][1]}+0x{pc - syms[i][0]:x})  {size.get(pc, 0)} insns x {n}')
