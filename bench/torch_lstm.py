#!/usr/bin/env python3
"""PyTorch reference for gradus.bench.LstmBench: forward + backward of the spam classifier's training step,
Embedding(20000, 64) -> LSTM(64 -> 128) -> Linear(128 -> 2) on the final hidden state -> cross entropy,
batch 64 x 256 tokens. Prints one JSON line: best and median step in milliseconds after warm-up, wall-clock
and process CPU time (on a machine shared with other jobs, CPU time shows the work done).
    env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_lstm.py --threads 2
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    batch, tokens, vocab = 64, 256, 20000
    embedding, lstm, head = nn.Embedding(vocab, 64), nn.LSTM(64, 128, batch_first=True), nn.Linear(128, 2)
    params = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    x = torch.randint(vocab, (batch, tokens))
    y = torch.arange(batch) % 2
    lossf = nn.CrossEntropyLoss()
    ms, cpu_ms = [], []
    for s in range(-5, a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        for q in params:
            q.grad = None
        _, (h, _) = lstm(embedding(x))
        lossf(head(h[0]), y).backward()
        if s >= 0:
            ms.append((time.perf_counter() - t0) * 1e3)
            cpu_ms.append((time.process_time() - c0) * 1e3)
    print(json.dumps({"impl": "torch", "threads": a.threads, "best_ms": round(min(ms), 1),
                      "median_ms": round(statistics.median(ms), 1), "best_cpu_ms": round(min(cpu_ms), 1),
                      "median_cpu_ms": round(statistics.median(cpu_ms), 1)}))


if __name__ == "__main__":
    main()
