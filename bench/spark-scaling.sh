#!/usr/bin/env bash
# Data-parallel training throughput on local Spark: 1 worker against 2 workers (one kernel thread each), a small CNN
# on 6,000 Fashion-MNIST images (apt dataset-fashion-mnist), runs alternating after a warm-up.
#   bench/spark-scaling.sh [rounds]
# Prints the CPU and one JSON line per run (samples/s, step and all-reduce time, bytes per step).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
cp=spark/target/bench-classpath.txt
./mvnw -o -q -B -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp" 2>&1 | grep -v WARNING || true
flags=$(sed -n '/<spark.jvm.flags>/,/<\/spark.jvm.flags>/p' spark/pom.xml | sed 's/<[^>]*>//g' | tr -s ' \n' ' ')
java $flags -Xmx3g -Dgradus.threads=1 -Dgradus.log=warn \
  -cp "spark/target/test-classes:spark/target/classes:core/target/classes:$(cat "$cp")" gradus.spark.bench.DataParallelBench "$rounds"
