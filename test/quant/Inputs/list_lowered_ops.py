#!/usr/bin/python3
"""Compiles QDQ models with `dnnopt compile` and lists the ops of the generated C.

    /usr/bin/python3 list_lowered_ops.py DNNOPT DIR CASES.txt

For each NAME in CASES.txt (one a line) it compiles DIR/NAME.onnx into DIR/lowered/NAME and
prints one line

    NAME: integer: op op ...     every op of the C code works on integers
    NAME: float: op op ...       some op still computes in float (the ops listed)

where the ops are the generated code's op comments (`/* dnn.qconv ... */`) in program
order, without the dnn. prefix. quantize_linear / dequantize_linear (the float graph
input and output), transpose and reshape (layout, any type) count as integer ops; so do
dnn.q* and dnn.requantize. Warnings of the compiler are printed as "NAME: <message>".
Exit code 1 if a compilation fails.
"""
import os
import re
import subprocess
import sys

INTEGER = {"quantize_linear", "dequantize_linear", "transpose", "reshape", "requantize"}


def main():
    dnnopt, d, listing = sys.argv[1:4]
    status = 0
    for name in open(listing).read().split():
        out = os.path.join(d, "lowered", name)
        r = subprocess.run([dnnopt, "compile", os.path.join(d, name + ".onnx"), "-o", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in r.stderr.splitlines():
            if "warning" in line or "error" in line:
                print("%s: %s" % (name, line.split(": ", 1)[-1]))
        if r.returncode != 0:
            print("%s: compile failed (exit code %d)" % (name, r.returncode))
            status = 1
            continue
        with open(os.path.join(out, name + ".c")) as f:
            ops = re.findall(r"/\* dnn\.([a-z_0-9]+)", f.read())
        flt = [o for o in ops if o not in INTEGER and not o.startswith("q")]
        print("%s: %s: %s" % (name, "float" if flt else "integer", " ".join(ops)))
    return status


if __name__ == "__main__":
    sys.exit(main())
