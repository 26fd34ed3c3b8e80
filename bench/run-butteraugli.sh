#!/usr/bin/env bash
# Butteraugli's time per score at the sizes a protection finishes at (see ButteraugliBenchmark).
# Usage: bench/run-butteraugli.sh [IMAGE] [SIDES]  e.g. chelsea.png 512,1024,2048,4096
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.ButteraugliBenchmark "$@"
