#!/usr/bin/python3
"""Parses the logs that bench/zoo/run_zoo.sh leaves and prints the zoo's markdown table.

    /usr/bin/python3 bench/zoo/zoo_report.py --logs DIR --models-dir DIR NAME...
    /usr/bin/python3 bench/zoo/zoo_report.py --self-test

For every NAME it reads, in --logs:
    NAME.compile.log   stderr of `dnnopt compile` ("arena: A bytes (lower bound L, ratio R)")
    NAME.run.log       output of `make -C OUT/NAME/example run` (QEMU): every output value, then
                       "ticks: T", "instructions: I", "arena: A bytes" (optional "stack: S bytes")
    NAME.sections.log  `arm-none-eabi-readelf -S -W` of the firmware ELF (if one was found)
    NAME.size.log      output of `make -C OUT/NAME/example size` (Berkeley format; fallback)
    NAME.status        "ok", or what failed
and, in --models-dir, NAME.npz (torch's output under "output") and manifest.tsv (exact MACs).
Exit code 1 when a model failed or its outputs disagree with torch beyond --rtol.
"""
import argparse
import math
import os
import re
import sys

# onnx2c float32 on the same setup (performance-anchors.md): instructions / MAC.
ONNX2C_ANCHOR = {"resnet8": 19.8, "dscnn": 10.7, "mobilenetv1_025": 10.7, "tcn": 14.8, "autoencoder": 6.1}

RAM_BASE = 0x20000000  # mps2-an386: code SSRAM below, data SSRAM from here

FLOAT = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:inf(?:inity)?|nan)"
FLOAT_RE = re.compile(rf"^(?:{FLOAT})$", re.IGNORECASE)
STAT_LINE = re.compile(r"^\s*(ticks|instructions|arena|stack|cycles)\s*:", re.IGNORECASE)
INDEXED = re.compile(rf"^\s*[A-Za-z_][\w.]*\s*\[\s*(\d+)\s*\]\s*[=:]\s*({FLOAT})\s*[,;]?\s*$", re.IGNORECASE)


# ----------------------------------------------------------------------------------------------
# Parsers (each takes the text of one log)
# ----------------------------------------------------------------------------------------------

def parse_compile(text):
    """{'arena', 'arena_lb', 'weights', 'kernel_calls'} from `dnnopt compile`'s summary."""
    r = {}
    m = re.search(r"arena:\s*(\d+)\s*bytes(?:\s*\(\s*lower bound\s*(\d+))?", text)
    if m:
        r["arena"] = int(m.group(1))
        if m.group(2):
            r["arena_lb"] = int(m.group(2))
    m = re.search(r"weights:\s*(\d+)\s*bytes", text)
    if m:
        r["weights"] = int(m.group(1))
    m = re.search(r"kernel calls:\s*(\d+)", text)
    if m:
        r["kernel_calls"] = int(m.group(1))
    return r


def _floats(tokens):
    vals = []
    for t in tokens:
        if not FLOAT_RE.match(t):
            return None
        vals.append(float(t))
    return vals


def parse_run(text):
    """{'values': [...], 'ticks', 'instructions', 'arena', 'stack'} from the firmware's output.

    Output values are accepted as "name[i] = v" (any order, placed by index), as lines holding
    only numbers ("v v v" or "v, v, v"), or as "label: v v v" (numbers after a colon)."""
    r = {}
    for key in ("ticks", "instructions", "cycles"):
        m = re.search(rf"^\s*{key}\s*:\s*(\d+)", text, re.MULTILINE | re.IGNORECASE)
        if m:
            r[key] = int(m.group(1))
    for key in ("arena", "stack"):
        m = re.search(rf"^\s*{key}\s*:\s*(\d+)\s*bytes", text, re.MULTILINE | re.IGNORECASE)
        if m:
            r[key] = int(m.group(1))
    indexed, plain = {}, []
    for line in text.splitlines():
        if STAT_LINE.match(line):
            continue
        m = INDEXED.match(line)
        if m:
            indexed[int(m.group(1))] = float(m.group(2))
            continue
        body = line.split(":", 1)[1] if ":" in line and not FLOAT_RE.match(line.strip()) else line
        vals = _floats([t for t in re.split(r"[\s,;]+", body.strip()) if t])
        if vals:
            plain.extend(vals)
    if indexed:
        n = max(indexed) + 1
        r["values"] = [indexed.get(i, math.nan) for i in range(n)]
    else:
        r["values"] = plain
    return r


def parse_sections(text):
    """{'flash', 'ram', 'stack_reserved'} from `readelf -S -W`: flash = allocated sections with
    contents (.text, .rodata, .data's load image, ...); RAM = allocated sections placed in data
    SRAM (.data, .bss, ...) except the .stack reservation and TLS templates."""
    flash = ram = stack = 0
    found = False
    for line in text.splitlines():
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-fA-F]+)\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)"
                     r"\s+[0-9a-fA-F]+\s*([A-Za-z]*)", line)
        if not m:
            continue
        name, typ, addr, size, flags = m.group(1), m.group(2), int(m.group(3), 16), int(m.group(4), 16), m.group(5)
        if "A" not in flags or size == 0:
            continue
        found = True
        if name == ".stack":
            stack += size
            continue
        if "T" in flags and typ == "NOBITS":
            continue  # .tbss: a template, the space is .tbss_space
        if typ != "NOBITS":
            flash += size
        if addr >= RAM_BASE:
            ram += size
    return {"flash": flash, "ram": ram, "stack_reserved": stack} if found else {}


def parse_size(text):
    """{'text', 'data', 'bss'} from Berkeley-format arm-none-eabi-size output (first ELF row)."""
    for line in text.splitlines():
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+[0-9a-fA-F]+\s+\S+", line)
        if m:
            return {"text": int(m.group(1)), "data": int(m.group(2)), "bss": int(m.group(3))}
    return {}


def read_manifest(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            lines = f.read().splitlines()
        keys = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(keys, line.split("\t")))
            rows[row["name"]] = row
    return rows


def compare(values, ref):
    """(max abs error, max abs error / max |ref|) or a string saying why not comparable."""
    ref = [float(v) for v in ref]
    if len(values) != len(ref):
        return f"{len(values)} values parsed, {len(ref)} expected"
    if any(math.isnan(v) for v in values):
        return "missing or NaN values"
    err = max(abs(a - b) for a, b in zip(values, ref))
    scale = max(abs(b) for b in ref) or 1.0
    return err, err / scale


# ----------------------------------------------------------------------------------------------
# Table
# ----------------------------------------------------------------------------------------------

def fmt_int(v):
    return f"{v:,}" if isinstance(v, int) else "–"


def model_row(name, logs, models_dir, manifest, rtol, suffix="", ref_key="output", ref_suffix=None):
    def read(suffix):
        p = os.path.join(logs, name + suffix)
        return open(p, errors="replace").read() if os.path.exists(p) else ""

    status = read(".status").strip() or "not run"
    comp = parse_compile(read(".compile.log"))
    run = parse_run(read(".run.log"))
    sec = parse_sections(read(".sections.log"))
    size = parse_size(read(".size.log"))
    macs = int(manifest[name]["macs"]) if name in manifest else None
    instr = run.get("instructions")
    if instr is None and "ticks" in run:  # QEMU -icount shift=0: 40 instructions per SysTick tick
        instr = run["ticks"] * 40
    if sec:
        flash, ram = sec["flash"], sec["ram"]
        stack = f"{run['stack']:,} used" if "stack" in run else f"{sec['stack_reserved']:,} reserved"
    elif size:
        flash, ram = size["text"] + size["data"], size["data"] + size["bss"]
        stack = f"{run['stack']:,} used" if "stack" in run else "in RAM column"
    else:
        flash = ram = None
        stack = f"{run['stack']:,} used" if "stack" in run else "–"

    ok = status == "ok"
    err_abs = err_rel = "–"
    check = status if not ok else "ok"
    if ok:
        ref = None
        try:
            import numpy as np
            ref_file = name + (suffix if ref_suffix is None else ref_suffix) + ".npz"
            ref = np.load(os.path.join(models_dir, ref_file))[ref_key].ravel().tolist()
        except Exception as e:  # noqa: BLE001 - reported in the table
            check = f"no reference ({e})"
            ok = False
        if ref is not None:
            c = compare(run.get("values", []), ref)
            if isinstance(c, str):
                check, ok = "outputs: " + c, False
            else:
                err_abs, err_rel = f"{c[0]:.2g}", f"{c[1]:.2g}"
                if c[1] > rtol:
                    check, ok = f"MISMATCH (> {rtol:g})", False
        if instr is None:
            check, ok = "no 'instructions:' line", False

    arena = comp.get("arena", run.get("arena"))
    lb = comp.get("arena_lb")
    cells = [
        name,
        fmt_int(macs),
        fmt_int(instr),
        f"{instr / macs:.2f}" if instr and macs else "–",
        f"{ONNX2C_ANCHOR[name]:.1f}" if name in ONNX2C_ANCHOR else "–",
        fmt_int(flash),
        fmt_int(ram),
        fmt_int(arena),
        fmt_int(lb),
        stack,
        err_abs,
        err_rel,
        check,
    ]
    return "| " + " | ".join(cells) + " |", ok


HEADER = ("| model | MACs | instructions | instr / MAC | onnx2c instr / MAC | flash bytes | RAM bytes "
          "| arena bytes | arena lower bound | stack bytes | max abs err | max rel err | check |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")

NOTES = """\
* MACs: Conv / Gemm multiply-accumulates, counted from the torch module shapes by make_zoo.py.
  Instructions: executed instructions of one inference as the firmware reports them (QEMU
  `-icount shift=0`: SysTick ticks x 40). onnx2c instr / MAC: the float32 onnx2c figures of
  the same networks on the same setup (shared reference performance-anchors.md), for scale.
* flash: allocated sections with contents in the firmware ELF (.text with .rodata and the
  weights, the .data load image, vector table); RAM: .data + .bss in data SRAM (the activation
  arena and every static: the example's input / output buffers, firmware and libc included),
  from `arm-none-eabi-readelf -S`.
  Stack: not measured by a size tool; the column shows the firmware's own `stack:` figure when
  it prints one, else the linker's fixed .stack reservation (not part of the RAM column).
  Without an ELF, `make size` (Berkeley text / data / bss) is used and then the stack
  reservation is inside the RAM column.
* arena: the planned activation arena (`dnnopt compile`), lower bound: the liveness bound.
* max rel err: max |c - torch| / max |torch| over all output values, vs torch's float32 output
  stored in the .npz by make_zoo.py (torch's own float32-vs-float64 deviation is up to ~2e-5,
  autoencoder)."""


BITS_HEADER = ("| model | precision | instructions | instr / MAC | x a8w8 | weight bytes | x a8w8 | arena bytes "
               "| x a8w8 | max rel err vs float |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")

BITS_NOTES = """\
* precision aAwW: A-bit hidden activations (packed in the arena; the network's input and output
  stay 8-bit), W-bit weights (packed), from `dnnopt compile --quantize int8 --act-bits A
  --weight-bits W --calibration qmodels/NAME_calib.npz` (dnnopt's own PTQ of the float model).
* weight bytes: `dnnopt compile`'s "weights:" (packed weights, biases and requantization tables);
  arena bytes: its "arena:" (activations and kernel scratch).
* max rel err vs float: max |output - float model output| / max |float output| on the model's
  own input (bench/zoo/models/NAME.npz), as the firmware printed it."""


def bits_row(name, p, logs, models_dir, macs, base):
    """One row of the precision table; `base` collects the first precision's figures."""
    def read(suffix):
        path = os.path.join(logs, f"{name}-{p}.{suffix}.log")
        return open(path).read() if os.path.exists(path) else None
    comp_text, run_text = read("compile"), read("run")
    comp = parse_compile(comp_text) if comp_text else {}
    run = parse_run(run_text) if run_text else {}
    instr = run.get("instructions")
    if instr is None:
        return f"| {name} | {p} | {'compile' if not comp else 'run'} failed | | | | | | | |", False
    figs = {"instr": instr, "weights": comp.get("weights"), "arena": comp.get("arena")}
    for k, v in figs.items():
        base.setdefault(k, v)

    def ratio(k):
        return f"{figs[k] / base[k]:.3f}" if figs[k] and base.get(k) else "–"
    err = "–"
    try:
        import numpy as np
        ref = np.load(os.path.join(models_dir, name + ".npz"))["output"].ravel().tolist()
        c = compare(run.get("values", []), ref)
        err = c if isinstance(c, str) else f"{c[1]:.3g}"
    except Exception as e:  # noqa: BLE001 - reported in the table
        err = f"no reference ({e})"
    cells = [name, p, fmt_int(instr), f"{instr / macs:.2f}" if macs else "–", ratio("instr"),
             fmt_int(figs["weights"]), ratio("weights"), fmt_int(figs["arena"]), ratio("arena"), err]
    return "| " + " | ".join(cells) + " |", True


def bits_table(logs, models_dir, manifest, models, precisions):
    print(BITS_HEADER)
    ok = True
    for name in models:
        base = {}
        for p in precisions:
            macs = int(manifest[name]["macs"]) if name in manifest else None
            row, good = bits_row(name, p, logs, models_dir, macs, base)
            print(row)
            ok &= good
    print()
    print(BITS_NOTES)
    return 0 if ok else 1


def self_test():
    compile_log = ("resnet8.onnx: wrote 12 files to out/resnet8 (resnet8_run, target cortex-m4)\n"
                   "  kernel calls: 14\n  weights: 310824 bytes (flash)\n"
                   "  arena: 196608 bytes (lower bound 190000, ratio 1.035)\n")
    c = parse_compile(compile_log)
    assert c == {"arena": 196608, "arena_lb": 190000, "weights": 310824, "kernel_calls": 14}, c
    assert parse_compile("arena: 1056 bytes\n") == {"arena": 1056}
    variants = {
        "dnnopt example/main.c": (
            'dnnopt example: resnet8, target cortex-m4, 1 input(s), 1 output(s)\n'
            'input 0 "input" float32 [1, 3, 32, 32]: given (resnet8_example_input.c)\n'
            'output 0 "output" float32 [1, 3]: 3 values\n0.125\n-0.25\n3\n'),
        "indexed": "output[1] = -2.5e-01\noutput[0] = 0.125\noutput[2]: 3\n",
        "plain": "0.125\n-0.25\n3.0\n",
        "labelled": "output (1x3): 0.125, -0.25, 3\n",
        "row": "output:\n  0.125 -0.25 3\n",
    }
    for what, body in variants.items():
        text = ("mps2-an386 model resnet8\n" + body + "ticks: 123456\ninstructions: 4938240\n"
                "arena: 196608 bytes\n")
        r = parse_run(text)
        assert r["values"] == [0.125, -0.25, 3.0], (what, r)
        assert r["ticks"] == 123456 and r["instructions"] == 4938240 and r["arena"] == 196608, (what, r)
    assert math.isnan(parse_run("output[0] = 1\noutput[2] = 2\n")["values"][1])
    size = ("   text\t   data\t    bss\t    dec\t    hex\tfilename\n"
            "  90656\t    104\t1067300\t1158060\t 11abac\tbuild/bench.elf\n")
    assert parse_size(size) == {"text": 90656, "data": 104, "bss": 1067300}
    readelf = """\
Section Headers:
  [Nr] Name              Type            Addr     Off    Size   ES Flg Lk Inf Al
  [ 0]                   NULL            00000000 000000 000000 00      0   0  0
  [ 1] .init             PROGBITS        00000000 001000 000040 00  AX  0   0  4
  [ 2] .text             PROGBITS        00000040 001040 0162a0 00 WAX  0   0 16
  [ 3] .data             PROGBITS        20000000 018000 000028 00  WA  0   0  8
  [ 4] .tbss             NOBITS          20000028 018028 000004 00 WAT  0   0  4
  [ 5] .tbss_space       NOBITS          20000028 018028 000004 00  WA  0   0  1
  [ 6] .bss              NOBITS          2000002c 018028 10091c 00  WA  0   0  8
  [ 7] .stack            NOBITS          20100948 018028 004000 00  WA  0   0  1
  [ 8] .comment          PROGBITS        00000000 018028 000026 01  MS  0   0  1
"""
    s = parse_sections(readelf)
    assert s == {"flash": 0x40 + 0x162a0 + 0x28, "ram": 0x28 + 4 + 0x10091c, "stack_reserved": 0x4000}, s
    assert compare([1.0, 2.0], [1.0, 2.5]) == (0.5, 0.2)
    assert isinstance(compare([1.0], [1.0, 2.0]), str)
    print("zoo_report self-test: ok")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--logs", help="folder with NAME.*.log files")
    ap.add_argument("--models-dir", help="folder with NAME.npz and manifest.tsv")
    ap.add_argument("--rtol", type=float, default=1e-4, help="max rel err before a row is a MISMATCH")
    ap.add_argument("--manifest", help="manifest.tsv with the MACs (default: in --models-dir)")
    ap.add_argument("--suffix", default="", help="model files are NAME+SUFFIX.npz (e.g. _qdq)")
    ap.add_argument("--ref-key", default="output", help="array of the .npz to compare with")
    ap.add_argument("--ref-suffix", help="the reference is NAME+REF_SUFFIX.npz (default: --suffix)")
    ap.add_argument("--ref-note", help="replaces the notes' last item (what the errors compare with)")
    ap.add_argument("--self-test", action="store_true", help="check the parsers on sample outputs")
    ap.add_argument("--bits-table", action="store_true",
                    help="the precision table of run_bits.sh (logs NAME-aAwW.{compile,run}.log)")
    ap.add_argument("--precisions", default="a8w8", help="with --bits-table: comma-separated aAwW list")
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.logs or not args.models_dir or not args.models:
        ap.error("--logs, --models-dir and at least one model are needed")
    manifest = read_manifest(args.manifest or os.path.join(args.models_dir, "manifest.tsv"))
    if args.bits_table:
        return bits_table(args.logs, args.models_dir, manifest, args.models, args.precisions.split(","))
    print(HEADER)
    all_ok = True
    for name in args.models:
        row, ok = model_row(name, args.logs, args.models_dir, manifest, args.rtol, args.suffix,
                            args.ref_key, args.ref_suffix)
        print(row)
        all_ok &= ok
    print()
    notes = NOTES
    if args.ref_note:
        notes = notes[:notes.index("* max rel err:")] + "* " + args.ref_note
    print(notes)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
