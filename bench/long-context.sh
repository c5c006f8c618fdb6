#!/usr/bin/env bash
# Sliding-window attention next to full attention: memory and time of one MultiHeadAttention training step
# (width 64, 2 heads, batch 1) at 1K–8K tokens (gradus.bench.LongContextBench). Keep ROUNDS small on a shared machine.
#   [THREADS=2] bench/long-context.sh [ROUNDS=3] [LENGTHS=1024,2048,4096,8192]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -o -B test-compile -pl core >/dev/null
exec java --add-modules jdk.incubator.vector -Xmx6g -XX:+UseG1GC -Dgradus.threads="${THREADS:-2}" -Dgradus.log=warn \
  -cp core/target/classes:core/target/test-classes gradus.bench.LongContextBench "${1:-3}" "${2:-1024,2048,4096,8192}"
