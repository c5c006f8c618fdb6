#!/usr/bin/env bash
# DP-SGD: (1) a DP step next to a normal step of the same model and batch, interleaved (gradus.bench.DpSgdBench);
# (2) with `train`, examples/fashion-dp.yaml (ε ≤ 3, δ = 1e-5), its non-private twin and examples/fashion-cnn.yaml,
# then the membership audit of the three models. On the shared machine pass fewer epochs: EPOCHS=2 bench/dp-sgd.sh train
#   bench/dp-sgd.sh [step|train|all] [cnn|dp-cnn] [BATCH=256] [ROUNDS=20]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-step}
if [[ $what == step || $what == all ]]; then
  ./mvnw -q -o -B test-compile -pl core >/dev/null
  cp=core/target/classes:core/target/test-classes:$(ls ~/.m2/repository/com/fasterxml/jackson/core/jackson-*/2.20*/*.jar | tr '\n' ':')
  java --add-modules jdk.incubator.vector -Xmx4g -cp "$cp" gradus.bench.DpSgdBench "${2:-cnn}" "${3:-256}" "${4:-20}"
  java --add-modules jdk.incubator.vector -Xmx4g -cp "$cp" gradus.bench.DpSgdBench dp-cnn "${3:-256}" "${4:-20}"
fi
if [[ $what == train || $what == all ]]; then
  mkdir -p runs
  epochs=${EPOCHS:+--epochs $EPOCHS}
  ./gradus train examples/fashion-dp.yaml --out runs/fashion-dp $epochs
  sed 's/^privacy:.*$//; s/^name: fashion-dp/name: fashion-dp-plain/' examples/fashion-dp.yaml > runs/fashion-dp-plain.yaml
  ./gradus train runs/fashion-dp-plain.yaml --out runs/fashion-dp-plain $epochs
  ./gradus train examples/fashion-cnn.yaml --out runs/fashion-cnn   # the non-private CNN of the examples (Adam, 3 epochs)
  for m in fashion-dp fashion-dp-plain fashion-cnn; do
    echo "== membership audit: $m"
    ./gradus privacy-audit runs/$m/model --train fashion-mnist:train --test fashion-mnist:test
  done
fi
