#!/usr/bin/env bash
# One TAEF2 loss+gradient step: Scrim on ONNX Runtime next to PyTorch (Debian python3-torch), same threads and sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; shift || true
sizes=${*:-512 1024}
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Dscrim.shared="$PWD/../shared" -cp "engine/target/test-classes:engine/target/classes:$cp" \
  org.scrim.engine.bench.StepBenchmark "$threads" $sizes
/usr/bin/python3 bench/taef2_torch.py step "$threads" $sizes
