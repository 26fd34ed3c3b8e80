#!/usr/bin/env bash
# The frontier: closeness of the weaker encoder against butteraugli at each preset's bound (see FrontierBenchmark).
# Usage: bench/run-frontier.sh [PRESETS] [IMAGES] [SIZE] [SHAPES]  (rows appended to engine/target/frontier/frontier.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
cd engine && java -Dscrim.shared="$PWD/../../shared" -cp "target/test-classes:target/classes:$cp" \
  org.scrim.engine.bench.FrontierBenchmark "$@"
