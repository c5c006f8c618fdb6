#!/usr/bin/env bash
# Reproduces the benchmark table: GEMM GFLOPS (java / openblas / auto next to NumPy and the machine's peak),
# then MLP and CNN training on full Fashion-MNIST next to PyTorch at its best settings, interleaved.
#   bench/run.sh [all|gemm|mlp|cnn] [rounds]      (the table is also saved as runs/bench-<date>.txt)
# `gradus bench` removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for its NumPy and PyTorch children only (never
# do that in tests or CI) and runs PyTorch with OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(cores), the
# fastest settings found on this machine. On a shared machine, repeat (rounds) and compare ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}; rounds=${2:-2}
mkdir -p runs
./gradus bench "$what" --rounds "$rounds" | tee "runs/bench-$(date +%Y%m%d-%H%M).txt"
