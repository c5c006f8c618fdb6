"""NumPy's (OpenBLAS's) GFLOPS on the shapes GemmBench measures, for comparison with Gradus's sgemm.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_gemm.py [repeats] [--json]
(`gradus bench gemm` runs it so, next to its own numbers.) --json prints {shape name: GFLOPS}.
Transposed operands are .T views, so BLAS gets transpose flags, not copies (as sgemm gets transA/transB).
Reports the best round, like GemmBench: on a shared machine slower rounds measure the neighbours.
"""
import json
import os
import sys
import time

import numpy as np

# Flags that change which kernels run fast (as gradus.kernels.Machine names them).
FEATURES = {"avx2": "AVX2", "fma": "FMA", "avx512f": "AVX-512F", "avx512bw": "AVX-512BW", "avx512vl": "AVX-512VL",
            "avx512_vnni": "AVX-512-VNNI", "avx_vnni": "AVX-VNNI", "avx512_bf16": "AVX-512-BF16", "amx_tile": "AMX",
            "asimd": "NEON", "asimddp": "NEON-dotprod", "sve": "SVE", "bf16": "BF16", "i8mm": "I8MM"}


def where_it_runs():
    """CPU model, core count, the features that matter, and NumPy's BLAS: what every bench output starts with."""
    model, flags = os.uname().machine, []
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware") and model == os.uname().machine:
                model = value.strip()
            if key.strip() in ("flags", "Features") and not flags:
                flags = value.split()
    except OSError:
        pass
    features = " ".join(name for flag, name in FEATURES.items() if flag in flags) or "none known"
    blas = "unknown BLAS"
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name')} {info.get('version')}"
    except Exception:
        pass
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return {"cpu": f"{model}, {os.cpu_count()} cores, {features}",
            "numpy": f"{np.__version__} with {blas}" + (f" (OPENBLAS_CORETYPE={coretype})" if coretype else "")}

SHAPES = [  # name, transA, transB, m, n, k (same list as gradus.cli.GemmBenchmark)
    ("square 256", False, False, 256, 256, 256),
    ("square 512", False, False, 512, 512, 512),
    ("square 1024", False, False, 1024, 1024, 1024),
    ("square 2048", False, False, 2048, 2048, 2048),
    ("mlp fwd X·Wt", False, True, 128, 64, 784),
    ("mlp dW dYt·X", True, False, 64, 784, 128),
    ("mlp dW Xt·dY", True, False, 784, 64, 128),
    ("mlp dX dY·W", False, False, 128, 784, 64),
    ("conv1 W·cols", False, False, 32, 784 * 32, 9),
    ("conv1 dW dY·colsT", False, True, 32, 9, 784 * 32),
    ("conv1 dcols WT·dY", True, False, 9, 784 * 32, 32),
    ("conv2 W·cols", False, False, 64, 196 * 32, 288),
    ("conv2 dW dY·colsT", False, True, 64, 288, 196 * 32),
    ("conv2 dcols WT·dY", True, False, 288, 196 * 32, 64),
]


def main():
    as_json = "--json" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--json"]
    repeats = int(args[0]) if args else 5
    rng = np.random.default_rng(1)
    results = {}
    if not as_json:
        for key, value in where_it_runs().items():
            print(f"{key}: {value}")
        print(f"{'shape':<20} {'m x n x k':<22} {'numpy GF/s':>12}")
    for name, ta, tb, m, n, k in SHAPES:
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        opa, opb = (a.T if ta else a), (b.T if tb else b)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        calls = int(max(1, min(100_000, 2e9 / flops)))
        rates = []
        for r in range(repeats + 1):  # the first round warms up
            t0 = time.perf_counter()
            for _ in range(calls):
                np.matmul(opa, opb, out=c)
            t = time.perf_counter() - t0
            if r > 0:
                rates.append(flops * calls / t / 1e9)
        results[name] = max(rates)
        if not as_json:
            dims = f"{'T' if ta else 'N'} {'T' if tb else 'N'} {m}x{n}x{k}"
            print(f"{name:<20} {dims:<22} {max(rates):12.1f}")
    if as_json:
        print(json.dumps({"numpy": np.__version__, "machine": where_it_runs(), "gflops": results}))


if __name__ == "__main__":
    main()
