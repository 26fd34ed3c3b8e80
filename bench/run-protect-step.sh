#!/usr/bin/env bash
# Whole protection steps (gradient, Adam, visibility bisection) on every backend (see ProtectStepBenchmark).
#   bench/run-protect-step.sh THREADS [SIZE] [STEPS]      (defaults 2 512 5)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests test-compile -pl engine
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Dscrim.shared="$PWD/../shared" -cp "engine/target/test-classes:engine/target/classes:$cp" \
  org.scrim.engine.bench.ProtectStepBenchmark "$@"
