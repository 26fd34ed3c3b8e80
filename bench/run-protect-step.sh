#!/usr/bin/env bash
# Whole protection steps (gradient, Adam, visibility bisection) on every backend (see ProtectStepBenchmark).
#   bench/run-protect-step.sh THREADS [SIZE] [STEPS]      (defaults 2 512 5)
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.ProtectStepBenchmark "$@"
