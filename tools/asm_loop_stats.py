#!/usr/bin/env python3
# Used for bench/arm_on_paper.md: python3 tools/asm_loop_stats.py LISTING arm|x86 [N], LISTING from
# (aarch64-linux-gnu-)objdump -d --no-show-raw-insn -C OBJECT.
# Finds the innermost loops (a backward branch to an address inside the same function) in an
# objdump -d --no-show-raw-insn listing and counts, per loop body: instructions, vector FMAs,
# loads (instructions reading memory) and their ratios. Prints the loops with the most FMAs.
import re, sys
path, arch = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
funcs = []  # (name, [(addr, text)])
cur = None
for l in lines:
    m = re.match(r'^([0-9a-f]+) <(.*)>:$', l)
    if m:
        cur = (m.group(2), []); funcs.append(cur); continue
    m = re.match(r'^\s+([0-9a-f]+):\s+(.*)$', l)
    if m and cur is not None:
        cur[1].append((int(m.group(1), 16), m.group(2).strip()))
def is_fma(t):
    if arch == 'arm': return re.match(r'fml[as]\s+v\d+\.4s', t) is not None
    return re.match(r'vfn?madd\d+ps', t) is not None and ('zmm' in t or 'ymm' in t)
def is_load(t):
    if arch == 'arm':
        op = t.split()[0]
        return op.startswith('ld') or op in ('ldr', 'ldur', 'ldp', 'ld1r', 'ld1')
    # x86: memory operand as a source (not a store: mov* with memory destination)
    op = t.split()[0]
    if op.startswith('j') or op.startswith('call') or op.startswith('nop'): return False
    if '(' not in t: return False
    if op.startswith('vmovup') or op.startswith('vmovap') or op.startswith('mov'):
        # AT&T: src, dst; a store has the memory operand last
        ops = t[len(op):].strip()
        return not ops.rstrip().endswith(')')
    return True
def branch_target(t):
    m = re.match(r'(b\.\w+|b|cbn?z|tbn?z|j\w+)\s+.*?([0-9a-f]+) <', t)
    return int(m.group(2), 16) if m else None
results = []
for name, insns in funcs:
    for i, (addr, t) in enumerate(insns):
        tgt = branch_target(t)
        if tgt is None or tgt >= addr: continue
        body = [x for x in insns if tgt <= x[0] <= addr]
        # innermost loops only: no other backward branch inside the body
        inner = any(branch_target(x[1]) is not None and branch_target(x[1]) < x[0] and x[0] != addr
                    and branch_target(x[1]) >= tgt for x in body)
        if inner or len(body) > 400: continue
        f = sum(is_fma(x[1]) for x in body)
        ld = sum(is_load(x[1]) for x in body)
        if f: results.append((f, len(body), ld, name[:90], tgt, addr))
results.sort(reverse=True)
for f, n, ld, name, a, b in results[:int(sys.argv[3]) if len(sys.argv) > 3 else 6]:
    print(f"{name}\n  loop {a:#x}-{b:#x}: {n} instructions, {f} FMAs, {ld} loads -> "
          f"{f/n:.2f} FMA/instr, {ld/f:.2f} loads/FMA")
