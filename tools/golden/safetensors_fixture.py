"""Writes core/src/test/resources/gradus/io/python-written.safetensors by hand, byte for byte per the
safetensors spec (no safetensors package needed), the way the reference writer lays files out:
data sorted by descending dtype alignment then name, header padded with spaces to a multiple of 8.
Run: /usr/bin/python3 tools/golden/safetensors_fixture.py  (SafetensorsTest checks the values.)"""
import json
import struct
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parents[2] / "core/src/test/resources/gradus/io/python-written.safetensors"


def bf16_bytes(values):
    return torch.tensor(values, dtype=torch.float32).to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()


# name -> (dtype, shape, bytes)
tensors = {
    "f32": ("F32", [2, 3], np.array([[1.5, -2.25, 3.0], [0.1, 1e-8, -1e30]], dtype="<f4").tobytes()),
    "f16": ("F16", [4], np.array([0.5, -1.0, 65504.0, 5.9604645e-08], dtype="<f2").tobytes()),
    "bf16": ("BF16", [2, 2], bf16_bytes([1.0, -3.140625, 3.0e38, 0.0078125])),
    "f64": ("F64", [3], np.array([0.1, -2.5, 1e-3], dtype="<f8").tobytes()),
    "i64": ("I64", [2], np.array([-7, 123456789], dtype="<i8").tobytes()),
    "i32": ("I32", [2, 2], np.array([0, -1, 2147483647, -2147483648], dtype="<i4").tobytes()),
    "scalar": ("F32", [], np.array(42.0, dtype="<f4").tobytes()),
    "empty": ("F32", [0, 3], b""),
}
align = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2}
order = sorted(tensors, key=lambda n: (-align[tensors[n][0]], n))

header, data, offset = {}, b"", 0
for name in order:
    dtype, shape, raw = tensors[name]
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
    data += raw
    offset += len(raw)
# Header keys alphabetical, not in data order: readers must follow the offsets.
header = {"__metadata__": {"format": "pt", "source": "tools/golden/safetensors_fixture.py"},
          **{k: header[k] for k in sorted(header)}}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_bytes(struct.pack("<Q", len(text)) + text + data)
print("data order:", order)
print(OUT, OUT.stat().st_size, "bytes")
