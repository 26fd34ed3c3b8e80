#!/usr/bin/env bash
# One TAEF2 loss+gradient step on every backend: ONNX Runtime (CPU, THREADS threads) and each OpenCL device found.
#   bench/run-backends.sh THREADS SIZE...      (default sizes 512 1024 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; shift || true
sizes=${*:-512 1024 2048}
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Dscrim.shared="$PWD/../shared" -cp "engine/target/test-classes:engine/target/classes:$cp" \
  org.scrim.engine.bench.OpenClStepBenchmark "$threads" $sizes
