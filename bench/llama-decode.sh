#!/usr/bin/env bash
# Decode tokens/s at batch 1, Gradus next to llama.cpp (node-llama-cpp 3.21.1 in tools/llama-cpp) at the same thread
# count, on random Llama-shaped GGUF models written once under runs/ (1b: ≈1.1B parameters; small: the test model).
#   [THREADS=2] bench/llama-decode.sh [TYPE=Q8_0] [SHAPE=1b] [ROUNDS=3] [STEPS=32]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -d tools/llama-cpp/node_modules/node-llama-cpp ]] || (cd tools/llama-cpp && npm ci --no-audit --no-fund)
./mvnw -q -o -B test-compile -pl core >/dev/null
cp=core/target/classes:core/target/test-classes:$(ls ~/.m2/repository/com/fasterxml/jackson/core/jackson-*/2.20*/*.jar | tr '\n' ':')
mkdir -p runs
exec java --add-modules jdk.incubator.vector -Xmx6g -Dgradus.threads="${THREADS:-2}" -cp "$cp" gradus.bench.LlamaDecodeBench "${1:-Q8_0}" "${2:-1b}" "${3:-3}" "${4:-32}"
