#!/usr/bin/env python3
"""Writes a .npz archive without numpy (tests only).

usage: write_npz.py OUT.npz NAME:DTYPE:D0xD1x... ...
DTYPE is float32, float64 or int64; element k holds ((k * 7) % 13 - 6) / 8.
"""
import struct
import sys
import zipfile

FORMATS = {"float32": ("<f4", "<f"), "float64": ("<f8", "<d"), "int64": ("<i8", "<q")}


def npy(dtype, shape):
    descr, fmt = FORMATS[dtype]
    n = 1
    for d in shape:
        n *= d
    dims = "".join("%d," % d for d in shape) if len(shape) == 1 else ", ".join(str(d) for d in shape)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    values = [((k * 7) % 13 - 6) / 8 for k in range(n)]
    if dtype == "int64":
        values = [int(v * 8) for v in values]
    data = b"".join(struct.pack(fmt, v) for v in values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def main():
    with zipfile.ZipFile(sys.argv[1], "w") as z:
        for spec in sys.argv[2:]:
            name, dtype, shape = spec.split(":")
            z.writestr(name + ".npy", npy(dtype, [int(d) for d in shape.split("x")]))


if __name__ == "__main__":
    main()
