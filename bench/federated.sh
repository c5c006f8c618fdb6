#!/usr/bin/env bash
# The issue's federated target: FedAvg over 10 simulated clients with Dirichlet(0.5) label splits of Fashion-MNIST
# must reach >= 0.85 test accuracy within 50 rounds. Prints the machine, one line per round, and the first round
# that reached 0.85. Needs /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
#   bench/federated.sh [extra options for gradus federated simulate]
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"

./gradus federated simulate examples/federated-fashion.yaml --clients 10 --alpha 0.5 --rounds 50 --out "$out" "$@" | tee "$out/log.txt"
awk '/^round/ { split($2, r, "/"); for (i = 1; i <= NF; i++) if ($i == "accuracy") acc = $(i + 1);
       if (acc >= 0.85 && !hit) { hit = r[1]; print "first round at >= 0.85: " hit " (accuracy " acc ")" } }
     END { if (!hit) { print "did not reach 0.85"; exit 1 } }' "$out/log.txt"
