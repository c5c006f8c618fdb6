#!/usr/bin/env bash
# Side-by-side training benchmark: Gradus vs PyTorch (same models, data, hyperparameters), interleaved.
#   bench/run.sh [mlp|cnn|all] [rounds]
# OPENBLAS_CORETYPE is unset here only (benchmarks), never in tests; PyTorch runs at its best
# setting found on this machine (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(2)).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}; rounds=${2:-1}
models=(mlp cnn); [[ "$which" != all ]] && models=("$which")
for ((r = 1; r <= rounds; r++)); do
  for m in "${models[@]}"; do
    ./gradus bench "$m" --json
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_fashion.py "$m"
  done
done
