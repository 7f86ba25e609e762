#!/usr/bin/python3
"""Writes the windows of a split (.npz with x [N,4,256] float32, y [N,1]) in the binary
layout hr_main.c reads through semihosting:
    uint32 count, uint32 floats per window, then per window float32 x[...] and float32 label.

    export_windows.py data/test.npz windows.bin [--count N]   (default: all windows)
"""
import argparse
import struct
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("npz")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=0, help="first N windows only (default: all)")
    a = ap.parse_args()
    d = np.load(a.npz)
    x, y = d["x"].astype(np.float32), d["y"].astype(np.float32).reshape(len(d["x"]), -1)
    if x.ndim != 3 or y.shape[1] != 1:
        sys.exit(f"{a.npz}: expected x [N,C,T] and y [N,1], got x {list(x.shape)}, y {list(y.shape)}")
    if a.count > 0:
        x, y = x[: a.count], y[: a.count]
    per = int(np.prod(x.shape[1:]))
    with open(a.out + ".tmp", "wb") as f:
        f.write(struct.pack("<II", len(x), per))
        for xi, yi in zip(x, y):
            f.write(np.ascontiguousarray(xi).tobytes())
            f.write(yi.astype("<f4").tobytes())
    import os
    os.replace(a.out + ".tmp", a.out)
    print(f"{a.out}: {len(x)} windows of {per} floats")


if __name__ == "__main__":
    main()
