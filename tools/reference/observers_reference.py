"""Reference numbers for gradus.quant's observers (ObserverTest), from torch.ao.quantization.

Run once with Debian's python3-torch (/usr/bin/python3 tools/reference/observers_reference.py) and copy the
printed values into ObserverTest. Data: x_i = float32(sinh(10 u_i - 3)), u_i = ((7919 i) mod 10007 + 0.5) / 10007,
i < 4096 (skewed, heavy right tail); weight w[j, p] = float32(sin(8 j + p + 1) * (j + 1)), 4 x 8.
"""
import math
import numpy as np
import torch
from torch.ao.quantization import MinMaxObserver, HistogramObserver, PerChannelMinMaxObserver

u = np.array([((7919 * i) % 10007 + 0.5) / 10007 for i in range(4096)])
x = torch.tensor(np.sinh(10 * u - 3).astype(np.float32))


def qparams(obs, t):
    obs(t)
    s, z = obs.calculate_qparams()
    return float(s.reshape(-1)[0]), int(z.reshape(-1)[0])


def sq_error(t, s, z):
    return float(((t - torch.fake_quantize_per_tensor_affine(t, s, z, -128, 127)) ** 2).sum())


s, z = qparams(MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_affine), x)
print(f"minmax scale {s!r} zero_point {z} squared_error {sq_error(x, s, z)!r}")
lo, hi = np.percentile(x.numpy().astype(np.float64), [0.01, 99.99])
print(f"percentile 99.99 range {float(np.float32(lo))!r} {float(np.float32(hi))!r}")
s, z = qparams(MinMaxObserver(dtype=torch.qint8), torch.tensor([np.float32(lo), np.float32(hi)]))
print(f"percentile 99.99 scale {s!r} zero_point {z} squared_error {sq_error(x, s, z)!r}")
s, z = qparams(HistogramObserver(dtype=torch.qint8, qscheme=torch.per_tensor_affine), x)
print(f"histogram (torch's L2-minimizing observer) scale {s!r} zero_point {z} squared_error {sq_error(x, s, z)!r}")
w = torch.tensor([[np.float32(math.sin(8 * j + p + 1) * (j + 1)) for p in range(8)] for j in range(4)])
obs = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
obs(w)
sc, zp = obs.calculate_qparams()
print("per-channel symmetric scales", [float(v) for v in sc], "zero points", [int(v) for v in zp])
