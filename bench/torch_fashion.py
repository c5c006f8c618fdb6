#!/usr/bin/env python3
"""PyTorch reference for `gradus bench mlp|cnn`: the same models, data and hyperparameters.

Data is held in memory as tensors (no DataLoader workers), as the issue asks, so this times the
training step itself. Run with Debian's python3-torch:
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_fashion.py mlp --epochs 10
"""
import argparse, gzip, json, os, resource, struct, time

import torch
import torch.nn as nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load(root, split):
    prefix = "train" if split == "train" else "t10k"
    x = idx(os.path.join(root, f"{prefix}-images-idx3-ubyte.gz")).float().div_(255).unsqueeze(1)
    y = idx(os.path.join(root, f"{prefix}-labels-idx1-ubyte.gz")).long()
    return x, y


def model(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model", choices=["mlp", "cnn"])
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--synthetic", action="store_true", help="random data of Fashion-MNIST's shapes (timing only)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    epochs = a.epochs or (10 if a.model == "mlp" else 3)
    if a.synthetic:
        xtr, ytr = torch.rand(60000, 1, 28, 28), torch.randint(0, 10, (60000,))
        xte, yte = torch.rand(10000, 1, 28, 28), torch.randint(0, 10, (10000,))
    else:
        xtr, ytr = load(a.data_dir, "train")
        xte, yte = load(a.data_dir, "test")
    if a.model == "mlp":  # examples/fashion-mlp.yaml has `scale: standard`: per-pixel mean/std of the training images
        mean, std = xtr.mean(0), xtr.std(0, unbiased=False)
        std[std == 0] = 1
        xtr, xte = (xtr - mean) / std, (xte - mean) / std
    m = model(a.model)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    lossf = nn.CrossEntropyLoss()
    times = []
    g = torch.Generator().manual_seed(a.seed)
    for _ in range(epochs):
        start = time.perf_counter()
        m.train()
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), 128):
            idx_ = perm[i:i + 128]
            loss = lossf(m(xtr[idx_]), ytr[idx_])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    m.eval()
    with torch.no_grad():
        acc = sum((m(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000)) / len(xte)
    print(json.dumps({"model": a.model, "framework": "pytorch " + torch.__version__, "threads": a.threads, "epochs": epochs,
                      "seconds_per_epoch_mean": sum(times) / len(times), "seconds_per_epoch_best": min(times),
                      "samples_per_s_best": len(xtr) / min(times), "test_accuracy": acc,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3}))


if __name__ == "__main__":
    main()
