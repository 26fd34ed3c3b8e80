#!/usr/bin/env bash
# Protection benchmark over ../shared/images (see ProtectBenchmark); needs ssimulacra_main (libjxl-devtools).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
cd engine && java -Dscrim.shared="$PWD/../../shared" -cp "target/test-classes:target/classes:$cp" \
  org.scrim.engine.bench.ProtectBenchmark "$@"
