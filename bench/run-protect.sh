#!/usr/bin/env bash
# Protection benchmark over ../shared/images (see ProtectBenchmark); needs ssimulacra_main (libjxl-devtools).
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.ProtectBenchmark "$@"
