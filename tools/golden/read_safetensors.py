"""An independent safetensors reader (struct + json + numpy, no Gradus code) used once to check that
files written by Gradus parse as the spec says. Prints the raw header and every tensor.
Run: /usr/bin/python3 tools/golden/read_safetensors.py FILE"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I32": "<i4", "I64": "<i8"}

raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert 8 + n <= len(raw), "header longer than file"
header_text = raw[8:8 + n].decode("utf-8")
assert header_text.startswith("{") and (8 + n) % 8 == 0
header = json.loads(header_text)
print("N =", n)
print("header =", header_text.rstrip(" "))
buf = raw[8 + n:]
end = 0
for name, info in sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"]):
    b, e = info["data_offsets"]
    assert b == end, "hole or overlap at " + name
    dt = np.dtype("<u2" if info["dtype"] == "BF16" else DTYPES[info["dtype"]])
    assert e - b == int(np.prod(info["shape"])) * dt.itemsize
    values = np.frombuffer(buf[b:e], dtype=dt)
    if info["dtype"] == "BF16":  # bfloat16 is the upper half of a float32
        values = (values.astype("<u4") << 16).view("<f4")
    print(name, info["dtype"], info["shape"], values.reshape(info["shape"]).tolist())
    end = e
assert end == len(buf), "trailing bytes"
print("metadata =", header.get("__metadata__"))
print("OK")
