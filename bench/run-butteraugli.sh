#!/usr/bin/env bash
# Butteraugli's time per score at the sizes a protection finishes at (see ButteraugliBenchmark).
# Usage: bench/run-butteraugli.sh [IMAGE] [SIDES]  e.g. chelsea.png 512,1024,2048,4096
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
cd engine && java -Dscrim.shared="$PWD/../../shared" -cp "target/test-classes:target/classes:$cp" \
  org.scrim.engine.bench.ButteraugliBenchmark "$@"
